//! Counters in fixed windows, shared by every process through Redis (in-process without it,
//! or while Redis is unreachable): request rate limits, and the attempts and locks of
//! [`crate::lockout`].
//! A window starts at a key's first hit and lasts `window`; then the key starts again at 0.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

use crate::infra::outage::Breaker;

/// A key's count in its current window and the time left in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Hits so far.
    pub count: u64,
    /// Until the window ends (zero when the key has no hits).
    pub left: Duration,
}

/// Windowed counters.
#[async_trait]
pub trait Counters: Send + Sync {
    /// Adds one to `key` and returns its window.
    async fn hit(&self, key: &str, window: Duration) -> Window {
        self.hit_by(key, 1, window).await
    }
    /// Adds `n` to `key` and returns its window.
    async fn hit_by(&self, key: &str, n: u64, window: Duration) -> Window;
    /// The window of `key`, without adding.
    async fn peek(&self, key: &str) -> Window;
    /// Starts `key` at 1 for `window` unless it is counting already; true when it started.
    async fn start(&self, key: &str, window: Duration) -> bool;
    /// Takes one back from `key` (never below 0; nothing when it is not counting).
    async fn undo(&self, key: &str);
    /// Forgets `key`.
    async fn reset(&self, key: &str);
}

/// Counters in this process's memory.
#[derive(Debug, Default)]
pub struct InProcess(Mutex<HashMap<String, (u64, Instant)>>);

#[async_trait]
impl Counters for InProcess {
    async fn hit_by(&self, key: &str, n: u64, window: Duration) -> Window {
        let now = Instant::now();
        let mut map = self.map();
        map.retain(|_, (_, ends)| *ends > now);
        let entry = map.entry(key.to_owned()).or_insert((0, now + window));
        entry.0 += n;
        Window {
            count: entry.0,
            left: entry.1 - now,
        }
    }

    async fn peek(&self, key: &str) -> Window {
        let now = Instant::now();
        let map = self.map();
        match map.get(key) {
            Some((count, ends)) if *ends > now => Window {
                count: *count,
                left: *ends - now,
            },
            _ => Window::default(),
        }
    }

    async fn start(&self, key: &str, window: Duration) -> bool {
        let now = Instant::now();
        let mut map = self.map();
        match map.get(key) {
            Some((_, ends)) if *ends > now => false,
            _ => {
                map.insert(key.to_owned(), (1, now + window));
                true
            }
        }
    }

    async fn undo(&self, key: &str) {
        if let Some((count, _)) = self.map().get_mut(key) {
            *count = count.saturating_sub(1);
        }
    }

    async fn reset(&self, key: &str) {
        self.map().remove(key);
    }
}

impl InProcess {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, Instant)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Counters in Redis (`{prefix}count:{key}`), falling back to this process's memory while
/// Redis cannot be reached.
pub struct RedisCounters {
    client: redis::Client,
    prefix: String,
    conn: OnceCell<ConnectionManager>,
    fallback: InProcess,
    redis_down: Breaker,
}

impl RedisCounters {
    /// Counters on the Redis at `url`; connects on first use.
    ///
    /// # Errors
    /// Only for a URL the redis client cannot parse.
    pub fn new(url: &str, prefix: &str) -> redis::RedisResult<Arc<Self>> {
        Ok(Arc::new(RedisCounters {
            client: redis::Client::open(url)?,
            prefix: format!("{prefix}count:"),
            conn: OnceCell::new(),
            fallback: InProcess::default(),
            redis_down: Breaker::default(),
        }))
    }

    async fn conn(&self) -> redis::RedisResult<ConnectionManager> {
        self.conn
            .get_or_try_init(|| crate::infra::signals::connect(&self.client))
            .await
            .cloned()
    }

