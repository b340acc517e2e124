//! The routing worker: PENDING requests that were not routed when they were made (every flow
//! routes or waitlists its requests as it opens them; any left behind by a fault, or by an
//! older version) are routed in bulk, oldest first, by the same rules as a reader's request
//! ([`routing::rank`]).
//!
//! A run is one transaction, taken in batches: the oldest PENDING requests are locked (`SKIP
//! LOCKED`, so two workers take different ones; a partial index keeps the PENDING ones in
//! order), their titles locked in id order, the free copies of those titles locked (`SKIP
//! LOCKED`); each request in turn takes the best remaining copy (branch loads, counted once
//! a run and only to break distance ties, include what the run adds), and all writes go out
//! as a handful of multi-row statements: copies RESERVED, pick tasks, requests ROUTED or
//! WAITLISTED, their history and their readers' jobs.

use std::collections::{BTreeSet, HashMap, VecDeque};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{LockBehavior, LockType, Query};
use sea_orm::{DatabaseTransaction, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::routing::{self, Candidate, Targets};
use super::{request_log, waitlist, LoanRequest, RequestStatus};
use crate::audit::Actor;
use crate::catalog::indexer;
use crate::config::RoutingPolicy;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{loan_request, pick_task, title};
use crate::jobs::Job;
use crate::lifecycle;
use crate::{infra::db, Ctx, Result};

/// Requests routed per transaction.
pub const BATCH: u64 = 1000;

/// What a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Routed {
    /// Requests that got a copy (now on a picking list).
    pub routed: u64,
    /// Requests put on their title's waitlist.
    pub waitlisted: u64,
}

impl Routed {
    /// Requests handled.
    pub fn total(self) -> u64 {
        self.routed + self.waitlisted
    }
}

/// Routes every PENDING request in the caller's transaction, oldest first, [`BATCH`] at a
/// time.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn route_all(
    db: &impl ConnectionTrait,
    policy: RoutingPolicy,
    now: DateTime<Utc>,
) -> Result<Routed> {
    let mut done = Routed::default();
    let mut run = Run {
        policy,
        ..Run::default()
    };
    loop {
        let batch = route_pending(db, BATCH, &mut run, now).await?;
        done.routed += batch.routed;
        done.waitlisted += batch.waitlisted;
        if batch.total() < BATCH {
            return Ok(done);
        }
    }
}

/// What a run carries from batch to batch.
#[derive(Default)]
struct Run {
    /// How copies are chosen.
    policy: RoutingPolicy,
    /// The last request taken: the next batch starts after it (the PENDING index still
    /// lists the rows this transaction moved on, until it commits).
    after: Option<Uuid>,
    /// Open picks per branch, counted once a run (by load, or when a tie of distance comes
    /// up).
    counted: Option<HashMap<Uuid, u64>>,
    /// Picks the run added, per branch.
    added: HashMap<Uuid, u64>,
}

