//! The library's places and stock: branches, lockers with their compartments, titles and items.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_library"
    }
}

const TABLES: &[&str] = &["branch", "locker", "compartment", "title", "item"];

/// Branch kinds, as the API names them.
const BRANCH_KINDS: &[&str] = &["CENTRAL", "BRANCH", "SELF_SERVICE", "BOOKSTORE"];
/// Where a copy is in its life.
const ITEM_STATUSES: &[&str] = &[
    "AVAILABLE",
    "RESERVED",
    "IN_TRANSIT",
    "ON_HOLD",
    "ON_LOAN",
    "MISSING",
    "WITHDRAWN",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            Table::create()
                .table(n("branch"))
                .col(id())
                .col(text("code"))
                .col(text("name"))
                .col(one_of("kind", BRANCH_KINDS))
                .col(text("address"))
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .col(at("created_at"))
                .to_owned(),
            Table::create()
                .table(n("locker"))
                .col(id())
                .col(text("code"))
                .col(text("name"))
                .col(uuid("branch_id"))
                .col(text("address"))
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .col(text_null("device_token_hash"))
                .col(at_null("last_seen_at"))
                .col(at("created_at"))
                .foreign_key(&mut fk("locker", "branch_id", "branch"))
                .to_owned(),
            Table::create()
                .table(n("compartment"))
                .col(id())
                .col(uuid("locker_id"))
                .col(text("label"))
                .col(one_of("size", &["S", "M", "L"]))
                .col(one_of("state", &["FREE", "RESERVED", "OCCUPIED", "FAULT"]))
                .col(
                    int("capacity")
                        .default(1)
                        .check(Expr::col(n("capacity")).between(1, 3)),
                )
                .foreign_key(&mut fk_cascade("compartment", "locker_id", "locker"))
                .to_owned(),
            Table::create()
                .table(n("title"))
                .col(id())
                .col(text_null("isbn"))
                .col(text("title"))
                .col(text_null("subtitle"))
                .col(text("authors"))
                .col(text_null("publisher"))
                .col(int_null("pub_year"))
                .col(text_null("clc_class"))
                .col(text_null("subjects"))
                .col(text_null("summary"))
                .col(int_null("price_cents"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .to_owned(),
            Table::create()
                .table(n("item"))
                .col(id())
                .col(uuid("title_id"))
                .col(text("barcode"))
                .col(text("call_number"))
                .col(uuid("home_branch_id"))
                .col(uuid("current_branch_id"))
                .col(one_of("status", ITEM_STATUSES))
                .col(flag("net_lending", true))
                .col(at("created_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("item", "title_id", "title"))
                .foreign_key(&mut fk("item", "home_branch_id", "branch"))
                .foreign_key(&mut fk("item", "current_branch_id", "branch"))
                .to_owned(),
        ];
        let indexes = vec![
            index("branch", &["code"], true),
            index("locker", &["code"], true),
            index("locker", &["device_token_hash"], true),
            index("locker", &["branch_id"], false),
            index("compartment", &["locker_id", "label"], true),
            index("title", &["isbn"], true),
            index("item", &["barcode"], true),
            index("item", &["title_id", "status"], false),
            index("item", &["current_branch_id", "status"], false),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
