//! What operators watch, read from the database when `/metrics` is scraped: how far behind
//! the job queue and the notification outbox are, and how many lockers are unreachable.
//! (Latencies and outcomes are counted where they happen; see the api and worker crates.)

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{Condition, QuerySelect};

use crate::entity::job::{self, JobState};
use crate::entity::locker;
use crate::entity::notification::{self, NotificationStatus};
use crate::jobs::queue::{self, Depth};
use crate::lockers::ONLINE_WINDOW;
use crate::Result;

/// A snapshot of the backlog.
#[derive(Debug, Clone, Copy, Default)]
pub struct Backlog {
    /// Jobs by state.
    pub jobs: Depth,
    /// Seconds the oldest due job has waited past its run time (0 when none waits).
    pub oldest_job_secs: u64,
    /// Notifications waiting to be sent (including retries).
    pub notifications_pending: u64,
    /// Notifications that failed for good.
    pub notifications_dead: u64,
    /// Seconds the oldest due notification has waited (0 when none waits).
    pub oldest_notification_secs: u64,
    /// Lockers heard from within the online window.
    pub lockers_online: u64,
    /// Lockers not heard from (or never).
    pub lockers_offline: u64,
}

/// Reads the backlog now.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn backlog(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Backlog> {
    let oldest_job: Option<Option<DateTime<Utc>>> = job::Entity::find()
        .select_only()
        .column_as(job::Column::RunAt.min(), "oldest")
        .filter(job::Column::State.eq(JobState::Queued))
        .filter(job::Column::RunAt.lte(now))
        .into_tuple()
        .one(db)
        .await?;
    let outbox = |status: NotificationStatus| {
        notification::Entity::find()
            .filter(notification::Column::Status.eq(status))
            .count(db)
    };
    let oldest_notification: Option<Option<DateTime<Utc>>> = notification::Entity::find()
        .select_only()
        .column_as(notification::Column::NextAttemptAt.min(), "oldest")
        .filter(notification::Column::Status.eq(NotificationStatus::Pending))
        .filter(notification::Column::NextAttemptAt.lte(now))
        .into_tuple()
        .one(db)
        .await?;
    let lockers = locker::Entity::find().count(db).await?;
    let online = locker::Entity::find()
        .filter(Condition::all().add(locker::Column::LastSeenAt.gte(now - ONLINE_WINDOW)))
        .count(db)
        .await?;
    let age = |t: Option<Option<DateTime<Utc>>>| {
        t.flatten()
            .map_or(0, |t| u64::try_from((now - t).num_seconds()).unwrap_or(0))
    };
    Ok(Backlog {
        jobs: queue::depth(db, now).await?,
        oldest_job_secs: age(oldest_job),
        notifications_pending: outbox(NotificationStatus::Pending).await?,
        notifications_dead: outbox(NotificationStatus::Dead).await?,
        oldest_notification_secs: age(oldest_notification),
        lockers_online: online,
        lockers_offline: lockers.saturating_sub(online),
    })
}
