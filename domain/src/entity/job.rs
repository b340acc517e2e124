//! `job`: the transactional outbox that is also the work queue.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};

/// Queue state of a job. Finished jobs are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum JobState {
    /// Waiting to run (or running under a lease).
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// Failed its last allowed attempt; kept for admins.
    #[sea_orm(string_value = "DEAD")]
    Dead,
}

impl JobState {
    /// The name admins see.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "QUEUED",
            JobState::Dead => "DEAD",
        }
    }
}

impl Lifecycle for JobState {
    const THING: &'static str = "job";
    const TITLE: &'static str = "Job";
    /// Enqueued with the change that causes it.
    const BEGINS: &'static [Self] = &[JobState::Queued];
    const MOVES: &'static [(Self, Self)] = &[
        // Failed its last allowed attempt (a success deletes the row).
        (JobState::Queued, JobState::Dead),
        // An admin puts it back with a fresh set of attempts.
        (JobState::Dead, JobState::Queued),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A job row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Handler name, e.g. `route_request`.
    pub kind: String,
    /// Arguments (ids only; the handler re-reads state).
    pub payload: Json,
    /// Queue state.
    pub state: JobState,
    /// Not before.
    pub run_at: DateTimeUtc,
    /// Attempts started so far.
    pub attempts: i32,
    /// Attempts allowed before the job is dead.
    pub max_attempts: i32,
    /// Lease expiry while a worker runs it.
    pub locked_until: Option<DateTimeUtc>,
    /// The lease holder's token; completion must present it.
    pub lock_token: Option<Uuid>,
    /// Error of the last failed attempt.
    pub last_error: Option<String>,
    /// At most one job per key.
    #[sea_orm(unique)]
    pub dedup_key: Option<String>,
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
    type State = JobState;

    fn state_column() -> Column {
        Column::State
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> JobState {
        row.state
    }
}
