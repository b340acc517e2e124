//! Counters in fixed windows, shared by every process through Redis (in-process without it,
//! or while Redis is unreachable): wrong pickup codes at a locker, and later rate limits.
//! A window starts at a key's first hit and lasts `window`; then the key starts again at 0.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

use crate::outage::Breaker;

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
}

/// Counters in this process's memory.
#[derive(Debug, Default)]
pub struct InProcess(Mutex<HashMap<String, (u64, Instant)>>);

#[async_trait]
impl Counters for InProcess {
    async fn hit_by(&self, key: &str, n: u64, window: Duration) -> Window {
        let now = Instant::now();
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
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
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match map.get(key) {
            Some((count, ends)) if *ends > now => Window {
                count: *count,
                left: *ends - now,
            },
            _ => Window::default(),
        }
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
            .get_or_try_init(|| crate::signals::connect(&self.client))
            .await
            .cloned()
    }

    /// Runs `pipe` (ending with the count and the key's time to live in ms).
    async fn run(&self, pipe: &redis::Pipeline) -> redis::RedisResult<Window> {
        if self.redis_down.open() {
            return Err((redis::ErrorKind::IoError, "redis recently unreachable").into());
        }
        let trip = |e: &redis::RedisError| {
            self.redis_down.trip();
            tracing::warn!(error = %e, "redis counters unreachable; counting in this process for a while");
        };
        let mut conn = self.conn().await.inspect_err(trip)?;
        let (count, ttl_ms): (Option<u64>, i64) =
            pipe.query_async(&mut conn).await.inspect_err(trip)?;
        Ok(Window {
            count: count.unwrap_or(0),
            left: Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)),
        })
    }
}

#[async_trait]
impl Counters for RedisCounters {
    async fn hit_by(&self, key: &str, n: u64, window: Duration) -> Window {
        let k = format!("{}{key}", self.prefix);
        let ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
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
}
