//! What locker controllers report: door events (each recorded once by its device-made id,
//! so a replay changes nothing), and pickup-code checks.
//!
//! Events may come late and out of order after an outage; each is applied to the state the
//! platform has then, so the outcome does not depend on the order: a `picked_up` before its
//! `deposited` means the parcel was deposited (both are applied), and the late `deposited`
//! is then only recorded.

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};

use super::codes;
use super::commands::{self, Issued};
use super::placement::{self, move_door};
use super::{returns, rounds};
use crate::audit::Actor;
use crate::entity::compartment::{self, State};
use crate::entity::item::{self, ItemStatus};
use crate::entity::loan_request;
use crate::entity::locker_command::CommandKind;
use crate::entity::locker_event::{self, EventKind};
use crate::entity::shipment::{ShipmentKind, ShipmentStatus};
use crate::lending::{delivery_methods, loans, request_log, LoanRequest, RequestStatus};
use crate::lockers::Locker;
use crate::{Code, Ctx, Error, Locale, Result};

/// A LOCKER parcel's shipment on its way: in its round, started or not.
const ON_ITS_WAY: &[ShipmentStatus] = &[ShipmentStatus::Created, ShipmentStatus::InTransit];

/// One event as the device reports it.
#[derive(Debug, Clone)]
pub struct DeviceEvent {
    /// The device's id for it (the same on every replay).
    pub event_id: String,
    /// What happened.
    pub kind: EventKind,
    /// Compartment label.
    pub compartment: String,
    /// Parcel (copy barcode), for parcel events.
    pub parcel: Option<String>,
    /// When, by the device's clock.
    pub at: DateTime<Utc>,
}

/// What became of one reported event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Recorded and applied.
    Applied,
    /// Seen before: nothing changed.
    Replayed,
    /// Not recorded, for this reason (unknown compartment or parcel, malformed).
    Rejected(String),
}

/// Records and applies a batch of events, each in its own transaction (a rejected one does
/// not hold back the rest).
///
/// # Errors
/// INTERNAL on a database fault (events before it stay applied).
pub async fn report(ctx: &Ctx, locker: &Locker, events: Vec<DeviceEvent>) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::with_capacity(events.len());
    for event in events {
        let txn = ctx.begin().await?;
        let (outcome, issued) = match one(ctx, &txn, locker, &event).await {
            Ok(Some(issued)) => (Outcome::Applied, issued),
            Ok(None) => (Outcome::Replayed, Issued::default()),
            Err(e) => match rejection(&e) {
                Some(reason) => (Outcome::Rejected(reason), Issued::default()),
                None => return Err(e),
            },
        };
        if outcome == Outcome::Applied {
            txn.commit().await?;
            commands::announce(ctx, issued);
        } else {
            txn.rollback().await?;
        }
        outcomes.push(outcome);
    }
    crate::lending::committed(ctx);
    Ok(outcomes)
}

/// Why an event was refused, when the error is the event's fault. The reason goes back to
/// the controller, a device, in English like the rest of its protocol (`unknown compartment`).
fn rejection(e: &Error) -> Option<String> {
    match e {
        Error::NotFound(what) => Some(format!("unknown {what}")),
        e if e.code() == Code::Validation => Some(e.message(Locale::English)),
        _ => None,
    }
}

