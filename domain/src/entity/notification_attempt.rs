//! `notification_attempt`: every try at sending a notification, with the provider's answer.

use sea_orm::entity::prelude::*;

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum AttemptOutcome {
    /// Accepted by the provider.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// A passing failure (busy, quota, timeout): tried again later.
    #[sea_orm(string_value = "RETRY")]
    Retry,
    /// A failure retrying cannot fix.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

impl AttemptOutcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Sent => "SENT",
            AttemptOutcome::Retry => "RETRY",
            AttemptOutcome::Failed => "FAILED",
        }
    }
}

/// An attempt row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_attempt")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The notification.
    pub notification_id: Uuid,
    /// The provider API used: `wechat.template`, `wechat.subscribe`, `smtp`.
    pub route: String,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The provider's error code, if any.
    pub errcode: Option<i32>,
    /// The provider's message (errmsg, SMTP reply) or our own reason.
    pub message: Option<String>,
    /// The provider's message id when accepted.
    pub provider_msgid: Option<String>,
    /// How long the call took.
    pub millis: i32,
    /// When it was made.
    pub at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