/// Routes up to `limit` of the oldest PENDING requests in the caller's transaction.
async fn route_pending(
    db: &impl ConnectionTrait,
    limit: u64,
    run: &mut Run,
    now: DateTime<Utc>,
) -> Result<Routed> {
    let mut pending = loan_request::Entity::find()
        .filter(loan_request::Column::Status.eq(RequestStatus::Pending));
    if let Some(after) = run.after {
        pending = pending.filter(loan_request::Column::Id.gt(after));
    }
    let pending = pending
        .order_by_asc(loan_request::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(db)
        .await?;
    let Some(last) = pending.last() else {
        return Ok(Routed::default());
    };
    run.after = Some(last.id);
    let titles: Vec<Uuid> = pending
        .iter()
        .map(|r| r.title_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    lock_titles(db, &titles, now).await?;
    let targets = Targets::load(db, &pending).await?;
    let mut free = free_copies(db, &titles).await?;

    let (mut routed, mut waitlisted, mut copies, mut tasks) = (vec![], vec![], vec![], vec![]);
    for req in pending {
        let target = targets.of(&req);
        let shelves = free.entry(req.title_id).or_default();
        let mut candidates: Vec<Candidate> = shelves
            .iter()
            .filter(|(_, copies)| !copies.is_empty())
            .map(|(branch, _)| Candidate {
                branch: *branch,
                point: targets.branch_point(*branch),
                load: 0,
            })
            .collect();
        if !routing::weighed(run.policy, &target, &candidates).is_empty() {
            if run.counted.is_none() {
                run.counted = Some(routing::open_picks(db, &targets.branch_ids()).await?);
            }
            let counted = run.counted.as_ref();
            for c in &mut candidates {
                c.load = counted.and_then(|l| l.get(&c.branch)).copied().unwrap_or(0)
                    + run.added.get(&c.branch).copied().unwrap_or(0);
            }
        }
        let copy = routing::rank(run.policy, &target, candidates)
            .first()
            .and_then(|b| shelves.get_mut(b))
            .and_then(VecDeque::pop_front);
        let Some(copy) = copy else {
            waitlisted.push(LoanRequest {
                status: RequestStatus::Waitlisted,
                updated_at: now,
                ..req
            });
            continue;
        };
        *run.added.entry(copy.current_branch_id).or_default() += 1;
        tasks.push(routing::pick_task(req.id, &copy, now)?);
        routed.push(LoanRequest {
            status: RequestStatus::Routed,
            item_id: Some(copy.id),
            source_branch_id: Some(copy.current_branch_id),
            updated_at: now,
            ..req
        });
        copies.push(copy.id);
    }

    for chunk in copies.chunks(1000) {
        lifecycle::advance_all::<item::Entity>(&[ItemStatus::Available], ItemStatus::Reserved)?
            .col_expr(item::Column::UpdatedAt, Expr::value(now))
            .filter(item::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    for chunk in tasks.chunks(1000) {
        pick_task::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in routed.chunks(1000) {
        mark_routed(db, chunk, now).await?;
    }
    for chunk in waitlisted.chunks(1000) {
        lifecycle::advance_all::<loan_request::Entity>(
            &[RequestStatus::Pending],
            RequestStatus::Waitlisted,
        )?
        .col_expr(loan_request::Column::UpdatedAt, Expr::value(now))
        .filter(loan_request::Column::Id.is_in(chunk.iter().map(|r| r.id)))
        .exec(db)
        .await?;
    }
    let system = Actor::System;
    request_log::moved(db, &routed, RequestStatus::Pending, system, None, now).await?;
    let note = waitlist::no_copy_free();
    request_log::moved(
        db,
        &waitlisted,
        RequestStatus::Pending,
        system,
        Some(&note),
        now,
    )
    .await?;
    Ok(Routed {
        routed: routed.len() as u64,
        waitlisted: waitlisted.len() as u64,
    })
}

/// Marks `routed` (PENDING) ROUTED on their copies, in one statement: a list of (request,
/// copy, branch) joined to the requests.
async fn mark_routed(
    db: &impl ConnectionTrait,
    routed: &[LoanRequest],
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    let routing = lifecycle::raw_move::<loan_request::Entity>(
        &[RequestStatus::Pending],
        RequestStatus::Routed,
    )?;
    let mut values: Vec<sea_orm::Value> = vec![now.into()];
    let mut rows = Vec::with_capacity(routed.len());
    for req in routed {
        let n = values.len();
        rows.push(format!("(${}, ${}, ${})", n + 1, n + 2, n + 3));
        values.extend([
            req.id.into(),
            req.item_id.into(),
            req.source_branch_id.into(),
        ]);
    }
    // VALUES columns are column1, column2, … on PostgreSQL and SQLite alike.
    let sql = format!(
        "UPDATE loan_request SET {}, item_id = v.column2, \
           source_branch_id = v.column3, updated_at = $1 \
         FROM (VALUES {}) AS v WHERE loan_request.id = v.column1 AND {}",
        routing.set,
        rows.join(", "),
        routing.only,
    );
    db.execute(db::statement(db, sql, values)).await?;
    Ok(())
}

/// Locks the titles in id order (so two batches never deadlock on each other) and marks
/// their availability changed for the search indexes.
async fn lock_titles(db: &impl ConnectionTrait, titles: &[Uuid], now: DateTime<Utc>) -> Result<()> {
    for chunk in titles.chunks(1000) {
        let in_order = Query::select()
            .column(title::Column::Id)
            .from(title::Entity)
            .and_where(title::Column::Id.is_in(chunk.iter().copied()))
            .order_by(title::Column::Id, sea_orm::Order::Asc)
            .lock(LockType::Update)
            .to_owned();
        indexer::touch_where(db, title::Column::Id.in_subquery(in_order), now).await?;
    }
    Ok(())
}

/// The free copies of `titles` not locked by another transaction, by title and branch, each
/// shelf in barcode order.
async fn free_copies(
    db: &impl ConnectionTrait,
    titles: &[Uuid],
) -> Result<HashMap<Uuid, HashMap<Uuid, VecDeque<item::Model>>>> {
    let mut free: HashMap<Uuid, HashMap<Uuid, VecDeque<item::Model>>> = HashMap::new();
    for chunk in titles.chunks(1000) {
        let copies = item::Entity::find()
            .filter(item::Column::TitleId.is_in(chunk.iter().copied()))
            .filter(item::Column::Status.eq(ItemStatus::Available))
            .filter(item::Column::NetLending.eq(true))
            .order_by_asc(item::Column::Barcode)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(db)
            .await?;
        for copy in copies {
            free.entry(copy.title_id)
                .or_default()
                .entry(copy.current_branch_id)
                .or_default()
                .push_back(copy);
        }
    }
    Ok(free)
}

/// Routes every PENDING request, batch by batch. Runs on a timer and whenever a flow creates
/// PENDING requests; idempotent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RoutePending;

#[async_trait]
impl Job for RoutePending {
    const KIND: &'static str = "lending.route";

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let done = route_all(txn, ctx.config.lending.routing, ctx.now()).await?;
        if done.total() > 0 {
            tracing::info!(
                routed = done.routed,
                waitlisted = done.waitlisted,
                "routed pending requests"
            );
        }
        Ok(())
    }
}
