//! The audit log: who did what, written in the same transaction as the action.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

use crate::entity::audit_log;
use crate::Result;

/// Who acted.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    /// A staff member.
    Staff(Uuid),
    /// A reader.
    Reader(Uuid),
    /// The platform itself (jobs, sweeps).
    System,
}

impl Actor {
    /// The actor behind an authenticated caller.
    pub fn of(who: &crate::auth::Principal) -> Self {
        match who {
            crate::auth::Principal::Staff { id, .. } => Actor::Staff(*id),
            crate::auth::Principal::Reader { id } => Actor::Reader(*id),
        }
    }
}

/// Records an action.
///
/// # Errors
/// [`crate::Error::Internal`] on a database fault.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: &str,
    subject: Option<&str>,
    detail: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (kind, id) = match actor {
        Actor::Staff(id) => ("STAFF", Some(id)),
        Actor::Reader(id) => ("READER", Some(id)),
        Actor::System => ("SYSTEM", None),
    };
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_kind: Set(kind.to_owned()),
        actor_id: Set(id),
        action: Set(action.to_owned()),
        subject: Set(subject.map(str::to_owned)),
        detail: Set(detail),
        at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Entries for one action, oldest first.
///
/// # Errors
/// [`crate::Error::Internal`] on a database fault.
pub async fn entries(db: &impl ConnectionTrait, action: &str) -> Result<Vec<audit_log::Model>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .order_by_asc(audit_log::Column::At)
        .all(db)
        .await?)
}
