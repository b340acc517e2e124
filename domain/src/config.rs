//! Configuration from `HONGYAN_*` environment variables (and a `.env` file).
//!
//! [`Config::from_lookup`] takes any lookup function, so tests build a configuration from a map
//! without touching the process environment. A bad value is a [`ConfigError`] naming the
//! variable; start-up stops on it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::infra::clock::ClockKind;

/// Whether the deployment is a developer's machine or a real library's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Lenient defaults: a generated JWT secret, a local SQLite file.
    Development,
    /// Strict: a JWT secret of at least 32 bytes is required.
    Production,
}

impl Environment {
    /// True for a real library's deployment.
    pub fn is_production(self) -> bool {
        self == Environment::Production
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A configuration value that cannot be used, with the variable it came from.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    /// The environment variable, e.g. `HONGYAN_DATABASE_URL`.
    pub var: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// The JWT signing secret and whether it was generated for this process only.
#[derive(Clone)]
pub struct JwtSecret {
    /// The HMAC key bytes.
    pub bytes: Vec<u8>,
    /// True when no secret was configured and a random one was made at start-up.
    pub generated: bool,
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(<redacted>)")
    }
}

/// WeChat mini-program credentials and the API base (a fake server's in tests).
#[derive(Debug, Clone)]
pub struct WechatConfig {
    /// `HONGYAN_WECHAT_APPID`.
    pub appid: Option<String>,
    /// `HONGYAN_WECHAT_SECRET`.
    pub secret: Option<String>,
    /// `HONGYAN_WECHAT_API_BASE`.
    pub api_base: Url,
    /// `HONGYAN_WECHAT_OA_APPID`: the library's official account (template messages).
    pub oa_appid: Option<String>,
    /// `HONGYAN_WECHAT_OA_SECRET`.
    pub oa_secret: Option<String>,
    /// `HONGYAN_WECHAT_TEMPLATE_IDS`: official-account template id per notification kind
    /// (`kind=id,kind=id`).
    pub template_ids: Vec<(String, String)>,
    /// `HONGYAN_WECHAT_SUBSCRIBE_IDS`: mini-program subscribe-message template id per kind.
    pub subscribe_ids: Vec<(String, String)>,
}

/// How notifications are sent.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// `HONGYAN_LIBRARY_NAME`: how messages sign.
    pub library_name: String,
    /// `HONGYAN_SMTP_FROM`: the sender of emails.
    pub smtp_from: String,
    /// `HONGYAN_NOTIFY_RATE`: messages per second, all processes together.
    pub rate_per_sec: u32,
    /// `HONGYAN_NOTIFY_LEASE_SECS`: how long a worker holds a message it is sending before
    /// another may retry it. Keep it under WeChat's 10-minute de-duplication window.
    pub lease: Duration,
    /// `HONGYAN_NOTIFY_MAX_ATTEMPTS`: attempts before a message is dead.
    pub max_attempts: u32,
    /// `HONGYAN_NOTIFY_CONCURRENCY`: messages one worker process sends at once.
    pub concurrency: usize,
}

/// Job runner tuning.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How often idle workers look for due jobs when no wake-up arrives.
    pub poll_interval: Duration,
    /// How long a claimed job is reserved for its worker before others may retry it.
    pub lease: Duration,
    /// First retry delay; each further retry doubles it (with jitter), up to an hour.
    pub backoff_base: Duration,
    /// Jobs one worker process runs at once.
    pub concurrency: usize,
    /// How long a stopping worker lets running jobs finish before it abandons and releases them.
    pub shutdown_grace: Duration,
}

/// Where a returned copy goes when nobody is waiting for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnPolicy {
    /// Back to its home branch (a transfer when returned elsewhere).
    Home,
    /// It stays in the branch where it was returned (floating collection).
    Float,
}

/// Which branch's copy serves a request (`HONGYAN_ROUTING`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RoutingPolicy {
    /// The delivery target's own branch, then the nearest copy; the open picks only break
    /// ties of distance (`nearest`, the default).
    #[default]
    Nearest,
    /// The branch with the fewest open picks, then the target's own branch, then the
    /// nearest (`load`): busy branches are passed over for idle ones further away.
    Load,
}

