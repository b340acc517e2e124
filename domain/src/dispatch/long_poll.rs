//! Long polls without the database: each process keeps, per locker, the newest command
//! `seq` it knows and the device tokens it has seen, fed by the [`LOCKERS`] signal (Redis
//! across processes). A poll whose cursor is already at the newest `seq` waits on that value
//! in memory; only a poll with something to fetch reads the database. A locker's value is
//! read from the database the first time a process sees the locker and again every
//! [`REFRESH`], so a lost signal delays a command by at most that long.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::commands::{self, Command, LOCKERS};
use crate::lockers::{self, Locker};
use crate::{Ctx, Result};

/// How long a locker's newest `seq`, or a device token, is trusted without the database.
pub const REFRESH: Duration = Duration::from_secs(60);
/// How soon a poll looks again for commands announced before their transaction committed.
const RECHECK: Duration = Duration::from_millis(50);
/// Most commands one poll returns.
pub const PAGE: u64 = 100;

struct Seen {
    latest: watch::Sender<i64>,
    read_at: Instant,
}

/// This process's view of the lockers' command sequences and device tokens.
#[derive(Default)]
pub struct CommandWatch {
    lockers: Mutex<HashMap<uuid::Uuid, Seen>>,
    devices: Mutex<HashMap<String, (Locker, Instant)>>,
}

impl CommandWatch {
    /// Starts following the [`LOCKERS`] signal.
    pub fn start(ctx: &Ctx) -> Arc<Self> {
        let this = Arc::new(CommandWatch::default());
        let mut rx = ctx.signals.subscribe(LOCKERS);
        let weak = Arc::downgrade(&this);
        tokio::spawn(async move {
            loop {
                let message = match rx.recv().await {
                    Ok(m) => m,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                let Some(this) = weak.upgrade() else { return };
                if let Some((locker, seq)) = commands::parse_announcement(&message) {
                    this.advance(locker, seq);
                }
            }
        });
        this
    }

    fn advance(&self, locker: uuid::Uuid, seq: i64) {
        let map = self.lockers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(seen) = map.get(&locker) {
            seen.latest.send_if_modified(|v| {
                let newer = seq > *v;
                if newer {
                    *v = seq;
                }
                newer
            });
        }
    }

    /// The locker a device token belongs to (cached for [`REFRESH`]).
    ///
    /// # Errors
    /// UNAUTHENTICATED for an unknown token.
    pub async fn device(&self, ctx: &Ctx, token: &str) -> Result<Locker> {
        lockers::refuse_demo_token(ctx, token)?;
        let key = crate::infra::secrets::token_hash(token);
        {
            let map = self.devices.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((locker, at)) = map.get(&key) {
                if at.elapsed() < REFRESH {
                    return Ok(locker.clone());
                }
            }
        }
        let locker = lockers::by_token_hash(&ctx.db, &key).await?;
        let mut map = self.devices.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(key, (locker.clone(), Instant::now()));
        Ok(locker)
    }

    /// Waits up to `wait` for commands after `cursor`; returns them (none at the timeout).
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn poll(
        &self,
        ctx: &Ctx,
        locker: uuid::Uuid,
        cursor: i64,
        wait: Duration,
    ) -> Result<Vec<Command>> {
        let mut latest = self.follow(ctx, locker).await?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let mut until = deadline;
            if *latest.borrow_and_update() > cursor {
                let found = commands::after(&ctx.db, locker, cursor, PAGE).await?;
                if !found.is_empty() {
                    return Ok(found);
                }
                // Announced by a transaction that has not committed yet: look again shortly.
                until = deadline.min(tokio::time::Instant::now() + RECHECK);
            }
            match tokio::time::timeout_at(until, latest.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Ok(vec![]),
                Err(_) if until >= deadline => return Ok(vec![]),
                Err(_) => {}
            }
        }
    }

    /// A receiver of `locker`'s newest `seq`, read from the database when unknown or stale.
    async fn follow(&self, ctx: &Ctx, locker: uuid::Uuid) -> Result<watch::Receiver<i64>> {
        {
            let map = self.lockers.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(seen) = map.get(&locker) {
                if seen.read_at.elapsed() < REFRESH {
                    return Ok(seen.latest.subscribe());
                }
            }
        }
        let seq = commands::latest(&ctx.db, locker).await?;
        let mut map = self.lockers.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = map.entry(locker).or_insert_with(|| Seen {
            latest: watch::channel(seq).0,
            read_at: Instant::now(),
        });
        seen.read_at = Instant::now();
        seen.latest.send_if_modified(|v| {
            let newer = seq > *v;
            if newer {
                *v = seq;
            }
            newer
        });
        Ok(seen.latest.subscribe())
    }
}
