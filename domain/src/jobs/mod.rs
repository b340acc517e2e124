//! The job queue: the `job` table is both the transactional outbox and the work queue.
//!
//! A state change and the jobs it causes commit in one transaction ([`enqueue`] takes the
//! caller's transaction). Workers ([`queue::claim`]) take a lease on due jobs with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, run the handler inside a transaction and delete the
//! job in that same transaction ([`queue::complete`]), so a job's effects and its completion
//! commit together or not at all. A worker that dies leaves its lease to expire and the job
//! runs again; a failing job is retried with exponential backoff and jitter until
//! [`Job::MAX_ATTEMPTS`], then kept as `DEAD` for admins ([`queue::dead_jobs`]).
//!
//! A job is a serde struct holding ids only; its handler re-reads state when it runs, and
//! must be idempotent.

pub mod queue;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{InsertStatement, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryTrait};
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

use crate::entity::job::{self, JobState};
use crate::{lifecycle, Ctx, Error, Result};

/// A kind of background work.
#[async_trait]
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The handler name stored in `job.kind`.
    const KIND: &'static str;
    /// Attempts before the job is declared dead.
    const MAX_ATTEMPTS: i32 = 10;

    /// When set, at most one job with this key exists at a time; enqueueing another is a no-op.
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// Does the work inside `txn`, which commits together with the job's completion.
    /// Must be idempotent: after a crash the same job may run again.
    ///
    /// # Errors
    /// Any error fails this attempt; the job is retried with backoff, then declared dead.
    async fn perform(self, ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()>;
}

/// Adds `job` to the queue, due now, as part of the caller's transaction.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn enqueue<J: Job>(db: &impl ConnectionTrait, job: &J, now: DateTime<Utc>) -> Result<()> {
    enqueue_at(db, job, now, now).await
}

/// Adds many jobs of one kind to the queue, due now, as part of the caller's transaction, in
/// as few statements as the database's parameter limit allows (bulk work such as routing a
/// backlog enqueues thousands at once).
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn enqueue_many<J: Job>(
    db: &impl ConnectionTrait,
    jobs: &[J],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in jobs.chunks(1000) {
        let rows = chunk
            .iter()
            .map(|job| row(job, now))
            .collect::<Result<Vec<_>>>()?;
        insert(db, rows).await?;
    }
    Ok(())
}

/// Adds `job` to the queue, due at `run_at`, as part of the caller's transaction.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn enqueue_at<J: Job>(
    db: &impl ConnectionTrait,
    job: &J,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut row = row(job, now)?;
    row.run_at = Set(run_at);
    insert(db, vec![row]).await
}

/// The queue row of `job`, due at `now`.
fn row<J: Job>(job: &J, now: DateTime<Utc>) -> Result<job::ActiveModel> {
    Ok(job::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(J::KIND.to_owned()),
        payload: Set(serde_json::to_value(job).map_err(Error::internal)?),
        state: Set(lifecycle::begin(JobState::Queued)?),
        run_at: Set(now),
        attempts: Set(0),
        max_attempts: Set(J::MAX_ATTEMPTS),
        locked_until: Set(None),
        lock_token: Set(None),
        last_error: Set(None),
        dedup_key: Set(job.dedup_key()),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// Inserts queue rows; one whose dedup key is already queued is skipped.
async fn insert(db: &impl ConnectionTrait, rows: Vec<job::ActiveModel>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    db.execute(db.get_database_backend().build(&insert_rows(rows)))
        .await?;
    Ok(())
}

/// The statement that queues `jobs` (due now), for a caller that writes it together with
/// other rows ([`crate::infra::db::write_all`]).
///
/// # Errors
/// [`Error::Internal`] when a job cannot be serialised.
pub(crate) fn insert_statement<J: Job>(jobs: &[J], now: DateTime<Utc>) -> Result<InsertStatement> {
    let rows = jobs
        .iter()
        .map(|job| row(job, now))
        .collect::<Result<Vec<_>>>()?;
    Ok(insert_rows(rows))
}

/// The multi-row insert of queue rows, skipping one whose dedup key is already queued.
fn insert_rows(rows: Vec<job::ActiveModel>) -> InsertStatement {
    job::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(job::Column::DedupKey)
                .do_nothing()
                .to_owned(),
        )
        .into_query()
}
