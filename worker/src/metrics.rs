//! Job outcome and duration metrics, and notification send outcomes (Prometheus).

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// How an attempt ended.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Outcome {
    /// The job finished and was deleted.
    Succeeded,
    /// The attempt failed; the job will be retried.
    Retried,
    /// The attempt failed for the last time; the job is dead.
    Dead,
    /// The lease expired before completion; another worker owns the job now.
    LeaseLost,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    kind: String,
    outcome: Outcome,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SendLabels {
    route: String,
    outcome: String,
    errcode: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

/// The worker's metrics, registered once per process.
#[derive(Debug)]
pub struct JobMetrics {
    outcomes: Family<OutcomeLabels, Counter>,
    durations: Family<KindLabels, Histogram>,
    sends: Family<SendLabels, Counter>,
}

impl JobMetrics {
    /// Creates the metrics and registers them.
    pub fn register(registry: &mut Registry) -> Self {
        let m = JobMetrics {
            outcomes: Family::default(),
            durations: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.001, 2.0, 16))
            }),
            sends: Family::default(),
        };
        registry.register(
            "hongyan_notification_sends",
            "Notification send attempts by route (wechat.template, wechat.subscribe, smtp), \
             outcome (SENT, RETRY, FAILED) and provider errcode",
            m.sends.clone(),
        );
        registry.register(
            "hongyan_job_attempts",
            "Job attempts by kind and outcome",
            m.outcomes.clone(),
        );
        registry.register(
            "hongyan_job_duration_seconds",
            "Job attempt duration",
            m.durations.clone(),
        );
        m
    }

    /// Records one notification send attempt.
    pub fn record_send(&self, route: &str, outcome: &str, errcode: Option<i32>) {
        self.sends
            .get_or_create(&SendLabels {
                route: route.to_owned(),
                outcome: outcome.to_owned(),
                errcode: errcode.map(|c| c.to_string()).unwrap_or_default(),
            })
            .inc();
    }

    /// Records one attempt.
    pub fn record(&self, kind: &str, outcome: Outcome, seconds: f64) {
        self.outcomes
            .get_or_create(&OutcomeLabels {
                kind: kind.to_owned(),
                outcome,
            })
            .inc();
        self.durations
            .get_or_create(&KindLabels {
                kind: kind.to_owned(),
            })
            .observe(seconds);
    }
}
