//! The waitlist: who gets a title's next free copy.
//!
//! A request with no copy free waits on its title's list. The list is FIFO — request ids are
//! time-ordered and assigned under the title lock — and a copy that comes back (returned,
//! uncollected, cancelled, found) serves its head first ([`release`]); only when nobody waits
//! does it go home or back on the shelf, as the return policy says.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{PaginatorTrait, QueryOrder};

use super::request_log::Note;
use super::routing::{assign, open_task};
use super::{LoanRequest, PickTask, RequestStatus};
use crate::audit::Actor;
use crate::config::ReturnPolicy;
use crate::entity::item::{self, ItemStatus};
use crate::entity::loan_request;
use crate::Result;

/// The history note of a request waitlisted for want of a free copy.
pub(crate) fn no_copy_free() -> Note {
    text!("history-no-copy-free").into()
}

/// Where a copy went when it was freed.
#[derive(Debug, Clone)]
pub enum Released {
    /// It serves the oldest waitlisted request: on this branch's picking list now.
    ServesWaitlist(Box<LoanRequest>, PickTask),
    /// Back on this branch's shelf.
    Shelved,
    /// On its way to its home branch.
    SentHome(Uuid),
}

/// The head of `title`'s waitlist, if anyone waits.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn waitlist_head(db: &impl ConnectionTrait, title: Uuid) -> Result<Option<LoanRequest>> {
    Ok(loan_request::Entity::find()
        .filter(loan_request::Column::TitleId.eq(title))
        .filter(loan_request::Column::Status.eq(RequestStatus::Waitlisted))
        .order_by_asc(loan_request::Column::Id)
        .one(db)
        .await?)
}

/// How many wait for `title`.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn waiting(db: &impl ConnectionTrait, title: Uuid) -> Result<u64> {
    Ok(loan_request::Entity::find()
        .filter(loan_request::Column::TitleId.eq(title))
        .filter(loan_request::Column::Status.eq(RequestStatus::Waitlisted))
        .count(db)
        .await?)
}

/// A waitlisted request's place in its title's queue (1 = next).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn waitlist_position(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
) -> Result<Option<u64>> {
    if req.status != RequestStatus::Waitlisted {
        return Ok(None);
    }
    let ahead = loan_request::Entity::find()
        .filter(loan_request::Column::TitleId.eq(req.title_id))
        .filter(loan_request::Column::Status.eq(RequestStatus::Waitlisted))
        .filter(loan_request::Column::Id.lt(req.id))
        .count(db)
        .await?;
    Ok(Some(ahead + 1))
}

/// A copy is free again at branch `at` (returned, uncollected, cancelled, found): it serves
/// the oldest waitlisted request of its title, else goes home or stays, as `policy` says.
/// The caller holds the title lock.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn release(
    db: &impl ConnectionTrait,
    copy: &item::Model,
    at: Uuid,
    policy: ReturnPolicy,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Released> {
    let next = waitlist_head(db, copy.title_id).await?;
    let going_home = next.is_none() && policy == ReturnPolicy::Home && at != copy.home_branch_id;
    let status = match (&next, going_home) {
        (Some(_), _) => ItemStatus::Reserved,
        (None, true) => ItemStatus::InTransit,
        (None, false) => ItemStatus::Available,
    };
    let copy = super::delivery_methods::set_copy(db, copy, status, at, now).await?;
    match next {
        Some(req) => {
            let routed = assign(db, &req, &copy, actor, now).await?;
            let task = open_task(db, routed.id).await?;
            Ok(Released::ServesWaitlist(Box::new(routed), task))
        }
        None if going_home => Ok(Released::SentHome(copy.home_branch_id)),
        None => Ok(Released::Shelved),
    }
}
