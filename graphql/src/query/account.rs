//! `me`.

use async_graphql::{Context, Object};
use hongyan_domain::auth::Principal;
use hongyan_domain::{addresses, people};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::{Address, Reader};

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

    /// The calling reader's saved delivery addresses.
    async fn my_addresses(&self, ctx: &Context<'_>) -> GqlResult<Vec<Address>> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        Ok(addresses::of_reader(&domain(ctx).db, reader)
            .await
            .gql()?
            .into_iter()
            .map(Address)
            .collect())
    }
}
