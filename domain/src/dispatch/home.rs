//! HOME delivery by courier. A picked HOME request gets a HOME shipment and a [`ShipHome`]
//! job in the pick's transaction; the job books the waybill (retried with backoff while the
//! courier is down or slow: nothing is lost, and the shipment id as order id keeps retries to
//! one waybill) and the request goes IN_TRANSIT. The courier's signed tracking webhook
//! ([`track`]) ends it as [`super::doorstep`] says: DELIVERED → FULFILLED and the loan starts;
//! FAILED → the reader is told the courier's reason and the copy travels back to its branch,
//! whose check-in puts it on the hold shelf for the reader.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use super::couriers::manual::ManualCourier;
use super::couriers::{self, Courier, Order};
use super::doorstep;
use super::shipments::Shipment;
use crate::audit::Actor;
use crate::entity::item::{self, ItemStatus};
use crate::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use crate::entity::{branch, courier_event, loan_request, reader_address};
use crate::jobs::{self, Job};
use crate::lending::{delivery_methods, lock_title, request_log, LoanRequest, RequestStatus};
use crate::lifecycle;
use crate::{Ctx, Error, Locale, Result};

/// A just-picked HOME request: its shipment, and the job that books the courier.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn to_home(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    copy: &item::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let shipment = delivery_methods::shipment(
        ShipmentKind::Home,
        ShipmentStatus::Created,
        Some(req.id),
        copy.current_branch_id,
        copy.current_branch_id,
        now,
    )?
    .insert(db)
    .await?
    .id;
    jobs::enqueue(db, &ShipHome { shipment }, now).await
}

/// Books the courier for a HOME shipment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShipHome {
    /// The shipment.
    pub shipment: Uuid,
}

#[async_trait]
impl Job for ShipHome {
    const KIND: &'static str = "dispatch.ship_home";

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.shipment))
    }

    async fn perform(self, ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let Some(ship) = shipment::Entity::find_by_id(self.shipment).one(txn).await? else {
            return Ok(());
        };
        let Some(req) = loan_request::Entity::find_by_id(ship.request_id.unwrap_or_default())
            .one(txn)
            .await?
        else {
            return Ok(());
        };
        if ship.status != ShipmentStatus::Created || req.status != RequestStatus::Picked {
            return Ok(()); // booked already, or cancelled
        }
        let copy = item::Entity::find_by_id(req.item_id.unwrap_or_default())
            .one(txn)
            .await?
            .ok_or(Error::NotFound("copy"))?;
        let address = reader_address::Entity::find_by_id(req.address_id.unwrap_or_default())
            .one(txn)
            .await?
            .ok_or(Error::NotFound("address"))?;
        let from = branch::Entity::find_by_id(copy.current_branch_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound("branch"))?;
        let order = Order {
            order_id: ship.id.to_string(),
            sender_name: from.name,
            sender_phone: String::new(),
            sender_address: from.address,
            recipient_name: address.recipient,
            recipient_phone: address.phone,
            recipient_address: address.address,
            parcel: copy.barcode.clone(),
        };
        let waybill = ctx.courier.book(&order).await?;
        lock_title(txn, copy.title_id, ctx.now()).await?;
        booked(ctx, txn, &ship, &waybill).await?;
        delivery_methods::set_copy(
            txn,
            &copy,
            ItemStatus::InTransit,
            copy.current_branch_id,
            ctx.now(),
        )
        .await?;
        // The waybill number ends the note, after a space (clients and tests read it there).
        let note = if ctx.courier.name() == ManualCourier.name() {
            text!("history-shipped-by-staff", waybill = &waybill.number)
        } else {
            text!(
                "history-shipped",
                courier = ctx.courier.name(),
                waybill = &waybill.number
            )
        };
        request_log::transition(
            txn,
            &req,
            RequestStatus::InTransit,
            Actor::System,
            Some(&note.into()),
            Default::default(),
            ctx.now(),
        )
        .await?;
        Ok(())
    }
}

/// Records a booked waybill on its shipment (CREATED), which is now on the road.
async fn booked(
    ctx: &Ctx,
    txn: &DatabaseTransaction,
    ship: &Shipment,
    waybill: &couriers::Waybill,
) -> Result<()> {
    let changes = shipment::ActiveModel {
        carrier: Set(Some(ctx.courier.name().to_owned())),
        waybill_no: Set(Some(waybill.number.clone())),
        fee_cents: Set(waybill.fee_cents),
        updated_at: Set(ctx.now()),
        ..Default::default()
    };
    let on_the_road = ShipmentStatus::InTransit;
    lifecycle::advance::<shipment::Entity>(txn, ship.id, ship.status, on_the_road, changes).await?;
    Ok(())
}

/// A courier's tracking event (the webhook's JSON body).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracking {
    /// The courier's id for this event (replays carry the same).
    pub event_id: String,
    /// The waybill.
    pub waybill_no: String,
    /// `IN_TRANSIT`, `DELIVERED` or `FAILED` (others are recorded only).
    pub status: String,
    /// Why delivery failed.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a tracking event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    /// Recorded (and applied).
    Applied,
    /// Seen before: nothing changed.
    Replayed,
}

