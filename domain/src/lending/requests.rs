//! Readers' requests: asking for a book, cancelling, listing their own.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, PaginatorTrait, TransactionTrait};

use super::eligibility::{self, Asking};
use super::idempotency::{self, Claim};
use super::{
    committed, history, lock_title, routing, DeliveryMethod, LoanRequest, PickStatus, RequestStatus,
};
use crate::audit::Actor;
use crate::entity::branch::{self, BranchKind};
use crate::entity::item::{self, ItemStatus};
use crate::entity::{loan, loan_request, locker, pick_task, reader_address, title};
use crate::{Ctx, Error, Result};

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

impl NewRequest {
    fn fingerprint(&self) -> String {
        let (method, target) = match self.delivery {
            Delivery::Locker(id) => ("LOCKER", id),
            Delivery::Branch(id) => ("BRANCH", id),
            Delivery::Home(id) => ("HOME", id),
        };
        idempotency::fingerprint(&[
            "requestBook",
            &self.title_id.to_string(),
            method,
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
    let txn = ctx.db.begin().await?;
    if let Some(key) = &new.idempotency_key {
        if let Claim::Replay(first) =
            idempotency::claim(&txn, reader, key, &new.fingerprint()).await?
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
    let who = eligibility::lock_reader(&txn, reader).await?;
    eligibility::check(&txn, &who, Asking::Request).await?;
    title::Entity::find_by_id(new.title_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("book"))?;
    let place = resolve(&txn, reader, new.delivery).await?;
    lock_title(&txn, new.title_id).await?;
    refuse_duplicate(&txn, reader, new.title_id).await?;
    let lendable = item::Entity::find()
        .filter(item::Column::TitleId.eq(new.title_id))
        .filter(item::Column::NetLending.eq(true))
        .filter(item::Column::Status.is_not_in([ItemStatus::Missing, ItemStatus::Withdrawn]))
        .count(&txn)
        .await?;
    if lendable == 0 {
        return Err(Error::NoCopyAvailable(
            "the library has no copy of this book to lend online".into(),
        ));
    }
    // The id (time-ordered) is taken under the title lock: ids order the FIFO waitlist.
    let now = Utc::now();
    let req = loan_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader),
        title_id: Set(new.title_id),
        item_id: Set(None),
        status: Set(RequestStatus::Pending),
        delivery_method: Set(place.method),
        locker_id: Set(place.locker),
        pickup_branch_id: Set(place.branch),
        address_id: Set(place.address),
        source_branch_id: Set(None),
        compartment_id: Set(None),
        pickup_code_hash: Set(None),
        pickup_deadline: Set(None),
        failure_reason: Set(None),
        idempotency_key: Set(new.idempotency_key.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    history::created(&txn, &req, Actor::Reader(reader)).await?;
    let req = routing::route(&txn, req, Actor::Reader(reader)).await?;
    if let Some(key) = &new.idempotency_key {
        let response = serde_json::json!({ "requestId": req.id.to_string() });
        idempotency::complete(&txn, reader, key, response).await?;
    }
    txn.commit().await?;
    committed(ctx);
    Ok(req)
}

/// Where a request goes, resolved and checked.
struct Place {
    method: DeliveryMethod,
    locker: Option<Uuid>,
    branch: Option<Uuid>,
    address: Option<Uuid>,
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
            }
        }
        Delivery::Branch(id) => {
            let b = branch::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(Error::NotFound("branch"))?;
            if b.kind == BranchKind::Bookstore {
                return Err(Error::validation(
                    "a partner bookstore is not a pickup branch",
                ));
            }
            Place {
                method: DeliveryMethod::Branch,
                locker: None,
                branch: Some(b.id),
                address: None,
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
            }
        }
    })
}

async fn refuse_duplicate(db: &impl ConnectionTrait, reader: Uuid, title: Uuid) -> Result<()> {
    let open = loan_request::Entity::find()
        .filter(loan_request::Column::ReaderId.eq(reader))
        .filter(loan_request::Column::TitleId.eq(title))
        .filter(loan_request::Column::Status.is_in(RequestStatus::OPEN))
        .count(db)
        .await?;
    if open > 0 {
        return Err(Error::conflict("you have already asked for this book"));
    }
    let copies = Query::select()
        .column(item::Column::Id)
        .from(item::Entity)
        .and_where(item::Column::TitleId.eq(title))
        .to_owned();
    let on_loan = loan::Entity::find()
        .filter(loan::Column::ReaderId.eq(reader))
        .filter(loan::Column::Status.eq(loan::LoanStatus::Active))
        .filter(loan::Column::ItemId.in_subquery(copies))
        .count(db)
        .await?;
    if on_loan > 0 {
        return Err(Error::conflict("you already have this book on loan"));
    }
    Ok(())
}

/// Cancels one of the reader's requests, if it has not been picked yet. A reserved copy goes
/// back to the shelf (or to the next reader waiting for it).
///
/// # Errors
/// NOT_FOUND when it is not the reader's; CONFLICT (with the current state) once picked.
pub async fn cancel(ctx: &Ctx, reader: Uuid, id: Uuid) -> Result<LoanRequest> {
    let txn = ctx.db.begin().await?;
    let req = of_reader_by_id(&txn, reader, id).await?;
    lock_title(&txn, req.title_id).await?;
    let req = of_reader_by_id(&txn, reader, id).await?;
    if !matches!(
        req.status,
        RequestStatus::Pending | RequestStatus::Waitlisted | RequestStatus::Routed
    ) {
        return Err(Error::WrongState {
            what: "request",
            state: req.status.as_str(),
        });
    }
    let actor = Actor::Reader(reader);
    let cancelled = history::transition(
        &txn,
        &req,
        RequestStatus::Cancelled,
        actor,
        Some("cancelled by the reader"),
        Default::default(),
    )
    .await?;
    if let Some(item_id) = req.item_id {
        let task = routing::open_task(&txn, req.id).await?;
        pick_task::Entity::update_many()
            .col_expr(
                pick_task::Column::Status,
                Expr::value(PickStatus::Cancelled),
            )
            .filter(pick_task::Column::Id.eq(task.id))
            .exec(&txn)
            .await?;
        let copy = item::Entity::find_by_id(item_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound("copy"))?;
        let at = copy.current_branch_id;
        routing::release(&txn, &copy, at, ctx.config.lending.return_policy, actor).await?;
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
