//! Wake-ups and live updates between processes.
//!
//! A [`Signals`] carries short messages on named topics (`jobs`, later per-reader request
//! updates and per-locker command wake-ups). It is an accelerator only: every consumer
//! also polls the database, so a lost message costs latency, never data.
//!
//! Two implementations behind one trait: [`InProcess`] (a single process, the embedded
//! default) and [`RedisSignals`] (Redis pub/sub, so any number of API and worker processes
//! hear each other). When Redis is down, publishing falls back to this process's own
//! subscribers and the listener reconnects in the background.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::{broadcast, OnceCell};

/// The topic workers listen on for "new jobs are due".
pub const JOBS: &str = "jobs";
/// The topic live request updates go out on; messages are `<reader id>:<request id>`.
pub const REQUESTS: &str = "requests";

/// Best-effort publish/subscribe on named topics.
pub trait Signals: Send + Sync {
    /// Sends `message` to every subscriber of `topic` in every process. Never blocks or fails.
    fn publish(&self, topic: &str, message: &str);
    /// Subscribes this process to `topic`.
    fn subscribe(&self, topic: &str) -> broadcast::Receiver<String>;
}

/// Fans messages out to this process's subscribers.
#[derive(Default)]
struct LocalHub {
    topics: Mutex<HashMap<String, broadcast::Sender<String>>>,
}

impl LocalHub {
    fn deliver(&self, topic: &str, message: &str) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = topics.get(topic) {
            if tx.send(message.to_owned()).is_err() {
                topics.remove(topic);
            }
        }
    }

    fn subscribe(&self, topic: &str) -> broadcast::Receiver<String> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(256).0)
            .subscribe()
    }
}

/// Signals within one process.
#[derive(Default)]
pub struct InProcess {
    hub: LocalHub,
}

impl Signals for InProcess {
    fn publish(&self, topic: &str, message: &str) {
        self.hub.deliver(topic, message);
    }

    fn subscribe(&self, topic: &str) -> broadcast::Receiver<String> {
        self.hub.subscribe(topic)
    }
}

/// Signals over Redis pub/sub, with channels named `{prefix}{topic}`.
pub struct RedisSignals {
    client: redis::Client,
    prefix: String,
    publisher: OnceCell<ConnectionManager>,
    hub: Arc<LocalHub>,
}

impl RedisSignals {
    /// Starts listening on Redis in the background; never fails when Redis is down.
    ///
    /// # Errors
    /// Only for a URL the redis client cannot parse.
    pub fn start(url: &str, prefix: &str) -> redis::RedisResult<Arc<Self>> {
        let signals = Arc::new(RedisSignals {
            client: redis::Client::open(url)?,
            prefix: prefix.to_owned(),
            publisher: OnceCell::new(),
            hub: Arc::new(LocalHub::default()),
        });
        tokio::spawn(listen(
            signals.client.clone(),
            signals.prefix.clone(),
            Arc::downgrade(&signals.hub),
        ));
        Ok(signals)
    }

    async fn publisher(&self) -> redis::RedisResult<ConnectionManager> {
        self.publisher
            .get_or_try_init(|| connect(&self.client))
            .await
            .cloned()
    }
}

/// A Redis connection that fails fast (500 ms, one retry): signals and counters fall back to
/// this process rather than hold up a request while Redis is away.
///
/// # Errors
/// The Redis error when it cannot be reached.
pub(crate) async fn connect(client: &redis::Client) -> redis::RedisResult<ConnectionManager> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_millis(500))
        .set_response_timeout(Duration::from_millis(500))
        .set_number_of_retries(1);
    client.get_connection_manager_with_config(config).await
}

impl Signals for Arc<RedisSignals> {
    fn publish(&self, topic: &str, message: &str) {
        let this = Arc::clone(self);
        let (topic, message) = (topic.to_owned(), message.to_owned());
        tokio::spawn(async move {
            let channel = format!("{}{topic}", this.prefix);
            let sent = match this.publisher().await {
                Ok(mut conn) => redis::cmd("PUBLISH")
                    .arg(&channel)
                    .arg(&message)
                    .query_async::<i64>(&mut conn)
                    .await
                    .map(drop),
                Err(e) => Err(e),
            };
            if let Err(e) = sent {
                tracing::debug!(error = %e, "redis publish failed; delivering locally only");
                this.hub.deliver(&topic, &message);
            }
        });
    }

    fn subscribe(&self, topic: &str) -> broadcast::Receiver<String> {
        self.hub.subscribe(topic)
    }
}

/// Keeps one pattern subscription to `{prefix}*` alive for as long as the hub lives.
async fn listen(client: redis::Client, prefix: String, hub: std::sync::Weak<LocalHub>) {
    let mut delay = Duration::from_millis(200);
    while hub.strong_count() > 0 {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.psubscribe(format!("{prefix}*")).await {
                Ok(()) => {
                    tracing::info!("listening for signals on redis");
                    delay = Duration::from_millis(200);
                    let mut messages = pubsub.into_on_message();
                    while let Some(msg) = messages.next().await {
                        let Some(hub) = hub.upgrade() else { return };
                        let channel = msg.get_channel_name();
                        if let (Some(topic), Ok(payload)) =
                            (channel.strip_prefix(&prefix), msg.get_payload::<String>())
                        {
                            hub.deliver(topic, &payload);
                        }
                    }
                    tracing::warn!("redis signal subscription closed; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "redis psubscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, "redis unreachable; workers fall back to polling"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
