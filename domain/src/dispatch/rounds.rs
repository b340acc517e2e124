//! Delivery rounds: the parcels for one locker from one branch, collected while OPEN; a
//! dispatcher starts the round when the van leaves, and the locker then gets a `deposit`
//! command per parcel so it opens the right door when the driver scans the book.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, PaginatorTrait, QueryOrder, QuerySelect};

use super::commands::{self, Issued};
use crate::audit::Actor;
use crate::auth::{Principal, StaffRole};
use crate::catalog::indexer;
use crate::entity::compartment;
use crate::entity::delivery_round::{self, RoundStatus};
use crate::entity::item::{self, ItemStatus};
use crate::entity::locker_command::CommandKind;
use crate::entity::shipment::{self, ShipmentStatus};
use crate::entity::{branch, loan_request, locker};
use crate::lending::request_log::{self, Note};
use crate::lending::{delivery_methods, geo, LoanRequest, RequestStatus};
use crate::lifecycle;
use crate::lockers::Locker;
use crate::{Ctx, Error, Result};

pub use delivery_round::Model as Round;

/// Roles that run delivery rounds.
pub const DISPATCHERS: &[StaffRole] = &[StaffRole::Dispatcher, StaffRole::Librarian];

/// One parcel of a round.
#[derive(Debug, Clone)]
pub struct Parcel {
    /// The request it serves.
    pub request: LoanRequest,
    /// The copy (its barcode is the parcel id the locker knows).
    pub copy: item::Model,
    /// The compartment it goes into.
    pub compartment: compartment::Model,
}

/// A round with its locker and parcels.
#[derive(Debug, Clone)]
pub struct RoundView {
    /// The round.
    pub round: Round,
    /// Where it goes.
    pub locker: Locker,
    /// What it carries.
    pub parcels: Vec<Parcel>,
}

