//! Lending queries: a reader's requests and loans, a branch's picking list.

use async_graphql::{Context, Object, ID};
use hongyan_domain::lending::{loans, picking, requests};
use hongyan_domain::Error;
use uuid::Uuid;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::lending::{
    page, Loan, LoanConnection, LoanRequest, LoanRequestConnection, PickTask,
};
use crate::types::parse_id;

/// Most rows a page may hold.
const MAX_PAGE: i32 = 100;

/// Page size and cursor from Relay arguments.
pub(crate) fn window(
    first: Option<i32>,
    after: Option<&String>,
) -> Result<(u64, Option<Uuid>), Error> {
    let first = first.unwrap_or(20);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(Error::validation(format!("first must be 1-{MAX_PAGE}")));
    }
    let after = after
        .map(|a| {
            Uuid::parse_str(a).map_err(|_| Error::validation("after is not a cursor of this list"))
        })
        .transpose()?;
    Ok((u64::try_from(first).unwrap_or(20), after))
}

/// Queries about requests, loans and picking.
#[derive(Default)]
pub struct LendingQuery;

#[Object]
impl LendingQuery {
    /// The caller's requests, newest first.
    async fn my_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<LoanRequestConnection> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let (n, cursor) = window(first, after.as_ref()).gql()?;
        let (rows, more) = requests::of_reader(&domain(ctx).db, reader, n, cursor)
            .await
            .gql()?;
        Ok(page(rows, more, cursor.is_some(), |r| r.id, LoanRequest))
    }

    /// One of the caller's requests.
    async fn request(&self, ctx: &Context<'_>, id: ID) -> GqlResult<LoanRequest> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&id, "request").gql()?;
        Ok(LoanRequest(
            requests::of_reader_by_id(&domain(ctx).db, reader, id)
                .await
                .gql()?,
        ))
    }

    /// The caller's loans, newest first.
    async fn my_loans(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<LoanConnection> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let (n, cursor) = window(first, after.as_ref()).gql()?;
        let (rows, more) = loans::of_reader(&domain(ctx).db, reader, n, cursor)
            .await
            .gql()?;
        Ok(page(rows, more, cursor.is_some(), |l| l.id, Loan))
    }

    /// A branch's open pick tasks in shelf order (pickers, dispatchers and librarians of
    /// that branch).
    async fn picking_list(&self, ctx: &Context<'_>, branch_id: ID) -> GqlResult<Vec<PickTask>> {
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
