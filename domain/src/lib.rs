//! Hongyan's domain: everything a library's net-lending platform knows and decides, with
//! no knowledge of HTTP or GraphQL.
//!
//! Services are free functions named after what the library calls things
//! (`lockers::register`, `auth::sessions::login_with_card`); they take a [`Ctx`] or a
//! database connection plus plain values and return domain types or [`Error`].
//! The transport crates (`hongyan-graphql`, `hongyan-api`) only translate.

#[macro_use]
pub mod i18n;

pub mod accounts;
pub mod addresses;
pub mod audit;
pub mod auth;
pub mod branches;
pub mod catalog;
pub mod china_time;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod entered_figures;
pub mod entity;
mod error;
pub mod identity;
pub mod infra;
pub mod jobs;
pub mod lending;
pub mod lifecycle;
pub mod lockers;
pub mod lockout;
pub mod notify;
pub mod patrons;
pub mod people;
pub mod purchases;
pub mod report;

use std::sync::Arc;

use infra::{counters, db, signals};
use sea_orm::DatabaseConnection;

pub use config::Config;
pub use error::{Code, Error, Reason, Result};
pub use i18n::{Locale, Text};

/// What every domain service may need: the database, configuration, the token issuer,
/// outside services (behind traits, so tests swap them) and the signal bus.
#[derive(Clone)]
pub struct Ctx {
    /// The source of truth.
    pub db: DatabaseConnection,
    /// Start-up configuration.
    pub config: Arc<Config>,
    /// Signs and verifies access tokens.
    pub tokens: auth::access_tokens::TokenIssuer,
    /// WeChat login exchange.
    pub wechat: Arc<dyn auth::wechat_login::WechatLogin>,
    /// Wake-ups and live updates between processes.
    pub signals: Arc<dyn signals::Signals>,
    /// Changed requests fanned out to this process's `requestUpdated` subscriptions.
    pub request_feed: Arc<lending::live::RequestFeed>,
    /// Whether the accounts behind valid tokens may still act (cached briefly).
    pub accounts: Arc<auth::revocation::AccountCheck>,
    /// Windowed counters shared between processes (lockouts, rate limits).
    pub counters: Arc<dyn counters::Counters>,
    /// The courier that takes HOME deliveries.
    pub courier: Arc<dyn dispatch::couriers::Courier>,
    /// WeChat and email senders and the message templates.
    pub notifier: Arc<notify::sending::Notifier>,
    /// What time it is (the system clock, or an adjustable one in tests and simulations).
    pub clock: infra::clock::Clock,
}

impl Ctx {
    /// Builds the context for `config` on an open database: the WeChat client over HTTPS and
    /// signals over Redis when `HONGYAN_REDIS_URL` is set, in-process otherwise.
    ///
    /// # Errors
    /// [`Error::Internal`] if an HTTP client or the Redis client cannot be built.
    pub fn new(config: Config, db: DatabaseConnection) -> Result<Self> {
        let signals: Arc<dyn signals::Signals> = match &config.redis_url {
            Some(url) => Arc::new(
                signals::RedisSignals::start(url, &config.redis_prefix).map_err(Error::internal)?,
            ),
            None => Arc::new(signals::InProcess::default()),
        };
        let counters: Arc<dyn counters::Counters> = match &config.redis_url {
            Some(url) => {
                counters::RedisCounters::new(url, &config.redis_prefix).map_err(Error::internal)?
            }
            None => Arc::new(counters::InProcess::default()),
        };
        Ok(Ctx {
            tokens: auth::access_tokens::TokenIssuer::new(
                &config.jwt_secret.bytes,
                config.access_token_ttl,
            ),
            wechat: Arc::new(auth::wechat_login::HttpWechat::new(config.wechat.clone())?),
            signals,
            accounts: Arc::default(),
            request_feed: Arc::default(),
            counters,
            courier: dispatch::couriers::from_config(&config).map_err(Error::internal)?,
            notifier: Arc::new(notify::sending::Notifier::new(&config).map_err(Error::internal)?),
            clock: infra::clock::Clock::new(config.clock),
            config: Arc::new(config),
            db,
        })
    }

    /// Begins a transaction that will write (see [`infra::db::begin_write`]).
    ///
    /// # Errors
    /// [`Error::Internal`] when the database does not answer.
    pub async fn begin(&self) -> Result<sea_orm::DatabaseTransaction> {
        Ok(db::begin_write(&self.db).await?)
    }

    /// The current instant by this context's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Tells workers that jobs were committed (call after the transaction commits).
    pub fn wake_workers(&self) {
        self.signals.publish(signals::JOBS, "");
    }
}