/// The OPEN round from `branch` to `locker`, opened if there is none. The locker row is
/// locked first, so concurrent picks for one locker share one round.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn open_round(
    db: &impl ConnectionTrait,
    branch: Uuid,
    locker_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Round> {
    locker::Entity::find_by_id(locker_id)
        .lock_exclusive()
        .one(db)
        .await?;
    let open = delivery_round::Entity::find()
        .filter(delivery_round::Column::BranchId.eq(branch))
        .filter(delivery_round::Column::LockerId.eq(locker_id))
        .filter(delivery_round::Column::Status.eq(RoundStatus::Open))
        .one(db)
        .await?;
    if let Some(round) = open {
        return Ok(round);
    }
    Ok(delivery_round::ActiveModel {
        id: Set(Uuid::now_v7()),
        branch_id: Set(branch),
        locker_id: Set(locker_id),
        status: Set(lifecycle::begin(RoundStatus::Open)?),
        started_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// A branch's OPEN and STARTED rounds, in a driving order from the branch (nearest
/// neighbour: each next stop is the nearest locker not yet visited).
///
/// # Errors
/// FORBIDDEN for readers and for staff of other branches.
pub async fn of_branch(
    db: &impl ConnectionTrait,
    who: &Principal,
    branch_id: Uuid,
) -> Result<Vec<RoundView>> {
    who.require_staff_at(DISPATCHERS, branch_id)?;
    let rounds = delivery_round::Entity::find()
        .filter(delivery_round::Column::BranchId.eq(branch_id))
        .filter(delivery_round::Column::Status.is_in([RoundStatus::Open, RoundStatus::Started]))
        .order_by_asc(delivery_round::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rounds.len());
    for round in rounds {
        views.push(view(db, round).await?);
    }
    let start = branch::Entity::find_by_id(branch_id)
        .one(db)
        .await?
        .and_then(|b| geo::point(b.latitude, b.longitude));
    Ok(driving_order(start, views))
}

/// Orders stops by nearest neighbour from `start`; stops without coordinates go last.
fn driving_order(start: Option<geo::Point>, mut left: Vec<RoundView>) -> Vec<RoundView> {
    let mut here = start;
    let mut ordered = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let distance =
            |v: &RoundView| match (here, geo::point(v.locker.latitude, v.locker.longitude)) {
                (Some(a), Some(b)) => geo::distance_km(a, b),
                _ => f64::INFINITY,
            };
        let next = left
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| distance(a).total_cmp(&distance(b)))
            .map_or(0, |(i, _)| i);
        let stop = left.remove(next);
        here = geo::point(stop.locker.latitude, stop.locker.longitude).or(here);
        ordered.push(stop);
    }
    ordered
}

/// A round with its locker and its parcels (shipments not cancelled).
async fn view(db: &impl ConnectionTrait, round: Round) -> Result<RoundView> {
    let locker = crate::lockers::by_id(db, round.locker_id).await?;
    let shipments = shipment::Entity::find()
        .filter(shipment::Column::RoundId.eq(round.id))
        .filter(shipment::Column::Status.ne(ShipmentStatus::Cancelled))
        .order_by_asc(shipment::Column::Id)
        .all(db)
        .await?;
    let request_ids: Vec<Uuid> = shipments.iter().filter_map(|s| s.request_id).collect();
    let requests: HashMap<Uuid, LoanRequest> = loan_request::Entity::find()
        .filter(loan_request::Column::Id.is_in(request_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let copies: HashMap<Uuid, item::Model> = item::Entity::find()
        .filter(item::Column::Id.is_in(requests.values().filter_map(|r| r.item_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let doors: HashMap<Uuid, compartment::Model> = compartment::Entity::find()
        .filter(compartment::Column::LockerId.eq(round.locker_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let parcels = shipments
        .iter()
        .filter_map(|s| {
            let request = requests.get(&s.request_id?)?.clone();
            let copy = copies.get(&request.item_id?)?.clone();
            let compartment = doors.get(&s.compartment_id?)?.clone();
            Some(Parcel {
                request,
                copy,
                compartment,
            })
        })
        .collect();
    Ok(RoundView {
        round,
        locker,
        parcels,
    })
}

/// Starts a round: the van left. Its parcels go IN_TRANSIT and the locker gets a `deposit`
/// command for each (it hears of them at once through its long poll).
///
/// # Errors
/// NOT_FOUND for an unknown round; FORBIDDEN for staff of other branches; CONFLICT (with the
/// current state) when it was started already.
pub async fn start(ctx: &Ctx, who: &Principal, id: Uuid) -> Result<RoundView> {
    let txn = ctx.begin().await?;
    let round = delivery_round::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("delivery round"))?;
    who.require_staff_at(DISPATCHERS, round.branch_id)?;
    let changes = delivery_round::ActiveModel {
        started_at: Set(Some(ctx.now())),
        ..Default::default()
    };
    let round = lifecycle::advance::<delivery_round::Entity>(
        &txn,
        id,
        round.status,
        RoundStatus::Started,
        changes,
    )
    .await?;
    let view = view(&txn, round).await?;
    let titles: BTreeSet<Uuid> = view.parcels.iter().map(|p| p.copy.title_id).collect();
    indexer::touch(&txn, &titles.into_iter().collect::<Vec<_>>(), ctx.now()).await?;
    let actor = Actor::of(who);
    let note: Note = text!("history-on-way-to-locker", locker = &view.locker.name).into();
    let mut issued = Issued::default();
    for parcel in &view.parcels {
        if parcel.request.status != RequestStatus::Picked {
            continue; // cancelled or re-dispatched meanwhile
        }
        request_log::transition(
            &txn,
            &parcel.request,
            RequestStatus::InTransit,
            actor,
            Some(&note),
            Default::default(),
            ctx.now(),
        )
        .await?;
        delivery_methods::set_copy(
            &txn,
            &parcel.copy,
            ItemStatus::InTransit,
            parcel.copy.current_branch_id,
            ctx.now(),
        )
        .await?;
        issued = commands::issue(
            &txn,
            view.locker.id,
            CommandKind::Deposit,
            &parcel.compartment.label,
            &parcel.copy.barcode,
            Some(parcel.request.id),
            ctx.now(),
        )
        .await?;
    }
    lifecycle::advance_all::<shipment::Entity>(
        &[ShipmentStatus::Created],
        ShipmentStatus::InTransit,
    )?
    .col_expr(shipment::Column::UpdatedAt, Expr::value(ctx.now()))
    .filter(shipment::Column::RoundId.eq(id))
    .exec(&txn)
    .await?;
    let round = delivery_round::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("delivery round"))?;
    let after = self::view(&txn, round).await?;
    txn.commit().await?;
    commands::announce(ctx, issued);
    crate::lending::committed(ctx);
    Ok(after)
}

/// Completes the started rounds that carried `request` once none of their parcels is still
/// on its way (each was deposited, or taken off the round).
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn settle(db: &impl ConnectionTrait, request: Uuid) -> Result<()> {
    let rounds: Vec<Option<Uuid>> = shipment::Entity::find()
        .select_only()
        .column(shipment::Column::RoundId)
        .filter(shipment::Column::RequestId.eq(request))
        .into_tuple()
        .all(db)
        .await?;
    for round in rounds.into_iter().flatten() {
        let moving = shipment::Entity::find()
            .filter(shipment::Column::RoundId.eq(round))
            .filter(
                shipment::Column::Status
                    .is_in([ShipmentStatus::Created, ShipmentStatus::InTransit]),
            )
            .count(db)
            .await?;
        if moving == 0 {
            lifecycle::advance_all::<delivery_round::Entity>(
                &[RoundStatus::Started],
                RoundStatus::Completed,
            )?
            .filter(delivery_round::Column::Id.eq(round))
            .exec(db)
            .await?;
        }
    }
    Ok(())
}
