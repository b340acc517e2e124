//! Counts kept with each loan, in its transaction, so the report reads a year of loans from a
//! few thousand rows instead of millions: loans per China-time day and branch owning the copy
//! (`loan_day`), and each copy's loans ever (`item.times_lent`, for how new copies circulate).

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
    loan_day::Entity::insert(loan_day::ActiveModel {
        day: Set(china_time::date_of(at).to_string()),
        branch_id: Set(copy.home_branch_id),
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
    db.execute_unprepared(
        "UPDATE item SET times_lent = (SELECT count(*) FROM loan l WHERE l.item_id = item.id)",
    )
    .await?;
    Ok(())
}
