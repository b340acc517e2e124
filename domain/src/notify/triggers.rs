//! Which lending events tell the reader what, and the reminder sweeps.
//!
//! Request transitions are told by the [`RequestChanged`](crate::lending::request_log::RequestChanged)
//! job their transaction enqueues: [`request_changed`] turns the history row into a
//! notification. Loan events (renewed, returned) enqueue theirs directly in their own
//! transaction ([`loan_event`]). [`reminders`] runs with the lending sweep: pickup deadlines
//! within 24 hours, loans due within 3 days, overdue loans — each told once per deadline.

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::QuerySelect;
use serde_json::{json, Map, Value};

use super::{enqueue, Kind, Notice};
use crate::entity::loan_request::{DeliveryMethod, Model as LoanRequest, RequestStatus};
use crate::entity::request_event::Model as RequestEvent;
use crate::entity::{branch, compartment, item, loan, loan_request, locker, shipment, title};
use crate::lending::{waitlist, LoanStatus};
use crate::Result;

/// Reminders enqueued per sweep (the next sweep takes the rest).
const BATCH: u64 = 500;

/// What the reader is told about `event` of `req`, if anything.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn request_changed(
    db: &impl ConnectionTrait,
    event: &RequestEvent,
    req: &LoanRequest,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut data = base(db, req.title_id).await?;
    data.insert("request_id".into(), req.id.to_string().into());
    data.insert("at".into(), rfc3339(event.at));
    let kind = match (event.to_status, req.delivery_method) {
        (RequestStatus::Routed, _) if event.from_status == Some(RequestStatus::Pending) => {
            data.insert("delivery".into(), req.delivery_method.as_str().into());
            Kind::RequestAccepted
        }
        (RequestStatus::Waitlisted, _) => {
            let position = waitlist::waitlist_position(db, req).await?.unwrap_or(1);
            data.insert("position".into(), position.into());
            Kind::RequestWaitlisted
        }
        (RequestStatus::ReadyForPickup, _) => ready(db, req, &mut data).await?,
        (RequestStatus::InTransit, _) if event.from_status == Some(RequestStatus::InTransit) => {
            // A home parcel the courier could not deliver, on its way back to the branch.
            data.insert("reason".into(), req.failure_reason.clone().into());
            let back = branch::Entity::find_by_id(req.pickup_branch_id.unwrap_or_default())
                .one(db)
                .await?
                .map(|b| b.name)
                .unwrap_or_default();
            data.insert("branch_name".into(), back.into());
            Kind::DeliveryFailed
        }
        (RequestStatus::InTransit, DeliveryMethod::Home) => {
            let parcel = shipment::Entity::find()
                .filter(shipment::Column::RequestId.eq(req.id))
                .filter(shipment::Column::WaybillNo.is_not_null())
                .one(db)
                .await?;
            let Some(parcel) = parcel else { return Ok(()) };
            data.insert("courier".into(), parcel.carrier.unwrap_or_default().into());
            data.insert(
                "waybill".into(),
                parcel.waybill_no.unwrap_or_default().into(),
            );
            Kind::Shipped
        }
        (RequestStatus::Fulfilled, DeliveryMethod::Home) => {
            let lent = loan::Entity::find()
                .filter(loan::Column::RequestId.eq(req.id))
                .one(db)
                .await?;
            let Some(lent) = lent else { return Ok(()) };
            data.insert("due_at".into(), rfc3339(lent.due_at));
            Kind::Delivered
        }
        (RequestStatus::Expired, _) => Kind::RequestExpired,
        (RequestStatus::Failed, _) => {
            data.insert("reason".into(), req.failure_reason.clone().into());
            Kind::RequestFailed
        }
        _ => return Ok(()),
    };
    let notice = Notice {
        reader: req.reader_id,
        kind,
        event: event.id.to_string(),
        data: Value::Object(data),
    };
    enqueue(db, notice, now).await
}

