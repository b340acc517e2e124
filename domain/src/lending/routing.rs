//! Routing: which copy serves a request.
//!
//! A request takes an available copy of its title from the best branch. By default
//! ([`RoutingPolicy::Nearest`]) that is the delivery target's own branch first, then the
//! nearest by distance from the target (the locker, the pickup branch or the address's
//! coordinates), then the branch with the fewest open picks; with `HONGYAN_ROUTING=load` the
//! fewest open picks come first.
//! The copy is reserved with a conditional update under the title lock, so no copy ever
//! serves two requests. With no copy free the request is WAITLISTED ([`super::waitlist`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{LockBehavior, LockType, Query};
use sea_orm::{ActiveValue::Set, FromQueryResult, QuerySelect};

use super::geo::{self, Point};
use super::request_log;
use super::{DeliveryMethod, LoanRequest, PickStatus, PickTask, RequestStatus};
use crate::audit::Actor;
use crate::config::RoutingPolicy;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{branch, loan_request, locker, pick_task, reader_address};
use crate::{infra::db, lifecycle, Error, Reason, Result};

/// Where a request's book must go, for ranking branches.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Target {
    /// The branch serving the target (pickup branch, or the locker's branch).
    pub branch: Option<Uuid>,
    /// The target's coordinates.
    pub point: Option<Point>,
}

/// A branch holding a free copy, as routing weighs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The branch.
    pub branch: Uuid,
    /// Its coordinates.
    pub point: Option<Point>,
    /// Its open pick tasks.
    pub load: u64,
}

/// Orders candidate branches by `policy`: nearest (the target's branch, then nearest, then
/// least loaded) or load (least loaded, then the target's branch, then nearest).
pub fn rank(policy: RoutingPolicy, target: &Target, mut candidates: Vec<Candidate>) -> Vec<Uuid> {
    let distance = |c: &Candidate| match (target.point, c.point) {
        (Some(a), Some(b)) => geo::distance_km(a, b),
        _ => f64::INFINITY,
    };
    candidates.sort_by(|a, b| {
        let own = |c: &Candidate| target.branch != Some(c.branch);
        let place = own(a)
            .cmp(&own(b))
            .then(distance(a).total_cmp(&distance(b)));
        match policy {
            RoutingPolicy::Nearest => place.then(a.load.cmp(&b.load)),
            RoutingPolicy::Load => a.load.cmp(&b.load).then(place),
        }
        .then(a.branch.cmp(&b.branch))
    });
    candidates.into_iter().map(|c| c.branch).collect()
}

/// The delivery target of a request.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn target_of(db: &impl ConnectionTrait, req: &LoanRequest) -> Result<Target> {
    Ok(Targets::load(db, std::slice::from_ref(req)).await?.of(req))
}

/// The places requests go to, loaded in three queries (every branch, the requests' lockers
/// and addresses).
pub(crate) struct Targets {
    branches: HashMap<Uuid, Option<Point>>,
    lockers: HashMap<Uuid, Target>,
    addresses: HashMap<Uuid, Option<Point>>,
}

