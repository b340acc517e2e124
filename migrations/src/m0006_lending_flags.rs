//! Lending follow-ups: when an overdue loan was flagged (so the sweep flags and tells the
//! reader once), and an index for the per-title waitlist queue.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_lending_flags"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("loan"))
                    .add_column(at_null("overdue_flagged_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("loan_request", &["status", "pickup_deadline"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_loan_request_status_pickup_deadline")
                    .table(n("loan_request"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("loan"))
                    .drop_column(n("overdue_flagged_at"))
                    .to_owned(),
            )
            .await
    }
}
