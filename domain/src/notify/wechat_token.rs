//! WeChat access tokens (`GET /cgi-bin/token`, valid 7,200 s), shared by every process.
//!
//! Fetching a new token invalidates the previous one, so an app must have one holder: the
//! token lives in Redis (`{prefix}wechat:token:{appid}`) and is fetched by one process at a
//! time under a Redis lock (`SET NX PX`) while the others wait for it to appear (single
//! flight); inside a process a mutex does the same for its tasks. It is refreshed five
//! minutes before WeChat's expiry. A token WeChat rejects (40001/42001/40014) is forgotten
//! only if it is still the stored one, so fifty senders holding the same stale token cause
//! one refresh. Without Redis, or while it is down, the token lives in this process.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use serde::Deserialize;
use tokio::sync::{Mutex, OnceCell};
use url::Url;

use crate::infra::outage::Breaker;

/// Refresh this long before WeChat's expiry.
const EARLY: Duration = Duration::from_secs(300);
/// How long a process may hold the refresh lock.
const LOCK_TTL: Duration = Duration::from_secs(10);
/// How often a waiting process looks for the token another one is fetching.
const WAIT_STEP: Duration = Duration::from_millis(25);

/// An app's credentials.
#[derive(Clone)]
pub struct App {
    /// `appid`.
    pub appid: String,
    /// `secret`: never logged.
    pub secret: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("appid", &self.appid)
            .finish_non_exhaustive()
    }
}

/// Where tokens are kept between calls.
#[async_trait]
trait Store: Send + Sync {
    async fn get(&self, appid: &str) -> anyhow::Result<Option<String>>;
    async fn put(&self, appid: &str, token: &str, ttl: Duration) -> anyhow::Result<()>;
    /// Forgets `token` if it is still the stored one.
    async fn forget(&self, appid: &str, token: &str) -> anyhow::Result<()>;
    /// Takes the refresh lock; false when another process holds it.
    async fn lock(&self, appid: &str) -> anyhow::Result<bool>;
    async fn unlock(&self, appid: &str) -> anyhow::Result<()>;
}

/// Tokens in this process's memory.
#[derive(Default)]
struct Local(std::sync::Mutex<HashMap<String, (String, Instant)>>);

impl Local {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Instant)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Store for Local {
    async fn get(&self, appid: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .map()
            .get(appid)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(t, _)| t.clone()))
    }
    async fn put(&self, appid: &str, token: &str, ttl: Duration) -> anyhow::Result<()> {
        self.map()
            .insert(appid.to_owned(), (token.to_owned(), Instant::now() + ttl));
        Ok(())
    }
    async fn forget(&self, appid: &str, token: &str) -> anyhow::Result<()> {
        let mut map = self.map();
        if map.get(appid).is_some_and(|(t, _)| t == token) {
            map.remove(appid);
        }
        Ok(())
    }
    async fn lock(&self, _: &str) -> anyhow::Result<bool> {
        Ok(true) // the per-process mutex already serialises refreshes
    }
    async fn unlock(&self, _: &str) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Tokens in Redis.
struct Shared {
    client: redis::Client,
    prefix: String,
    conn: OnceCell<ConnectionManager>,
}

/// Deletes KEYS[1] only when it still holds ARGV[1].
const FORGET: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

impl Shared {
    async fn conn(&self) -> redis::RedisResult<ConnectionManager> {
        self.conn
            .get_or_try_init(|| crate::infra::signals::connect(&self.client))
            .await
            .cloned()
    }
    fn key(&self, what: &str, appid: &str) -> String {
        format!("{}wechat:{what}:{appid}", self.prefix)
    }
}