/// Records and applies one event; `None` when it was a replay.
async fn one(
    ctx: &Ctx,
    txn: &DatabaseTransaction,
    locker: &Locker,
    event: &DeviceEvent,
) -> Result<Option<Issued>> {
    if event.event_id.is_empty() || event.event_id.len() > 100 {
        return Err(Error::validation(text!("locker-event-id-length")).in_field("eventId"));
    }
    let door = compartment::Entity::find()
        .filter(compartment::Column::LockerId.eq(locker.id))
        .filter(compartment::Column::Label.eq(event.compartment.as_str()))
        .one(txn)
        .await?
        .ok_or(Error::NotFound("compartment"))?;
    let inserted = locker_event::Entity::insert(locker_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        locker_id: Set(locker.id),
        event_id: Set(event.event_id.clone()),
        kind: Set(event.kind),
        compartment: Set(event.compartment.clone()),
        parcel: Set(event.parcel.clone()),
        at: Set(event.at),
        received_at: Set(ctx.now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            locker_event::Column::LockerId,
            locker_event::Column::EventId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let issued = match event.kind {
        EventKind::Deposited => {
            let (req, copy) = parcel(txn, &door, event, ctx.now()).await?;
            if matches!(req.status, RequestStatus::Picked | RequestStatus::InTransit) {
                ready(ctx, txn, locker, &door, req, &copy).await?;
            }
            Issued::default()
        }
        EventKind::PickedUp => {
            let (mut req, copy) = parcel(txn, &door, event, ctx.now()).await?;
            if matches!(req.status, RequestStatus::Picked | RequestStatus::InTransit) {
                req = ready(ctx, txn, locker, &door, req, &copy).await?;
            }
            if matches!(
                req.status,
                RequestStatus::ReadyForPickup | RequestStatus::Expired
            ) {
                picked_up(ctx, txn, &door, req, &copy).await?;
            }
            Issued::default()
        }
        EventKind::DoorFault => door_fault(ctx, txn, locker, &door).await?,
        EventKind::Collected if returns::collected(txn, &door).await? => Issued::default(),
        EventKind::Collected => {
            let (req, copy) = parcel(txn, &door, event, ctx.now()).await?;
            if req.status == RequestStatus::Expired && copy.status == ItemStatus::OnHold {
                // Staff took an uncollected parcel out: back to its branch, checked in there.
                move_door(txn, door.id, State::Free).await?;
                delivery_methods::set_copy(
                    txn,
                    &copy,
                    ItemStatus::InTransit,
                    copy.current_branch_id,
                    ctx.now(),
                )
                .await?;
                commands::ack(txn, req.id, CommandKind::CollectReturn, ctx.now()).await?;
            }
            Issued::default()
        }
        EventKind::ReturnDropped => {
            returns::dropped(txn, locker, &door, event.parcel.as_deref(), ctx.now()).await?
        }
    };
    Ok(Some(issued))
}

/// The request and copy a parcel event is about: the copy with the parcel's barcode, and its
/// request that was given this compartment.
async fn parcel(
    txn: &DatabaseTransaction,
    door: &compartment::Model,
    event: &DeviceEvent,
    now: DateTime<Utc>,
) -> Result<(LoanRequest, item::Model)> {
    let barcode = event
        .parcel
        .as_deref()
        .ok_or_else(|| Error::validation(text!("locker-event-needs-parcel")).in_field("parcel"))?;
    let copy = item::Entity::find()
        .filter(item::Column::Barcode.eq(barcode))
        .one(txn)
        .await?
        .ok_or(Error::NotFound("parcel"))?;
    crate::lending::lock_title(txn, copy.title_id, now).await?;
    let req = loan_request::Entity::find()
        .filter(loan_request::Column::ItemId.eq(copy.id))
        .filter(loan_request::Column::CompartmentId.eq(door.id))
        .order_by_desc(loan_request::Column::Id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound("parcel"))?;
    Ok((req, copy))
}

/// The parcel is in its compartment: READY_FOR_PICKUP with a pickup code and a deadline.
async fn ready(
    ctx: &Ctx,
    txn: &DatabaseTransaction,
    locker: &Locker,
    door: &compartment::Model,
    req: LoanRequest,
    copy: &item::Model,
) -> Result<LoanRequest> {
    move_door(txn, door.id, State::Occupied).await?;
    delivery_methods::set_copy(txn, copy, ItemStatus::OnHold, locker.branch_id, ctx.now()).await?;
    delivery_methods::move_shipments(
        txn,
        req.id,
        ShipmentKind::Locker,
        ON_ITS_WAY,
        ShipmentStatus::Delivered,
        ctx.now(),
    )
    .await?;
    commands::ack(txn, req.id, CommandKind::Deposit, ctx.now()).await?;
    rounds::settle(txn, req.id).await?;
    let (generation, hash) = pickup_code(ctx, txn, locker.id, req.id, req.pickup_code_gen).await?;
    let deadline = ctx.now() + Duration::hours(i64::from(ctx.config.lending.hold_hours));
    request_log::transition(
        txn,
        &req,
        RequestStatus::ReadyForPickup,
        Actor::System,
        Some(
            &text!(
                "history-in-locker",
                door = &door.label,
                locker = &locker.name
            )
            .into(),
        ),
        loan_request::ActiveModel {
            pickup_deadline: Set(Some(deadline)),
            pickup_code_gen: Set(generation),
            pickup_code_hash: Set(Some(hash)),
            ..Default::default()
        },
        ctx.now(),
    )
    .await
}

/// A code for `request` at `locker` from generation `from` on that no other parcel waiting in
/// the locker has; returns its generation and lookup hash.
pub(crate) async fn pickup_code(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    locker: Uuid,
    request: Uuid,
    from: i32,
) -> Result<(i32, String)> {
    let secret = &ctx.config.jwt_secret.bytes;
    let mut generation = from;
    loop {
        let code = codes::code(secret, request, generation);
        let hash = codes::lookup_hash(secret, locker, &code);
        let taken = loan_request::Entity::find()
            .filter(loan_request::Column::LockerId.eq(locker))
            .filter(loan_request::Column::Status.eq(RequestStatus::ReadyForPickup))
            .filter(loan_request::Column::PickupCodeHash.eq(hash.as_str()))
            .filter(loan_request::Column::Id.ne(request))
            .one(txn)
            .await?
            .is_some();
        if !taken {
            return Ok((generation, hash));
        }
        generation += 1;
    }
}

/// The reader took the parcel: the loan starts, the door is free.
async fn picked_up(
    ctx: &Ctx,
    txn: &DatabaseTransaction,
    door: &compartment::Model,
    req: LoanRequest,
    copy: &item::Model,
) -> Result<()> {
    let copy = item::Entity::find_by_id(copy.id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound("parcel"))?;
    loans::start(
        txn,
        &ctx.config.lending,
        req.reader_id,
        &copy,
        Some(req.id),
        ctx.now(),
    )
    .await?;
    move_door(txn, door.id, State::Free).await?;
    commands::ack(txn, req.id, CommandKind::CollectReturn, ctx.now()).await?;
    request_log::transition(
        txn,
        &req,
        RequestStatus::Fulfilled,
        Actor::System,
        Some(&text!("history-picked-up-at-locker").into()),
        loan_request::ActiveModel {
            pickup_code_hash: Set(None),
            ..Default::default()
        },
        ctx.now(),
    )
    .await?;
    Ok(())
}

/// A door fault: the compartment is out of use; a parcel still on its way to it is given
/// another door (or locker, or the hold shelf), and staff are alerted.
pub(crate) async fn door_fault(
    ctx: &Ctx,
    txn: &DatabaseTransaction,
    locker: &Locker,
    door: &compartment::Model,
) -> Result<Issued> {
    if door.state != State::Fault {
        // A fault reported again changes nothing about the door.
        move_door(txn, door.id, State::Fault).await?;
    }
    tracing::warn!(locker = %locker.code, compartment = %door.label, "locker door fault");
    let waiting = loan_request::Entity::find()
        .filter(loan_request::Column::CompartmentId.eq(door.id))
        .filter(
            loan_request::Column::Status.is_in([RequestStatus::Picked, RequestStatus::InTransit]),
        )
        .one(txn)
        .await?;
    let Some(req) = waiting else {
        return Ok(Issued::default());
    };
    let copy = item::Entity::find_by_id(req.item_id.unwrap_or_default())
        .one(txn)
        .await?
        .ok_or(Error::NotFound("parcel"))?;
    crate::lending::lock_title(txn, copy.title_id, ctx.now()).await?;
    delivery_methods::move_shipments(
        txn,
        req.id,
        ShipmentKind::Locker,
        ON_ITS_WAY,
        ShipmentStatus::Cancelled,
        ctx.now(),
    )
    .await?;
    rounds::settle(txn, req.id).await?;
    let issued = commands::issue(
        txn,
        locker.id,
        CommandKind::Release,
        &door.label,
        &copy.barcode,
        Some(req.id),
        ctx.now(),
    )
    .await?;
    commands::ack(txn, req.id, CommandKind::Deposit, ctx.now()).await?;
    // Back to PICKED at its branch: placed again like a fresh pick.
    let req = request_log::transition(
        txn,
        &req,
        RequestStatus::Picked,
        Actor::System,
        Some(
            &text!(
                "history-door-fault",
                door = &door.label,
                locker = &locker.name
            )
            .into(),
        ),
        loan_request::ActiveModel {
            compartment_id: Set(None),
            ..Default::default()
        },
        ctx.now(),
    )
    .await?;
    placement::to_locker(
        txn,
        &ctx.config.lending,
        req,
        &copy,
        Actor::System,
        ctx.now(),
    )
    .await?;
    Ok(issued)
}

/// A compartment as the controller reports it in its heartbeat.
#[derive(Debug, Clone)]
pub struct DoorReport {
    /// Compartment label.
    pub compartment: String,
    /// The door is jammed or will not lock.
    pub fault: bool,
}

/// Applies a heartbeat's compartment report: a door newly reported faulty is handled like a
/// `door_fault` event; a faulty door reported working again, and holding nothing, is free
/// again. Returns the labels the platform does not know.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn doors(ctx: &Ctx, locker: &Locker, reports: &[DoorReport]) -> Result<Vec<String>> {
    let mut unknown = Vec::new();
    let mut issued = Issued::default();
    let txn = ctx.begin().await?;
    for report in reports {
        let Some(door) = compartment::Entity::find()
            .filter(compartment::Column::LockerId.eq(locker.id))
            .filter(compartment::Column::Label.eq(report.compartment.as_str()))
            .one(&txn)
            .await?
        else {
            unknown.push(report.compartment.clone());
            continue;
        };
        match (report.fault, door.state) {
            (true, State::Fault) | (false, State::Free | State::Reserved | State::Occupied) => {}
            (true, _) => issued = door_fault(ctx, &txn, locker, &door).await?,
            (false, State::Fault) => {
                let holds = loan_request::Entity::find()
                    .filter(loan_request::Column::CompartmentId.eq(door.id))
                    .filter(loan_request::Column::Status.is_in([
                        RequestStatus::Picked,
                        RequestStatus::InTransit,
                        RequestStatus::ReadyForPickup,
                    ]))
                    .one(&txn)
                    .await?
                    .is_some();
                if !holds {
                    move_door(&txn, door.id, State::Free).await?;
                }
            }
        }
    }
    txn.commit().await?;
    commands::announce(ctx, issued);
    crate::lending::committed(ctx);
    Ok(unknown)
}