/// Where a ready book waits and until when, into `data`; the kind that tells it.
async fn ready(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    data: &mut Map<String, Value>,
) -> Result<Kind> {
    let deadline = req.pickup_deadline.unwrap_or(req.updated_at);
    data.insert("deadline".into(), rfc3339(deadline));
    // Why a home delivery ended on the hold shelf, when it did.
    data.insert("reason".into(), req.failure_reason.clone().into());
    Ok(match ready_place(db, req).await? {
        Place::Locker { name, door } => {
            data.insert("locker_name".into(), name.into());
            data.insert("compartment".into(), door.into());
            Kind::ReadyAtLocker
        }
        Place::Branch(name) => {
            data.insert("branch_name".into(), name.into());
            Kind::ReadyAtBranch
        }
    })
}

/// Tells the reader the new pickup code of their parcel (after `resendPickupCode`): the
/// "ready at the locker" message again, for the code's generation.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn pickup_code_renewed(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut data = base(db, req.title_id).await?;
    data.insert("request_id".into(), req.id.to_string().into());
    data.insert("at".into(), rfc3339(req.updated_at));
    let kind = ready(db, req, &mut data).await?;
    let notice = Notice {
        reader: req.reader_id,
        kind,
        event: format!("pickup_code:{}:{}", req.id, req.pickup_code_gen),
        data: Value::Object(data),
    };
    enqueue(db, notice, now).await
}

/// A loan event the reader is told about at once, in the caller's transaction.
#[derive(Debug, Clone, Copy)]
pub enum LoanEvent {
    /// Renewed (to its new due date), with this many renewals left.
    Renewed {
        /// Renewals the policy still allows.
        left: u32,
    },
    /// The copy came back at this branch.
    Returned(Uuid),
}

/// Enqueues the reader's notification of `what` happening to `lent`.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn loan_event(
    db: &impl ConnectionTrait,
    lent: &loan::Model,
    what: LoanEvent,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut data = loan_data(db, lent).await?;
    let (kind, event) = match what {
        LoanEvent::Renewed { left } => {
            data.insert("renewals_left".into(), left.into());
            (
                Kind::Renewed,
                format!("renewed:{}:{}", lent.id, lent.renewals),
            )
        }
        LoanEvent::Returned(at) => {
            let place = branch::Entity::find_by_id(at)
                .one(db)
                .await?
                .map(|b| b.name);
            data.insert("place".into(), place.unwrap_or_default().into());
            (Kind::ReturnReceived, format!("returned:{}", lent.id))
        }
    };
    data.insert("at".into(), rfc3339(now));
    let notice = Notice {
        reader: lent.reader_id,
        kind,
        event,
        data: Value::Object(data),
    };
    enqueue(db, notice, now).await
}