impl Targets {
    pub(crate) async fn load(db: &impl ConnectionTrait, reqs: &[LoanRequest]) -> Result<Targets> {
        let branches = branch::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.id, geo::point(b.latitude, b.longitude)))
            .collect();
        let lockers = locker::Entity::find()
            .filter(locker::Column::Id.is_in(reqs.iter().filter_map(|r| r.locker_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|l| {
                let target = Target {
                    branch: Some(l.branch_id),
                    point: geo::point(l.latitude, l.longitude),
                };
                (l.id, target)
            })
            .collect();
        let addresses = reader_address::Entity::find()
            .filter(reader_address::Column::Id.is_in(reqs.iter().filter_map(|r| r.address_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, geo::point(a.latitude, a.longitude)))
            .collect();
        Ok(Targets {
            branches,
            lockers,
            addresses,
        })
    }

    /// Every branch's id.
    pub(crate) fn branch_ids(&self) -> Vec<Uuid> {
        self.branches.keys().copied().collect()
    }

    pub(crate) fn branch_point(&self, branch: Uuid) -> Option<Point> {
        self.branches.get(&branch).copied().flatten()
    }

    /// Where `req`'s book must go: the locker, the address or the pickup branch.
    pub(crate) fn of(&self, req: &LoanRequest) -> Target {
        match (req.delivery_method, req.locker_id, req.address_id) {
            (DeliveryMethod::Locker, Some(id), _) => {
                self.lockers.get(&id).copied().unwrap_or_default()
            }
            (DeliveryMethod::Home, _, Some(id)) => Target {
                branch: None,
                point: self.addresses.get(&id).copied().flatten(),
            },
            _ => req
                .pickup_branch_id
                .map(|b| Target {
                    branch: Some(b),
                    point: self.branch_point(b),
                })
                .unwrap_or_default(),
        }
    }
}

/// Gives a PENDING request a copy (ROUTED, on a picking list) or puts it on the waitlist.
/// The caller holds the title lock.
///
/// # Errors
/// CONFLICT when the request changed meanwhile; INTERNAL on a database fault.
pub async fn route(
    db: &impl ConnectionTrait,
    req: LoanRequest,
    policy: RoutingPolicy,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    let target = target_of(db, &req).await?;
    let candidates = stock(db, req.title_id).await?.candidates;
    match reserve_from(db, req.title_id, &target, candidates, policy, now).await? {
        Some(copy) => assign(db, &req, &copy, actor, now).await,
        None => {
            request_log::transition(
                db,
                &req,
                RequestStatus::Waitlisted,
                actor,
                Some(&super::waitlist::no_copy_free()),
                Default::default(),
                now,
            )
            .await
        }
    }
}

/// A title's copies as routing weighs them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stock {
    /// Copies that can be lent online at all (neither missing nor withdrawn).
    pub lendable: u64,
    /// The branches holding a free copy.
    pub candidates: Vec<Candidate>,
}

/// One branch's share of a title's stock.
#[derive(FromQueryResult)]
struct BranchStock {
    branch_id: Uuid,
    latitude: Option<f64>,
    longitude: Option<f64>,
    lendable: i64,
    free: i64,
}

/// `title`'s lendable copies and the branches with a free one (their places), in one round
/// trip. Their loads are left at 0: counting a busy branch's open picks costs more than the
/// rest of a request, and the load only breaks ties of distance ([`reserve_from`]).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn stock(db: &impl ConnectionTrait, title: Uuid) -> Result<Stock> {
    let sql = format!(
        "SELECT i.current_branch_id AS branch_id, b.latitude, b.longitude, \
                count(*) AS lendable, \
                sum(CASE WHEN i.status = '{available}' THEN 1 ELSE 0 END) AS free \
         FROM item i JOIN branch b ON b.id = i.current_branch_id \
         WHERE i.title_id = $1 AND i.net_lending AND i.status NOT IN ('{missing}', '{withdrawn}') \
         GROUP BY i.current_branch_id, b.latitude, b.longitude",
        available = ItemStatus::Available.as_str(),
        missing = ItemStatus::Missing.as_str(),
        withdrawn = ItemStatus::Withdrawn.as_str(),
    );
    let rows = BranchStock::find_by_statement(db::statement(db, sql, [title.into()]))
        .all(db)
        .await?;
    Ok(Stock {
        lendable: rows
            .iter()
            .map(|r| u64::try_from(r.lendable).unwrap_or(0))
            .sum(),
        candidates: rows
            .into_iter()
            .filter(|r| r.free > 0)
            .map(|r| Candidate {
                branch: r.branch_id,
                point: geo::point(r.latitude, r.longitude),
                load: 0, // counted only where it decides ([`reserve_from`])
            })
            .collect(),
    })
}

