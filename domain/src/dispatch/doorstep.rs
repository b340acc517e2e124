//! How a HOME parcel ends. The courier's tracking webhook ([`super::home::track`]) and the
//! library's own staff ([`mark_delivered`], [`mark_failed`], for the `manual` courier) end it
//! the same way: delivered starts the loan and tells the reader; not delivered brings the
//! book back to the sending branch's hold shelf and tells the reader why — at once when the
//! staff have it in hand, on its check-in there when the courier brings it back.
//!
//! Dispatchers of the sending branch pack from [`to_pack`]: each open parcel with its
//! recipient (phone masked) and book.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use super::couriers::manual::ManualCourier;
use super::couriers::Courier;
use super::rounds::DISPATCHERS;
use super::shipments::Shipment;
use crate::audit::Actor;
use crate::auth::Principal;
use crate::config::LendingConfig;
use crate::entity::item::{self, ItemStatus};
use crate::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use crate::entity::{loan_request, reader, reader_address, title};
use crate::i18n::Text;
use crate::identity::id_number::mask;
use crate::lending::request_log::{self, Note};
use crate::lending::{
    committed, delivery_methods, loans, lock_title, DeliveryMethod, LoanRequest, RequestStatus,
};
use crate::{Ctx, Error, Reason, Result};

/// Longest name of who took a parcel at the door.
const MAX_RECEIVED_BY: usize = 40;
/// Longest reason a delivery failed.
const MAX_REASON: usize = 200;
/// Most parcels one packing list shows.
const MAX_PARCELS: u64 = 500;

/// A HOME parcel's shipment that can end: booked with the courier, so on the road (its
/// request is IN_TRANSIT from then on).
const ON_THE_ROAD: &[ShipmentStatus] = &[ShipmentStatus::InTransit];

/// A parcel that did not reach its reader: the sending branch, why, and where the parcel is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Failure<'a> {
    /// The sending branch, where the reader collects it now.
    pub from: Uuid,
    /// Why (told to the reader).
    pub reason: &'a str,
    /// Where the parcel is.
    pub back: Back,
}

/// Where an undelivered parcel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Back {
    /// In the staff's hands at the sending branch: onto its hold shelf now.
    InHand,
    /// With the courier on its way back: onto the hold shelf when the branch checks it in.
    WithCourier,
}

/// The parcel reached the reader: the shipment is DELIVERED, the loan starts and the request
/// is FULFILLED with `note` (the reader is told by the transition's job).
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub(crate) async fn delivered(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: &LoanRequest,
    copy: &item::Model,
    actor: Actor,
    note: &Text,
    now: DateTime<Utc>,
) -> Result<()> {
    lock_title(db, copy.title_id, now).await?;
    delivery_methods::move_shipments(
        db,
        req.id,
        ShipmentKind::Home,
        ON_THE_ROAD,
        ShipmentStatus::Delivered,
        now,
    )
    .await?;
    loans::start(db, policy, req.reader_id, copy, Some(req.id), now).await?;
    request_log::transition(
        db,
        req,
        RequestStatus::Fulfilled,
        actor,
        Some(&note.into()),
        Default::default(),
        now,
    )
    .await?;
    Ok(())
}

/// The parcel did not reach the reader: the shipment is FAILED and the request becomes a
/// BRANCH request collected at the sending branch, keeping the reason, which the reader is
/// told.
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub(crate) async fn undelivered(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: &LoanRequest,
    copy: &item::Model,
    failure: Failure<'_>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    let Failure { from, reason, back } = failure;
    // The reader is told the reason as the courier or the staff gave it.
    let note = Note::quoted(reason);
    lock_title(db, copy.title_id, now).await?;
    delivery_methods::move_shipments(
        db,
        req.id,
        ShipmentKind::Home,
        ON_THE_ROAD,
        ShipmentStatus::Failed,
        now,
    )
    .await?;
    // From now on the reader collects it at the branch, like a locker parcel with no room.
    let changes = loan_request::ActiveModel {
        delivery_method: Set(DeliveryMethod::Branch),
        pickup_branch_id: Set(Some(from)),
        failure_reason: Set(Some(reason.to_owned())),
        ..Default::default()
    };
    match back {
        Back::InHand => {
            let copy = item::Model {
                current_branch_id: from,
                ..copy.clone()
            };
            let held = delivery_methods::Held { note, changes };
            delivery_methods::hold(db, policy, req, &copy, actor, held, now).await
        }
        Back::WithCourier => {
            delivery_methods::set_copy(db, copy, ItemStatus::InTransit, from, now).await?;
            request_log::transition(
                db,
                req,
                RequestStatus::InTransit,
                actor,
                Some(&note),
                changes,
                now,
            )
            .await
        }
    }
}

/// A HOME parcel as its packer sees it.
#[derive(Debug, Clone)]
pub struct HomeParcel {
    /// The shipment (waybill, status).
    pub shipment: Shipment,
    /// The request it delivers.
    pub request: LoanRequest,
    /// The reader's name.
    pub reader_name: String,
    /// Who receives it.
    pub recipient: String,
    /// Their phone, all but the first three and last four digits hidden (as on privacy
    /// waybills).
    pub phone_masked: String,
    /// Where it goes.
    pub address: String,
    /// The book inside.
    pub copy: item::Model,
    /// Its title.
    pub title: String,
}

