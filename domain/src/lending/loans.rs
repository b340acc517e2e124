//! Loans: starting one, a reader's loans, renewals.

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QuerySelect};

use super::delivery_methods::set_copy;
use super::{committed, lock_title, waitlist, Loan, LoanStatus};
use crate::config::LendingConfig;
use crate::entity::item::{self, ItemStatus};
use crate::entity::loan;
use crate::lifecycle::{self, Lifecycle};
use crate::notify::triggers::{self, LoanEvent};
use crate::patrons::categories;
use crate::{Ctx, Error, Reason, Result};

/// Lends `copy` to `reader` from now, for their category's loan period (else the policy's; a
/// proposal that bought the copy for them becomes LOANED).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn start(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    reader: Uuid,
    copy: &item::Model,
    request: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Loan> {
    let terms = categories::terms(db, reader, policy).await?;
    set_copy(db, copy, ItemStatus::OnLoan, copy.current_branch_id, now).await?;
    crate::purchases::receiving::lent(db, reader, copy.id, now).await?;
    crate::report::counts::lent(db, copy, now).await?;
    Ok(loan::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader),
        item_id: Set(copy.id),
        request_id: Set(request),
        status: Set(lifecycle::begin(LoanStatus::Active)?),
        checked_out_at: Set(now),
        due_at: Set(now + Duration::days(i64::from(terms.loan_days))),
        renewals: Set(0),
        returned_at: Set(None),
        return_branch_id: Set(None),
        overdue_flagged_at: Set(None),
        due_reminded_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// Whether a loan is past its due date (and not yet back).
pub fn is_overdue(loan: &Loan, now: DateTime<Utc>) -> bool {
    loan.status == LoanStatus::Active && loan.due_at < now
}

/// A page of the reader's loans, newest first, after the cursor `after` (a loan id).
/// Returns the page and whether more follow.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn of_reader(
    db: &impl ConnectionTrait,
    reader: Uuid,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<Loan>, bool)> {
    let mine = loan::Entity::find().filter(loan::Column::ReaderId.eq(reader));
    super::newest_first(db, mine, loan::Column::Id, first, after).await
}

/// Extends one of the reader's loans by a loan period.
///
/// # Errors
/// NOT_FOUND when it is not the reader's; CONFLICT when it is not active or someone is
/// waiting for the title; QUOTA_EXCEEDED when the renewal limit is reached.
pub async fn renew(ctx: &Ctx, reader: Uuid, id: Uuid) -> Result<Loan> {
    let policy = &ctx.config.lending;
    let txn = ctx.begin().await?;
    let found = loan::Entity::find_by_id(id)
        .filter(loan::Column::ReaderId.eq(reader))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("loan"))?;
    let copy = item::Entity::find_by_id(found.item_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    lock_title(&txn, copy.title_id, ctx.now()).await?;
    let current = loan::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("loan"))?;
    if current.status != LoanStatus::Active {
        return Err(current.status.refusal());
    }
    let terms = categories::terms(&txn, reader, policy).await?;
    if u32::try_from(current.renewals).unwrap_or(u32::MAX) >= terms.max_renewals {
        return Err(Error::QuotaExceeded(text!(
            "lending-renewals-limit",
            max = terms.max_renewals
        )));
    }
    let waiting = waitlist::waiting(&txn, copy.title_id).await?;
    if waiting > 0 {
        return Err(Error::conflict(Reason::ReadersWaiting).with("waiting", waiting));
    }
    let renewed = loan::Entity::update_many()
        .col_expr(
            loan::Column::DueAt,
            Expr::value(current.due_at + Duration::days(i64::from(terms.loan_days))),
        )
        .col_expr(loan::Column::Renewals, Expr::value(current.renewals + 1))
        .col_expr(
            loan::Column::OverdueFlaggedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            loan::Column::DueRemindedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(loan::Column::Id.eq(id))
        .filter(loan::Column::Renewals.eq(current.renewals))
        .exec_with_returning(&txn)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::conflict(Reason::RenewedMeanwhile))?;
    let left = terms
        .max_renewals
        .saturating_sub(u32::try_from(renewed.renewals).unwrap_or(u32::MAX));
    triggers::loan_event(&txn, &renewed, LoanEvent::Renewed { left }, ctx.now()).await?;
    txn.commit().await?;
    committed(ctx);
    Ok(renewed)
}

/// The active loan of a copy, if it is lent (locked for the transaction).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn active_for_copy(db: &impl ConnectionTrait, copy: Uuid) -> Result<Option<Loan>> {
    Ok(loan::Entity::find()
        .filter(loan::Column::ItemId.eq(copy))
        .filter(loan::Column::Status.eq(LoanStatus::Active))
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Ends a loan: the copy came back at `branch` (a desk, or a locker's branch), and the
/// reader is told. Returns the ended loan, or None when it had ended already.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn end(
    db: &impl ConnectionTrait,
    loan: Uuid,
    branch: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Loan>> {
    let ended =
        lifecycle::advance_all::<loan::Entity>(&[LoanStatus::Active], LoanStatus::Returned)?
            .col_expr(loan::Column::ReturnedAt, Expr::value(now))
            .col_expr(loan::Column::ReturnBranchId, Expr::value(branch))
            .filter(loan::Column::Id.eq(loan))
            .exec_with_returning(db)
            .await?
            .into_iter()
            .next();
    if let Some(lent) = &ended {
        crate::report::counts::returned(db, branch, now).await?;
        triggers::loan_event(db, lent, LoanEvent::Returned(branch), now).await?;
    }
    Ok(ended)
}
