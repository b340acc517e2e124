//! Dispatch: a pickup code's generation on the request (the code itself is derived from the
//! server secret and never stored, only a keyed hash for lookups), and the indexes the
//! locker flows read by; the door a locker return was given; courier tracking events, each
//! recorded once.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_dispatch"
    }
}

const INDEXES: &[(&str, &[&str])] = &[
    ("loan_request", &["locker_id", "status"]),
    ("loan_request", &["compartment_id"]),
    ("shipment", &["round_id"]),
    ("compartment", &["locker_id", "state"]),
    ("return_ticket", &["compartment_id", "status"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("loan_request"))
                    .add_column(int("pickup_code_gen").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("return_ticket"))
                    .add_column(uuid_null("compartment_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("courier_event"))
                    .col(id())
                    .col(text("carrier"))
                    .col(text("event_id"))
                    .col(text("waybill_no"))
                    .col(text("status"))
                    .col(at("received_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("courier_event", &["carrier", "event_id"], true))
            .await?;
        for (table, cols) in INDEXES {
            manager.create_index(index(table, cols, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("courier_event")).to_owned())
            .await?;
        for (table, cols) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_{table}_{}", cols.join("_")))
                        .table(n(table))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(n("return_ticket"))
                    .drop_column(n("compartment_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("loan_request"))
                    .drop_column(n("pickup_code_gen"))
                    .to_owned(),
            )
            .await
    }
}