/// The library's lending rules.
#[derive(Debug, Clone)]
pub struct LendingConfig {
    /// `HONGYAN_LOAN_DAYS`: loan period, and what a renewal adds.
    pub loan_days: u32,
    /// `HONGYAN_MAX_RENEWALS`: renewals allowed per loan.
    pub max_renewals: u32,
    /// `HONGYAN_HOLD_HOURS`: how long a book waits for its reader (hold shelf or locker).
    pub hold_hours: u32,
    /// `HONGYAN_RETURN_POLICY`: `home` (default) or `float`.
    pub return_policy: ReturnPolicy,
    /// `HONGYAN_ROUTING`: `nearest` (default) or `load`.
    pub routing: RoutingPolicy,
    /// `HONGYAN_SWEEP_INTERVAL_SECS`: how often expired holds and overdue loans are swept.
    pub sweep_interval: Duration,
    /// `HONGYAN_CARD_POLICY`: `verify` (default) or `credit`.
    pub card_policy: CardPolicy,
    /// `HONGYAN_HOME_DELIVERY_FEE_CENTS`: what a home delivery costs the reader, shown before
    /// they order (0: free).
    pub home_delivery_fee_cents: u32,
}

/// What an online card application gives (`HONGYAN_CARD_POLICY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardPolicy {
    /// A card that waits until a desk checks the reader's ID (`verify`, the default).
    Verify,
    /// A card that lends at once, without deposit (`credit`, 信用办证).
    Credit,
}

/// Request limits per minute (None: no limit), counted across processes in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `HONGYAN_RATE_LIMIT_READER`: GraphQL requests per signed-in reader per minute.
    pub per_reader: Option<u32>,
    /// `HONGYAN_RATE_LIMIT_IP`: GraphQL requests per client address per minute.
    pub per_ip: Option<u32>,
    /// Reverse proxies in front of the API whose `X-Forwarded-For` entries are trusted
    /// (`HONGYAN_TRUST_PROXY=true` with `HONGYAN_TRUSTED_PROXY_HOPS`, default 1; 0 = the
    /// peer's address is the client's). The client is the entry the outermost trusted proxy
    /// appended, counted from the right: what a client writes itself is never believed.
    pub proxy_hops: u8,
}

/// Who may introspect the GraphQL schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Introspection {
    /// Anyone (development).
    On,
    /// Signed-in staff only (production).
    Staff,
    /// Nobody.
    Off,
}

/// What the API shows besides the API itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exposure {
    /// `HONGYAN_INTROSPECTION`: `on`, `staff` or `off` (default: `on`; `staff` in production).
    pub introspection: Introspection,
    /// `HONGYAN_GRAPHIQL`: serve GraphiQL on `GET /graphql` (default: on; off in production).
    pub graphiql: bool,
    /// `HONGYAN_METRICS_ADDR`: serve `/metrics` here instead of on the API's address (in
    /// production the API's address never serves it).
    pub metrics_addr: Option<SocketAddr>,
}

/// Everything a Hongyan process needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Development or production.
    pub environment: Environment,
    /// `HONGYAN_CLOCK`: `system` (default) or `adjustable` (tests and simulations move it;
    /// refused in production).
    pub clock: ClockKind,
    /// `HONGYAN_DATABASE_URL`: `postgres://…` or `sqlite://…`.
    pub database_url: String,
    /// `HONGYAN_DATABASE_POOL`: connections this process keeps open to PostgreSQL.
    pub database_pool: u32,
    /// `HONGYAN_REDIS_URL`: unset means in-process wake-ups.
    pub redis_url: Option<String>,
    /// `HONGYAN_REDIS_PREFIX`: prefix of every Redis key and channel.
    pub redis_prefix: String,
    /// `HONGYAN_HTTP_ADDR`.
    pub http_addr: SocketAddr,
    /// `HONGYAN_WORKER_METRICS_ADDR`: where `hongyan worker` serves `/metrics` and
    /// `/healthz` (unset: it serves nothing).
    pub worker_metrics_addr: Option<SocketAddr>,
    /// `HONGYAN_INDEX_DIR`: where this process keeps its search index (`:memory:` = in RAM).
    /// Each process needs its own directory.
    pub index_dir: Option<PathBuf>,
    /// `HONGYAN_JWT_SECRET`.
    pub jwt_secret: JwtSecret,
    /// `HONGYAN_ACCESS_TOKEN_TTL_SECS`.
    pub access_token_ttl: Duration,
    /// `HONGYAN_REFRESH_TOKEN_TTL_SECS`.
    pub refresh_token_ttl: Duration,
    /// WeChat settings.
    pub wechat: WechatConfig,
    /// `HONGYAN_SMTP_URL`.
    pub smtp_url: Option<Url>,
    /// `HONGYAN_COURIER_API_BASE`.
    pub courier_api_base: Option<Url>,
    /// `HONGYAN_COURIER_SECRET`.
    pub courier_secret: Option<String>,
    /// `HONGYAN_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// Job runner tuning (`HONGYAN_JOB_*`).
    pub jobs: JobsConfig,
    /// Notification delivery (`HONGYAN_NOTIFY_*`, `HONGYAN_SMTP_FROM`).
    pub notify: NotifyConfig,
    /// Lending rules (`HONGYAN_LOAN_DAYS` …).
    pub lending: LendingConfig,
    /// Request limits (`HONGYAN_RATE_LIMIT_*`).
    pub rate_limits: RateLimits,
    /// Introspection, GraphiQL and metrics (`HONGYAN_INTROSPECTION`, …).
    pub exposure: Exposure,
}

