//! Counts kept with each loan and return, in its transaction, so the report reads a year of
//! loans from a few thousand rows instead of millions: loans per China-time day and branch
//! owning the copy and returns per day and branch where they came back (`loan_day`), and each
//! copy's loans ever (`item.times_lent`, for how new copies circulate).

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;

use crate::entity::{item, loan_day};
use crate::{china_time, Result};

/// Counts a loan of `copy` started at `at`: on its day for the branch owning the copy, and on
/// the copy.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn lent(
    db: &impl ConnectionTrait,
    copy: &item::Model,
    at: DateTime<Utc>,
) -> Result<()> {
    one_more(db, copy.home_branch_id, at, loan_day::Column::Loans).await?;
    item::Entity::update_many()
        .col_expr(
            item::Column::TimesLent,
            Expr::col(item::Column::TimesLent).add(1),
        )
        .filter(item::Column::Id.eq(copy.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Counts a loan returned at `branch` at `at`.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn returned(
    db: &impl ConnectionTrait,
    branch: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    one_more(db, branch, at, loan_day::Column::Returns).await
}

/// Adds one to `column` of `branch`'s row for the day of `at`, making the row if need be.
async fn one_more(
    db: &impl ConnectionTrait,
    branch: Uuid,
    at: DateTime<Utc>,
    column: loan_day::Column,
) -> Result<()> {
    let mut row = loan_day::ActiveModel {
        day: Set(china_time::date_of(at).to_string()),
        branch_id: Set(branch),
        loans: Set(0),
        returns: Set(0),
    };
    row.set(column, 1i64.into());
    loan_day::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([loan_day::Column::Day, loan_day::Column::BranchId])
                .value(column, Expr::col((loan_day::Entity, column)).add(1))
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
    let dialect = super::Dialect(db.get_database_backend());
    loan_day::Entity::delete_many().exec(db).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO loan_day (day, branch_id, loans, returns) \
         SELECT {lent}, i.home_branch_id, count(*), 0 FROM loan l \
         JOIN item i ON i.id = l.item_id GROUP BY {lent}, i.home_branch_id",
        lent = dialect.day("l.checked_out_at"),
    ))
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO loan_day (day, branch_id, loans, returns) \
         SELECT {back}, l.return_branch_id, 0, count(*) FROM loan l \
         WHERE l.returned_at IS NOT NULL AND l.return_branch_id IS NOT NULL \
         GROUP BY {back}, l.return_branch_id \
         ON CONFLICT (day, branch_id) DO UPDATE SET returns = excluded.returns",
        back = dialect.day("l.returned_at"),
    ))
    .await?;
    db.execute_unprepared(
        "UPDATE item SET times_lent = (SELECT count(*) FROM loan l WHERE l.item_id = item.id)",
    )
    .await?;
    Ok(())
}
