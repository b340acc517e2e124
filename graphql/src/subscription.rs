//! The Subscription root: live updates over `/graphql/ws`.

use async_graphql::{Context, Description, Subscription as GqlSubscription};
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::broadcast::error::RecvError;

use crate::context::{domain, principal};
use crate::error::IntoGql;
use crate::types::lending::LoanRequest;

/// Every subscription of the contract: live updates over the `graphql-transport-ws`
/// protocol at `/graphql/ws`; the access token goes in the `connection_init` payload, as
/// `Authorization` (`Bearer …`) or `token`.
#[derive(Default, Description)]
pub struct Subscription;

#[GqlSubscription(use_type_description)]
impl Subscription {
    /// The caller's own requests, each time one changes (readers). Changes made by any API
    /// or worker process arrive here (through Redis when several processes run); each is
    /// read once per process, however many subscriptions follow it.
    async fn request_updated(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<BoxStream<'static, LoanRequest>> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let ctx = domain(ctx);
        let rx = ctx.request_feed.follow(ctx, reader);
        Ok(futures::stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(req) => return Some((LoanRequest((*req).clone()), rx)),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        })
        .boxed())
    }
}
