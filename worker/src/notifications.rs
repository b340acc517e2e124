//! The notification sender: leases due notifications and sends them, up to
//! `HONGYAN_NOTIFY_CONCURRENCY` at once per process (see `hongyan_domain::notify::delivery`).

use hongyan_domain::notify::delivery;
use hongyan_domain::{signals, Ctx};
use tokio::task::JoinSet;

use crate::Shutdown;

/// Sends notifications until `shutdown` turns true, then lets the sends in flight finish
/// for the grace period. One cut short keeps its lease and is sent again once the lease
/// expires (WeChat de-duplicates the repeat).
pub async fn run(ctx: Ctx, mut shutdown: Shutdown) {
    let concurrency = ctx.config.notify.concurrency;
    let mut wake = ctx.signals.subscribe(signals::JOBS);
    let mut sending: JoinSet<()> = JoinSet::new();
    while !*shutdown.borrow() {
        while sending.try_join_next().is_some() {}
        let free = concurrency.saturating_sub(sending.len());
        let mut saturated = false;
        if free > 0 {
            match delivery::claim(&ctx, free as u64).await {
                Ok(batch) => {
                    saturated = batch.len() == free;
                    for n in batch {
                        let ctx = ctx.clone();
                        sending.spawn(async move {
                            if let Err(e) = delivery::deliver(&ctx, &n).await {
                                tracing::warn!(notification = %n.id, error = %e, "recording a notification failed; its lease will expire");
                            }
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "claiming notifications failed; will poll again")
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
}
