//! The routing worker: PENDING requests that were not routed when they were made (requests
//! the purchase flow creates for proposers, or any left behind by a fault) are routed in
//! bulk, oldest first, by the same rules as a reader's request ([`routing::rank`]).
//!
//! One batch is one transaction: the oldest PENDING requests are locked (`SKIP LOCKED`, so
//! two workers take different ones), their titles locked in id order, the free copies of
//! those titles locked (`SKIP LOCKED`); each request in turn takes the best remaining copy
//! (branch loads, counted only to break distance ties, include what the batch adds), and
//! all writes go out as a handful of multi-row statements: copies RESERVED, pick tasks,
//! requests ROUTED or WAITLISTED, their history and their readers' jobs.

use std::collections::{BTreeSet, HashMap, VecDeque};

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::routing::{self, Candidate, Targets};
use super::{history, LoanRequest, PickStatus, RequestStatus};
use crate::audit::Actor;
use crate::catalog::indexer;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{loan_request, pick_task, title};
use crate::jobs::Job;
use crate::{Ctx, Result};

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

/// Routes up to `limit` of the oldest PENDING requests in the caller's transaction.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn route_pending(db: &impl ConnectionTrait, limit: u64) -> Result<Routed> {
    let pending = loan_request::Entity::find()
        .filter(loan_request::Column::Status.eq(RequestStatus::Pending))
        .order_by_asc(loan_request::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(db)
        .await?;
    if pending.is_empty() {
        return Ok(Routed::default());
    }
    let titles: Vec<Uuid> = pending
        .iter()
        .map(|r| r.title_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    lock_titles(db, &titles).await?;
    let targets = Targets::load(db, &pending).await?;
    let mut free = free_copies(db, &titles).await?;
    // Loads break distance ties only: counted (once a batch) only if a tie comes up, plus
    // what this batch adds.
    let mut loads: Option<HashMap<Uuid, u64>> = None;
    let mut added: HashMap<Uuid, u64> = HashMap::new();

    let now = Utc::now();
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
        if !routing::tied(&target, &candidates).is_empty() {
            if loads.is_none() {
                loads = Some(routing::open_picks(db, &targets.branch_ids()).await?);
            }
            let counted = loads.as_ref();
            for c in &mut candidates {
                c.load = counted.and_then(|l| l.get(&c.branch)).copied().unwrap_or(0)
                    + added.get(&c.branch).copied().unwrap_or(0);
            }
        }
        let copy = routing::rank(&target, candidates)
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
        *added.entry(copy.current_branch_id).or_default() += 1;
        tasks.push(pick_task::ActiveModel {
            id: Set(Uuid::now_v7()),
            request_id: Set(req.id),
            item_id: Set(copy.id),
            branch_id: Set(copy.current_branch_id),
            status: Set(PickStatus::Open),
            picked_by: Set(None),
            picked_at: Set(None),
            created_at: Set(now),
        });
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
        item::Entity::update_many()
            .col_expr(item::Column::Status, Expr::value(ItemStatus::Reserved))
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
        // Each request's copy and branch are its new pick task's.
        let of_task = |column: &str| {
            Expr::cust(format!(
                "(SELECT p.{column} FROM pick_task p WHERE p.request_id = loan_request.id \
                 AND p.status = '{}')",
                PickStatus::Open.as_str()
            ))
        };
        loan_request::Entity::update_many()
            .col_expr(
                loan_request::Column::Status,
                Expr::value(RequestStatus::Routed),
            )
            .col_expr(loan_request::Column::ItemId, of_task("item_id"))
            .col_expr(loan_request::Column::SourceBranchId, of_task("branch_id"))
            .col_expr(loan_request::Column::UpdatedAt, Expr::value(now))
            .filter(loan_request::Column::Id.is_in(chunk.iter().map(|r| r.id)))
            .exec(db)
            .await?;
    }
    for chunk in waitlisted.chunks(1000) {
        loan_request::Entity::update_many()
            .col_expr(
                loan_request::Column::Status,
                Expr::value(RequestStatus::Waitlisted),
            )
            .col_expr(loan_request::Column::UpdatedAt, Expr::value(now))
            .filter(loan_request::Column::Id.is_in(chunk.iter().map(|r| r.id)))
            .exec(db)
            .await?;
    }
    let system = Actor::System;
    history::moved(db, &routed, RequestStatus::Pending, system, None).await?;
    let note = Some(routing::NO_COPY_FREE);
    history::moved(db, &waitlisted, RequestStatus::Pending, system, note).await?;
    Ok(Routed {
        routed: routed.len() as u64,
        waitlisted: waitlisted.len() as u64,
    })
}

/// Locks the titles in id order (so two batches never deadlock on each other) and marks
/// their availability changed for the search indexes.
async fn lock_titles(db: &impl ConnectionTrait, titles: &[Uuid]) -> Result<()> {
    for chunk in titles.chunks(1000) {
        title::Entity::find()
            .select_only()
            .column(title::Column::Id)
            .filter(title::Column::Id.is_in(chunk.iter().copied()))
            .order_by_asc(title::Column::Id)
            .lock(LockType::Update)
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        indexer::touch(db, chunk).await?;
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

    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let mut done = Routed::default();
        loop {
            let batch = route_pending(txn, BATCH).await?;
            done.routed += batch.routed;
            done.waitlisted += batch.waitlisted;
            if batch.total() < BATCH {
                break;
            }
        }
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