/// Reserves a free copy of `title` at the best of `candidates` for `target` by `policy`, if
/// any. The candidates' open picks are counted where they decide: for every candidate under
/// [`RoutingPolicy::Load`], else only where candidates tie on place.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn reserve_from(
    db: &impl ConnectionTrait,
    title: Uuid,
    target: &Target,
    mut candidates: Vec<Candidate>,
    policy: RoutingPolicy,
    now: DateTime<Utc>,
) -> Result<Option<item::Model>> {
    let weighed = weighed(policy, target, &candidates);
    if !weighed.is_empty() {
        let loads = open_picks(db, &weighed).await?;
        for c in &mut candidates {
            c.load = loads.get(&c.branch).copied().unwrap_or(0);
        }
    }
    for branch in rank(policy, target, candidates) {
        if let Some(copy) = reserve_at(db, title, branch, now).await? {
            return Ok(Some(copy));
        }
    }
    Ok(None)
}

/// The candidates whose open picks decide between them under `policy`: all of them (when
/// there is a choice) by load, else those that tie on place ([`tied`]).
pub(crate) fn weighed(
    policy: RoutingPolicy,
    target: &Target,
    candidates: &[Candidate],
) -> Vec<Uuid> {
    match policy {
        RoutingPolicy::Load if candidates.len() > 1 => {
            candidates.iter().map(|c| c.branch).collect()
        }
        RoutingPolicy::Load => Vec::new(),
        RoutingPolicy::Nearest => tied(target, candidates),
    }
}

/// The candidates that share their (own branch, distance) with another: only for them does
/// the load decide.
fn tied(target: &Target, candidates: &[Candidate]) -> Vec<Uuid> {
    let key = |c: &Candidate| {
        let distance = match (target.point, c.point) {
            (Some(a), Some(b)) => geo::distance_km(a, b),
            _ => f64::INFINITY,
        };
        (target.branch == Some(c.branch), distance.to_bits())
    };
    candidates
        .iter()
        .filter(|c| {
            candidates
                .iter()
                .any(|o| o.branch != c.branch && key(o) == key(c))
        })
        .map(|c| c.branch)
        .collect()
}

#[derive(FromQueryResult)]
struct Load {
    branch_id: Uuid,
    open: i64,
}

/// Open pick tasks of `branches`.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn open_picks(
    db: &impl ConnectionTrait,
    branches: &[Uuid],
) -> Result<HashMap<Uuid, u64>> {
    Ok(pick_task::Entity::find()
        .select_only()
        .column(pick_task::Column::BranchId)
        .column_as(pick_task::Column::Id.count(), "open")
        .filter(pick_task::Column::Status.eq(PickStatus::Open))
        .filter(pick_task::Column::BranchId.is_in(branches.iter().copied()))
        .group_by(pick_task::Column::BranchId)
        .into_model::<Load>()
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.branch_id, u64::try_from(l.open).unwrap_or(0)))
        .collect())
}

/// One conditional statement: a free copy of `title` at `branch` becomes RESERVED
/// (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so a copy another transaction holds is passed over).
async fn reserve_at(
    db: &impl ConnectionTrait,
    title: Uuid,
    branch: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<item::Model>> {
    let free = Query::select()
        .column(item::Column::Id)
        .from(item::Entity)
        .and_where(item::Column::TitleId.eq(title))
        .and_where(item::Column::CurrentBranchId.eq(branch))
        .and_where(item::Column::Status.eq(ItemStatus::Available))
        .and_where(item::Column::NetLending.eq(true))
        .order_by(item::Column::Barcode, sea_orm::Order::Asc)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    Ok(
        lifecycle::advance_all::<item::Entity>(&[ItemStatus::Available], ItemStatus::Reserved)?
            .col_expr(item::Column::UpdatedAt, Expr::value(now))
            .filter(item::Column::Id.in_subquery(free))
            .exec_with_returning(db)
            .await?
            .into_iter()
            .next(),
    )
}

/// Puts the reserved `copy` on its branch's picking list for `req` (PENDING or WAITLISTED),
/// which becomes ROUTED.
pub(super) async fn assign(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    copy: &item::Model,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    add_to_picking_list(db, req.id, copy, now).await?;
    request_log::transition(
        db,
        req,
        RequestStatus::Routed,
        actor,
        None,
        loan_request::ActiveModel {
            item_id: Set(Some(copy.id)),
            source_branch_id: Set(Some(copy.current_branch_id)),
            ..Default::default()
        },
        now,
    )
    .await
}

/// Puts the reserved `copy` on its branch's picking list for request `request`.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn add_to_picking_list(
    db: &impl ConnectionTrait,
    request: Uuid,
    copy: &item::Model,
    now: DateTime<Utc>,
) -> Result<PickTask> {
    Ok(pick_task(request, copy, now)?.insert(db).await?)
}

