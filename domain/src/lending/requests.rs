//! Readers' requests: asking for a book, cancelling, listing their own.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::SubQueryStatement;
use sea_orm::{ActiveModelTrait, IntoActiveModel, QueryTrait};

use super::eligibility::{self, Asking};
use super::idempotency::{self, Claim};
use super::request_log::Note;
use super::routing::Target;
use super::{
    committed, geo, lock_title, request_log, routing, waitlist, DeliveryMethod, LoanRequest,
    PickStatus, RequestStatus,
};
use crate::audit::Actor;
use crate::entity::branch::{self, BranchKind};
use crate::entity::item;
use crate::entity::{loan_request, locker, pick_task, reader_address};
use crate::lifecycle;
use crate::{infra::db, Code, Ctx, Error, Result};

/// Where the reader wants the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// To this smart locker.
    Locker(Uuid),
    /// To this branch's hold shelf.
    Branch(Uuid),
    /// To this saved address, by courier.
    Home(Uuid),
}

/// A reader's request as they send it.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// The title (`Book.id`).
    pub title_id: Uuid,
    /// Where to.
    pub delivery: Delivery,
    /// The client's idempotency key, if it sent one.
    pub idempotency_key: Option<String>,
}

impl Delivery {
    /// The method and the id of the locker, branch or address.
    pub fn parts(self) -> (DeliveryMethod, Uuid) {
        match self {
            Delivery::Locker(id) => (DeliveryMethod::Locker, id),
            Delivery::Branch(id) => (DeliveryMethod::Branch, id),
            Delivery::Home(id) => (DeliveryMethod::Home, id),
        }
    }
}

impl NewRequest {
    fn fingerprint(&self) -> String {
        let (method, target) = self.delivery.parts();
        idempotency::fingerprint(&[
            "requestBook",
            &self.title_id.to_string(),
            method.as_str(),
            &target.to_string(),
        ])
    }
}

/// Asks for a book. The request is routed in the same transaction, so it comes back ROUTED
/// (a copy is reserved and on a branch's picking list) or WAITLISTED.
///
/// # Errors
/// NOT_FOUND for an unknown book, locker, branch or address (or another reader's address);
/// VALIDATION for a place that takes no deliveries; NO_COPY_AVAILABLE when the library has
/// no lendable copy; CONFLICT when the reader already asked for or holds the title, or reuses
/// an idempotency key with other input; FORBIDDEN when blocked or owing overdue books;
/// QUOTA_EXCEEDED at a limit.
pub async fn request_book(ctx: &Ctx, reader: Uuid, new: NewRequest) -> Result<LoanRequest> {
    let txn = ctx.begin().await?;
    if let Some(key) = &new.idempotency_key {
        if let Claim::Replay(first) =
            idempotency::claim(&txn, reader, key, &new.fingerprint(), ctx.now()).await?
        {
            txn.rollback().await?;
            let id = first
                .get("requestId")
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| Error::internal(anyhow::anyhow!("malformed idempotent response")))?;
            return of_reader_by_id(&ctx.db, reader, id).await;
        }
    }
    let locked = eligibility::lock_reader(&txn, reader).await?;
    let place = resolve(&txn, reader, new.delivery).await?;
    lock_title(&txn, new.title_id, ctx.now()).await?;
    let who = eligibility::standing(&txn, locked, Some(new.title_id), ctx.now()).await?;
    eligibility::check(&who, Asking::Request)?;
    if let Some(why) = who.already() {
        return Err(Error::conflict(why));
    }
    let stock = routing::stock(&txn, new.title_id).await?;
    if stock.lendable == 0 {
        return Err(Error::NoCopyAvailable(text!("lending-no-copy-to-lend")));
    }
    let copy = routing::reserve_from(
        &txn,
        new.title_id,
        &place.target,
        stock.candidates,
        ctx.config.lending.routing,
        ctx.now(),
    )
    .await?;
    // The id (time-ordered) is taken under the title lock: ids order the FIFO waitlist.
    let req = new_request(
        reader,
        new.title_id,
        &place,
        copy.as_ref(),
        new.idempotency_key.clone(),
        ctx.now(),
    );
    let note = copy.is_none().then(waitlist::no_copy_free);
    let completion = new.idempotency_key.as_deref().map(|key| {
        let response = serde_json::json!({ "requestId": req.id.to_string() });
        idempotency::completion(reader, key, response)
    });
    let actor = Actor::Reader(reader);
    open(
        &txn,
        &req,
        copy.as_ref(),
        actor,
        note.as_ref(),
        completion,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    committed(ctx);
    Ok(req)
}

