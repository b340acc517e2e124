//! `branches`, `lockers`: public, readers choose where to collect.

use async_graphql::{Context, Object};
use hongyan_domain::{branches, lockers};

use crate::context::domain;
use crate::error::{GqlResult, IntoGql};
use crate::types::{Branch, Locker};

/// Queries about the library's places.
#[derive(Default)]
pub struct PlacesQuery;

#[Object]
impl PlacesQuery {
    /// Every branch, by code.
    async fn branches(&self, ctx: &Context<'_>) -> GqlResult<Vec<Branch>> {
        Ok(branches::list(&domain(ctx).db)
            .await
            .gql()?
            .into_iter()
            .map(Branch)
            .collect())
    }

    /// Every smart locker, by code.
    async fn lockers(&self, ctx: &Context<'_>) -> GqlResult<Vec<Locker>> {
        Ok(lockers::list(&domain(ctx).db)
            .await
            .gql()?
            .into_iter()
            .map(Locker)
            .collect())
    }
}
