//! The routing worker's queue: PENDING requests in id (arrival) order, as a partial index,
//! so taking the oldest batch reads that batch only, however many requests were routed
//! before it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_pending_requests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Partial indexes read alike on PostgreSQL and SQLite; sea-query cannot build one.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_loan_request_pending ON loan_request (id) \
                 WHERE status = 'PENDING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ix_loan_request_pending")
            .await?;
        Ok(())
    }
}
