//! Where a picked LOCKER parcel goes: a free compartment in the reader's locker, else in the
//! nearest online locker with room, else the hold shelf of the locker's branch; the reader is
//! told either way (a history entry with the reason). The compartment is claimed with a
//! conditional update (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two parcels never get one
//! door, and the parcel joins the open delivery round from its branch to that locker.

use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr as SqlExpr, LockBehavior, LockType, Query};
use sea_orm::{ActiveValue::Set, QueryOrder};

use super::rounds;
use crate::audit::Actor;
use crate::config::LendingConfig;
use crate::entity::compartment::{self, State};
use crate::entity::item;
use crate::entity::loan_request;
use crate::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use crate::lending::{delivery, geo, history, DeliveryMethod, LoanRequest, RequestStatus};
use crate::lockers::{self, Locker};
use crate::Result;

/// Sends a just-picked LOCKER request on its way (it stays PICKED until its round starts).
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub async fn to_locker(
    db: &impl ConnectionTrait,
    policy: &LendingConfig,
    req: LoanRequest,
    copy: &item::Model,
    actor: Actor,
) -> Result<LoanRequest> {
    let Some(wanted) = req.locker_id else {
        return Ok(req);
    };
    let wanted = lockers::by_id(db, wanted).await?;
    for locker in in_order_of_preference(db, &wanted).await? {
        let Some(door) = claim_compartment(db, locker.id).await? else {
            continue;
        };
        let note = (locker.id != wanted.id).then(|| {
            format!(
                "{} had no free compartment; going to {} instead",
                wanted.name, locker.name
            )
        });
        let round = rounds::open_round(db, copy.current_branch_id, locker.id).await?;
        shipment::ActiveModel {
            round_id: Set(Some(round.id)),
            compartment_id: Set(Some(door.id)),
            ..delivery::shipment(
                ShipmentKind::Locker,
                ShipmentStatus::Created,
                Some(req.id),
                copy.current_branch_id,
                locker.branch_id,
            )
        }
        .insert(db)
        .await?;
        let changes = loan_request::ActiveModel {
            locker_id: Set(Some(locker.id)),
            compartment_id: Set(Some(door.id)),
            ..Default::default()
        };
        return match note {
            // The reader is told their parcel goes to another locker.
            Some(note) => {
                history::transition(db, &req, RequestStatus::Picked, actor, Some(&note), changes)
                    .await
            }
            None => history::update(db, &req, changes).await,
        };
    }
    // No locker has room: the hold shelf of the branch that serves the wanted locker.
    let note = format!(
        "no locker near {} has a free compartment; the book waits on the hold shelf instead",
        wanted.name
    );
    let req = history::transition(
        db,
        &req,
        RequestStatus::Picked,
        actor,
        Some(&note),
        loan_request::ActiveModel {
            delivery_method: Set(DeliveryMethod::Branch),
            pickup_branch_id: Set(Some(wanted.branch_id)),
            ..Default::default()
        },
    )
    .await?;
    delivery::to_branch(db, policy, req, copy, actor).await
}

/// The wanted locker if online, then the other online lockers, nearest to it first.
async fn in_order_of_preference(db: &impl ConnectionTrait, wanted: &Locker) -> Result<Vec<Locker>> {
    let here = geo::point(wanted.latitude, wanted.longitude);
    let mut online: Vec<(f64, Locker)> = lockers::list(db)
        .await?
        .into_iter()
        .filter(lockers::is_online)
        .map(|l| {
            let d = if l.id == wanted.id {
                -1.0
            } else {
                match (here, geo::point(l.latitude, l.longitude)) {
                    (Some(a), Some(b)) => geo::distance_km(a, b),
                    _ => f64::INFINITY,
                }
            };
            (d, l)
        })
        .collect();
    online.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.code.cmp(&b.1.code)));
    Ok(online.into_iter().map(|(_, l)| l).collect())
}

/// Claims the smallest free compartment of `locker` (books fit every size; large doors are
/// kept for what needs them).
pub(crate) async fn claim_compartment(
    db: &impl ConnectionTrait,
    locker: Uuid,
) -> Result<Option<compartment::Model>> {
    let free = Query::select()
        .column(compartment::Column::Id)
        .from(compartment::Entity)
        .and_where(compartment::Column::LockerId.eq(locker))
        .and_where(compartment::Column::State.eq(State::Free))
        .order_by_expr(
            SqlExpr::cust("CASE size WHEN 'S' THEN 1 WHEN 'M' THEN 2 ELSE 3 END"),
            sea_orm::Order::Asc,
        )
        .order_by(compartment::Column::Label, sea_orm::Order::Asc)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    Ok(compartment::Entity::update_many()
        .col_expr(compartment::Column::State, Expr::value(State::Reserved))
        .filter(compartment::Column::Id.in_subquery(free))
        .filter(compartment::Column::State.eq(State::Free))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next())
}

/// Sets a compartment's state.
pub(crate) async fn set_compartment(
    db: &impl ConnectionTrait,
    id: Uuid,
    state: State,
) -> Result<()> {
    compartment::Entity::update_many()
        .col_expr(compartment::Column::State, Expr::value(state))
        .filter(compartment::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A locker's compartments by label.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn compartments(
    db: &impl ConnectionTrait,
    locker: Uuid,
) -> Result<Vec<compartment::Model>> {
    Ok(compartment::Entity::find()
        .filter(compartment::Column::LockerId.eq(locker))
        .order_by_asc(compartment::Column::Label)
        .all(db)
        .await?)
}

/// A locker's compartments, for staff of the branch that fills it (door faults show here).
///
/// # Errors
/// FORBIDDEN for readers and staff of other branches.
pub async fn compartments_for_staff(
    db: &impl ConnectionTrait,
    who: &crate::auth::Principal,
    locker: &Locker,
) -> Result<Vec<compartment::Model>> {
    who.require_staff_at(super::rounds::DISPATCHERS, locker.branch_id)?;
    compartments(db, locker.id).await
}
