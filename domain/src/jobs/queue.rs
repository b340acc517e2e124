//! Claiming, completing, failing and inspecting jobs.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::prelude::*;
use sea_orm::sea_query::{LockBehavior, LockType, Query};
use sea_orm::{Condition, QueryOrder, QuerySelect};

use crate::audit::{self, Actor};
use crate::auth::Principal;
use crate::entity::job::{self, JobState};
use crate::{lifecycle, Ctx, Error, Reason, Result};

/// A job leased to one worker.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// Job id.
    pub id: Uuid,
    /// Handler name.
    pub kind: String,
    /// Arguments.
    pub payload: serde_json::Value,
    /// Attempts including this one.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// Proof of the lease; completion and failure must present it.
    pub lock_token: Uuid,
}

/// What happened to a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// It will run again at this time.
    Retry(DateTime<Utc>),
    /// It used its last attempt and is now dead.
    Dead,
    /// Its lease had expired and another worker holds it now; nothing was changed.
    LeaseLost,
}

/// Leases up to `limit` due jobs for `lease`. Safe to call from any number of workers:
/// each job goes to exactly one of them.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn claim(
    db: &impl ConnectionTrait,
    limit: u64,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<ClaimedJob>> {
    let until = now + chrono::Duration::from_std(lease).map_err(Error::internal)?;
    let token = Uuid::now_v7();
    let due = Query::select()
        .column(job::Column::Id)
        .from(job::Entity)
        .and_where(job::Column::State.eq(JobState::Queued))
        .and_where(job::Column::RunAt.lte(now))
        .cond_where(
            Condition::any()
                .add(job::Column::LockedUntil.is_null())
                .add(job::Column::LockedUntil.lt(now)),
        )
        .order_by(job::Column::RunAt, sea_orm::Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let rows = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(until))
        .col_expr(job::Column::LockToken, Expr::value(token))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).add(1),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|j| ClaimedJob {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            lock_token: token,
        })
        .collect())
}

/// Deletes a finished job, in the transaction that holds its handler's effects.
/// Returns false when the lease was lost (the caller must roll back).
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn complete(db: &impl ConnectionTrait, job: &ClaimedJob) -> Result<bool> {
    let res = job::Entity::delete_many()
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockToken.eq(job.lock_token))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records a failed attempt: schedules a retry with backoff, or declares the job dead.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn fail(
    db: &impl ConnectionTrait,
    job: &ClaimedJob,
    error: &str,
    backoff_base: Duration,
    now: DateTime<Utc>,
) -> Result<FailOutcome> {
    let dead = job.attempts >= job.max_attempts;
    let retry_at = now
        + chrono::Duration::from_std(backoff(job.attempts, backoff_base))
            .map_err(Error::internal)?;
    let update = if dead {
        lifecycle::advance_all::<job::Entity>(&[JobState::Queued], JobState::Dead)?
    } else {
        job::Entity::update_many().col_expr(job::Column::RunAt, Expr::value(retry_at))
    };
    let res = update
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::LockToken, Expr::value(Option::<Uuid>::None))
        .col_expr(job::Column::LastError, Expr::value(truncate(error, 2000)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockToken.eq(job.lock_token))
        .exec(db)
        .await?;
    Ok(match (res.rows_affected, dead) {
        (0, _) => FailOutcome::LeaseLost,
        (_, true) => FailOutcome::Dead,
        (_, false) => FailOutcome::Retry(retry_at),
    })
}

/// Gives a claimed job back untouched (graceful shutdown): it is due again at once and the
/// interrupted attempt does not count.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn release(db: &impl ConnectionTrait, job: &ClaimedJob) -> Result<()> {
    job::Entity::update_many()
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::LockToken, Expr::value(Option::<Uuid>::None))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).sub(1),
        )
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockToken.eq(job.lock_token))
        .exec(db)
        .await?;
    Ok(())
}

/// Dead jobs, newest first (admins).
///
/// # Errors
/// FORBIDDEN for anyone but an admin; INTERNAL on a database fault.
pub async fn dead_jobs(
    db: &impl ConnectionTrait,
    who: &Principal,
    limit: u64,
) -> Result<Vec<job::Model>> {
    who.require_staff(&[])?;
    Ok(job::Entity::find()
        .filter(job::Column::State.eq(JobState::Dead))
        .order_by_desc(job::Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Puts a dead job back in the queue with a fresh set of attempts (admins), audited.
///
/// # Errors
/// FORBIDDEN for anyone but an admin; NOT_FOUND when no dead job has that id.
pub async fn retry_dead(ctx: &Ctx, who: &Principal, id: Uuid) -> Result<()> {
    who.require_staff(&[])?;
    let Principal::Staff { id: staff, .. } = who else {
        return Err(Error::forbidden(Reason::StaffRoleRequired));
    };
    let txn = ctx.begin().await?;
    let res = lifecycle::advance_all::<job::Entity>(&[JobState::Dead], JobState::Queued)?
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(ctx.now()))
        .filter(job::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("dead job"));
    }
    audit::record(
        &txn,
        Actor::Staff(*staff),
        "job.retry",
        Some(&id.to_string()),
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.wake_workers();
    Ok(())
}

/// Queue depth by state, for metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Depth {
    /// Queued and due now (or running under a lease).
    pub ready: u64,
    /// Queued for later (retries and scheduled jobs).
    pub scheduled: u64,
    /// Dead.
    pub dead: u64,
}

/// Counts jobs by state.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn depth(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Depth> {
    let count = |cond: Condition| job::Entity::find().filter(cond).count(db);
    Ok(Depth {
        ready: count(
            Condition::all()
                .add(job::Column::State.eq(JobState::Queued))
                .add(job::Column::RunAt.lte(now)),
        )
        .await?,
        scheduled: count(
            Condition::all()
                .add(job::Column::State.eq(JobState::Queued))
                .add(job::Column::RunAt.gt(now)),
        )
        .await?,
        dead: count(Condition::all().add(job::Column::State.eq(JobState::Dead))).await?,
    })
}

/// Exponential backoff with "equal jitter": half fixed, half random, capped at an hour.
pub fn backoff(attempt: i32, base: Duration) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 30) - 1).unwrap_or(0);
    let full = base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600));
    let half = full / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}

fn truncate(s: &str, max: usize) -> String {
    s.char_indices()
        .take_while(|(i, _)| *i < max)
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_secs(2);
        for attempt in 1..40 {
            let d = backoff(attempt, base);
            let full = base
                .saturating_mul(
                    2u32.saturating_pow(u32::try_from(attempt.min(30) - 1).unwrap_or(0)),
                )
                .min(Duration::from_secs(3600));
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} vs {full:?}"
            );
        }
    }
}