/// A new request: ROUTED on `copy`, or WAITLISTED without one. Its times are whole
/// microseconds, as the database keeps them.
fn new_request(
    reader: Uuid,
    title: Uuid,
    place: &Place,
    copy: Option<&item::Model>,
    idempotency_key: Option<String>,
    now: DateTime<Utc>,
) -> LoanRequest {
    let now = now.trunc_subsecs(6);
    LoanRequest {
        id: Uuid::now_v7(),
        reader_id: reader,
        title_id: title,
        item_id: copy.map(|c| c.id),
        status: if copy.is_some() {
            RequestStatus::Routed
        } else {
            RequestStatus::Waitlisted
        },
        delivery_method: place.method,
        locker_id: place.locker,
        pickup_branch_id: place.branch,
        address_id: place.address,
        source_branch_id: copy.map(|c| c.current_branch_id),
        compartment_id: None,
        pickup_code_hash: None,
        pickup_code_gen: 0,
        pickup_deadline: None,
        deadline_reminded_at: None,
        failure_reason: None,
        idempotency_key,
        created_at: now,
        updated_at: now,
        ready_at: None,
        fulfilled_at: None,
        expired_at: None,
    }
}

/// Writes a new request, its pick task when it is routed on `copy`, its history and its
/// reader's job (plus `also`, written with them), in one round trip where the database
/// allows ([`crate::infra::db::write_all`]).
async fn open(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    copy: Option<&item::Model>,
    actor: Actor,
    note: Option<&Note>,
    also: Option<SubQueryStatement>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut writes =
        vec![
            loan_request::Entity::insert(req.clone().into_active_model().reset_all())
                .into_query()
                .into_sub_query_statement(),
        ];
    if let Some(copy) = copy {
        writes.push(
            pick_task::Entity::insert(routing::pick_task(req.id, copy, now)?)
                .into_query()
                .into_sub_query_statement(),
        );
    }
    writes.extend(request_log::opening(req, actor, note, now)?);
    writes.extend(also);
    db::write_all(db, writes).await?;
    Ok(())
}

/// Opens a request of `reader` for `copy`, already reserved for them (a book bought on
/// their proposal), ROUTED onto the picking list of the branch that holds it.
///
/// # Errors
/// NOT_FOUND / VALIDATION for a delivery place as [`request_book`] refuses it.
pub(crate) async fn open_for_copy(
    db: &impl ConnectionTrait,
    reader: Uuid,
    delivery: Delivery,
    copy: &item::Model,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    let place = resolve(db, reader, delivery).await?;
    let req = new_request(reader, copy.title_id, &place, Some(copy), None, now);
    open(db, &req, Some(copy), actor, None, None, now).await?;
    Ok(req)
}

/// Checks that `delivery` is a place the reader may have a book delivered to (for choices
/// made now and used later, such as a purchase proposal's).
///
/// # Errors
/// NOT_FOUND for an unknown locker or branch or another reader's address; VALIDATION for a
/// place that takes no deliveries.
pub async fn check_delivery(
    db: &impl ConnectionTrait,
    reader: Uuid,
    delivery: Delivery,
) -> Result<()> {
    resolve(db, reader, delivery).await.map(drop)
}

/// Where a request goes, resolved and checked.
struct Place {
    method: DeliveryMethod,
    locker: Option<Uuid>,
    branch: Option<Uuid>,
    address: Option<Uuid>,
    target: Target,
}

async fn resolve(db: &impl ConnectionTrait, reader: Uuid, delivery: Delivery) -> Result<Place> {
    Ok(match delivery {
        Delivery::Locker(id) => {
            let l = locker::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(Error::NotFound("locker"))?;
            Place {
                method: DeliveryMethod::Locker,
                locker: Some(l.id),
                branch: Some(l.branch_id),
                address: None,
                target: Target {
                    branch: Some(l.branch_id),
                    point: geo::point(l.latitude, l.longitude),
                },
            }
        }
        Delivery::Branch(id) => {
            let b = branch::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(Error::NotFound("branch"))?;
            if b.kind == BranchKind::Bookstore {
                return Err(
                    Error::validation(text!("lending-bookstore-not-pickup")).in_field("branchId")
                );
            }
            Place {
                method: DeliveryMethod::Branch,
                locker: None,
                branch: Some(b.id),
                address: None,
                target: Target {
                    branch: Some(b.id),
                    point: geo::point(b.latitude, b.longitude),
                },
            }
        }
        Delivery::Home(id) => {
            let a = reader_address::Entity::find_by_id(id)
                .filter(reader_address::Column::ReaderId.eq(reader))
                .one(db)
                .await?
                .ok_or(Error::NotFound("address"))?;
            Place {
                method: DeliveryMethod::Home,
                locker: None,
                branch: None,
                address: Some(a.id),
                target: Target {
                    branch: None,
                    point: geo::point(a.latitude, a.longitude),
                },
            }
        }
    })
}

