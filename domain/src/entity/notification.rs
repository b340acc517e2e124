//! `notification`: one message to one reader on one channel; the outbox the notification
//! worker leases, sends and retries.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use NotificationStatus::*;

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Channel {
    /// The library's WeChat official account (template message) or mini-program
    /// (subscribe message).
    #[sea_orm(string_value = "WECHAT")]
    Wechat,
    /// Email over SMTP.
    #[sea_orm(string_value = "EMAIL")]
    Email,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Wechat => "WECHAT",
            Channel::Email => "EMAIL",
        }
    }
}

/// Delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum NotificationStatus {
    /// Waiting to be sent (or being sent under a lease).
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The provider accepted it.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// This channel cannot reach the reader (not following, no consent left, no address);
    /// a fallback channel was tried when the reader has one.
    #[sea_orm(string_value = "UNDELIVERABLE")]
    Undeliverable,
    /// Failed for good (a permanent error, or retries used up); admins may retry it.
    #[sea_orm(string_value = "DEAD")]
    Dead,
}

impl Lifecycle for NotificationStatus {
    const THING: &'static str = "notification";
    const TITLE: &'static str = "Notification";
    const BEGINS: &'static [Self] = &[Pending];
    const MOVES: &'static [(Self, Self)] = &[
        // The provider took it; the channel cannot reach the reader (the next one is tried);
        // a permanent error, or the attempts used up. A passing failure keeps it PENDING.
        (Pending, Sent),
        (Pending, Undeliverable),
        (Pending, Dead),
        // An admin retries it (`retryNotification`).
        (Dead, Pending),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        match self {
            Pending => "PENDING",
            Sent => "SENT",
            Undeliverable => "UNDELIVERABLE",
            Dead => "DEAD",
        }
    }
}

/// A notification row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The reader told.
    pub reader_id: Uuid,
    /// What happened (`ready_at_locker`, `due_soon`, …): names the template.
    pub kind: String,
    /// The channel.
    pub channel: Channel,
    /// The event, the reader and the channel: at most one notification per key.
    #[sea_orm(unique)]
    pub dedup_key: String,
    /// The template's data (no secrets: a pickup code is derived when the message is sent).
    pub payload: Json,
    /// Delivery state.
    pub status: NotificationStatus,
    /// Attempts started.
    pub attempts: i32,
    /// Not before (retries back off).
    pub next_attempt_at: DateTimeUtc,
    /// Lease expiry while a worker sends it.
    pub locked_until: Option<DateTimeUtc>,
    /// The lease holder's token.
    pub lock_token: Option<Uuid>,
    /// The provider's error code of the last failed attempt (WeChat errcode, SMTP code).
    pub last_errcode: Option<i32>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// The provider's message id once sent (WeChat msgid, email Message-ID).
    pub provider_msgid: Option<String>,
    /// When the provider accepted it.
    pub sent_at: Option<DateTimeUtc>,
    /// When it was enqueued.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = NotificationStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> NotificationStatus {
        row.status
    }
}
