//! Net lending: loan requests and their history, pick tasks, delivery rounds, shipments
//! (locker, courier, transfer), loans and return tickets.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_lending"
    }
}

const TABLES: &[&str] = &[
    "loan_request",
    "request_event",
    "pick_task",
    "delivery_round",
    "shipment",
    "loan",
    "return_ticket",
];

const REQUEST_STATUSES: &[&str] = &[
    "PENDING",
    "WAITLISTED",
    "ROUTED",
    "PICKED",
    "IN_TRANSIT",
    "READY_FOR_PICKUP",
    "FULFILLED",
    "CANCELLED",
    "EXPIRED",
    "FAILED",
];
const DELIVERY_METHODS: &[&str] = &["LOCKER", "BRANCH", "HOME"];

fn loan_request() -> TableCreateStatement {
    Table::create()
        .table(n("loan_request"))
        .col(id())
        .col(uuid("reader_id"))
        .col(uuid("title_id"))
        .col(uuid_null("item_id"))
        .col(one_of("status", REQUEST_STATUSES))
        .col(one_of("delivery_method", DELIVERY_METHODS))
        .col(uuid_null("locker_id"))
        .col(uuid_null("pickup_branch_id"))
        .col(uuid_null("address_id"))
        .col(uuid_null("source_branch_id"))
        .col(uuid_null("compartment_id"))
        .col(text_null("pickup_code_hash"))
        .col(at_null("pickup_deadline"))
        .col(text_null("failure_reason"))
        .col(text_null("idempotency_key"))
        .col(at("created_at"))
        .col(at("updated_at"))
        .foreign_key(&mut fk("loan_request", "reader_id", "reader"))
        .foreign_key(&mut fk("loan_request", "title_id", "title"))
        .foreign_key(&mut fk("loan_request", "item_id", "item"))
        .foreign_key(&mut fk("loan_request", "locker_id", "locker"))
        .foreign_key(&mut fk("loan_request", "pickup_branch_id", "branch"))
        .foreign_key(&mut fk("loan_request", "address_id", "reader_address"))
        .foreign_key(&mut fk("loan_request", "source_branch_id", "branch"))
        .foreign_key(&mut fk("loan_request", "compartment_id", "compartment"))
        .to_owned()
}

fn shipment() -> TableCreateStatement {
    Table::create()
        .table(n("shipment"))
        .col(id())
        .col(uuid_null("request_id"))
        .col(uuid_null("loan_id"))
        .col(one_of("kind", &["LOCKER", "HOME", "TRANSFER", "RETURN"]))
        .col(one_of(
            "status",
            &["CREATED", "IN_TRANSIT", "DELIVERED", "FAILED", "CANCELLED"],
        ))
        .col(uuid_null("round_id"))
        .col(uuid_null("compartment_id"))
        .col(uuid_null("from_branch_id"))
        .col(uuid_null("to_branch_id"))
        .col(text_null("carrier"))
        .col(text_null("waybill_no"))
        .col(int("fee_cents").default(0))
        .col(flag("fee_waived", true))
        .col(at("created_at"))
        .col(at("updated_at"))
        .foreign_key(&mut fk("shipment", "request_id", "loan_request"))
        .foreign_key(&mut fk("shipment", "round_id", "delivery_round"))
        .foreign_key(&mut fk("shipment", "compartment_id", "compartment"))
        .foreign_key(&mut fk("shipment", "from_branch_id", "branch"))
        .foreign_key(&mut fk("shipment", "to_branch_id", "branch"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            loan_request(),
            Table::create()
                .table(n("request_event"))
                .col(id())
                .col(uuid("request_id"))
                .col(text_null("from_status"))
                .col(one_of("to_status", REQUEST_STATUSES))
                .col(one_of(
                    "actor_kind",
                    &["READER", "STAFF", "SYSTEM", "LOCKER", "COURIER"],
                ))
                .col(uuid_null("actor_id"))
                .col(text_null("note"))
                .col(at("at"))
                .foreign_key(&mut fk_cascade(
                    "request_event",
                    "request_id",
                    "loan_request",
                ))
                .to_owned(),
            Table::create()
                .table(n("pick_task"))
                .col(id())
                .col(uuid("request_id"))
                .col(uuid("item_id"))
                .col(uuid("branch_id"))
                .col(one_of(
                    "status",
                    &["OPEN", "PICKED", "NOT_ON_SHELF", "CANCELLED"],
                ))
                .col(uuid_null("picked_by"))
                .col(at_null("picked_at"))
                .col(at("created_at"))
                .foreign_key(&mut fk("pick_task", "request_id", "loan_request"))
                .foreign_key(&mut fk("pick_task", "item_id", "item"))
                .foreign_key(&mut fk("pick_task", "branch_id", "branch"))
                .foreign_key(&mut fk("pick_task", "picked_by", "staff"))
                .to_owned(),
            Table::create()
                .table(n("delivery_round"))
                .col(id())
                .col(uuid("branch_id"))
                .col(uuid("locker_id"))
                .col(one_of("status", &["OPEN", "STARTED", "COMPLETED"]))
                .col(at_null("started_at"))
                .col(at("created_at"))
                .foreign_key(&mut fk("delivery_round", "branch_id", "branch"))
                .foreign_key(&mut fk("delivery_round", "locker_id", "locker"))
                .to_owned(),
            shipment(),
            Table::create()
                .table(n("loan"))
                .col(id())
                .col(uuid("reader_id"))
                .col(uuid("item_id"))
                .col(uuid_null("request_id"))
                .col(one_of("status", &["ACTIVE", "RETURNED", "LOST"]))
                .col(at("checked_out_at"))
                .col(at("due_at"))
                .col(int("renewals").default(0))
                .col(at_null("returned_at"))
                .col(uuid_null("return_branch_id"))
                .foreign_key(&mut fk("loan", "reader_id", "reader"))
                .foreign_key(&mut fk("loan", "item_id", "item"))
                .foreign_key(&mut fk("loan", "request_id", "loan_request"))
                .foreign_key(&mut fk("loan", "return_branch_id", "branch"))
                .to_owned(),
            Table::create()
                .table(n("return_ticket"))
                .col(id())
                .col(uuid("loan_id"))
                .col(text("code"))
                .col(one_of("method", &["BRANCH", "LOCKER", "COURIER"]))
                .col(uuid_null("locker_id"))
                .col(one_of(
                    "status",
                    &["OPEN", "DROPPED", "RECEIVED", "CANCELLED"],
                ))
                .col(at("created_at"))
                .foreign_key(&mut fk("return_ticket", "loan_id", "loan"))
                .foreign_key(&mut fk("return_ticket", "locker_id", "locker"))
                .to_owned(),
        ];
        let indexes = vec![
            index("loan_request", &["reader_id", "status"], false),
            index("loan_request", &["title_id", "status", "created_at"], false),
            index("loan_request", &["item_id"], false),
            index("request_event", &["request_id", "at"], false),
            index("pick_task", &["branch_id", "status"], false),
            index("pick_task", &["request_id"], false),
            index("delivery_round", &["branch_id", "status"], false),
            index("shipment", &["request_id"], false),
            index("shipment", &["carrier", "waybill_no"], true),
            index("loan", &["reader_id", "status"], false),
            index("loan", &["item_id", "status"], false),
            index("return_ticket", &["code"], true),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