    /// Runs `pipe` (ending with the count and the key's time to live in ms).
    async fn run(&self, pipe: &redis::Pipeline) -> redis::RedisResult<Window> {
        let (count, ttl_ms): (Option<u64>, i64) = self.query(pipe).await?;
        Ok(Window {
            count: count.unwrap_or(0),
            left: Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)),
        })
    }

    /// Runs `pipe`, or fails at once while Redis is known to be away.
    async fn query<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> redis::RedisResult<T> {
        if self.redis_down.open() {
            return Err((redis::ErrorKind::IoError, "redis recently unreachable").into());
        }
        let trip = |e: &redis::RedisError| {
            self.redis_down.trip();
            tracing::warn!(error = %e, "redis counters unreachable; counting in this process for a while");
        };
        let mut conn = self.conn().await.inspect_err(trip)?;
        pipe.query_async(&mut conn).await.inspect_err(trip)
    }
}

#[async_trait]
impl Counters for RedisCounters {
    async fn hit_by(&self, key: &str, n: u64, window: Duration) -> Window {
        let k = format!("{}{key}", self.prefix);
        let ms = millis(window);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(&k)
            .arg(0)
            .arg("PX")
            .arg(ms)
            .arg("NX")
            .ignore()
            .cmd("INCRBY")
            .arg(&k)
            .arg(n)
            .cmd("PTTL")
            .arg(&k);
        match self.run(&pipe).await {
            Ok(w) => w,
            Err(_) => self.fallback.hit_by(key, n, window).await,
        }
    }

    async fn peek(&self, key: &str) -> Window {
        let k = format!("{}{key}", self.prefix);
        let mut pipe = redis::pipe();
        pipe.cmd("GET").arg(&k).cmd("PTTL").arg(&k);
        match self.run(&pipe).await {
            Ok(w) => w,
            Err(_) => self.fallback.peek(key).await,
        }
    }

    async fn start(&self, key: &str, window: Duration) -> bool {
        let k = format!("{}{key}", self.prefix);
        let mut pipe = redis::pipe();
        pipe.cmd("SET")
            .arg(&k)
            .arg(1)
            .arg("PX")
            .arg(millis(window))
            .arg("NX")
            .cmd("PTTL")
            .arg(&k);
        match self.query::<(Option<String>, i64)>(&pipe).await {
            Ok((set, _)) => set.is_some(),
            Err(_) => self.fallback.start(key, window).await,
        }
    }

    async fn undo(&self, key: &str) {
        let k = format!("{}{key}", self.prefix);
        let mut pipe = redis::pipe();
        // Only a counting key with something to take back: DECR on a missing key would
        // create one with no expiry.
        pipe.cmd("EVAL")
            .arg(
                "if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) then \
                 return redis.call('DECR', KEYS[1]) else return 0 end",
            )
            .arg(1)
            .arg(&k);
        if self.query::<(i64,)>(&pipe).await.is_err() {
            self.fallback.undo(key).await;
        }
    }

    async fn reset(&self, key: &str) {
        let k = format!("{}{key}", self.prefix);
        let mut pipe = redis::pipe();
        pipe.cmd("DEL").arg(&k);
        // Forget it here too: it may have been counted here while Redis was away.
        let _ = self.query::<(i64,)>(&pipe).await;
        self.fallback.reset(key).await;
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_windows_count_and_reset() {
        let c = InProcess::default();
        assert_eq!(c.peek("k").await.count, 0);
        c.hit("k", Duration::from_millis(40)).await;
        let w = c.hit("k", Duration::from_millis(40)).await;
        assert_eq!(w.count, 2);
        assert!(w.left <= Duration::from_millis(40));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(c.peek("k").await.count, 0);
        assert_eq!(c.hit("k", Duration::from_millis(40)).await.count, 1);
    }

    #[tokio::test]
    async fn in_process_start_undo_and_reset() {
        let c = InProcess::default();
        assert!(c.start("lock", Duration::from_secs(5)).await);
        assert!(
            !c.start("lock", Duration::from_secs(5)).await,
            "already counting"
        );
        c.hit("k", Duration::from_secs(5)).await;
        c.hit("k", Duration::from_secs(5)).await;
        c.undo("k").await;
        assert_eq!(c.peek("k").await.count, 1);
        c.undo("k").await;
        c.undo("k").await;
        assert_eq!(c.peek("k").await.count, 0, "never below zero");
        c.undo("missing").await;
        assert_eq!(c.peek("missing").await.count, 0);
        c.reset("lock").await;
        assert!(c.start("lock", Duration::from_secs(5)).await);
    }
}