/// Puts `reader` on `title`'s waitlist, to have it delivered as `delivery` (or, when that
/// place no longer takes deliveries, at `fallback` branch) — for a reader who joined a
/// proposal of a book just bought for its proposer. Nothing happens when they already asked
/// for it or hold it.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn waitlist(
    db: &impl ConnectionTrait,
    reader: Uuid,
    delivery: Option<Delivery>,
    fallback: Uuid,
    title: Uuid,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Option<LoanRequest>> {
    if eligibility::already(db, reader, title, now)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let chosen = match delivery {
        Some(d) => match resolve(db, reader, d).await {
            Ok(place) => Some(place),
            Err(e) if matches!(e.code(), Code::NotFound | Code::Validation) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let place = match chosen {
        Some(p) => p,
        None => resolve(db, reader, Delivery::Branch(fallback)).await?,
    };
    let req = new_request(reader, title, &place, None, None, now);
    open(
        db,
        &req,
        None,
        actor,
        Some(&waitlist::no_copy_free()),
        None,
        now,
    )
    .await?;
    Ok(Some(req))
}

/// Cancels one of the reader's requests, if it has not been picked yet. A reserved copy goes
/// back to the shelf (or to the next reader waiting for it).
///
/// # Errors
/// NOT_FOUND when it is not the reader's; CONFLICT (with the current state) once picked.
pub async fn cancel(ctx: &Ctx, reader: Uuid, id: Uuid) -> Result<LoanRequest> {
    let txn = ctx.begin().await?;
    let req = of_reader_by_id(&txn, reader, id).await?;
    lock_title(&txn, req.title_id, ctx.now()).await?;
    let req = of_reader_by_id(&txn, reader, id).await?;
    let actor = Actor::Reader(reader);
    // Its table lets a request be cancelled only until the pick.
    let cancelled = request_log::transition(
        &txn,
        &req,
        RequestStatus::Cancelled,
        actor,
        Some(&text!("history-cancelled-by-reader").into()),
        Default::default(),
        ctx.now(),
    )
    .await?;
    if let Some(item_id) = req.item_id {
        let task = routing::open_task(&txn, req.id).await?;
        lifecycle::advance::<pick_task::Entity>(
            &txn,
            task.id,
            task.status,
            PickStatus::Cancelled,
            Default::default(),
        )
        .await?;
        let copy = item::Entity::find_by_id(item_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound("copy"))?;
        let at = copy.current_branch_id;
        waitlist::release(
            &txn,
            &copy,
            at,
            ctx.config.lending.return_policy,
            actor,
            ctx.now(),
        )
        .await?;
    }
    txn.commit().await?;
    committed(ctx);
    Ok(cancelled)
}

/// A request by id (for staff views and internal use).
///
/// # Errors
/// NOT_FOUND when there is none.
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<LoanRequest> {
    loan_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("request"))
}

/// One of the reader's requests.
///
/// # Errors
/// NOT_FOUND when there is none with that id, or it is another reader's.
pub async fn of_reader_by_id(
    db: &impl ConnectionTrait,
    reader: Uuid,
    id: Uuid,
) -> Result<LoanRequest> {
    loan_request::Entity::find_by_id(id)
        .filter(loan_request::Column::ReaderId.eq(reader))
        .one(db)
        .await?
        .ok_or(Error::NotFound("request"))
}

/// A page of the reader's requests, newest first, after the cursor `after` (a request id).
/// Returns the page and whether more follow.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn of_reader(
    db: &impl ConnectionTrait,
    reader: Uuid,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<LoanRequest>, bool)> {
    let mine = loan_request::Entity::find().filter(loan_request::Column::ReaderId.eq(reader));
    super::newest_first(db, mine, loan_request::Column::Id, first, after).await
}