/// The default database: a SQLite file under `./data`, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hongyan.db?mode=rwc";

impl Config {
    /// Reads `.env` (if present) and then the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first variable with an unusable value.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env file is normal; a malformed one is not silently ignored.
        if let Err(e) = dotenvy::dotenv() {
            if !e.not_found() {
                return Err(ConfigError {
                    var: ".env",
                    message: e.to_string(),
                });
            }
        }
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds a configuration from a lookup function (`None` = unset).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first variable with an unusable value.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &'static str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let environment = match var("HONGYAN_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(bad(
                    "HONGYAN_ENV",
                    format!("expected development or production, got {other:?}"),
                ))
            }
        };
        let clock = match var("HONGYAN_CLOCK").as_deref() {
            None | Some("system") => ClockKind::System,
            Some("adjustable") if environment.is_production() => {
                return Err(bad(
                    "HONGYAN_CLOCK",
                    "an adjustable clock is refused when HONGYAN_ENV=production",
                ))
            }
            Some("adjustable") => ClockKind::Adjustable,
            Some(other) => {
                return Err(bad(
                    "HONGYAN_CLOCK",
                    format!("expected system or adjustable, got {other:?}"),
                ))
            }
        };
        let database_url =
            var("HONGYAN_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
            || database_url.starts_with("sqlite:"))
        {
            return Err(bad(
                "HONGYAN_DATABASE_URL",
                "expected a postgres:// or sqlite: URL",
            ));
        }
        let redis_url = var("HONGYAN_REDIS_URL");
        if let Some(u) = &redis_url {
            let parsed = parse_url("HONGYAN_REDIS_URL", u)?;
            if !matches!(parsed.scheme(), "redis" | "rediss") {
                return Err(bad("HONGYAN_REDIS_URL", "expected a redis:// URL"));
            }
        }
        let http_addr = socket_addr(&var, "HONGYAN_HTTP_ADDR")?
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let worker_metrics_addr = socket_addr(&var, "HONGYAN_WORKER_METRICS_ADDR")?;
        let jwt_secret = jwt_secret(var("HONGYAN_JWT_SECRET"), environment)?;
        let wechat = WechatConfig {
            appid: var("HONGYAN_WECHAT_APPID"),
            secret: var("HONGYAN_WECHAT_SECRET"),
            api_base: parse_url(
                "HONGYAN_WECHAT_API_BASE",
                &var("HONGYAN_WECHAT_API_BASE")
                    .unwrap_or_else(|| "https://api.weixin.qq.com".into()),
            )?,
            oa_appid: var("HONGYAN_WECHAT_OA_APPID"),
            oa_secret: var("HONGYAN_WECHAT_OA_SECRET"),
            template_ids: pairs(
                "HONGYAN_WECHAT_TEMPLATE_IDS",
                var("HONGYAN_WECHAT_TEMPLATE_IDS"),
            )?,
            subscribe_ids: pairs(
                "HONGYAN_WECHAT_SUBSCRIBE_IDS",
                var("HONGYAN_WECHAT_SUBSCRIBE_IDS"),
            )?,
        };
        let smtp_url = var("HONGYAN_SMTP_URL")
            .map(|v| parse_url("HONGYAN_SMTP_URL", &v))
            .transpose()?;
        if let Some(u) = &smtp_url {
            if !matches!(u.scheme(), "smtp" | "smtps") {
                return Err(bad(
                    "HONGYAN_SMTP_URL",
                    "expected an smtp:// or smtps:// URL",
                ));
            }
        }
        let log_format = match var("HONGYAN_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(bad(
                    "HONGYAN_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ))
            }
        };
        Ok(Config {
            environment,
            clock,
            database_url,
            redis_url,
            database_pool: u32::try_from(number(
                &var,
                "HONGYAN_DATABASE_POOL",
                u64::from(crate::infra::db::DEFAULT_POOL),
            )?)
            .map_err(|_| bad("HONGYAN_DATABASE_POOL", "too large"))?,
            redis_prefix: var("HONGYAN_REDIS_PREFIX").unwrap_or_else(|| "hongyan:".into()),
            http_addr,
            worker_metrics_addr,
            index_dir: match var("HONGYAN_INDEX_DIR").as_deref() {
                None => Some(PathBuf::from("data/index")),
                Some(":memory:") => None,
                Some(dir) => Some(PathBuf::from(dir)),
            },
            jwt_secret,
            access_token_ttl: secs(&var, "HONGYAN_ACCESS_TOKEN_TTL_SECS", 15 * 60)?,
            refresh_token_ttl: secs(&var, "HONGYAN_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600)?,
            wechat,
            smtp_url,
            courier_api_base: var("HONGYAN_COURIER_API_BASE")
                .map(|v| parse_url("HONGYAN_COURIER_API_BASE", &v))
                .transpose()?,
            courier_secret: var("HONGYAN_COURIER_SECRET"),
            log_format,
            jobs: JobsConfig {
                poll_interval: Duration::from_millis(number(
                    &var,
                    "HONGYAN_JOB_POLL_INTERVAL_MS",
                    2000,
                )?),
                lease: Duration::from_secs(number(&var, "HONGYAN_JOB_LEASE_SECS", 300)?),
                backoff_base: Duration::from_millis(number(
                    &var,
                    "HONGYAN_JOB_BACKOFF_BASE_MS",
                    2000,
                )?),
                concurrency: usize::try_from(number(&var, "HONGYAN_WORKER_CONCURRENCY", 4)?)
                    .map_err(|_| bad("HONGYAN_WORKER_CONCURRENCY", "too large"))?,
                shutdown_grace: secs(&var, "HONGYAN_JOB_SHUTDOWN_GRACE_SECS", 10)?,
            },
            notify: notify(&var)?,
            lending: lending(&var)?,
            rate_limits: RateLimits {
                per_reader: limit(&var, "HONGYAN_RATE_LIMIT_READER", 600)?,
                per_ip: limit(&var, "HONGYAN_RATE_LIMIT_IP", 6000)?,
                proxy_hops: proxy_hops(&var)?,
            },
            exposure: exposure(&var, environment)?,
        })
    }

    /// True when the database is SQLite (the embedded default).
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn notify(var: &impl Fn(&'static str) -> Option<String>) -> Result<NotifyConfig, ConfigError> {
    let lease = secs(var, "HONGYAN_NOTIFY_LEASE_SECS", 60)?;
    if lease.is_zero() || lease >= Duration::from_secs(600) {
        return Err(bad(
            "HONGYAN_NOTIFY_LEASE_SECS",
            "between 1 and 599 (WeChat forgets a message id after 10 minutes)",
        ));
    }
    let positive = |name: &'static str, default: u64| -> Result<u32, ConfigError> {
        u32::try_from(number(var, name, default)?).map_err(|_| bad(name, "too large"))
    };
    Ok(NotifyConfig {
        library_name: var("HONGYAN_LIBRARY_NAME").unwrap_or_else(|| "鸿雁图书馆".into()),
        smtp_from: var("HONGYAN_SMTP_FROM")
            .unwrap_or_else(|| "鸿雁图书馆 <noreply@hongyan.local>".into()),
        rate_per_sec: positive("HONGYAN_NOTIFY_RATE", 500)?,
        lease,
        max_attempts: positive("HONGYAN_NOTIFY_MAX_ATTEMPTS", 8)?,
        concurrency: usize::try_from(positive("HONGYAN_NOTIFY_CONCURRENCY", 32)?)
            .map_err(|_| bad("HONGYAN_NOTIFY_CONCURRENCY", "too large"))?,
    })
}

