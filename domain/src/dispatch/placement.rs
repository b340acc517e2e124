//! Where a picked LOCKER parcel goes: a free compartment in the reader's locker, else in the
//! nearest online locker with room, else the hold shelf of the locker's branch; the reader is
//! told either way (a history entry with the reason: their locker is offline, or has no free
//! compartment). The compartment is claimed with a
//! conditional update (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two parcels never get one
//! door, and the parcel joins the open delivery round from its branch to that locker.

use chrono::{DateTime, Utc};
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
use crate::i18n::Text;
use crate::lending::request_log::{self, Note};
use crate::lending::{delivery_methods, geo, DeliveryMethod, LoanRequest, RequestStatus};
use crate::lockers::{self, Locker};
use crate::{lifecycle, Error, Result};

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
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    let Some(wanted) = req.locker_id else {
        return Ok(req);
    };
    let wanted = lockers::by_id(db, wanted).await?;
    let candidates = by_preference(&wanted, lockers::list(db).await?, now);
    // The wanted locker is among the candidates only when online: else it is passed over.
    let why = if candidates.iter().any(|l| l.id == wanted.id) {
        Unfit::Full
    } else {
        Unfit::Offline
    };
    for locker in candidates {
        let Some(door) = claim_compartment(db, locker.id).await? else {
            continue;
        };
        let note = (locker.id != wanted.id).then(|| rerouted(&wanted, why, Some(&locker)));
        let round = rounds::open_round(db, copy.current_branch_id, locker.id, now).await?;
        shipment::ActiveModel {
            round_id: Set(Some(round.id)),
            compartment_id: Set(Some(door.id)),
            ..delivery_methods::shipment(
                ShipmentKind::Locker,
                ShipmentStatus::Created,
                Some(req.id),
                copy.current_branch_id,
                locker.branch_id,
                now,
            )?
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
                let note: Note = note.into();
                request_log::transition(
                    db,
                    &req,
                    RequestStatus::Picked,
                    actor,
                    Some(&note),
                    changes,
                    now,
                )
                .await
            }
            None => request_log::update(db, &req, changes, now).await,
        };
    }
    // No locker has room: the hold shelf of the branch that serves the wanted locker.
    let note: Note = rerouted(&wanted, why, None).into();
    let req = request_log::transition(
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
        now,
    )
    .await?;
    delivery_methods::to_branch(db, policy, req, copy, actor, now).await
}

/// Why the reader's locker could not take their parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unfit {
    /// Its controller has not been heard from lately ([`lockers::is_online`]).
    Offline,
    /// Online, but no compartment is free (all reserved, occupied or out of order).
    Full,
}

/// What the reader is told when their parcel cannot go to `wanted` (`why`): it goes to
/// `instead`, or with no locker to take it, to the hold shelf of `wanted`'s branch.
fn rerouted(wanted: &Locker, why: Unfit, instead: Option<&Locker>) -> Text {
    match (why, instead) {
        (Unfit::Full, Some(to)) => text!(
            "history-locker-full-rerouted",
            wanted = &wanted.name,
            instead = &to.name
        ),
        (Unfit::Offline, Some(to)) => text!(
            "history-locker-offline-rerouted",
            wanted = &wanted.name,
            instead = &to.name
        ),
        (Unfit::Full, None) => text!("history-locker-full-hold-shelf", wanted = &wanted.name),
        (Unfit::Offline, None) => {
            text!("history-locker-offline-hold-shelf", wanted = &wanted.name)
        }
    }
}

/// Of `lockers`, the online ones in order of preference: the wanted locker (if online), then
/// the others, nearest to it first.
fn by_preference(wanted: &Locker, all: Vec<Locker>, now: DateTime<Utc>) -> Vec<Locker> {
    let here = geo::point(wanted.latitude, wanted.longitude);
    let mut online: Vec<(f64, Locker)> = all
        .into_iter()
        .filter(|l| lockers::is_online(l, now))
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
    online.into_iter().map(|(_, l)| l).collect()
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
    Ok(
        lifecycle::advance_all::<compartment::Entity>(&[State::Free], State::Reserved)?
            .filter(compartment::Column::Id.in_subquery(free))
            .exec_with_returning(db)
            .await?
            .into_iter()
            .next(),
    )
}

