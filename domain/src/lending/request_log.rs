//! A request's history: every transition is a `request_event` row (who, when, from, to,
//! and a note for the reader), written with a conditional update of the request (a move its
//! table allows: [`crate::lifecycle`]) in the caller's transaction, together with the
//! [`RequestChanged`] job that tells the reader.
//!
//! A `Note` is the record of what the reader was told: a catalogue [`Text`], kept in
//! Simplified Chinese as written, or words a person gave, kept as given.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::SubQueryStatement;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder, QueryTrait};
use serde::{Deserialize, Serialize};

use super::{DeliveryMethod, LoanRequest, RequestStatus};
use crate::audit::Actor;
use crate::entity::loan_request;
use crate::entity::request_event::{self, ActorKind};
use crate::i18n::{Locale, Text};
use crate::jobs::{self, Job};
use crate::lifecycle::{self, Lifecycle};
use crate::{infra::signals, notify, Ctx, Result};

pub use request_event::Model as RequestEvent;

/// What the reader is told with a step of their request, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note(String);

impl Note {
    /// Words a person gave (a courier's or the staff's reason a parcel was not delivered),
    /// kept as they are.
    pub(crate) fn quoted(words: &str) -> Self {
        Note(words.to_owned())
    }

    /// The note as stored.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A catalogue text, kept in Simplified Chinese: the language the reader was told it in.
impl From<&Text> for Note {
    fn from(text: &Text) -> Self {
        Note(text.render(Locale::Chinese))
    }
}

impl From<Text> for Note {
    fn from(text: Text) -> Self {
        Note::from(&text)
    }
}

/// The writes that record a new request: created PENDING and, when it was routed or
/// waitlisted at once, its move to that state (with `note`), and one job for the reader;
/// for the caller to write together with the request ([`crate::infra::db::write_all`]).
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the table has no move from PENDING to the request's state;
/// INTERNAL when the job cannot be serialised.
pub(crate) fn opening(
    req: &LoanRequest,
    actor: Actor,
    note: Option<&Note>,
    now: DateTime<Utc>,
) -> Result<Vec<SubQueryStatement>> {
    let created = lifecycle::begin(RequestStatus::Pending)?;
    let mut events = vec![event(req, None, created, actor, None)];
    if req.status != created {
        created.check_move(req.status)?;
        events.push(event(
            req,
            Some(created),
            req.status,
            actor,
            note.map(Note::as_str),
        ));
    }
    let mut writes = Vec::with_capacity(2);
    if let Some(Set(event_id)) = events.last().map(|e| e.id.clone()) {
        let job = jobs::insert_statement(&[RequestChanged { event_id }], now)?;
        writes.push(
            request_event::Entity::insert_many(events)
                .into_query()
                .into_sub_query_statement(),
        );
        writes.push(job.into_sub_query_statement());
    }
    Ok(writes)
}

/// Moves `req` to `to` (plus the columns set in `changes`) if its table allows the move and
/// it is still in the state the caller read, and records the transition.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`, with the current state) when the table does not allow the move
/// or the request changed meanwhile.
pub(crate) async fn transition(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    to: RequestStatus,
    actor: Actor,
    note: Option<&Note>,
    mut changes: loan_request::ActiveModel,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    changes.updated_at = Set(now);
    let changes = milestones(req, to, now, changes);
    let updated =
        lifecycle::advance::<loan_request::Entity>(db, req.id, req.status, to, changes).await?;
    record(db, &updated, Some(req.status), actor, note, now).await?;
    Ok(updated)
}

/// `changes` with the milestone a move of `req` to `to` at `now` reaches, as the statistics
/// count them: ready (READY_FOR_PICKUP, or a home delivery FULFILLED without a hold before),
/// lent, expired. Each happens at most once: the transition table has no way back to it.
fn milestones(
    req: &LoanRequest,
    to: RequestStatus,
    now: DateTime<Utc>,
    mut changes: loan_request::ActiveModel,
) -> loan_request::ActiveModel {
    let ready = to == RequestStatus::ReadyForPickup
        || (to == RequestStatus::Fulfilled && req.delivery_method == DeliveryMethod::Home);
    if ready && req.ready_at.is_none() {
        changes.ready_at = Set(Some(now));
    }
    match to {
        RequestStatus::Fulfilled => changes.fulfilled_at = Set(Some(now)),
        RequestStatus::Expired => changes.expired_at = Set(Some(now)),
        _ => {}
    }
    changes
}

/// Changes columns of `req` other than its state (no history is written) if it is still in
/// the state the caller read.
///
/// # Errors
/// CONFLICT with the current state when the request changed meanwhile.
pub(crate) async fn update(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    mut changes: loan_request::ActiveModel,
    now: DateTime<Utc>,
) -> Result<LoanRequest> {
    changes.updated_at = Set(now);
    lifecycle::amend::<loan_request::Entity>(db, req.id, req.status, changes).await
}

/// Records that each of `moved` (already updated, in bulk, by the caller) went `from` its
/// previous state to its current one, with one job per request for its reader.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn moved(
    db: &impl ConnectionTrait,
    moved: &[LoanRequest],
    from: RequestStatus,
    actor: Actor,
    note: Option<&Note>,
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in moved.chunks(1000) {
        let events: Vec<_> = chunk
            .iter()
            .map(|req| event(req, Some(from), req.status, actor, note.map(Note::as_str)))
            .collect();
        let jobs: Vec<_> = events
            .iter()
            .filter_map(|e| match e.id {
                Set(event_id) => Some(RequestChanged { event_id }),
                _ => None,
            })
            .collect();
        if events.is_empty() {
            continue;
        }
        request_event::Entity::insert_many(events)
            .exec_without_returning(db)
            .await?;
        jobs::enqueue_many(db, &jobs, now).await?;
    }
    Ok(())
}

async fn record(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    from: Option<RequestStatus>,
    actor: Actor,
    note: Option<&Note>,
    now: DateTime<Utc>,
) -> Result<()> {
    let event = event(req, from, req.status, actor, note.map(Note::as_str))
        .insert(db)
        .await?;
    jobs::enqueue(db, &RequestChanged { event_id: event.id }, now).await
}

/// The history row of `req` moving `from` → `to` with the stored `note` (ids are
/// time-ordered: history order).
fn event(
    req: &LoanRequest,
    from: Option<RequestStatus>,
    to: RequestStatus,
    actor: Actor,
    note: Option<&str>,
) -> request_event::ActiveModel {
    let (actor_kind, actor_id) = match actor {
        Actor::Reader(id) => (ActorKind::Reader, Some(id)),
        Actor::Staff(id) => (ActorKind::Staff, Some(id)),
        Actor::System => (ActorKind::System, None),
    };
    request_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        request_id: Set(req.id),
        from_status: Set(from),
        to_status: Set(to),
        actor_kind: Set(actor_kind),
        actor_id: Set(actor_id),
        note: Set(note.map(str::to_owned)),
        at: Set(req.updated_at),
    }
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
/// `requestUpdated` subscription) and, for the transitions readers are told about, a
/// notification ([`notify::triggers::request_changed`]). It runs only after the transition
/// committed, so subscribers always read the new state.
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
        notify::triggers::request_changed(txn, &event, &req, ctx.now()).await?;
        ctx.signals
            .publish(signals::REQUESTS, &format!("{}:{}", req.reader_id, req.id));
        Ok(())
    }
}
