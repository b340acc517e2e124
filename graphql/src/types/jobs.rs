//! Operator views of the job queue.

use async_graphql::{Description, Object, ID};
use hongyan_domain::entity::job;

/// A background job that failed its last attempt: it runs again only when an admin retries
/// it (`retryDeadJob`) (admins).
#[derive(Description)]
pub struct DeadJob(pub job::Model);

#[Object(use_type_description)]
impl DeadJob {
    /// The job's id (`retryDeadJob`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The handler that runs it, e.g. `lending.route` or `dispatch.ship_home`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Attempts made before it was given up.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The error of the last failed attempt, as the handler reported it (for operators).
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// The job's arguments as JSON (ids only: the handler re-reads the rest).
    async fn payload(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.payload.clone())
    }
    /// When it was enqueued (RFC 3339, UTC).
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// When its last attempt failed (RFC 3339, UTC).
    async fn failed_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
}