/// `kind=value,kind=value` lists (WeChat template ids per notification kind).
fn pairs(var: &'static str, v: Option<String>) -> Result<Vec<(String, String)>, ConfigError> {
    v.unwrap_or_default()
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok((k.trim().to_owned(), v.trim().to_owned()))
            }
            _ => Err(bad(var, format!("expected kind=templateId, got {p:?}"))),
        })
        .collect()
}

fn lending(var: &impl Fn(&'static str) -> Option<String>) -> Result<LendingConfig, ConfigError> {
    let small = |name: &'static str, default: u64, max: u64| -> Result<u32, ConfigError> {
        let n = number(var, name, default)?;
        if n > max {
            return Err(bad(name, format!("at most {max}")));
        }
        u32::try_from(n).map_err(|_| bad(name, "too large"))
    };
    Ok(LendingConfig {
        loan_days: small("HONGYAN_LOAN_DAYS", 30, 365)?,
        max_renewals: match var("HONGYAN_MAX_RENEWALS").as_deref() {
            Some("0") => 0,
            _ => small("HONGYAN_MAX_RENEWALS", 1, 10)?,
        },
        hold_hours: small("HONGYAN_HOLD_HOURS", 72, 24 * 30)?,
        return_policy: match var("HONGYAN_RETURN_POLICY").as_deref() {
            None | Some("home") => ReturnPolicy::Home,
            Some("float") => ReturnPolicy::Float,
            Some(other) => {
                return Err(bad(
                    "HONGYAN_RETURN_POLICY",
                    format!("expected home or float, got {other:?}"),
                ))
            }
        },
        routing: match var("HONGYAN_ROUTING").as_deref() {
            None | Some("nearest") => RoutingPolicy::Nearest,
            Some("load") => RoutingPolicy::Load,
            Some(other) => {
                return Err(bad(
                    "HONGYAN_ROUTING",
                    format!("expected nearest or load, got {other:?}"),
                ))
            }
        },
        sweep_interval: secs(var, "HONGYAN_SWEEP_INTERVAL_SECS", 60)?,
        home_delivery_fee_cents: match var("HONGYAN_HOME_DELIVERY_FEE_CENTS").as_deref() {
            None | Some("0") => 0,
            Some(_) => small("HONGYAN_HOME_DELIVERY_FEE_CENTS", 0, 100_000)?,
        },
        card_policy: match var("HONGYAN_CARD_POLICY").as_deref() {
            None | Some("verify") => CardPolicy::Verify,
            Some("credit") => CardPolicy::Credit,
            Some(other) => {
                return Err(bad(
                    "HONGYAN_CARD_POLICY",
                    format!("expected verify or credit, got {other:?}"),
                ))
            }
        },
    })
}