/// The open pick task that fetches the reserved `copy` for request `request`.
///
/// # Errors
/// INTERNAL when the pick task's table lets none begin OPEN.
pub(crate) fn pick_task(
    request: Uuid,
    copy: &item::Model,
    now: DateTime<Utc>,
) -> Result<pick_task::ActiveModel> {
    Ok(pick_task::ActiveModel {
        id: Set(Uuid::now_v7()),
        request_id: Set(request),
        item_id: Set(copy.id),
        branch_id: Set(copy.current_branch_id),
        status: Set(lifecycle::begin(PickStatus::Open)?),
        picked_by: Set(None),
        picked_at: Set(None),
        created_at: Set(now),
    })
}

/// The open pick task of a request.
///
/// # Errors
/// CONFLICT when it has none (it was picked or cancelled meanwhile).
pub async fn open_task(db: &impl ConnectionTrait, request: Uuid) -> Result<PickTask> {
    pick_task::Entity::find()
        .filter(pick_task::Column::RequestId.eq(request))
        .filter(pick_task::Column::Status.eq(PickStatus::Open))
        .one(db)
        .await?
        .ok_or_else(|| Error::conflict(Reason::NoOpenPickTask))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(n: u128, point: Option<Point>, load: u64) -> Candidate {
        Candidate {
            branch: Uuid::from_u128(n),
            point,
            load,
        }
    }

    #[test]
    fn loads_are_needed_only_where_distance_ties() {
        let target = Target {
            branch: None,
            point: Some((31.87, 120.55)),
        };
        let same_place = Some((31.88, 120.56));
        let cands = vec![
            cand(1, same_place, 0),
            cand(2, same_place, 0),
            cand(3, Some((31.30, 120.58)), 0),
        ];
        let mut tied = tied(&target, &cands);
        tied.sort();
        assert_eq!(tied, vec![Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert!(super::tied(&target, &cands[1..]).is_empty());
    }

    #[test]
    fn own_branch_then_nearest_then_least_loaded() {
        let target = Target {
            branch: Some(Uuid::from_u128(9)),
            point: Some((31.87, 120.55)),
        };
        let ranked = rank(
            RoutingPolicy::Nearest,
            &target,
            vec![
                cand(1, Some((31.30, 120.58)), 0),  // far
                cand(2, Some((31.88, 120.56)), 5),  // near, busy
                cand(3, Some((31.88, 120.56)), 1),  // near, idle
                cand(4, None, 0),                   // unknown place: last
                cand(9, Some((32.50, 121.00)), 99), // the target's own branch
            ],
        );
        let ids: Vec<u128> = ranked.iter().map(|u| u.as_u128()).collect();
        assert_eq!(ids, vec![9, 3, 2, 1, 4]);
    }

    #[test]
    fn by_load_the_idle_branch_comes_first_and_place_breaks_ties() {
        let target = Target {
            branch: Some(Uuid::from_u128(9)),
            point: Some((31.87, 120.55)),
        };
        let ranked = rank(
            RoutingPolicy::Load,
            &target,
            vec![
                cand(1, Some((31.30, 120.58)), 0), // far, idle
                cand(2, Some((31.88, 120.56)), 5), // near, busy
                cand(3, Some((31.88, 120.56)), 0), // near, idle
                cand(9, Some((32.50, 121.00)), 7), // the target's own branch, busiest
            ],
        );
        let ids: Vec<u128> = ranked.iter().map(|u| u.as_u128()).collect();
        assert_eq!(ids, vec![3, 1, 2, 9]);
    }
}
