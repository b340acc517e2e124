//! The book budget per fiscal (calendar) year: allocated, committed (approved, not yet
//! paid) and spent. Every change is a `budget_movement`, and the running totals on the
//! budget row move with it in the same transaction, so the totals always equal the sum of
//! the movements. Commits are conditional updates: however many approvals race, the budget
//! never goes below zero.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::BinOper;
use sea_orm::{ActiveValue::Set, QuerySelect};

use crate::auth::{Principal, StaffRole};
use crate::entity::budget::{self, Model as Budget};
use crate::entity::budget_movement::{self, MovementKind};
use crate::{Ctx, Error, Result};

/// What new approvals may still take from `budget`.
pub fn available_cents(budget: &Budget) -> i64 {
    budget.total_cents - budget.committed_cents - budget.spent_cents
}

/// Why a price could not be committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Short {
    /// No budget was allocated for the year.
    NoBudget,
    /// Less is left than the price.
    Exhausted,
}

/// Holds `amount` of `year`'s budget for `proposal`.
///
/// # Errors
/// `Ok(Err(Short))` when the budget cannot hold it; INTERNAL on a database fault.
pub(crate) async fn commit(
    db: &impl ConnectionTrait,
    year: i32,
    amount: i64,
    proposal: Uuid,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), Short>> {
    let updated = budget::Entity::update_many()
        .col_expr(
            budget::Column::CommittedCents,
            Expr::col(budget::Column::CommittedCents).add(amount),
        )
        .filter(budget::Column::FiscalYear.eq(year))
        .filter(
            Expr::col(budget::Column::TotalCents)
                .sub(Expr::col(budget::Column::CommittedCents))
                .sub(Expr::col(budget::Column::SpentCents))
                .binary(BinOper::GreaterThanOrEqual, Expr::val(amount)),
        )
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next();
    let Some(row) = updated else {
        let exists = budget::Entity::find()
            .filter(budget::Column::FiscalYear.eq(year))
            .one(db)
            .await?
            .is_some();
        return Ok(Err(if exists {
            Short::Exhausted
        } else {
            Short::NoBudget
        }));
    };
    movement(
        db,
        row.id,
        Some(proposal),
        MovementKind::Commit,
        amount,
        actor,
        now,
    )
    .await?;
    Ok(Ok(()))
}

/// Pays `amount` held for `proposal` in `year`'s budget: committed → spent.
///
/// # Errors
/// INTERNAL on a database fault or a budget that does not hold the amount.
pub(crate) async fn spend(
    db: &impl ConnectionTrait,
    year: i32,
    amount: i64,
    proposal: Uuid,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    uncommit(db, year, amount, proposal, actor, MovementKind::Spend, now).await
}

/// Gives back `amount` held for `proposal` in `year`'s budget (a withdrawn proposal).
///
/// # Errors
/// INTERNAL on a database fault or a budget that does not hold the amount.
pub(crate) async fn release(
    db: &impl ConnectionTrait,
    year: i32,
    amount: i64,
    proposal: Uuid,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    uncommit(
        db,
        year,
        amount,
        proposal,
        actor,
        MovementKind::Release,
        now,
    )
    .await
}

/// Takes `amount` out of committed: into spent for a SPEND, back to what is available for a
/// RELEASE.
async fn uncommit(
    db: &impl ConnectionTrait,
    year: i32,
    amount: i64,
    proposal: Uuid,
    actor: Option<Uuid>,
    kind: MovementKind,
    now: DateTime<Utc>,
) -> Result<()> {
    let paid = if kind == MovementKind::Spend {
        amount
    } else {
        0
    };
    let row = budget::Entity::update_many()
        .col_expr(
            budget::Column::CommittedCents,
            Expr::col(budget::Column::CommittedCents).sub(amount),
        )
        .col_expr(
            budget::Column::SpentCents,
            Expr::col(budget::Column::SpentCents).add(paid),
        )
        .filter(budget::Column::FiscalYear.eq(year))
        .filter(budget::Column::CommittedCents.gte(amount))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("budget {year} does not hold {amount}")))?;
    movement(db, row.id, Some(proposal), kind, amount, actor, now).await
}

async fn movement(
    db: &impl ConnectionTrait,
    budget: Uuid,
    proposal: Option<Uuid>,
    kind: MovementKind,
    amount: i64,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    budget_movement::ActiveModel {
        id: Set(Uuid::now_v7()),
        budget_id: Set(budget),
        proposal_id: Set(proposal),
        kind: Set(kind),
        amount_cents: Set(amount),
        actor_id: Set(actor),
        at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Allocates `total_cents` to `year` (admins): creates the year's budget or changes its
/// allocation, recorded as an adjustment.
///
/// # Errors
/// FORBIDDEN for anyone but an admin; VALIDATION for a negative amount, an implausible
/// year, or an allocation below what is already committed and spent.
pub async fn allocate(ctx: &Ctx, who: &Principal, year: i32, total_cents: i64) -> Result<Budget> {
    who.require_staff(&[StaffRole::Admin])?;
    if !(2000..=2100).contains(&year) || total_cents < 0 {
        return Err(Error::validation(text!("budget-allocation-invalid")));
    }
    let txn = ctx.begin().await?;
    let row = set_total(&txn, year, total_cents, who.staff_id(), ctx.now()).await?;
    txn.commit().await?;
    Ok(row)
}

/// Sets `year`'s allocation to `total_cents` on behalf of `actor` (None: the system),
/// creating the year's budget if needed; recorded as an adjustment.
///
/// # Errors
/// VALIDATION for an allocation below what is already committed and spent.
pub(crate) async fn set_total(
    db: &impl ConnectionTrait,
    year: i32,
    total_cents: i64,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Budget> {
    let current = budget::Entity::find()
        .filter(budget::Column::FiscalYear.eq(year))
        .lock_exclusive()
        .one(db)
        .await?;
    let row = match current {
        Some(b) => {
            if total_cents < b.committed_cents + b.spent_cents {
                return Err(
                    Error::validation(text!("budget-below-committed")).in_field("totalCents")
                );
            }
            let delta = total_cents - b.total_cents;
            let mut row: budget::ActiveModel = b.into();
            row.total_cents = Set(total_cents);
            let row = row.update(db).await?;
            movement(db, row.id, None, MovementKind::Adjust, delta, actor, now).await?;
            row
        }
        None => {
            let row = budget::ActiveModel {
                id: Set(Uuid::now_v7()),
                fiscal_year: Set(year),
                total_cents: Set(total_cents),
                committed_cents: Set(0),
                spent_cents: Set(0),
                created_at: Set(now),
            }
            .insert(db)
            .await?;
            movement(
                db,
                row.id,
                None,
                MovementKind::Adjust,
                total_cents,
                actor,
                now,
            )
            .await?;
            row
        }
    };
    Ok(row)
}

/// The year's budget (librarians).
///
/// # Errors
/// FORBIDDEN for readers and for staff other than librarians; NOT_FOUND when none was
/// allocated.
pub async fn of_year(db: &impl ConnectionTrait, who: &Principal, year: i32) -> Result<Budget> {
    who.require_staff(&[StaffRole::Librarian])?;
    budget::Entity::find()
        .filter(budget::Column::FiscalYear.eq(year))
        .one(db)
        .await?
        .ok_or(Error::NotFound("budget"))
}
