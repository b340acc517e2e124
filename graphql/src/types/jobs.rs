//! Operator views of the job queue.

use async_graphql::{Object, ID};
use hongyan_domain::entity::job;

/// A job that failed its last attempt (admins).
pub struct DeadJob(pub job::Model);

#[Object]
impl DeadJob {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn payload(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.payload.clone())
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    async fn failed_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
}
