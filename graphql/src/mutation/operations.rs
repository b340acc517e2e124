//! Operator actions: retrying dead jobs (admins).

use async_graphql::{Context, Object, ID};
use hongyan_domain::jobs::queue;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::parse_id;

/// Mutations for operators.
#[derive(Default)]
pub struct OperationsMutation;

#[Object]
impl OperationsMutation {
    /// Puts a dead job back in the queue with fresh attempts (admins only).
    async fn retry_dead_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The dead job (`DeadJob.id`).")] id: ID,
    ) -> GqlResult<bool> {
        let who = principal(ctx).gql()?;
        let d = domain(ctx);
        queue::retry_dead(d, who, parse_id(&id, "dead job").gql()?)
            .await
            .gql()?;
        Ok(true)
    }
}
