//! Notifications: every reader-facing event becomes a message through the library's WeChat
//! account or by email, never lost and never doubled.
//!
//! - [`enqueue`] writes a `notification` row in the transaction of the event that causes
//!   it: the row is both the outbox entry and the delivery job. Its dedup key (event,
//!   reader, channel) makes a second enqueue of the same event a no-op.
//! - [`sending`] is what the notification worker runs: it leases due rows, renders them
//!   from the zh-CN [`templates`], sends them ([`wechat_messages`] template or subscribe messages,
//!   [`email`] over SMTP), records every attempt, backs off on passing failures, and falls
//!   back to the reader's next channel when one cannot reach them.
//! - [`prefs`]: the reader's channels and muted kinds. [`sent`]: what staff and admins see.
//!   [`setup`]: whether each channel has the settings it needs.
//! - [`triggers`]: which lending events tell the reader what, and the reminder sweeps.

pub mod email;
pub mod prefs;
pub mod sending;
pub mod sent;
pub mod setup;
pub mod templates;
pub mod triggers;
pub mod wechat_messages;
pub mod wechat_token;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

pub use crate::entity::notification::{Channel, Model as Notification, NotificationStatus};
use crate::entity::{notification, reader};
use crate::{lifecycle, Error, Result};

/// What a reader is told about. The name is the template's file name and what readers mute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A request was accepted and a copy reserved.
    RequestAccepted,
    /// No copy free: the reader waits in line (with the position).
    RequestWaitlisted,
    /// The book is in a locker (locker, door, pickup code, deadline).
    ReadyAtLocker,
    /// The book is on a branch hold shelf.
    ReadyAtBranch,
    /// The courier has the parcel (courier, waybill).
    Shipped,
    /// The courier delivered it.
    Delivered,
    /// The parcel could not be delivered and goes back to the branch (reason, branch).
    DeliveryFailed,
    /// Less than 24 hours left to collect.
    PickupDeadlineSoon,
    /// Not collected in time.
    RequestExpired,
    /// The request could not be completed.
    RequestFailed,
    /// A loan is due in 3 days.
    DueSoon,
    /// A loan is overdue.
    Overdue,
    /// A loan was renewed.
    Renewed,
    /// A loaned copy came back.
    ReturnReceived,
    /// A purchase proposal was decided.
    ProposalDecided,
    /// A proposed book arrived for its proposer.
    ProposalArrived,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 16] = [
        Kind::RequestAccepted,
        Kind::RequestWaitlisted,
        Kind::ReadyAtLocker,
        Kind::ReadyAtBranch,
        Kind::Shipped,
        Kind::Delivered,
        Kind::DeliveryFailed,
        Kind::PickupDeadlineSoon,
        Kind::RequestExpired,
        Kind::RequestFailed,
        Kind::DueSoon,
        Kind::Overdue,
        Kind::Renewed,
        Kind::ReturnReceived,
        Kind::ProposalDecided,
        Kind::ProposalArrived,
    ];

    /// The stored name (and template file name).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RequestAccepted => "request_accepted",
            Kind::RequestWaitlisted => "request_waitlisted",
            Kind::ReadyAtLocker => "ready_at_locker",
            Kind::ReadyAtBranch => "ready_at_branch",
            Kind::Shipped => "shipped",
            Kind::Delivered => "delivered",
            Kind::DeliveryFailed => "delivery_failed",
            Kind::PickupDeadlineSoon => "pickup_deadline_soon",
            Kind::RequestExpired => "request_expired",
            Kind::RequestFailed => "request_failed",
            Kind::DueSoon => "due_soon",
            Kind::Overdue => "overdue",
            Kind::Renewed => "renewed",
            Kind::ReturnReceived => "return_received",
            Kind::ProposalDecided => "proposal_decided",
            Kind::ProposalArrived => "proposal_arrived",
        }
    }

    /// The kind stored as `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// An event to tell one reader about.
#[derive(Debug, Clone)]
pub struct Notice {
    /// Who.
    pub reader: Uuid,
    /// What.
    pub kind: Kind,
    /// Names the event once (a history row's id, `loan:renewals`, …): with the reader and
    /// the channel it forms the dedup key.
    pub event: String,
    /// The template's data, without secrets and without personal data beyond the reader's
    /// name (the worker adds that, and derives a pickup code, when it sends).
    pub data: Value,
}

/// Enqueues `notice` in the caller's transaction on the reader's first channel (the worker
/// falls back to the next ones). Nothing is written when the reader muted the kind, chose
/// no channel, or the same event was enqueued before.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn enqueue(db: &impl ConnectionTrait, notice: Notice, now: DateTime<Utc>) -> Result<()> {
    let Some(reader) = reader::Entity::find_by_id(notice.reader).one(db).await? else {
        return Ok(());
    };
    let prefs = prefs::Prefs::of(&reader);
    if prefs.muted.contains(&notice.kind) {
        return Ok(());
    }
    let Some(&channel) = prefs.channels.first() else {
        return Ok(());
    };
    insert(db, &notice, channel, now).await
}

/// Writes the notification of `notice` on `channel` (a no-op when its key exists).
async fn insert(
    db: &impl ConnectionTrait,
    notice: &Notice,
    channel: Channel,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(notice.reader),
        kind: Set(notice.kind.as_str().to_owned()),
        channel: Set(channel),
        dedup_key: Set(dedup_key(&notice.event, notice.reader, channel)),
        payload: Set(notice.data.clone()),
        status: Set(lifecycle::begin(NotificationStatus::Pending)?),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        lock_token: Set(None),
        last_errcode: Set(None),
        last_error: Set(None),
        provider_msgid: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    notification::Entity::insert(row)
        .on_conflict(
            OnConflict::column(notification::Column::DedupKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(Error::from)?;
    Ok(())
}

/// The key that makes a notification unique: one per event, reader and channel.
fn dedup_key(event: &str, reader: Uuid, channel: Channel) -> String {
    format!("{event}:{reader}:{}", channel.as_str())
}
