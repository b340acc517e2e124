//! Net lending (网借): a reader's request travels PENDING → ROUTED → PICKED → IN_TRANSIT →
//! READY_FOR_PICKUP → FULFILLED (or WAITLISTED, CANCELLED, EXPIRED, FAILED), then a loan runs
//! until the copy comes back at any branch (通借通还).
//!
//! - [`requests`]: asking for a book (limits, idempotency keys), cancelling, a reader's list.
//! - [`routing`]: choosing and reserving a copy for a request.
//! - [`waitlist`]: the per-title FIFO waitlist and where a freed copy goes.
//! - [`backlog`]: the routing worker, for PENDING requests made outside `requestBook`.
//! - [`picking`]: branch picking lists in shelf order, scanning picks, "not on shelf".
//! - [`delivery_methods`]: what happens after the pick, per delivery method (hold shelf, transfers).
//! - [`desk`]: check-out and check-in at a branch desk.
//! - [`loans`]: loans, renewals.
//! - [`sweeps`]: expiring uncollected holds, flagging overdue loans, forgetting old keys.
//! - [`request_log`]: every transition's record and the job that tells the reader.
//! - [`branch_watch`]: a branch's waitlists and recently expired holds, for its staff.
//! - [`withdrawal`]: taking a copy out of the stock for good (剔除), re-routing its request.
//!
//! Concurrency rule: every transaction that changes a copy's status first locks the copy's
//! title row ([`lock_title`]), so all lending on one title is serialized (routing is FIFO and
//! never gives one copy to two requests), while different titles proceed in parallel.

pub mod backlog;
pub mod branch_watch;
pub mod consistency;
pub mod delivery_methods;
pub mod desk;
pub mod destination;
mod eligibility;
pub use eligibility::admit_loan;
pub(crate) mod geo;
mod idempotency;
pub mod live;
pub mod loans;
pub mod picking;
pub mod request_log;
pub mod requests;
pub mod routing;
pub mod sweeps;
pub mod travel;
pub mod waitlist;
pub mod withdrawal;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

pub use crate::entity::loan::{LoanStatus, Model as Loan};
pub use crate::entity::loan_request::{DeliveryMethod, Model as LoanRequest, RequestStatus};
pub use crate::entity::pick_task::{Model as PickTask, PickStatus};
use crate::{catalog::indexer, Ctx, Error, Result};

/// Locks `title` for the rest of the transaction and marks its availability as changed, so
/// every process's search index picks the change up after the commit.
///
/// # Errors
/// NOT_FOUND when there is no such title.
pub(crate) async fn lock_title(
    db: &impl ConnectionTrait,
    title: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    match indexer::touch(db, &[title], now).await? {
        0 => Err(Error::NotFound("book")),
        _ => Ok(()),
    }
}

/// What every lending transaction does after it commits: tell the indexers and the workers.
pub(crate) fn committed(ctx: &Ctx) {
    indexer::announce(ctx);
    ctx.wake_workers();
}

/// A page of `query`'s rows, newest first (ids are time-ordered), after the cursor `after`
/// (an id). Returns the page and whether more follow.
pub(crate) async fn newest_first<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: E::Column,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<E::Model>, bool)> {
    let mut q = query.order_by_desc(id).limit(first + 1);
    if let Some(after) = after {
        q = q.filter(id.lt(after));
    }
    let mut rows = q.all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}
