//! The notification sender: leases due notifications and sends them, up to
//! `HONGYAN_NOTIFY_CONCURRENCY` at once per process, within the per-second budget; a
//! recorder task writes their outcomes in batches (see `hongyan_domain::notify::sending`).

use std::sync::Arc;

use hongyan_domain::notify::sending::{self, Delivered};
use hongyan_domain::{infra::signals, Ctx};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::metrics::JobMetrics;
use crate::Shutdown;

/// Outcomes recorded per transaction, at most.
const RECORD_BATCH: usize = 500;

/// Sends notifications until `shutdown` turns true, then lets the sends in flight finish
/// for the grace period and records them. One cut short keeps its lease and is sent again
/// once the lease expires (WeChat de-duplicates the repeat).
pub async fn run(ctx: Ctx, metrics: Option<Arc<JobMetrics>>, mut shutdown: Shutdown) {
    let concurrency = ctx.config.notify.concurrency.min(sending::budget(&ctx));
    let (done, outcomes) = mpsc::channel(concurrency * 2);
    let recorder = tokio::spawn(record(ctx.clone(), metrics, outcomes));
    let mut wake = ctx.signals.subscribe(signals::JOBS);
    let mut sending: JoinSet<()> = JoinSet::new();
    while !*shutdown.borrow() {
        while sending.try_join_next().is_some() {}
        let free = concurrency.saturating_sub(sending.len());
        let mut saturated = false;
        if free > 0 {
            match sending::claim(&ctx, free as u64).await {
                Ok(batch) => {
                    saturated = batch.len() == free;
                    if !batch.is_empty() {
                        sending::throttle(&ctx, batch.len()).await;
                    }
                    for leased in batch {
                        let (ctx, done) = (ctx.clone(), done.clone());
                        sending.spawn(async move {
                            let _ = done.send(sending::send(&ctx, leased).await).await;
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = ?e, "claiming notifications failed; will poll again")
                }
            }
        }
        if saturated {
            if sending.len() >= concurrency {
                sending.join_next().await;
            }
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(ctx.config.jobs.poll_interval) => {}
            _ = wake.recv() => {}
            _ = shutdown.changed() => {}
            Some(_) = sending.join_next(), if !sending.is_empty() => {}
        }
    }
    let grace = tokio::time::sleep(ctx.config.jobs.shutdown_grace);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = sending.join_next() => if next.is_none() { break },
            _ = &mut grace => break,
        }
    }
    sending.abort_all();
    drop(done);
    if let Err(e) = recorder.await {
        tracing::warn!(error = %e, "the notification recorder ended abnormally");
    }
}

/// Records outcomes as they come, as many at once as are waiting.
async fn record(
    ctx: Ctx,
    metrics: Option<Arc<JobMetrics>>,
    mut outcomes: mpsc::Receiver<Delivered>,
) {
    while let Some(first) = outcomes.recv().await {
        let mut batch = vec![first];
        while batch.len() < RECORD_BATCH {
            match outcomes.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        if let Some(m) = &metrics {
            for d in &batch {
                let (route, outcome, errcode) = d.summary();
                m.record_send(route, outcome, errcode);
            }
        }
        if let Err(e) = sending::record(&ctx, &batch).await {
            tracing::warn!(error = ?e, count = batch.len(), "recording notifications failed; their leases will expire");
        }
    }
}
