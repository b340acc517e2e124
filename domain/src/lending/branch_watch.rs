//! What a branch's staff keep an eye on besides their picking list: the titles readers
//! queue for there (a waitlist that grows is a title to buy or transfer), and holds that
//! expired uncollected in the last week (copies to take back from the hold shelf or the
//! lockers).

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{FromQueryResult, QueryOrder, QuerySelect};

use super::{LoanRequest, RequestStatus};
use crate::auth::Principal;
use crate::dispatch::rounds::DISPATCHERS;
use crate::entity::loan_request;
use crate::Result;

/// How far back expired holds are listed.
const EXPIRED_WINDOW: Duration = Duration::days(7);
/// Most rows either list returns.
const MAX_ROWS: u64 = 200;

/// One title's queue at a branch.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Waitlist {
    /// The title.
    pub title_id: Uuid,
    /// Requests waiting for a copy.
    pub waiting: i64,
    /// When the longest-waiting of them was made.
    pub oldest: DateTime<Utc>,
}

/// Titles with requests waitlisted for pickup at `branch` (its hold shelf or its lockers),
/// longest wait first.
///
/// # Errors
/// FORBIDDEN for readers and for staff other than the branch's dispatchers and librarians.
pub async fn waitlists(
    db: &impl ConnectionTrait,
    who: &Principal,
    branch: Uuid,
) -> Result<Vec<Waitlist>> {
    who.require_staff_at(DISPATCHERS, branch)?;
    Ok(loan_request::Entity::find()
        .select_only()
        .column(loan_request::Column::TitleId)
        .column_as(loan_request::Column::Id.count(), "waiting")
        .column_as(loan_request::Column::CreatedAt.min(), "oldest")
        .filter(loan_request::Column::Status.eq(RequestStatus::Waitlisted))
        .filter(loan_request::Column::PickupBranchId.eq(branch))
        .group_by(loan_request::Column::TitleId)
        .order_by_asc(loan_request::Column::CreatedAt.min())
        .limit(MAX_ROWS)
        .into_model::<Waitlist>()
        .all(db)
        .await?)
}

/// Requests for pickup at `branch` that expired uncollected in the last week, newest first.
///
/// # Errors
/// FORBIDDEN for readers and for staff other than the branch's dispatchers and librarians.
pub async fn expired_pickups(
    db: &impl ConnectionTrait,
    who: &Principal,
    branch: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<LoanRequest>> {
    who.require_staff_at(DISPATCHERS, branch)?;
    Ok(loan_request::Entity::find()
        .filter(loan_request::Column::Status.eq(RequestStatus::Expired))
        .filter(loan_request::Column::PickupBranchId.eq(branch))
        .filter(loan_request::Column::UpdatedAt.gte(now - EXPIRED_WINDOW))
        .order_by_desc(loan_request::Column::UpdatedAt)
        .limit(MAX_ROWS)
        .all(db)
        .await?)
}
