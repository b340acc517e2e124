//! The lending sweep, run on a timer by the workers: holds not collected by their deadline
//! expire (the copy serves the waitlist, or goes home or back to the shelf); overdue loans
//! are flagged once and their readers told; pickup deadlines within 24 hours and loans due
//! within 3 days are reminded once; idempotency keys past their retention are forgotten.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::{
    idempotency, lock_title, request_log, waitlist, DeliveryMethod, LoanStatus, RequestStatus,
};
use crate::audit::Actor;
use crate::entity::{item, loan, loan_request};
use crate::jobs::Job;
use crate::{dispatch, notify, Ctx};

/// Holds handled per run (the next run takes the rest).
const BATCH: u64 = 200;

/// One sweep over expired holds, overdue loans and old idempotency keys. Idempotent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sweep;

#[async_trait]
impl Job for Sweep {
    const KIND: &'static str = "lending.sweep";
    const MAX_ATTEMPTS: i32 = 3;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let expired = expire_holds(ctx, txn).await?;
        let overdue = flag_overdue(txn, ctx.now()).await?;
        let reminded = notify::triggers::reminders(txn, ctx.now()).await?;
        let keys = idempotency::purge(txn, ctx.now()).await?;
        if expired + overdue + reminded + keys > 0 {
            tracing::info!(expired, overdue, reminded, keys, "lending sweep");
        }
        Ok(())
    }
}

/// Holds past their deadline become EXPIRED. A hold-shelf copy is released where it is (it
/// serves the waitlist, or goes home or back to the shelf); a locker parcel stays in its
/// compartment until staff collect it, and the locker gets a `collect_return` command so
/// its door opens for them.
async fn expire_holds(ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<u64> {
    let due = loan_request::Entity::find()
        .filter(loan_request::Column::Status.eq(RequestStatus::ReadyForPickup))
        .filter(loan_request::Column::PickupDeadline.lt(ctx.now()))
        .order_by_asc(loan_request::Column::PickupDeadline)
        .limit(BATCH)
        .all(txn)
        .await?;
    let mut n = 0;
    for req in due {
        lock_title(txn, req.title_id, ctx.now()).await?;
        let expired = request_log::transition(
            txn,
            &req,
            RequestStatus::Expired,
            Actor::System,
            Some(&text!("history-not-collected").into()),
            loan_request::ActiveModel {
                pickup_code_hash: Set(None),
                ..Default::default()
            },
            ctx.now(),
        )
        .await?;
        let Some(copy) = item::Entity::find_by_id(expired.item_id.unwrap_or_default())
            .one(txn)
            .await?
        else {
            continue;
        };
        match expired.delivery_method {
            DeliveryMethod::Locker => {
                // Announced at once: a poll that runs before this commits finds nothing yet
                // and simply polls again.
                let issued = dispatch::collection::collect(txn, &expired, &copy, ctx.now()).await?;
                dispatch::commands::announce(ctx, issued);
            }
            _ => {
                let at = copy.current_branch_id;
                waitlist::release(
                    txn,
                    &copy,
                    at,
                    ctx.config.lending.return_policy,
                    Actor::System,
                    ctx.now(),
                )
                .await?;
            }
        }
        n += 1;
    }
    Ok(n)
}

/// Flags active loans past their due date (once per loan).
async fn flag_overdue(txn: &DatabaseTransaction, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let flagged = loan::Entity::update_many()
        .col_expr(loan::Column::OverdueFlaggedAt, Expr::value(now))
        .filter(loan::Column::Status.eq(LoanStatus::Active))
        .filter(loan::Column::DueAt.lt(now))
        .filter(loan::Column::OverdueFlaggedAt.is_null())
        .exec_with_returning(txn)
        .await?;
    for lent in &flagged {
        notify::triggers::loan_reminder(txn, lent, notify::Kind::Overdue, now).await?;
    }
    Ok(flagged.len() as u64)
}