/// Moves compartment `id` from the state it is in now to `to`, as its table allows.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the table does not allow the move; NOT_FOUND when the
/// compartment is gone.
pub(crate) async fn move_door(db: &impl ConnectionTrait, id: Uuid, to: State) -> Result<()> {
    let door = compartment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("compartment"))?;
    lifecycle::advance::<compartment::Entity>(db, id, door.state, to, Default::default()).await?;
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use super::*;
    use crate::i18n::Locale;

    /// A locker at `at` whose controller was last heard from `ago` (None: never).
    fn locker(code: &str, at: (f64, f64), ago: Option<Duration>) -> Locker {
        Locker {
            id: Uuid::now_v7(),
            code: code.to_owned(),
            name: format!("{code} 书柜"),
            branch_id: Uuid::nil(),
            address: String::new(),
            latitude: Some(at.0),
            longitude: Some(at.1),
            device_token_hash: None,
            last_seen_at: ago.map(|ago| Utc::now() - ago),
            created_at: Utc::now(),
        }
    }

    fn codes(lockers: &[Locker]) -> Vec<&str> {
        lockers.iter().map(|l| l.code.as_str()).collect()
    }

    #[test]
    fn the_wanted_locker_comes_first_when_online_and_offline_ones_are_passed_over() {
        let now = Some(Duration::seconds(5));
        let wanted = locker("L-01", (31.881, 120.551), now);
        let near = locker("L-02", (31.890, 120.570), now);
        let far = locker("L-03", (31.300, 120.580), now);
        let silent = locker("L-04", (31.882, 120.552), Some(Duration::minutes(10)));
        let never = locker("L-05", (31.881, 120.551), None);
        let all = vec![
            far.clone(),
            silent.clone(),
            near.clone(),
            never,
            wanted.clone(),
        ];
        assert_eq!(
            codes(&by_preference(&wanted, all.clone(), Utc::now())),
            ["L-01", "L-02", "L-03"]
        );
        // Offline, the wanted locker is not a candidate: the reader is told it was offline.
        let order = by_preference(&silent, all, Utc::now());
        assert_eq!(codes(&order), ["L-01", "L-02", "L-03"]);
        assert!(!order.iter().any(|l| l.id == silent.id));
    }

    #[test]
    fn the_reader_is_told_whether_their_locker_was_offline_or_full() {
        let now = Some(Duration::seconds(5));
        let wanted = locker("L-01", (31.881, 120.551), now);
        let near = locker("L-02", (31.890, 120.570), now);
        let said = |why, instead| rerouted(&wanted, why, instead).render(Locale::Chinese);

        let full = said(Unfit::Full, Some(&near));
        assert_eq!(full, "「L-01 书柜」没有空格口，图书改送至「L-02 书柜」");
        let offline = said(Unfit::Offline, Some(&near));
        assert_eq!(offline, "「L-01 书柜」暂时离线，图书改送至「L-02 书柜」");
        let full_shelf = said(Unfit::Full, None);
        assert!(full_shelf.contains("没有空格口") && full_shelf.contains("预约书架"));
        assert!(!full_shelf.contains("离线"), "{full_shelf}");
        let offline_shelf = said(Unfit::Offline, None);
        assert!(offline_shelf.contains("暂时离线") && offline_shelf.contains("预约书架"));

        let english = rerouted(&wanted, Unfit::Offline, Some(&near)).render(Locale::English);
        assert_eq!(english, "L-01 书柜 is offline; going to L-02 书柜 instead");
    }
}
