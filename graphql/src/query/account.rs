//! `me`.

use async_graphql::{Context, Object};
use hongyan_domain::auth::Principal;
use hongyan_domain::people;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::Reader;

/// Queries about the caller's own account.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The calling reader (null for staff).
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Option<Reader>> {
        match principal(ctx).gql()? {
            Principal::Reader { id } => Ok(Some(Reader(
                people::reader(&domain(ctx).db, *id).await.gql()?,
            ))),
            Principal::Staff { .. } => Ok(None),
        }
    }
}