/// Receives a signed tracking webhook.
///
/// # Errors
/// UNAUTHENTICATED for a missing, wrong or stale signature (nothing is read); VALIDATION for a
/// body that is not a tracking event; NOT_FOUND for an unknown waybill.
pub async fn track(ctx: &Ctx, timestamp: &str, signature: &str, body: &[u8]) -> Result<Tracked> {
    let secret = ctx.config.courier_secret.as_deref().unwrap_or_default();
    let signed = timestamp.parse::<i64>().is_ok_and(|t| {
        !secret.is_empty()
            && couriers::verify(
                secret,
                t,
                signature,
                body,
                crate::infra::clock::system_now().timestamp(),
            )
    });
    if !signed {
        return Err(Error::unauthenticated(text!("courier-webhook-unsigned")));
    }
    let event: Tracking = serde_json::from_slice(body)
        .map_err(|e| Error::validation(text!("courier-webhook-malformed", detail = e)))?;
    let txn = ctx.begin().await?;
    let ship = shipment::Entity::find()
        .filter(shipment::Column::WaybillNo.eq(event.waybill_no.as_str()))
        .filter(shipment::Column::Kind.is_in([ShipmentKind::Home, ShipmentKind::Return]))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("waybill"))?;
    let carrier = ship.carrier.clone().unwrap_or_default();
    let recorded = courier_event::Entity::insert(courier_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        carrier: Set(carrier),
        event_id: Set(event.event_id.clone()),
        waybill_no: Set(event.waybill_no.clone()),
        status: Set(event.status.clone()),
        received_at: Set(ctx.now()),
    })
    .on_conflict(
        OnConflict::columns([
            courier_event::Column::Carrier,
            courier_event::Column::EventId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if recorded == 0 {
        return Ok(Tracked::Replayed);
    }
    if ship.kind == ShipmentKind::Return {
        // A return pickup: the shipment's state only; the loan ends when the branch checks
        // the book in. A word the shipment has already is recorded only.
        let to = match event.status.as_str() {
            "DELIVERED" => Some(ShipmentStatus::Delivered),
            "FAILED" => Some(ShipmentStatus::Failed),
            _ => None,
        };
        if let Some(to) = to.filter(|&to| to != ship.status) {
            let changes = shipment::ActiveModel {
                updated_at: Set(ctx.now()),
                ..Default::default()
            };
            lifecycle::advance::<shipment::Entity>(&txn, ship.id, ship.status, to, changes).await?;
        }
        txn.commit().await?;
        return Ok(Tracked::Applied);
    }
    let req = loan_request::Entity::find_by_id(ship.request_id.unwrap_or_default())
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("request"))?;
    let copy = item::Entity::find_by_id(req.item_id.unwrap_or_default())
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    let policy = &ctx.config.lending;
    match (event.status.as_str(), req.status) {
        ("DELIVERED", RequestStatus::InTransit) => {
            let note = text!("history-delivered");
            doorstep::delivered(&txn, policy, &req, &copy, Actor::System, &note, ctx.now()).await?;
        }
        ("FAILED", RequestStatus::InTransit) if req.pickup_branch_id.is_none() => {
            // Kept as the request's failure reason, for the reader: in Chinese when the
            // courier gave none (or one too long to keep).
            let given = event.reason.as_deref().map(str::trim).unwrap_or_default();
            let reason = match given.chars().count() {
                0 => text!("dispatch-courier-undelivered").render(Locale::Chinese),
                1..=200 => given.to_owned(),
                _ => text!("dispatch-courier-undelivered-long").render(Locale::Chinese),
            };
            let from = ship.from_branch_id.unwrap_or(copy.current_branch_id);
            let failure = doorstep::Failure {
                from,
                reason: &reason,
                back: doorstep::Back::WithCourier,
            };
            doorstep::undelivered(&txn, policy, &req, &copy, failure, Actor::System, ctx.now())
                .await?;
        }
        _ => {} // en route, or late: recorded only
    }
    txn.commit().await?;
    crate::lending::committed(ctx);
    Ok(Tracked::Applied)
}

/// Books the courier to collect a returned book from the reader.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookReturn {
    /// The RETURN shipment.
    pub shipment: Uuid,
    /// Where to collect it (one of the reader's addresses).
    pub address: Uuid,
}

#[async_trait]
impl Job for BookReturn {
    const KIND: &'static str = "dispatch.book_return";

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.shipment))
    }

    async fn perform(self, ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let Some(ship) = shipment::Entity::find_by_id(self.shipment).one(txn).await? else {
            return Ok(());
        };
        if ship.status != ShipmentStatus::Created {
            return Ok(());
        }
        let loan = crate::entity::loan::Entity::find_by_id(ship.loan_id.unwrap_or_default())
            .one(txn)
            .await?
            .ok_or(Error::NotFound("loan"))?;
        let copy = item::Entity::find_by_id(loan.item_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound("copy"))?;
        let from = reader_address::Entity::find_by_id(self.address)
            .one(txn)
            .await?
            .ok_or(Error::NotFound("address"))?;
        let to = branch::Entity::find_by_id(copy.home_branch_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound("branch"))?;
        let order = Order {
            order_id: ship.id.to_string(),
            sender_name: from.recipient,
            sender_phone: from.phone,
            sender_address: from.address,
            recipient_name: to.name,
            recipient_phone: String::new(),
            recipient_address: to.address,
            parcel: copy.barcode,
        };
        let waybill = ctx.courier.book(&order).await?;
        booked(ctx, txn, &ship, &waybill).await?;
        Ok(())
    }
}
