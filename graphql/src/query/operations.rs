//! Operator views: dead jobs (admins).

use async_graphql::{Context, Object};
use hongyan_domain::jobs::queue;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::DeadJob;

/// Queries for operators.
#[derive(Default)]
pub struct OperationsQuery;

#[Object]
impl OperationsQuery {
    /// Jobs that failed their last attempt, newest first (admins only).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn dead_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many, 1–100 (default 50).")] first: i32,
    ) -> GqlResult<Vec<DeadJob>> {
        let limit = crate::pagination::list_size(first).gql()?;
        Ok(
            queue::dead_jobs(&domain(ctx).db, principal(ctx).gql()?, limit)
                .await
                .gql()?
                .into_iter()
                .map(DeadJob)
                .collect(),
        )
    }
}