/// What the API shows besides itself; production shows less by default.
fn exposure(
    var: &impl Fn(&'static str) -> Option<String>,
    env: Environment,
) -> Result<Exposure, ConfigError> {
    let production = env.is_production();
    let introspection = match var("HONGYAN_INTROSPECTION").as_deref() {
        None if production => Introspection::Staff,
        None | Some("on") => Introspection::On,
        Some("staff") => Introspection::Staff,
        Some("off") => Introspection::Off,
        Some(other) => {
            return Err(bad(
                "HONGYAN_INTROSPECTION",
                format!("expected on, staff or off, got {other:?}"),
            ))
        }
    };
    let graphiql = match var("HONGYAN_GRAPHIQL").as_deref() {
        None => !production,
        Some("on" | "true" | "1") => true,
        Some("off" | "false" | "0") => false,
        Some(other) => {
            return Err(bad(
                "HONGYAN_GRAPHIQL",
                format!("expected on or off, got {other:?}"),
            ))
        }
    };
    Ok(Exposure {
        introspection,
        graphiql,
        metrics_addr: socket_addr(var, "HONGYAN_METRICS_ADDR")?,
    })
}

/// Trusted reverse proxies: `HONGYAN_TRUST_PROXY` and `HONGYAN_TRUSTED_PROXY_HOPS`.
fn proxy_hops(var: &impl Fn(&'static str) -> Option<String>) -> Result<u8, ConfigError> {
    let trusted = match var("HONGYAN_TRUST_PROXY").as_deref() {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return Err(bad(
                "HONGYAN_TRUST_PROXY",
                format!("expected true or false, got {other:?}"),
            ))
        }
    };
    let hops = number(var, "HONGYAN_TRUSTED_PROXY_HOPS", 1)?;
    if hops > 10 {
        return Err(bad("HONGYAN_TRUSTED_PROXY_HOPS", "at most 10"));
    }
    Ok(if trusted {
        u8::try_from(hops).unwrap_or(1)
    } else {
        0
    })
}

/// A `host:port`, if set.
fn socket_addr(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
) -> Result<Option<SocketAddr>, ConfigError> {
    var(name)
        .map(|v| {
            v.parse()
                .map_err(|_| bad(name, format!("expected host:port, got {v:?}")))
        })
        .transpose()
}

/// A per-minute limit: a positive number, or `off`.
fn limit(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<Option<u32>, ConfigError> {
    if var(name).as_deref() == Some("off") {
        return Ok(None);
    }
    let n = number(var, name, default)?;
    u32::try_from(n)
        .map(Some)
        .map_err(|_| bad(name, "too large"))
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

fn parse_url(var: &'static str, v: &str) -> Result<Url, ConfigError> {
    Url::parse(v).map_err(|e| bad(var, format!("not a valid URL ({e})")))
}

fn number(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(bad(
                name,
                format!("expected a positive whole number, got {v:?}"),
            )),
        },
    }
}

fn secs(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    number(var, name, default).map(Duration::from_secs)
}

/// Minimum secret length: HS256 keys shorter than the hash output weaken it.
const MIN_SECRET_BYTES: usize = 32;
/// Least estimated entropy of a production secret, in bits.
const MIN_SECRET_BITS: f64 = 128.0;
/// Words placeholders, examples and made-up phrases contain and random text (almost)
/// never does: four letters or more, so a generated secret is refused once in many
/// thousand tries at most.
const PLACEHOLDER_WORDS: &[&str] = &[
    "change",
    "replace",
    "placeholder",
    "example",
    "secret",
    "password",
    "default",
    "hongyan",
    "xxxx",
    "todo",
    "token",
    "signing",
    "library",
    "admin",
    "test",
    "demo",
    "qwerty",
];

fn jwt_secret(value: Option<String>, env: Environment) -> Result<JwtSecret, ConfigError> {
    match value {
        Some(v) if v.len() < MIN_SECRET_BYTES => Err(bad(
            "HONGYAN_JWT_SECRET",
            format!("must be at least {MIN_SECRET_BYTES} bytes"),
        )),
        Some(v) => {
            if env == Environment::Production {
                if let Some(why) = weak_secret(&v) {
                    return Err(bad(
                        "HONGYAN_JWT_SECRET",
                        format!("{why}; generate one with `openssl rand -base64 48`"),
                    ));
                }
            }
            Ok(JwtSecret {
                bytes: v.into_bytes(),
                generated: false,
            })
        }
        None if env == Environment::Production => Err(bad(
            "HONGYAN_JWT_SECRET",
            "required when HONGYAN_ENV=production (generate one with `openssl rand -base64 48`)",
        )),
        None => Ok(JwtSecret {
            bytes: crate::infra::secrets::random_bytes(32),
            generated: true,
        }),
    }
}

/// Why `secret` cannot sign a real library's tokens (it forges admin tokens and keys the
/// pickup codes): a placeholder or example, a repetition, or too little entropy.
fn weak_secret(secret: &str) -> Option<String> {
    let lower = secret.to_lowercase();
    if let Some(word) = PLACEHOLDER_WORDS.iter().find(|w| lower.contains(*w)) {
        return Some(format!("looks like a placeholder (contains {word:?})"));
    }
    let chars: Vec<char> = secret.chars().collect();
    let repeats = (1..=chars.len() / 2)
        .any(|p| chars.len() % p == 0 && chars.chunks(p).all(|c| c == &chars[..p]));
    if repeats {
        return Some("is one piece repeated".into());
    }
    let bits = entropy_bits(&chars);
    (bits < MIN_SECRET_BITS).then(|| {
        format!("has too little randomness (about {bits:.0} bits, at least {MIN_SECRET_BITS:.0} needed)")
    })
}

/// Shannon entropy of the characters' frequencies times the length: an estimate that
/// random text reaches and words, keyboard runs and repetitions fall short of.
fn entropy_bits(chars: &[char]) -> f64 {
    let mut counts = std::collections::HashMap::<char, u32>::new();
    for c in chars {
        *counts.entry(*c).or_default() += 1;
    }
    let len = f64::from(u32::try_from(chars.len()).unwrap_or(u32::MAX));
    let per_char: f64 = counts
        .values()
        .map(|n| {
            let p = f64::from(*n) / len;
            -p * p.log2()
        })
        .sum();
    per_char * len
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).expect("defaults");
        assert!(c.is_sqlite());
        assert!(c.jwt_secret.generated);
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_pool, crate::infra::db::DEFAULT_POOL);
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (k, v) in [
            ("HONGYAN_DATABASE_URL", "mysql://x"),
            ("HONGYAN_DATABASE_POOL", "0"),
            ("HONGYAN_DATABASE_POOL", "99999999999"),
            ("HONGYAN_HTTP_ADDR", "nowhere"),
            ("HONGYAN_JWT_SECRET", "short"),
            ("HONGYAN_REDIS_URL", "http://x"),
            ("HONGYAN_SMTP_URL", "not a url"),
            ("HONGYAN_JOB_BACKOFF_BASE_MS", "0"),
            ("HONGYAN_LOAN_DAYS", "1000"),
            ("HONGYAN_MAX_RENEWALS", "-1"),
            ("HONGYAN_RETURN_POLICY", "sideways"),
            ("HONGYAN_ROUTING", "random"),
        ] {
            let err = config(&[(k, v)]).expect_err(k);
            assert_eq!(err.var, k);
        }
        let err = config(&[("HONGYAN_ENV", "production")]).expect_err("prod needs a secret");
        assert_eq!(err.var, "HONGYAN_JWT_SECRET");
    }

    #[test]
    fn an_adjustable_clock_is_refused_in_production() {
        let secret = (
            "HONGYAN_JWT_SECRET",
            "k7Qz9mX2vL5pR8wT3yN6bJ4hF1cD0gSaE7uI2oP5lK8j",
        );
        let adjustable = ("HONGYAN_CLOCK", "adjustable");
        let err = config(&[("HONGYAN_ENV", "production"), secret, adjustable])
            .expect_err("production keeps the system clock");
        assert_eq!(err.var, "HONGYAN_CLOCK");
        let dev = config(&[adjustable]).expect("development may move time");
        assert_eq!(dev.clock, ClockKind::Adjustable);
        assert_eq!(config(&[]).expect("default").clock, ClockKind::System);
        assert_eq!(
            config(&[("HONGYAN_CLOCK", "fast")])
                .expect_err("unknown")
                .var,
            "HONGYAN_CLOCK"
        );
    }

    #[test]
    fn production_refuses_placeholder_and_weak_secrets() {
        let prod = |secret: &str| {
            config(&[
                ("HONGYAN_ENV", "production"),
                ("HONGYAN_JWT_SECRET", secret),
            ])
        };
        for weak in [
            "change-me-change-me-change-me-change-me",
            "CHANGEME0123456789abcdefghijklmnopqrstu",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcd",
            "0123456789012345678901234567890123456789",
            "my-jwt-signing-key-for-the-library-12345",
            "test-secret-test-secret-test-secret-0123",
        ] {
            let err = prod(weak).expect_err(weak);
            assert_eq!(err.var, "HONGYAN_JWT_SECRET", "{weak}");
        }
        // What `openssl rand -base64 48` and `-hex 32` print.
        for strong in [
            "q3J8x0V5rWmZ2uKp9sYfT1bN6cHdL4eQ7gAiOjR0vUwXyz+/Mk2nPs5tBq8CdEfG",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            assert!(prod(strong).is_ok(), "{strong}");
        }
        assert!(
            config(&[(
                "HONGYAN_JWT_SECRET",
                "change-me-change-me-change-me-change-me"
            )])
            .is_ok(),
            "development takes what it is given"
        );
    }
}