/// Enqueues the reminders that are due: pickup deadline within 24 h and loan due within
/// 3 days, each told once (the row is marked; a renewal clears the loan's mark, so its new
/// due date gets its own reminder). Returns how many were enqueued.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn reminders(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let holds = loan_request::Entity::find()
        .filter(loan_request::Column::Status.eq(RequestStatus::ReadyForPickup))
        .filter(loan_request::Column::PickupDeadline.gt(now))
        .filter(loan_request::Column::PickupDeadline.lte(now + Duration::hours(24)))
        .filter(loan_request::Column::DeadlineRemindedAt.is_null())
        .limit(BATCH)
        .all(db)
        .await?;
    for req in &holds {
        let Some(deadline) = req.pickup_deadline else {
            continue;
        };
        let mut data = base(db, req.title_id).await?;
        data.insert("request_id".into(), req.id.to_string().into());
        data.insert("deadline".into(), rfc3339(deadline));
        let place = match ready_place(db, req).await? {
            Place::Locker { name, .. } | Place::Branch(name) => name,
        };
        data.insert("place".into(), place.into());
        let event = format!("pickup_deadline_soon:{}:{}", req.id, deadline.timestamp());
        let notice = Notice {
            reader: req.reader_id,
            kind: Kind::PickupDeadlineSoon,
            event,
            data: Value::Object(data),
        };
        enqueue(db, notice, now).await?;
    }
    loan_request::Entity::update_many()
        .col_expr(loan_request::Column::DeadlineRemindedAt, Expr::value(now))
        .filter(loan_request::Column::Id.is_in(holds.iter().map(|r| r.id)))
        .exec(db)
        .await?;
    let loans = loan::Entity::find()
        .filter(loan::Column::Status.eq(LoanStatus::Active))
        .filter(loan::Column::DueAt.gt(now))
        .filter(loan::Column::DueAt.lte(now + Duration::days(3)))
        .filter(loan::Column::DueRemindedAt.is_null())
        .limit(BATCH)
        .all(db)
        .await?;
    for lent in &loans {
        loan_reminder(db, lent, Kind::DueSoon, now).await?;
    }
    loan::Entity::update_many()
        .col_expr(loan::Column::DueRemindedAt, Expr::value(now))
        .filter(loan::Column::Id.is_in(loans.iter().map(|l| l.id)))
        .exec(db)
        .await?;
    Ok((holds.len() + loans.len()) as u64)
}

/// Enqueues a reminder about `lent` (due soon, or overdue), keyed by its due date.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn loan_reminder(
    db: &impl ConnectionTrait,
    lent: &loan::Model,
    kind: Kind,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut data = loan_data(db, lent).await?;
    data.insert("at".into(), rfc3339(now));
    let event = format!("{}:{}:{}", kind.as_str(), lent.id, lent.due_at.timestamp());
    enqueue(
        db,
        Notice {
            reader: lent.reader_id,
            kind,
            event,
            data: Value::Object(data),
        },
        now,
    )
    .await
}

/// Where a ready book waits.
enum Place {
    Locker { name: String, door: String },
    Branch(String),
}

async fn ready_place(db: &impl ConnectionTrait, req: &LoanRequest) -> Result<Place> {
    if let (DeliveryMethod::Locker, Some(locker_id), Some(door)) =
        (req.delivery_method, req.locker_id, req.compartment_id)
    {
        let name = locker::Entity::find_by_id(locker_id)
            .one(db)
            .await?
            .map(|l| l.name);
        let door = compartment::Entity::find_by_id(door)
            .one(db)
            .await?
            .map(|c| c.label);
        if let (Some(name), Some(door)) = (name, door) {
            return Ok(Place::Locker { name, door });
        }
    }
    let at = req
        .pickup_branch_id
        .or(req.source_branch_id)
        .unwrap_or_default();
    let name = branch::Entity::find_by_id(at)
        .one(db)
        .await?
        .map(|b| b.name);
    Ok(Place::Branch(name.unwrap_or_default()))
}

/// The data every message of a title has.
async fn base(db: &impl ConnectionTrait, title_id: Uuid) -> Result<Map<String, Value>> {
    let book = title::Entity::find_by_id(title_id)
        .one(db)
        .await?
        .map(|t| t.title);
    let mut data = Map::new();
    data.insert("book_title".into(), book.unwrap_or_default().into());
    Ok(data)
}

/// The data of a loan's messages: its title, due date and id.
async fn loan_data(db: &impl ConnectionTrait, lent: &loan::Model) -> Result<Map<String, Value>> {
    let copy = item::Entity::find_by_id(lent.item_id).one(db).await?;
    let mut data = match copy {
        Some(copy) => base(db, copy.title_id).await?,
        None => Map::new(),
    };
    data.insert("loan_id".into(), lent.id.to_string().into());
    data.insert("due_at".into(), rfc3339(lent.due_at));
    Ok(data)
}

fn rfc3339(at: DateTime<Utc>) -> Value {
    json!(at.to_rfc3339())
}
