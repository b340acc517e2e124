//! Loans per day and branch (`loan_day`), counted with each loan in its transaction, so the
//! report reads a year of loans from a few thousand rows instead of millions. A loan counts
//! on its China-time day for the branch owning the copy when it was lent.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;

use crate::entity::loan_day;
use crate::{china_time, Result};

/// Counts a loan of a copy `branch` owns, started at `at`.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn count(
    db: &impl ConnectionTrait,
    branch: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    loan_day::Entity::insert(loan_day::ActiveModel {
        day: Set(china_time::date_of(at).to_string()),
        branch_id: Set(branch),
        loans: Set(1),
    })
    .on_conflict(
        OnConflict::columns([loan_day::Column::Day, loan_day::Column::BranchId])
            .value(
                loan_day::Column::Loans,
                Expr::col((loan_day::Entity, loan_day::Column::Loans)).add(1),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Counts every loan again from the loans themselves: for history written in bulk rather than
/// lent one by one (the demo's generated year, the benchmarks' city).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn recount(db: &impl ConnectionTrait) -> Result<()> {
    let day = super::Dialect(db.get_database_backend()).day("l.checked_out_at");
    loan_day::Entity::delete_many().exec(db).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO loan_day (day, branch_id, loans) \
         SELECT {day}, i.home_branch_id, count(*) FROM loan l JOIN item i ON i.id = l.item_id \
         GROUP BY {day}, i.home_branch_id"
    ))
    .await?;
    Ok(())
}
