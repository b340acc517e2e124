//! Dispatch mutations: starting delivery rounds; ending home parcels the library's own
//! staff deliver; returns; a reader's new pickup code.

use async_graphql::{Context, Object, ID};
use hongyan_domain::dispatch::returns::ReturnPlace;
use hongyan_domain::dispatch::{doorstep, pickups, returns, rounds};
use hongyan_domain::text;
use hongyan_domain::Error;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::dispatch::{DeliveryRound, ReturnMethod, ReturnTicket, Shipment};
use crate::types::lending::LoanRequest;
use crate::types::parse_id;

/// Dispatch mutations.
#[derive(Default)]
pub struct DispatchMutation;

#[Object]
impl DispatchMutation {
    /// The van leaves: the round's parcels go IN_TRANSIT and the locker gets its `deposit`
    /// commands (dispatchers and librarians of the round's branch).
    async fn start_delivery_round(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The OPEN round (`DeliveryRound.id`).")] id: ID,
    ) -> GqlResult<DeliveryRound> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "delivery round").gql()?;
        Ok(DeliveryRound(
            rounds::start(domain(ctx), who, id).await.gql()?,
        ))
    }

    /// The library's own staff handed a HOME parcel over (`receivedBy`: who took it, when not
    /// the reader): the loan starts and the reader is told. Dispatchers and librarians of the
    /// sending branch; parcels of a courier company end by its webhook (CONFLICT
    /// `COURIER_TRACKS`); an ended parcel is CONFLICT `ALREADY_ENDED`.
    async fn mark_shipment_delivered(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The HOME parcel's shipment (`HomeParcel.shipment.id`).")] shipment_id: ID,
        #[graphql(
            desc = "Who took the parcel, when not the reader (at most 40 characters); none or empty: the reader."
        )]
        received_by: Option<String>,
    ) -> GqlResult<Shipment> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&shipment_id, "shipment").gql()?;
        Ok(Shipment(
            doorstep::mark_delivered(domain(ctx), who, id, received_by.as_deref())
                .await
                .gql()?,
        ))
    }

    /// The library's own staff could not hand a HOME parcel over and brought it back: it goes
    /// on the sending branch's hold shelf and the reader is told `reason` (required). Same
    /// callers and refusals as `markShipmentDelivered`.
    async fn mark_shipment_failed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The HOME parcel's shipment (`HomeParcel.shipment.id`).")] shipment_id: ID,
        #[graphql(desc = "Why, for the reader (1–200 characters).")] reason: String,
    ) -> GqlResult<Shipment> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&shipment_id, "shipment").gql()?;
        Ok(Shipment(
            doorstep::mark_failed(domain(ctx), who, id, &reason)
                .await
                .gql()?,
        ))
    }

    /// Announces the return of one of the caller's loans: LOCKER (with `lockerId`) gives a
    /// drop code to type at that locker, and the loan ends when the book is in the locker;
    /// COURIER (with `addressId`, one of the caller's addresses) books a pickup there; BRANCH
    /// needs nothing (any desk takes it).
    async fn start_return(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One of the caller's active loans (`Loan.id`).")] loan_id: ID,
        #[graphql(desc = "How the book comes back.")] method: ReturnMethod,
        #[graphql(desc = "The locker to drop it in (LOCKER only).")] locker_id: Option<ID>,
        #[graphql(desc = "One of the caller's saved addresses to collect it from (COURIER only).")]
        address_id: Option<ID>,
    ) -> GqlResult<ReturnTicket> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let loan = parse_id(&loan_id, "loan").gql()?;
        let needs = |id: Option<ID>, what: &'static str, missing: Error| match id {
            Some(id) => parse_id(&id, what),
            None => Err(missing),
        };
        let place = match method {
            ReturnMethod::Branch => ReturnPlace::Branch,
            ReturnMethod::Locker => ReturnPlace::Locker(
                needs(
                    locker_id,
                    "locker",
                    Error::validation(text!("return-needs-locker")).in_field("lockerId"),
                )
                .gql()?,
            ),
            ReturnMethod::Courier => ReturnPlace::Courier(
                needs(
                    address_id,
                    "address",
                    Error::validation(text!("return-needs-address")).in_field("addressId"),
                )
                .gql()?,
            ),
        };
        Ok(ReturnTicket(
            returns::start(domain(ctx), reader, loan, place)
                .await
                .gql()?,
        ))
    }

    /// A new pickup code for the caller's parcel waiting in a locker (the old one stops
    /// working); read it from `pickupCode`.
    async fn resend_pickup_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's request waiting in a locker (`LoanRequest.id`).")]
        request_id: ID,
    ) -> GqlResult<LoanRequest> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&request_id, "request").gql()?;
        Ok(LoanRequest(
            pickups::resend(domain(ctx), reader, id).await.gql()?,
        ))
    }
}
