//! What happens to a picked copy, by delivery method. This is where delivery methods plug
//! into the request state machine:
//!
//! - BRANCH: picked at the pickup branch → straight onto its hold shelf (READY_FOR_PICKUP
//!   with a deadline); picked elsewhere → a TRANSFER shipment (IN_TRANSIT) that ends when
//!   the pickup branch checks the copy in ([`arrive`]).
//! - LOCKER: a compartment is claimed and the parcel joins a delivery round
//!   ([`crate::dispatch::placement`]); the request stays PICKED until the round starts.
//! - HOME: a shipment and a job that books the courier ([`crate::dispatch::home`]).

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;

use super::request_log::{self, Note};
use super::{DeliveryMethod, LoanRequest, RequestStatus};
use crate::audit::Actor;
use crate::config::LendingConfig;
use crate::dispatch::placement;
use crate::entity::item::{self, ItemStatus};
use crate::entity::loan_request;
use crate::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use crate::{lifecycle, Result};

/// Moves a just-picked request on towards its reader.
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub async fn after_pick(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: LoanRequest,
    copy: &item::Model,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    match req.delivery_method {
        DeliveryMethod::Branch => to_branch(db, policy, req, copy, actor, now).await,
        DeliveryMethod::Locker => placement::to_locker(db, policy, req, copy, actor, now).await,
        DeliveryMethod::Home => {
            crate::dispatch::home::to_home(db, &req, copy, now).await?;
            Ok(req) // PICKED until the courier's waybill is booked
        }
    }
}

/// BRANCH: onto the hold shelf, or a transfer there first.
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub async fn to_branch(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: LoanRequest,
    copy: &item::Model,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    let Some(pickup) = req.pickup_branch_id else {
        return Ok(req);
    };
    if copy.current_branch_id == pickup {
        return hold(db, policy, &req, copy, actor, Held::on_shelf(), now).await;
    }
    shipment(
        ShipmentKind::Transfer,
        ShipmentStatus::InTransit,
        Some(req.id),
        copy.current_branch_id,
        pickup,
        now,
    )?
    .insert(db)
    .await?;
    set_copy(db, copy, ItemStatus::InTransit, copy.current_branch_id, now).await?;
    request_log::transition(
        db,
        &req,
        RequestStatus::InTransit,
        actor,
        Some(&text!("history-transfer").into()),
        Default::default(),
        now,
    )
    .await
}

/// A transferred copy reached its request's pickup branch: it goes on the hold shelf.
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub async fn arrive(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: LoanRequest,
    copy: &item::Model,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    // A transfer leaves IN_TRANSIT at once.
    move_shipments(
        db,
        req.id,
        ShipmentKind::Transfer,
        &[ShipmentStatus::InTransit],
        ShipmentStatus::Delivered,
        now,
    )
    .await?;
    hold(db, policy, &req, copy, actor, Held::on_shelf(), now).await
}

/// What a hold records besides the move: the history note and any other columns to set.
pub(crate) struct Held {
    /// The line in the request's history.
    pub(crate) note: Note,
    /// Other columns of the request to change with it.
    pub(crate) changes: loan_request::ActiveModel,
}

impl Held {
    /// A plain arrival on the hold shelf.
    fn on_shelf() -> Self {
        Held {
            note: text!("history-on-hold-shelf").into(),
            changes: Default::default(),
        }
    }
}

/// Puts the copy on the hold shelf of the request's pickup branch (else where the copy is):
/// READY_FOR_PICKUP until the deadline, with `held`'s note in the history and its changes
/// applied.
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub(crate) async fn hold(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: &LoanRequest,
    copy: &item::Model,
    actor: Actor,
    held: Held,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    let Held { note, mut changes } = held;
    let at = req.pickup_branch_id.unwrap_or(copy.current_branch_id);
    set_copy(db, copy, ItemStatus::OnHold, at, now).await?;
    let deadline = now + Duration::hours(i64::from(policy.hold_hours));
    changes.pickup_deadline = Set(Some(deadline));
    request_log::transition(
        db,
        req,
        RequestStatus::ReadyForPickup,
        actor,
        Some(&note),
        changes,
        now,
    )
    .await
}

/// A new shipment row (for a request's copy, or a return when `request` is None; no round,
/// door or carrier yet; fees waived).
///
/// # Errors
/// INTERNAL when the shipment's table lets none begin in `status`.
pub(crate) fn shipment(
    kind: ShipmentKind,
    status: ShipmentStatus,
    request: Option<Uuid>,
    from: Uuid,
    to: Uuid,
    now: DateTime<Utc>,
) -> Result<shipment::ActiveModel> {
    Ok(shipment::ActiveModel {
        id: Set(Uuid::now_v7()),
        request_id: Set(request),
        loan_id: Set(None),
        kind: Set(kind),
        status: Set(lifecycle::begin(status)?),
        round_id: Set(None),
        compartment_id: Set(None),
        from_branch_id: Set(Some(from)),
        to_branch_id: Set(Some(to)),
        carrier: Set(None),
        waybill_no: Set(None),
        fee_cents: Set(0),
        fee_waived: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// Moves a request's shipments of `kind` that are in one of `from` to `to`.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the shipment's table does not allow one of the moves;
/// INTERNAL on a database fault.
pub(crate) async fn move_shipments(
    db: &impl ConnectionTrait,
    request: Uuid,
    kind: ShipmentKind,
    from: &[ShipmentStatus],
    to: ShipmentStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    lifecycle::advance_all::<shipment::Entity>(from, to)?
        .col_expr(shipment::Column::UpdatedAt, Expr::value(now))
        .filter(shipment::Column::RequestId.eq(request))
        .filter(shipment::Column::Kind.eq(kind))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves `copy` (in the state its caller read) to `to`, at branch `at`; returns it as written.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the copy's table does not allow the move or the copy changed
/// meanwhile.
pub(crate) async fn set_copy(
    db: &impl ConnectionTrait,
    copy: &item::Model,
    to: ItemStatus,
    at: Uuid,
    now: DateTime<Utc>,
) -> Result<item::Model> {
    let changes = item::ActiveModel {
        current_branch_id: Set(at),
        updated_at: Set(now),
        ..Default::default()
    };
    lifecycle::advance::<item::Entity>(db, copy.id, copy.status, to, changes).await
}
