//! Every job kind the platform runs, registered in one place.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;
use hongyan_domain::dispatch::home::{BookReturn, ShipHome};
use hongyan_domain::jobs::{self, Job};
use hongyan_domain::lending::{backlog::RoutePending, request_log::RequestChanged, sweeps::Sweep};
use hongyan_domain::{Config, Ctx};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

/// Runs one kind of job from its stored payload.
#[async_trait]
pub trait Handler: Send + Sync {
    /// Decodes the payload and performs the job inside `txn`.
    ///
    /// # Errors
    /// A payload that does not decode, or the job's own failure.
    async fn run(
        &self,
        ctx: &Ctx,
        txn: &DatabaseTransaction,
        payload: serde_json::Value,
    ) -> anyhow::Result<()>;
}

struct Typed<J>(PhantomData<fn() -> J>);

#[async_trait]
impl<J: Job> Handler for Typed<J> {
    async fn run(
        &self,
        ctx: &Ctx,
        txn: &DatabaseTransaction,
        payload: serde_json::Value,
    ) -> anyhow::Result<()> {
        let job: J = serde_json::from_value(payload)
            .map_err(|e| anyhow::anyhow!("bad payload for {}: {e}", J::KIND))?;
        job.perform(ctx, txn).await
    }
}

/// Enqueues one scheduled job.
type Enqueue = Arc<
    dyn Fn(DatabaseConnection, DateTime<Utc>) -> BoxFuture<'static, hongyan_domain::Result<()>>
        + Send
        + Sync,
>;

/// A job enqueued on a timer. Scheduled jobs carry a dedup key, so however many workers
/// schedule one, at most one is queued at a time.
#[derive(Clone)]
pub struct Schedule {
    /// How often.
    pub every: Duration,
    /// The job's kind, for logs.
    pub kind: &'static str,
    enqueue: Enqueue,
}

impl Schedule {
    /// Queues the job, due `now` (a no-op while one is queued).
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn enqueue(
        &self,
        db: DatabaseConnection,
        now: DateTime<Utc>,
    ) -> hongyan_domain::Result<()> {
        (self.enqueue)(db, now).await
    }
}

/// Job kinds by name, and the jobs run on a timer.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
    schedules: Vec<Schedule>,
}

impl Registry {
    /// The platform's job kinds. New kinds are added here and nowhere else.
    pub fn platform(config: &Config) -> Self {
        Registry::default()
            .with::<RequestChanged>()
            .with::<ShipHome>()
            .with::<BookReturn>()
            .every(config.lending.sweep_interval, Sweep)
            .every(config.lending.sweep_interval, RoutePending)
    }

    /// Adds a job kind that also runs every `every` (it must have a dedup key).
    #[must_use]
    pub fn every<J: Job + Clone>(mut self, every: Duration, job: J) -> Self {
        self = self.with::<J>();
        let enqueue: Enqueue = Arc::new(move |db: DatabaseConnection, now| {
            let job = job.clone();
            Box::pin(async move { jobs::enqueue(&db, &job, now).await })
        });
        self.schedules.push(Schedule {
            every,
            kind: J::KIND,
            enqueue,
        });
        self
    }

    /// The timed jobs.
    pub fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    /// Adds a job kind.
    #[must_use]
    pub fn with<J: Job>(mut self) -> Self {
        self.handlers
            .insert(J::KIND, Arc::new(Typed::<J>(PhantomData)));
        self
    }

    /// The handler for `kind`.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.get(kind).cloned()
    }
}
