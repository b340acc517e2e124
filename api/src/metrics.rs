//! Prometheus metrics: HTTP and GraphQL latency histograms; the backlog read from the
//! database at scrape time (job queue depth and age, notification outbox, lockers online
//! and offline); job and notification outcomes (recorded by the embedded worker).

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use async_graphql::{Response, ServerResult, Variables};
use hongyan_domain::infra::operations;
use hongyan_worker::metrics::JobMetrics;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use sea_orm::DatabaseConnection;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GraphqlLabels {
    operation: &'static str,
    field: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    http: Family<HttpLabels, Histogram>,
    graphql: Family<GraphqlLabels, Histogram>,
    queue: Family<StateLabels, Gauge>,
    outbox: Family<StateLabels, Gauge>,
    lockers: Family<StateLabels, Gauge>,
    oldest_job: Gauge,
    oldest_notification: Gauge,
    /// Job outcomes, shared with the embedded worker.
    pub jobs: Arc<JobMetrics>,
}

fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http =
            Family::<HttpLabels, Histogram>::new_with_constructor(latency as fn() -> Histogram);
        let graphql =
            Family::<GraphqlLabels, Histogram>::new_with_constructor(latency as fn() -> Histogram);
        let queue = Family::<StateLabels, Gauge>::default();
        let outbox = Family::<StateLabels, Gauge>::default();
        let lockers = Family::<StateLabels, Gauge>::default();
        let oldest_job = Gauge::default();
        let oldest_notification = Gauge::default();
        registry.register(
            "hongyan_http_request_duration_seconds",
            "HTTP request latency",
            http.clone(),
        );
        registry.register(
            "hongyan_graphql_operation_duration_seconds",
            "GraphQL operation latency by root field",
            graphql.clone(),
        );
        registry.register(
            "hongyan_job_queue_depth",
            "Jobs by queue state",
            queue.clone(),
        );
        registry.register(
            "hongyan_job_oldest_ready_age_seconds",
            "How long the oldest due job has waited",
            oldest_job.clone(),
        );
        registry.register(
            "hongyan_notification_outbox",
            "Notifications waiting (pending) or failed for good (dead)",
            outbox.clone(),
        );
        registry.register(
            "hongyan_notification_oldest_pending_age_seconds",
            "How long the oldest due notification has waited",
            oldest_notification.clone(),
        );
        registry.register(
            "hongyan_lockers",
            "Lockers online (heartbeat within 90 s) and offline",
            lockers.clone(),
        );
        let jobs = Arc::new(JobMetrics::register(&mut registry));
        Metrics {
            registry,
            http,
            graphql,
            queue,
            outbox,
            lockers,
            oldest_job,
            oldest_notification,
            jobs,
        }
    }

    /// Records one HTTP request; `route` is the matched pattern, never the raw path.
    pub fn observe_http(&self, method: &str, route: &str, status: u16, started: Instant) {
        self.http
            .get_or_create(&HttpLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .observe(started.elapsed().as_secs_f64());
    }

    /// Renders the Prometheus text format, refreshing the backlog gauges first.
    ///
    /// # Errors
    /// A database fault while reading the backlog.
    pub async fn render(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> hongyan_domain::Result<String> {
        let b = operations::backlog(db, now).await?;
        let set = |family: &Family<StateLabels, Gauge>, values: &[(&'static str, u64)]| {
            for &(state, n) in values {
                family.get_or_create(&StateLabels { state }).set(gauge(n));
            }
        };
        set(
            &self.queue,
            &[
                ("ready", b.jobs.ready),
                ("scheduled", b.jobs.scheduled),
                ("dead", b.jobs.dead),
            ],
        );
        set(
            &self.outbox,
            &[
                ("pending", b.notifications_pending),
                ("dead", b.notifications_dead),
            ],
        );
        set(
            &self.lockers,
            &[("online", b.lockers_online), ("offline", b.lockers_offline)],
        );
        self.oldest_job.set(gauge(b.oldest_job_secs));
        self.oldest_notification
            .set(gauge(b.oldest_notification_secs));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).map_err(|e| {
            hongyan_domain::Error::internal(anyhow::anyhow!("encoding metrics: {e}"))
        })?;
        Ok(out)
    }
}

fn gauge(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The async-graphql extension that times operations by their first root field.
pub struct GraphqlTiming(pub Arc<Metrics>);

impl ExtensionFactory for GraphqlTiming {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TimingExtension {
            metrics: Arc::clone(&self.0),
            root: Mutex::new(None),
        })
    }
}

struct TimingExtension {
    metrics: Arc<Metrics>,
    root: Mutex<Option<(&'static str, String)>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for TimingExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Some((_, op)) = doc.operations.iter().next() {
            let kind = match op.node.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            };
            let field = op
                .node
                .selection_set
                .node
                .items
                .iter()
                .find_map(|s| match &s.node {
                    Selection::Field(f) => Some(f.node.name.node.to_string()),
                    _ => None,
                });
            *self.root.lock().unwrap_or_else(|p| p.into_inner()) = field.map(|f| (kind, f));
        }
        Ok(doc)
    }

    /// Runs only for documents that passed validation, so the field is a schema field and
    /// the label set stays bounded.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let started = Instant::now();
        let resp = next.run(ctx, operation_name).await;
        let root = self.root.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((operation, field)) = root {
            let outcome = if resp.errors.is_empty() {
                "ok"
            } else {
                "error"
            };
            self.metrics
                .graphql
                .get_or_create(&GraphqlLabels {
                    operation,
                    field,
                    outcome,
                })
                .observe(started.elapsed().as_secs_f64());
        }
        resp
    }
}
