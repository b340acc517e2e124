//! Notifications: a reader's settings, and what was sent to whom (staff, admins).

use async_graphql::{Context, Description, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use hongyan_domain::notify::{self, prefs::Prefs, sent};

use crate::context::domain;
use crate::error::{GqlResult, IntoGql};

/// A channel messages reach readers through.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::notify::Channel")]
pub enum NotificationChannel {
    /// The library's WeChat official account, or the mini-program's subscribe messages.
    Wechat,
    /// Email.
    Email,
}

/// Where a notification is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::notify::NotificationStatus")]
pub enum NotificationStatus {
    /// Waiting to be sent.
    Pending,
    /// Accepted by WeChat or the mail server.
    Sent,
    /// This channel cannot reach the reader (the next channel was tried, if the reader has one).
    Undeliverable,
    /// Failed for good; admins may retry it.
    Dead,
}

/// How a reader wants to be told.
#[derive(SimpleObject)]
pub struct NotificationSettings {
    /// Channels in order of preference: the later ones are tried when the first cannot
    /// reach the reader. Empty: no messages.
    pub channels: Vec<NotificationChannel>,
    /// Kinds of message the reader muted (`due_soon`, `request_accepted`, …).
    pub muted_kinds: Vec<String>,
    /// Every kind of message there is.
    pub kinds: Vec<String>,
}

impl From<Prefs> for NotificationSettings {
    fn from(p: Prefs) -> Self {
        NotificationSettings {
            channels: p.channels.into_iter().map(Into::into).collect(),
            muted_kinds: p.muted.iter().map(|k| k.as_str().to_owned()).collect(),
            kinds: notify::Kind::ALL
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
        }
    }
}

/// One message to one reader on one channel (its reader, desk staff and admins).
#[derive(Description)]
pub struct Notification(pub notify::Notification);

#[Object(use_type_description)]
impl Notification {
    /// The notification's id (`retryNotification`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The reader it is for.
    async fn reader_id(&self) -> ID {
        ID(self.0.reader_id.to_string())
    }
    /// What it tells (`ready_at_locker`, …).
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The channel it goes by.
    async fn channel(&self) -> NotificationChannel {
        self.0.channel.into()
    }
    /// Where its delivery is.
    async fn status(&self) -> NotificationStatus {
        self.0.status.into()
    }
    /// Attempts so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The provider's error code of the last failure (WeChat errcode, SMTP reply code).
    async fn last_errcode(&self) -> Option<i32> {
        self.0.last_errcode
    }
    /// What went wrong last.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// The provider's message id once sent.
    async fn provider_message_id(&self) -> Option<&str> {
        self.0.provider_msgid.as_deref()
    }
    /// When it was queued (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the provider accepted it (RFC 3339, UTC; null until SENT).
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    /// Every attempt at sending it, oldest first.
    async fn attempt_log(&self, ctx: &Context<'_>) -> GqlResult<Vec<NotificationAttempt>> {
        Ok(sent::attempts(&domain(ctx).db, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(|a| NotificationAttempt {
                route: a.route,
                outcome: a.outcome.as_str().to_owned(),
                errcode: a.errcode,
                message: a.message,
                provider_message_id: a.provider_msgid,
                millis: a.millis,
                at: a.at,
            })
            .collect())
    }
}

/// One try at sending a notification.
#[derive(SimpleObject)]
pub struct NotificationAttempt {
    /// The provider API: `wechat.template`, `wechat.subscribe`, `smtp`.
    pub route: String,
    /// SENT, RETRY or FAILED.
    pub outcome: String,
    /// The provider's error code.
    pub errcode: Option<i32>,
    /// The provider's message.
    pub message: Option<String>,
    /// The provider's message id when accepted.
    pub provider_message_id: Option<String>,
    /// How long the call took.
    pub millis: i32,
    /// When.
    pub at: DateTime<Utc>,
}
