//! The Subscription root: live updates over `/graphql/ws`.

use async_graphql::{Context, Subscription as GqlSubscription};
use futures::stream::BoxStream;
use futures::StreamExt;
use hongyan_domain::lending::requests;
use hongyan_domain::{signals, Ctx};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use crate::context::{domain, principal};
use crate::error::IntoGql;
use crate::types::lending::LoanRequest;

/// Every subscription of the contract.
#[derive(Default)]
pub struct Subscription;

#[GqlSubscription]
impl Subscription {
    /// The caller's own requests, each time one changes (readers). Changes made by any API
    /// or worker process arrive here (through Redis when several processes run).
    async fn request_updated(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<BoxStream<'static, LoanRequest>> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let ctx: Ctx = domain(ctx).clone();
        let rx = ctx.signals.subscribe(signals::REQUESTS);
        Ok(
            futures::stream::unfold((rx, ctx), move |(mut rx, ctx)| async move {
                loop {
                    let message = match rx.recv().await {
                        Ok(m) => m,
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    };
                    let Some(id) = mine(&message, reader) else {
                        continue;
                    };
                    if let Ok(req) = requests::of_reader_by_id(&ctx.db, reader, id).await {
                        return Some((LoanRequest(req), (rx, ctx)));
                    }
                }
            })
            .boxed(),
        )
    }
}

/// The request id of a `<reader>:<request>` message, if it is `reader`'s.
fn mine(message: &str, reader: Uuid) -> Option<Uuid> {
    let (who, id) = message.split_once(':')?;
    (Uuid::parse_str(who).ok()? == reader)
        .then(|| Uuid::parse_str(id).ok())
        .flatten()
}