#[async_trait]
impl Store for Shared {
    async fn get(&self, appid: &str) -> anyhow::Result<Option<String>> {
        let mut c = self.conn().await?;
        Ok(redis::cmd("GET")
            .arg(self.key("token", appid))
            .query_async(&mut c)
            .await?)
    }
    async fn put(&self, appid: &str, token: &str, ttl: Duration) -> anyhow::Result<()> {
        let mut c = self.conn().await?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let () = redis::cmd("SET")
            .arg(self.key("token", appid))
            .arg(token)
            .arg("PX")
            .arg(ms)
            .query_async(&mut c)
            .await?;
        Ok(())
    }
    async fn forget(&self, appid: &str, token: &str) -> anyhow::Result<()> {
        let mut c = self.conn().await?;
        let _: i64 = redis::cmd("EVAL")
            .arg(FORGET)
            .arg(1)
            .arg(self.key("token", appid))
            .arg(token)
            .query_async(&mut c)
            .await?;
        Ok(())
    }
    async fn lock(&self, appid: &str) -> anyhow::Result<bool> {
        let mut c = self.conn().await?;
        let ms = u64::try_from(LOCK_TTL.as_millis()).unwrap_or(u64::MAX);
        let set: Option<String> = redis::cmd("SET")
            .arg(self.key("token-lock", appid))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ms)
            .query_async(&mut c)
            .await?;
        Ok(set.is_some())
    }
    async fn unlock(&self, appid: &str) -> anyhow::Result<()> {
        let mut c = self.conn().await?;
        let _: i64 = redis::cmd("DEL")
            .arg(self.key("token-lock", appid))
            .query_async(&mut c)
            .await?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

/// The access tokens of the library's WeChat apps.
pub struct AccessTokens {
    http: reqwest::Client,
    base: Url,
    shared: Option<Shared>,
    redis_down: Breaker,
    local: Local,
    flights: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

impl AccessTokens {
    /// Tokens kept in Redis when `redis_url` is set (else in this process), fetched from
    /// the WeChat API at `base`.
    ///
    /// # Errors
    /// A Redis URL the client cannot parse.
    pub fn new(
        http: reqwest::Client,
        base: Url,
        redis_url: Option<&str>,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let shared = match redis_url {
            Some(url) => Some(Shared {
                client: redis::Client::open(url)?,
                prefix: prefix.to_owned(),
                conn: OnceCell::new(),
            }),
            None => None,
        };
        Ok(AccessTokens {
            http,
            base,
            shared,
            redis_down: Breaker::default(),
            local: Local::default(),
            flights: Mutex::default(),
        })
    }

    /// Runs `op` on Redis, or on this process's memory when Redis is absent or fails.
    async fn store<'a, T, Op, Fut>(&'a self, what: &str, op: Op) -> anyhow::Result<T>
    where
        Op: Fn(&'a dyn Store) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<T>> + 'a,
    {
        if let Some(shared) = self.shared.as_ref().filter(|_| !self.redis_down.open()) {
            match op(shared).await {
                Ok(v) => return Ok(v),
                Err(e) => {
                    self.redis_down.trip();
                    tracing::warn!(error = %e, what, "redis unreachable; WeChat token kept in this process");
                }
            }
        }
        op(&self.local).await
    }

    /// A valid token for `app`, fetching one if none is stored.
    ///
    /// # Errors
    /// WeChat refused the credentials or could not be reached.
    pub async fn get(&self, app: &App) -> anyhow::Result<String> {
        let id = app.appid.as_str();
        if let Some(t) = self.store("get", |s| s.get(id)).await? {
            return Ok(t);
        }
        let flight = {
            let mut flights = self.flights.lock().await;
            Arc::clone(flights.entry(app.appid.clone()).or_default())
        };
        let _one = flight.lock().await;
        let deadline = Instant::now() + LOCK_TTL;
        loop {
            if let Some(t) = self.store("get", |s| s.get(id)).await? {
                return Ok(t);
            }
            if self.store("lock", |s| s.lock(id)).await? {
                let fetched = self.fetch(app).await;
                if let Ok((token, ttl)) = &fetched {
                    self.store("put", |s| s.put(id, token, *ttl)).await?;
                }
                self.store("unlock", |s| s.unlock(id)).await?;
                return fetched.map(|(token, _)| token);
            }
            if Instant::now() > deadline {
                anyhow::bail!("timed out waiting for another process to fetch the WeChat token");
            }
            tokio::time::sleep(WAIT_STEP).await;
        }
    }

    /// A fresh token after WeChat rejected `stale`: fetched once however many senders saw
    /// the same stale token.
    ///
    /// # Errors
    /// As [`AccessTokens::get`].
    pub async fn replace(&self, app: &App, stale: &str) -> anyhow::Result<String> {
        let id = app.appid.as_str();
        self.store("forget", |s| s.forget(id, stale)).await?;
        self.get(app).await
    }

    /// Asks WeChat for a token and how long to keep it.
    async fn fetch(&self, app: &App) -> anyhow::Result<(String, Duration)> {
        let mut url = self.base.join("cgi-bin/token")?;
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credential")
            .append_pair("appid", &app.appid)
            .append_pair("secret", &app.secret);
        let body: TokenResponse = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("wechat cgi-bin/token: {}", e.without_url()))?
            .json()
            .await
            .map_err(|e| anyhow::anyhow!("wechat cgi-bin/token body: {}", e.without_url()))?;
        match (body.errcode, body.access_token) {
            (0, Some(token)) => {
                let life = Duration::from_secs(body.expires_in.unwrap_or(7200));
                let ttl = life.saturating_sub(EARLY).max(life / 2);
                tracing::info!(appid = %app.appid, "fetched a WeChat access token");
                Ok((token, ttl))
            }
            (code, _) => anyhow::bail!("wechat cgi-bin/token errcode {code}: {}", body.errmsg),
        }
    }
}
