//! Dispatch mutations: starting delivery rounds; a reader's new pickup code.

use async_graphql::{Context, Object, ID};
use hongyan_domain::dispatch::{pickups, rounds};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::dispatch::DeliveryRound;
use crate::types::lending::LoanRequest;
use crate::types::parse_id;

/// Dispatch mutations.
#[derive(Default)]
pub struct DispatchMutation;

#[Object]
impl DispatchMutation {
    /// The van leaves: the round's parcels go IN_TRANSIT and the locker gets its `deposit`
    /// commands (dispatchers and librarians of the round's branch).
    async fn start_delivery_round(&self, ctx: &Context<'_>, id: ID) -> GqlResult<DeliveryRound> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "delivery round").gql()?;
        Ok(DeliveryRound(
            rounds::start(domain(ctx), who, id).await.gql()?,
        ))
    }

    /// A new pickup code for the caller's parcel waiting in a locker (the old one stops
    /// working); read it from `pickupCode`.
    async fn resend_pickup_code(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> GqlResult<LoanRequest> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&request_id, "request").gql()?;
        Ok(LoanRequest(
            pickups::resend(domain(ctx), reader, id).await.gql()?,
        ))
    }
}
