//! Readers' requests: asking for a book, cancelling, listing their own.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, FromQueryResult};

use super::eligibility::{self, Asking};
use super::idempotency::{self, Claim};
use super::routing::Target;
use super::{
    committed, geo, history, lock_title, routing, DeliveryMethod, LoanRequest, LoanStatus,
    PickStatus, RequestStatus,
};
use crate::audit::Actor;
use crate::entity::branch::{self, BranchKind};
use crate::entity::item;
use crate::entity::{loan_request, locker, pick_task, reader_address};
use crate::{db, Ctx, Error, Result};

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
    eligibility::check(&who, Asking::Request)?;
    let place = resolve(&txn, reader, new.delivery).await?;
    lock_title(&txn, new.title_id).await?;
    refuse_duplicate(&txn, reader, new.title_id).await?;
    let stock = routing::stock(&txn, new.title_id).await?;
    if stock.lendable == 0 {
        return Err(Error::NoCopyAvailable(
            "the library has no copy of this book to lend online".into(),
        ));
    }
    let copy = routing::reserve_from(&txn, new.title_id, &place.target, stock.candidates).await?;
    // The id (time-ordered) is taken under the title lock: ids order the FIFO waitlist.
    let row = row(
        reader,
        new.title_id,
        &place,
        copy.as_ref(),
        new.idempotency_key.clone(),
    );
    let req = row.insert(&txn).await?;
    if let Some(copy) = &copy {
        routing::add_to_picking_list(&txn, req.id, copy).await?;
    }
    let note = copy.is_none().then_some(routing::NO_COPY_FREE);
    history::opened(&txn, &req, Actor::Reader(reader), note).await?;
    if let Some(key) = &new.idempotency_key {
        let response = serde_json::json!({ "requestId": req.id.to_string() });
        idempotency::complete(&txn, reader, key, response).await?;
    }
    txn.commit().await?;
    committed(ctx);
    Ok(req)
}

/// A new request row: ROUTED on `copy`, or WAITLISTED without one.
fn row(
    reader: Uuid,
    title: Uuid,
    place: &Place,
    copy: Option<&item::Model>,
    idempotency_key: Option<String>,
) -> loan_request::ActiveModel {
    let now = Utc::now();
    loan_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader),
        title_id: Set(title),
        item_id: Set(copy.map(|c| c.id)),
        status: Set(if copy.is_some() {
            RequestStatus::Routed
        } else {
            RequestStatus::Waitlisted
        }),
        delivery_method: Set(place.method),
        locker_id: Set(place.locker),
        pickup_branch_id: Set(place.branch),
        address_id: Set(place.address),
        source_branch_id: Set(copy.map(|c| c.current_branch_id)),
        compartment_id: Set(None),
        pickup_code_hash: Set(None),
        pickup_code_gen: Set(0),
        pickup_deadline: Set(None),
        deadline_reminded_at: Set(None),
        failure_reason: Set(None),
        idempotency_key: Set(idempotency_key),
        created_at: Set(now),
        updated_at: Set(now),
    }
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
) -> Result<LoanRequest> {
    let place = resolve(db, reader, delivery).await?;
    let req = row(reader, copy.title_id, &place, Some(copy), None)
        .insert(db)
        .await?;
    routing::add_to_picking_list(db, req.id, copy).await?;
    history::opened(db, &req, actor, None).await?;
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
                return Err(Error::validation(
                    "a partner bookstore is not a pickup branch",
                ));
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

/// Whether the reader already asked for, or holds, a copy of the title.
#[derive(FromQueryResult)]
struct Already {
    asked: i64,
    holding: i64,
}

/// Why `reader` may not ask for `title` again, if they may not.
async fn duplicate(
    db: &impl ConnectionTrait,
    reader: Uuid,
    title: Uuid,
) -> Result<Option<&'static str>> {
    let sql = format!(
        "SELECT \
           (SELECT count(*) FROM loan_request \
             WHERE reader_id = $1 AND title_id = $2 AND status IN ({open})) AS asked, \
           (SELECT count(*) FROM loan l JOIN item i ON i.id = l.item_id \
             WHERE l.reader_id = $1 AND i.title_id = $2 AND l.status = '{active}') AS holding",
        open = RequestStatus::OPEN
            .map(|s| format!("'{}'", s.as_str()))
            .join(", "),
        active = LoanStatus::Active.as_str(),
    );
    let already = Already::find_by_statement(db::statement(db, sql, [reader.into(), title.into()]))
        .one(db)
        .await?;
    Ok(match already {
        Some(a) if a.asked > 0 => Some("you have already asked for this book"),
        Some(a) if a.holding > 0 => Some("you already have this book on loan"),
        _ => None,
    })
}

async fn refuse_duplicate(db: &impl ConnectionTrait, reader: Uuid, title: Uuid) -> Result<()> {
    match duplicate(db, reader, title).await? {
        Some(why) => Err(Error::conflict(why)),
        None => Ok(()),
    }
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
) -> Result<Option<LoanRequest>> {
    if duplicate(db, reader, title).await?.is_some() {
        return Ok(None);
    }
    let chosen = match delivery {
        Some(d) => match resolve(db, reader, d).await {
            Ok(place) => Some(place),
            Err(Error::NotFound(_) | Error::Validation(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let place = match chosen {
        Some(p) => p,
        None => resolve(db, reader, Delivery::Branch(fallback)).await?,
    };
    let req = row(reader, title, &place, None, None).insert(db).await?;
    history::opened(db, &req, actor, Some(routing::NO_COPY_FREE)).await?;
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
