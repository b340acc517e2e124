//! Lending queries: a reader's requests and loans, a branch's picking list.

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::pagination::Keyset;
use crate::types::lending::{
    page, Loan, LoanConnection, LoanRequest, LoanRequestConnection, PickTask,
};
use crate::types::parse_id;
use async_graphql::{Context, Object, ID};
use hongyan_domain::lending::{loans, picking, requests};

/// The cursor names of the lists here.
const REQUESTS: &str = "requests";
const LOANS: &str = "loans";

/// Queries about requests, loans and picking.
#[derive(Default)]
pub struct LendingQuery;

#[Object]
impl LendingQuery {
    /// The caller's requests, newest first.
    #[graphql(complexity = "crate::pagination::cost(first, child_complexity)")]
    async fn my_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Requests per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page (none: the first page). Only cursors of `myRequests` are accepted."
        )]
        after: Option<String>,
    ) -> GqlResult<LoanRequestConnection> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let page_of = Keyset::parse(REQUESTS, first, after.as_deref()).gql()?;
        let (rows, more) =
            requests::of_reader(&domain(ctx).db, reader, page_of.first, page_of.after)
                .await
                .gql()?;
        Ok(LoanRequestConnection(page(
            REQUESTS,
            rows,
            more,
            page_of,
            |r| r.id,
            LoanRequest,
        )))
    }

    /// One of the caller's requests.
    async fn request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's id (`LoanRequest.id`); another reader's is NOT_FOUND.")]
        id: ID,
    ) -> GqlResult<LoanRequest> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&id, "request").gql()?;
        Ok(LoanRequest(
            requests::of_reader_by_id(&domain(ctx).db, reader, id)
                .await
                .gql()?,
        ))
    }

    /// The caller's loans, newest first.
    #[graphql(complexity = "crate::pagination::cost(first, child_complexity)")]
    async fn my_loans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Loans per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page (none: the first page). Only cursors of `myLoans` are accepted."
        )]
        after: Option<String>,
    ) -> GqlResult<LoanConnection> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let page_of = Keyset::parse(LOANS, first, after.as_deref()).gql()?;
        let (rows, more) = loans::of_reader(&domain(ctx).db, reader, page_of.first, page_of.after)
            .await
            .gql()?;
        Ok(LoanConnection(page(
            LOANS,
            rows,
            more,
            page_of,
            |l| l.id,
            Loan,
        )))
    }

    /// A branch's open pick tasks in shelf order (pickers, dispatchers and librarians of
    /// that branch).
    async fn picking_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The branch whose shelves to pick from.")] branch_id: ID,
    ) -> GqlResult<Vec<PickTask>> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(picking::picking_list(&domain(ctx).db, who, branch)
            .await
            .gql()?
            .into_iter()
            .map(PickTask::line)
            .collect())
    }
}
