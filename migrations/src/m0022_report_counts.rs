//! What the statistics read instead of the big history tables, kept in the same transaction
//! as the rows they count:
//! - `loan_day`: loans started per China-time day (`YYYY-MM-DD`) and branch owning the copy,
//!   and loans returned per day and branch where they came back, so a year's loans and returns
//!   per day are 365 × branches rows instead of millions of loans;
//! - `item.times_lent`: loans of the copy ever, so how new copies circulate reads the year's
//!   new copies instead of counting their loans one copy at a time;
//! - `loan_request.ready_at`, `fulfilled_at`, `expired_at`: when a request first became ready
//!   (on a hold shelf or in a locker, or delivered at home), was lent and expired, so the ready
//!   times, deliveries and locker holds read the requests alone instead of their history.
//!
//! Existing rows are filled from the loans and the requests' history. Measured by the report
//! bench (`tests/benches/report.rs`).

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0022_report_counts"
    }
}

const STAMPS: [&str; 3] = ["ready_at", "fulfilled_at", "expired_at"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(n("loan_day"))
                    .col(text("day"))
                    .col(uuid("branch_id"))
                    .col(bigint("loans"))
                    .col(bigint("returns"))
                    .primary_key(Index::create().col(n("day")).col(n("branch_id")))
                    .to_owned(),
            )
            .await?;
        for col in STAMPS {
            add_column(manager, "loan_request", at_null(col)).await?;
        }
        let mut times_lent = bigint("times_lent");
        times_lent.default(0);
        add_column(manager, "item", times_lent).await?;
        let db = manager.get_connection();
        let day = |col: &str| match db.get_database_backend() {
            DbBackend::Sqlite => format!("strftime('%Y-%m-%d', {col}, '+8 hours')"),
            _ => format!("to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"),
        };
        db.execute_unprepared(&format!(
            "INSERT INTO loan_day (day, branch_id, loans, returns) \
             SELECT {lent}, i.home_branch_id, count(*), 0 FROM loan l \
             JOIN item i ON i.id = l.item_id GROUP BY {lent}, i.home_branch_id",
            lent = day("l.checked_out_at"),
        ))
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO loan_day (day, branch_id, loans, returns) \
             SELECT {back}, l.return_branch_id, 0, count(*) FROM loan l \
             WHERE l.returned_at IS NOT NULL AND l.return_branch_id IS NOT NULL \
             GROUP BY {back}, l.return_branch_id \
             ON CONFLICT (day, branch_id) DO UPDATE SET returns = excluded.returns",
            back = day("l.returned_at"),
        ))
        .await?;
        db.execute_unprepared(
            "UPDATE item SET times_lent = (SELECT count(*) FROM loan l WHERE l.item_id = item.id)",
        )
        .await?;
        let first = |when: &str| {
            format!(
                "(SELECT min(e.at) FROM request_event e \
                  WHERE e.request_id = loan_request.id AND ({when}))"
            )
        };
        db.execute_unprepared(&format!(
            "UPDATE loan_request SET ready_at = {}, fulfilled_at = {}, expired_at = {}",
            first(
                "e.to_status = 'READY_FOR_PICKUP' \
                 OR (e.to_status = 'FULFILLED' AND loan_request.delivery_method = 'HOME')"
            ),
            first("e.to_status = 'FULFILLED'"),
            first("e.to_status = 'EXPIRED'"),
        ))
        .await?;
        for col in ["created_at", "ready_at", "fulfilled_at", "expired_at"] {
            manager
                .create_index(index("loan_request", &[col], false))
                .await?;
        }
        manager
            .create_index(index("item", &["created_at"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "item", &["created_at"]).await?;
        drop_column(manager, "item", "times_lent").await?;
        for col in ["created_at", "ready_at", "fulfilled_at", "expired_at"] {
            drop_index(manager, "loan_request", &[col]).await?;
        }
        for col in STAMPS {
            drop_column(manager, "loan_request", col).await?;
        }
        drop_all(manager, &["loan_day"]).await
    }
}
