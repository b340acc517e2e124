//! A request's history: every transition is a `request_event` row (who, when, from, to),
//! written with a conditional update of the request in the caller's transaction, together
//! with the [`RequestChanged`] job that tells the reader.

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde::{Deserialize, Serialize};

use super::{LoanRequest, RequestStatus};
use crate::audit::Actor;
use crate::entity::loan_request;
use crate::entity::request_event::{self, ActorKind};
use crate::jobs::{self, Job};
use crate::{signals, Ctx, Error, Result};

pub use request_event::Model as RequestEvent;

/// Records a new request's first state.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn created(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    actor: Actor,
) -> Result<()> {
    record(db, req, None, actor, None).await
}

/// Moves `req` to `to` (plus the columns set in `changes`) if it is still in the state the
/// caller read, and records the transition.
///
/// # Errors
/// CONFLICT with the current state when the request changed meanwhile.
pub(crate) async fn transition(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    to: RequestStatus,
    actor: Actor,
    note: Option<&str>,
    mut changes: loan_request::ActiveModel,
) -> Result<LoanRequest> {
    changes.status = Set(to);
    changes.updated_at = Set(Utc::now());
    let updated = loan_request::Entity::update_many()
        .set(changes)
        .filter(loan_request::Column::Id.eq(req.id))
        .filter(loan_request::Column::Status.eq(req.status))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next();
    let Some(updated) = updated else {
        let now = loan_request::Entity::find_by_id(req.id)
            .one(db)
            .await?
            .ok_or(Error::NotFound("request"))?;
        return Err(Error::WrongState {
            what: "request",
            state: now.status.as_str(),
        });
    };
    record(db, &updated, Some(req.status), actor, note).await?;
    Ok(updated)
}

async fn record(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    from: Option<RequestStatus>,
    actor: Actor,
    note: Option<&str>,
) -> Result<()> {
    let (actor_kind, actor_id) = match actor {
        Actor::Reader(id) => (ActorKind::Reader, Some(id)),
        Actor::Staff(id) => (ActorKind::Staff, Some(id)),
        Actor::System => (ActorKind::System, None),
    };
    let event = request_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        request_id: Set(req.id),
        from_status: Set(from),
        to_status: Set(req.status),
        actor_kind: Set(actor_kind),
        actor_id: Set(actor_id),
        note: Set(note.map(str::to_owned)),
        at: Set(req.updated_at),
    }
    .insert(db)
    .await?;
    jobs::enqueue(db, &RequestChanged { event_id: event.id }).await
}

/// A request's history, oldest first.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn of_request(db: &impl ConnectionTrait, request: Uuid) -> Result<Vec<RequestEvent>> {
    Ok(request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(request))
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await?)
}

/// Tells the reader that their request changed: a live update to every API process (for the
/// `requestUpdated` subscription). It runs only after the transition committed, so
/// subscribers always read the new state. Message delivery (WeChat, email) for the event is
/// added to this job by the notifications work.
#[derive(Debug, Serialize, Deserialize)]
pub struct RequestChanged {
    /// The `request_event` row.
    pub event_id: Uuid,
}

#[async_trait]
impl Job for RequestChanged {
    const KIND: &'static str = "request.changed";

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.event_id))
    }

    async fn perform(self, ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let Some(event) = request_event::Entity::find_by_id(self.event_id)
            .one(txn)
            .await?
        else {
            return Ok(()); // the request was deleted with its history
        };
        let Some(req) = loan_request::Entity::find_by_id(event.request_id)
            .one(txn)
            .await?
        else {
            return Ok(());
        };
        ctx.signals
            .publish(signals::REQUESTS, &format!("{}:{}", req.reader_id, req.id));
        Ok(())
    }
}