/// The sending branch's HOME parcels not yet ended (booked or on the road), oldest first.
///
/// # Errors
/// FORBIDDEN for readers and staff of other branches; INTERNAL on a database fault.
pub async fn to_pack(
    db: &impl ConnectionTrait,
    who: &Principal,
    branch: Uuid,
) -> Result<Vec<HomeParcel>> {
    who.require_staff_at(DISPATCHERS, branch)?;
    let ships = shipment::Entity::find()
        .filter(shipment::Column::Kind.eq(ShipmentKind::Home))
        .filter(shipment::Column::FromBranchId.eq(branch))
        .filter(
            shipment::Column::Status.is_in([ShipmentStatus::Created, ShipmentStatus::InTransit]),
        )
        .order_by_asc(shipment::Column::Id)
        .limit(MAX_PARCELS)
        .all(db)
        .await?;
    let mut parcels = Vec::with_capacity(ships.len());
    for ship in ships {
        if let Some(parcel) = parcel(db, ship).await? {
            parcels.push(parcel);
        }
    }
    Ok(parcels)
}

/// One shipment's packing details (None when its request or copy is gone).
async fn parcel(db: &impl ConnectionTrait, ship: Shipment) -> Result<Option<HomeParcel>> {
    let Some(req) = loan_request::Entity::find_by_id(ship.request_id.unwrap_or_default())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let copy = item::Entity::find_by_id(req.item_id.unwrap_or_default())
        .one(db)
        .await?;
    let address = reader_address::Entity::find_by_id(req.address_id.unwrap_or_default())
        .one(db)
        .await?;
    let who = reader::Entity::find_by_id(req.reader_id).one(db).await?;
    let book = title::Entity::find_by_id(req.title_id).one(db).await?;
    let (Some(copy), Some(address), Some(who), Some(book)) = (copy, address, who, book) else {
        return Ok(None);
    };
    Ok(Some(HomeParcel {
        shipment: ship,
        request: req,
        reader_name: who.name,
        recipient: address.recipient,
        phone_masked: mask(&address.phone),
        address: address.address,
        copy,
        title: book.title,
    }))
}

/// The library's own staff handed the parcel over at the door (`received_by`: who took it,
/// when not the reader). The loan starts and the reader is told.
///
/// # Errors
/// NOT_FOUND for an unknown shipment; FORBIDDEN outside the sending branch's dispatchers;
/// VALIDATION for an overlong name; CONFLICT for a parcel a courier company tracks, one not
/// on the road, or one already ended.
pub async fn mark_delivered(
    ctx: &Ctx,
    who: &Principal,
    id: Uuid,
    received_by: Option<&str>,
) -> Result<Shipment> {
    let received_by = received_by.map(str::trim).filter(|s| !s.is_empty());
    if received_by.is_some_and(|s| s.chars().count() > MAX_RECEIVED_BY) {
        return Err(Error::validation(text!(
            "dispatch-received-by-too-long",
            max = MAX_RECEIVED_BY
        ))
        .in_field("receivedBy"));
    }
    let txn = ctx.begin().await?;
    let (ship, req, copy) = open_parcel(&txn, who, id).await?;
    let note = match received_by {
        Some(name) => text!("history-delivered-to", name = name),
        None => text!("history-delivered"),
    };
    delivered(
        &txn,
        &ctx.config.lending,
        &req,
        &copy,
        Actor::of(who),
        &note,
        ctx.now(),
    )
    .await?;
    let ship = reread(&txn, ship.id).await?;
    txn.commit().await?;
    committed(ctx);
    Ok(ship)
}

/// The library's own staff could not hand the parcel over and brought it back: it goes on
/// the sending branch's hold shelf and the reader is told `reason`.
///
/// # Errors
/// NOT_FOUND for an unknown shipment; FORBIDDEN outside the sending branch's dispatchers;
/// VALIDATION without a reason or with an overlong one; CONFLICT for a parcel a courier
/// company tracks, one not on the road, or one already ended.
pub async fn mark_failed(ctx: &Ctx, who: &Principal, id: Uuid, reason: &str) -> Result<Shipment> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::validation(text!("dispatch-failure-reason-missing")).in_field("reason"));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(
            Error::validation(text!("dispatch-failure-reason-too-long", max = MAX_REASON))
                .in_field("reason"),
        );
    }
    let txn = ctx.begin().await?;
    let (ship, req, copy) = open_parcel(&txn, who, id).await?;
    let from = ship.from_branch_id.unwrap_or(copy.current_branch_id);
    let failure = Failure {
        from,
        reason,
        back: Back::InHand,
    };
    undelivered(
        &txn,
        &ctx.config.lending,
        &req,
        &copy,
        failure,
        Actor::of(who),
        ctx.now(),
    )
    .await?;
    let ship = reread(&txn, ship.id).await?;
    txn.commit().await?;
    committed(ctx);
    Ok(ship)
}

/// A HOME parcel the caller may end by hand: its shipment, request and copy.
async fn open_parcel(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<(Shipment, LoanRequest, item::Model)> {
    who.require_any_staff()?;
    let ship = shipment::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| s.kind == ShipmentKind::Home)
        .ok_or(Error::NotFound("shipment"))?;
    who.require_staff_at(DISPATCHERS, ship.from_branch_id.unwrap_or_default())?;
    if ship.carrier.as_deref() != Some(ManualCourier.name()) && ship.carrier.is_some() {
        return Err(Error::conflict(Reason::CourierTracks));
    }
    match ship.status {
        ShipmentStatus::InTransit => {}
        ShipmentStatus::Created => return Err(Error::conflict(Reason::NotShipped)),
        _ => return Err(Error::conflict(Reason::AlreadyEnded)),
    }
    let req = loan_request::Entity::find_by_id(ship.request_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or(Error::NotFound("request"))?;
    let copy = item::Entity::find_by_id(req.item_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    Ok((ship, req, copy))
}

/// A shipment as it is now.
async fn reread(db: &impl ConnectionTrait, id: Uuid) -> Result<Shipment> {
    shipment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("shipment"))
}
