//! Withdrawing a proposal. Readers take back their own until the book is ordered;
//! librarians cancel one the vendor cannot supply, with a reason. The price it held goes
//! back to the budget. When a reader withdraws a proposal others joined, the earliest of
//! them takes its place (with its budget and order), so the book is still bought for them;
//! when a librarian cancels, the book is not coming and the joined proposals end with it.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QuerySelect};

use super::proposals::{decided, followers, text};
use super::{budget, Proposal, ProposalStatus};
use crate::auth::{Principal, StaffRole};
use crate::entity::purchase_proposal;
use crate::lifecycle::{self, Lifecycle};
use crate::{Ctx, Error, Result};

/// Why a reader's own withdrawal ended their proposal.
const WITHDRAWN: &str = "读者已撤回荐购";

/// Cancels proposal `id`: the reader's own (SUBMITTED, APPROVED or JOINED), or any not yet
/// received for a librarian (who must say why).
///
/// # Errors
/// NOT_FOUND for an unknown proposal or another reader's; FORBIDDEN for staff other than
/// librarians; VALIDATION for a librarian without a reason; CONFLICT (with the current
/// state) when it is too late. Nothing is written then.
pub async fn cancel(
    ctx: &Ctx,
    who: &Principal,
    id: Uuid,
    reason: Option<String>,
) -> Result<Proposal> {
    let reason = text(reason, 500, text!("proposal-reason-too-long"), "reason")?;
    let by_reader = matches!(who, Principal::Reader { .. });
    if !by_reader {
        who.require_staff(&[StaffRole::Librarian])?;
        if reason.is_none() {
            return Err(
                Error::validation(text!("proposal-cancel-reason-required")).in_field("reason")
            );
        }
    }
    let txn = ctx.begin().await?;
    let current = purchase_proposal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|p| !by_reader || who.reader_id().ok() == Some(p.reader_id))
        .ok_or(Error::NotFound("proposal"))?;
    use ProposalStatus::*;
    current.status.check_move(Cancelled)?;
    if by_reader && current.status == Ordered {
        // Ordered from the vendor: only a librarian can still call it off.
        return Err(current.status.refusal());
    }
    let actor = who.staff_id();
    if let (Some(year), Approved | Ordered) = (current.budget_year, current.status) {
        budget::release(
            &txn,
            year,
            current.price_cents,
            current.id,
            actor,
            ctx.now(),
        )
        .await?;
    }
    let followers = followers(&txn, current.id).await?;
    let cancelled = end(
        &txn,
        current.clone(),
        reason.as_deref().unwrap_or(WITHDRAWN),
        ctx.now(),
    )
    .await?;
    if !by_reader {
        decided(&txn, &cancelled, ctx.now()).await?;
        for f in followers {
            let f = end(&txn, f, reason.as_deref().unwrap_or_default(), ctx.now()).await?;
            decided(&txn, &f, ctx.now()).await?;
        }
    } else if let Some((heir, rest)) = followers.split_first() {
        succeed(&txn, &current, heir.clone(), rest, ctx.now()).await?;
    }
    txn.commit().await?;
    ctx.wake_workers();
    Ok(cancelled)
}

async fn end(
    txn: &DatabaseTransaction,
    p: Proposal,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Proposal> {
    let row = purchase_proposal::ActiveModel {
        decision_reason: Set(Some(reason.to_owned())),
        updated_at: Set(now),
        ..Default::default()
    };
    lifecycle::advance::<purchase_proposal::Entity>(
        txn,
        p.id,
        p.status,
        ProposalStatus::Cancelled,
        row,
    )
    .await
}

/// `heir` takes the withdrawn `lead`'s place: its state, order, vendor and price (what the
/// library pays), with the price held again in its own name; the `rest` now follow `heir`.
async fn succeed(
    txn: &DatabaseTransaction,
    lead: &Proposal,
    heir: Proposal,
    rest: &[Proposal],
    now: DateTime<Utc>,
) -> Result<()> {
    if let (Some(year), ProposalStatus::Approved | ProposalStatus::Ordered) =
        (lead.budget_year, lead.status)
    {
        budget::commit(txn, year, lead.price_cents, heir.id, None, now)
            .await?
            .map_err(|short| {
                Error::internal(anyhow::anyhow!("released budget not available: {short:?}"))
            })?;
    }
    let row = purchase_proposal::ActiveModel {
        joined_to: Set(None),
        order_id: Set(lead.order_id),
        vendor_id: Set(lead.vendor_id),
        budget_year: Set(lead.budget_year),
        price_cents: Set(lead.price_cents),
        rule_results: Set(lead.rule_results.clone()),
        decision_reason: Set(lead.decision_reason.clone()),
        updated_at: Set(now),
        ..Default::default()
    };
    let heir = lifecycle::advance::<purchase_proposal::Entity>(
        txn,
        heir.id,
        heir.status,
        lead.status,
        row,
    )
    .await?;
    if !rest.is_empty() {
        purchase_proposal::Entity::update_many()
            .col_expr(purchase_proposal::Column::JoinedTo, Expr::value(heir.id))
            .filter(purchase_proposal::Column::Id.is_in(rest.iter().map(|p| p.id)))
            .exec(txn)
            .await?;
    }
    decided(txn, &heir, now).await
}
