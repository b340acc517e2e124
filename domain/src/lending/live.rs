//! Live request updates for `requestUpdated` subscriptions.
//!
//! Every process that changes a request publishes `<reader>:<request>` on
//! [`crate::infra::signals::REQUESTS`] (through Redis when several processes run). One listener per
//! process reads each changed request once and hands the same copy to every subscription of
//! its reader, so a reader with many open subscriptions costs one database read per change,
//! not one per subscription, and readers nobody follows here cost none.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{requests, LoanRequest};
use crate::{infra::signals, Ctx};

/// Updates one reader's subscriptions may fall behind by before they skip ahead.
const BACKLOG: usize = 64;

/// The per-process fan-out of changed requests to their readers' subscriptions.
#[derive(Default)]
pub struct RequestFeed {
    readers: Mutex<HashMap<Uuid, broadcast::Sender<Arc<LoanRequest>>>>,
    listening: OnceLock<()>,
}

impl RequestFeed {
    /// Follows `reader`'s requests: each change arrives once per receiver.
    pub fn follow(
        self: &Arc<Self>,
        ctx: &Ctx,
        reader: Uuid,
    ) -> broadcast::Receiver<Arc<LoanRequest>> {
        self.listening.get_or_init(|| {
            let (feed, ctx) = (Arc::clone(self), ctx.clone());
            tokio::spawn(async move { feed.listen(ctx).await });
        });
        let mut readers = self.readers();
        readers.retain(|_, tx| tx.receiver_count() > 0);
        readers
            .entry(reader)
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }

    async fn listen(self: Arc<Self>, ctx: Ctx) {
        let mut rx = ctx.signals.subscribe(signals::REQUESTS);
        loop {
            let message = match rx.recv().await {
                Ok(m) => m,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            };
            let Some((reader, id)) = parse(&message) else {
                continue;
            };
            let Some(tx) = self.readers().get(&reader).cloned() else {
                continue;
            };
            if tx.receiver_count() == 0 {
                continue;
            }
            match requests::of_reader_by_id(&ctx.db, reader, id).await {
                Ok(req) => {
                    let _ = tx.send(Arc::new(req));
                }
                Err(e) => {
                    tracing::warn!(error = ?e, "a changed request could not be read for its subscribers")
                }
            }
        }
    }

    fn readers(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<Uuid, broadcast::Sender<Arc<LoanRequest>>>> {
        self.readers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The reader and request of a `<reader>:<request>` message.
fn parse(message: &str) -> Option<(Uuid, Uuid)> {
    let (who, id) = message.split_once(':')?;
    Some((Uuid::parse_str(who).ok()?, Uuid::parse_str(id).ok()?))
}
