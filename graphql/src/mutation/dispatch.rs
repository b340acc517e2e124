//! Dispatch mutations: starting delivery rounds; a reader's new pickup code.

use async_graphql::{Context, Object, ID};
use hongyan_domain::dispatch::{pickups, returns, rounds};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::dispatch::{DeliveryRound, ReturnMethod, ReturnTicket};
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

    /// Announces the return of one of the caller's loans: LOCKER (with `lockerId`) gives a
    /// drop code to type at that locker; the loan ends when the book is in the locker.
    async fn start_return(
        &self,
        ctx: &Context<'_>,
        loan_id: ID,
        method: ReturnMethod,
        locker_id: Option<ID>,
    ) -> GqlResult<ReturnTicket> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let loan = parse_id(&loan_id, "loan").gql()?;
        let locker = locker_id
            .map(|id| parse_id(&id, "locker"))
            .transpose()
            .gql()?;
        Ok(ReturnTicket(
            returns::start(domain(ctx), reader, loan, method.into(), locker)
                .await
                .gql()?,
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
