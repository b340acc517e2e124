//! Dispatch queries: a branch's delivery rounds, courier shipments, waitlists and expired
//! holds.

use async_graphql::{Context, Object, ID};
use hongyan_domain::dispatch::{doorstep, rounds, shipments};
use hongyan_domain::lending::branch_watch;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::dispatch::{DeliveryRound, HomeParcel, Shipment, Waitlist};
use crate::types::lending::LoanRequest;
use crate::types::parse_id;

/// Queries for dispatchers.
#[derive(Default)]
pub struct DispatchQuery;

#[Object]
impl DispatchQuery {
    /// The branch's open and started delivery rounds, in driving order from the branch
    /// (dispatchers and librarians of that branch).
    async fn delivery_rounds(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The branch that sends the rounds.")] branch_id: ID,
    ) -> GqlResult<Vec<DeliveryRound>> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(rounds::of_branch(&domain(ctx).db, who, branch)
            .await
            .gql()?
            .into_iter()
            .map(DeliveryRound)
            .collect())
    }

    /// The branch's courier shipments (HOME deliveries and RETURN pickups), newest first, at
    /// most 200; with `stuck: true` only those not booked after 10 minutes, on the road over
    /// 5 days, or failed (dispatchers and librarians of that branch).
    async fn shipments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The branch the shipments leave from or go to.")] branch_id: ID,
        #[graphql(desc = "Only the stuck ones (default false: all).")] stuck: Option<bool>,
    ) -> GqlResult<Vec<Shipment>> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(shipments::of_branch(
            &domain(ctx).db,
            who,
            branch,
            stuck.unwrap_or(false),
            domain(ctx).now(),
        )
        .await
        .gql()?
        .into_iter()
        .map(Shipment)
        .collect())
    }

    /// The branch's HOME parcels not yet delivered or returned, oldest first, at most 500:
    /// what to pack, label and hand over (dispatchers and librarians of the sending branch).
    async fn home_parcels(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sending branch.")] branch_id: ID,
    ) -> GqlResult<Vec<HomeParcel>> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(doorstep::to_pack(&domain(ctx).db, who, branch)
            .await
            .gql()?
            .into_iter()
            .map(HomeParcel)
            .collect())
    }

    /// Titles readers are queued for at the branch (its hold shelf or lockers), longest
    /// wait first, at most 200 (dispatchers and librarians of the branch).
    async fn waitlists(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The branch where the readers collect.")] branch_id: ID,
    ) -> GqlResult<Vec<Waitlist>> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(branch_watch::waitlists(&domain(ctx).db, who, branch)
            .await
            .gql()?
            .into_iter()
            .map(Waitlist)
            .collect())
    }

    /// Holds at the branch (or its lockers) that expired uncollected in the last 7 days,
    /// newest first, at most 200 (dispatchers and librarians of the branch).
    async fn expired_pickups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The branch whose hold shelf or lockers held them.")] branch_id: ID,
    ) -> GqlResult<Vec<LoanRequest>> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(
            branch_watch::expired_pickups(&domain(ctx).db, who, branch, domain(ctx).now())
                .await
                .gql()?
                .into_iter()
                .map(LoanRequest)
                .collect(),
        )
    }
}
