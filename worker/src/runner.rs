//! The claim-run-complete loop.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use hongyan_domain::jobs::queue::{self, ClaimedJob, FailOutcome};
use hongyan_domain::{infra::signals, Ctx};
use tokio::sync::watch;
use tokio::task::{Id, JoinSet};

use crate::metrics::{JobMetrics, Outcome};
use crate::notifications;
use crate::registry::Schedule;
use crate::Registry;

/// Queues a scheduled job at every tick until shutdown.
async fn timer(ctx: Ctx, schedule: Schedule, mut shutdown: Shutdown) {
    let mut tick = tokio::time::interval(schedule.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        match schedule.enqueue(ctx.db.clone(), ctx.now()).await {
            Ok(()) => ctx.wake_workers(),
            Err(e) => tracing::warn!(kind = schedule.kind, error = ?e, "could not schedule a job"),
        }
    }
}

/// Tells workers to stop: send `true`.
pub type Shutdown = watch::Receiver<bool>;

/// One worker process's job runner.
pub struct Worker {
    ctx: Ctx,
    registry: Arc<Registry>,
    metrics: Option<Arc<JobMetrics>>,
}

impl Worker {
    /// A worker running the jobs in `registry`.
    pub fn new(ctx: Ctx, registry: Registry) -> Self {
        Worker {
            ctx,
            registry: Arc::new(registry),
            metrics: None,
        }
    }

    /// Records job outcomes in `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<JobMetrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Runs jobs until `shutdown` turns true, then finishes (or releases) the jobs in hand.
    pub async fn run(self, mut shutdown: Shutdown) {
        let cfg = self.ctx.config.jobs.clone();
        let mut wake = self.ctx.signals.subscribe(signals::JOBS);
        let mut running: JoinSet<()> = JoinSet::new();
        let mut in_hand: HashMap<Id, ClaimedJob> = HashMap::new();
        tracing::info!(concurrency = cfg.concurrency, "worker started");
        for schedule in self.registry.schedules() {
            tokio::spawn(timer(self.ctx.clone(), schedule.clone(), shutdown.clone()));
        }
        let sender = tokio::spawn(notifications::run(
            self.ctx.clone(),
            self.metrics.clone(),
            shutdown.clone(),
        ));
        while !*shutdown.borrow() {
            while let Some(done) = running.try_join_next_with_id() {
                in_hand.remove(&finished_id(done));
            }
            let free = cfg.concurrency.saturating_sub(running.len());
            let mut saturated = false;
            if free > 0 {
                match queue::claim(&self.ctx.db, free as u64, cfg.lease, self.ctx.now()).await {
                    Ok(jobs) => {
                        saturated = jobs.len() == free;
                        for job in jobs {
                            let handle = running.spawn(self.attempt(job.clone()));
                            in_hand.insert(handle.id(), job);
                        }
                    }
                    Err(e) => tracing::warn!(error = ?e, "claiming jobs failed; will poll again"),
                }
            }
            if saturated {
                continue; // more may be due right now
            }
            tokio::select! {
                _ = tokio::time::sleep(cfg.poll_interval) => {}
                _ = wake.recv() => {}
                _ = shutdown.changed() => {}
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    in_hand.remove(&finished_id(done));
                }
            }
        }
        self.drain(running, in_hand).await;
        if let Err(e) = sender.await {
            tracing::warn!(error = %e, "the notification sender ended abnormally");
        }
    }

    /// Waits for running jobs for a grace period, then aborts the rest and gives them back.
    async fn drain(&self, mut running: JoinSet<()>, mut in_hand: HashMap<Id, ClaimedJob>) {
        let deadline = tokio::time::sleep(self.ctx.config.jobs.shutdown_grace);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = running.join_next_with_id() => match next {
                    Some(done) => { in_hand.remove(&finished_id(done)); }
                    None => break,
                },
                _ = &mut deadline => break,
            }
        }
        running.abort_all();
        while running.join_next().await.is_some() {}
        for job in in_hand.values() {
            if let Err(e) = queue::release(&self.ctx.db, job).await {
                tracing::warn!(job = %job.id, error = ?e, "could not release job; its lease will expire");
            }
        }
        tracing::info!(released = in_hand.len(), "worker stopped");
    }

    /// Runs one attempt of one job and records how it ended.
    fn attempt(&self, job: ClaimedJob) -> impl std::future::Future<Output = ()> + Send + 'static {
        let (ctx, registry, metrics) = (
            self.ctx.clone(),
            Arc::clone(&self.registry),
            self.metrics.clone(),
        );
        async move {
            let started = Instant::now();
            let outcome = match execute(&ctx, &registry, &job).await {
                Ok(true) => Outcome::Succeeded,
                Ok(false) => Outcome::LeaseLost,
                Err(error) => {
                    let message = format!("{error:#}");
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %message, "job failed");
                    match queue::fail(
                        &ctx.db,
                        &job,
                        &message,
                        ctx.config.jobs.backoff_base,
                        ctx.now(),
                    )
                    .await
                    {
                        Ok(FailOutcome::Dead) => Outcome::Dead,
                        Ok(FailOutcome::Retry(_)) => Outcome::Retried,
                        Ok(FailOutcome::LeaseLost) => Outcome::LeaseLost,
                        Err(e) => {
                            tracing::error!(job = %job.id, error = ?e, "recording the failure failed; the lease will expire");
                            Outcome::Retried
                        }
                    }
                }
            };
            if outcome == Outcome::Dead {
                tracing::error!(job = %job.id, kind = %job.kind, "job is dead after {} attempts", job.attempts);
            }
            if let Some(m) = metrics {
                m.record(&job.kind, outcome, started.elapsed().as_secs_f64());
            }
        }
    }
}

/// Runs the handler in a transaction that also completes the job.
/// `Ok(false)`: the lease was lost and everything was rolled back.
async fn execute(ctx: &Ctx, registry: &Registry, job: &ClaimedJob) -> anyhow::Result<bool> {
    let handler = registry
        .get(&job.kind)
        .ok_or_else(|| anyhow::anyhow!("no handler for job kind {:?}", job.kind))?;
    let txn = ctx.begin().await?;
    let run = AssertUnwindSafe(handler.run(ctx, &txn, job.payload.clone())).catch_unwind();
    match run.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".into());
            return Err(anyhow::anyhow!("job panicked: {what}"));
        }
    }
    if !queue::complete(&txn, job).await? {
        return Ok(false);
    }
    txn.commit().await?;
    Ok(true)
}

fn finished_id(done: Result<(Id, ()), tokio::task::JoinError>) -> Id {
    match done {
        Ok((id, ())) => id,
        Err(e) => e.id(),
    }
}
