//! Withdrawing a copy from the stock (剔除): it leaves search and routing for good, its
//! history stays. A copy on a shelf (or already missing) is withdrawn at once; one reserved
//! for a request not yet picked is withdrawn and that request is routed again (to another
//! copy, or onto the waitlist), as after "not on shelf". A copy in circulation — picked, on
//! the road, on a hold shelf or in a locker, on loan — is kept: a reader is on its way to it,
//! and it is withdrawn by a later sync once it is back on a shelf.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;

use super::{lock_title, request_log, routing};
use crate::audit::Actor;
use crate::config::RoutingPolicy;
use crate::entity::item::{self, ItemStatus};
use crate::entity::loan_request::{self, RequestStatus};
use crate::entity::pick_task::{self, PickStatus};
use crate::{lifecycle, Error, Result};

/// What withdrawing a copy does (or would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Withdrawn from the shelf.
    Withdrawn,
    /// Withdrawn; the request it was reserved for is routed again.
    WithdrawnAndRerouted,
    /// Kept: the copy is in circulation.
    InCirculation,
}

/// The open request `copy` is reserved for and not yet picked, if any.
async fn unpicked_request(
    db: &impl ConnectionTrait,
    copy: &item::Model,
) -> Result<Option<loan_request::Model>> {
    Ok(loan_request::Entity::find()
        .filter(loan_request::Column::ItemId.eq(copy.id))
        .filter(loan_request::Column::Status.eq(RequestStatus::Routed))
        .one(db)
        .await?)
}

/// What [`withdraw`] would do to `copy`, writing nothing.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn assess(db: &impl ConnectionTrait, copy: &item::Model) -> Result<Outcome> {
    Ok(match copy.status {
        ItemStatus::Available | ItemStatus::Missing => Outcome::Withdrawn,
        ItemStatus::Reserved if unpicked_request(db, copy).await?.is_some() => {
            Outcome::WithdrawnAndRerouted
        }
        _ => Outcome::InCirculation,
    })
}

/// Withdraws `copy` unless it is in circulation (as it is once its title is locked); a request
/// it was reserved for is routed again, its pick task cancelled.
///
/// # Errors
/// NOT_FOUND when the copy is gone; INTERNAL on a database fault.
pub async fn withdraw(
    txn: &impl ConnectionTrait,
    copy: &item::Model,
    routing: RoutingPolicy,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    lock_title(txn, copy.title_id, now).await?;
    // Read again under the title's lock: lending may have moved it since the caller read it.
    let copy = &item::Entity::find_by_id(copy.id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    let outcome = assess(txn, copy).await?;
    if outcome == Outcome::InCirculation {
        return Ok(outcome);
    }
    if let Some(req) = unpicked_request(txn, copy).await? {
        let task = routing::open_task(txn, req.id).await?;
        lifecycle::advance::<pick_task::Entity>(
            txn,
            task.id,
            task.status,
            PickStatus::Cancelled,
            Default::default(),
        )
        .await?;
        let pending = request_log::transition(
            txn,
            &req,
            RequestStatus::Pending,
            Actor::System,
            Some(&text!("history-copy-withdrawn").into()),
            loan_request::ActiveModel {
                item_id: Set(None),
                source_branch_id: Set(None),
                ..Default::default()
            },
            now,
        )
        .await?;
        withdraw_row(txn, copy, now).await?;
        routing::route(txn, pending, routing, Actor::System, now).await?;
    } else {
        withdraw_row(txn, copy, now).await?;
    }
    Ok(outcome)
}

async fn withdraw_row(
    db: &impl ConnectionTrait,
    copy: &item::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let changes = item::ActiveModel {
        updated_at: Set(now),
        ..Default::default()
    };
    lifecycle::advance::<item::Entity>(db, copy.id, copy.status, ItemStatus::Withdrawn, changes)
        .await?;
    Ok(())
}
