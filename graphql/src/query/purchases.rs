//! Purchase proposals: a reader's own, all of them for staff; the budget and the rules.

use async_graphql::{Context, Object, ID};
use hongyan_domain::purchases::{
    budget, in_store, offers, orders, proposals, rules, statements, year_figures,
};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::pagination::Keyset;
use crate::types::lending::page;
use crate::types::parse_id;
use crate::types::purchases::{
    Budget, IsbnLookup, ProposalStatus, PurchaseOrder, PurchaseProposal,
    PurchaseProposalConnection, PurchaseRules, PurchaseStats, Vendor, VendorStatement,
};

/// The cursor names of the lists here.
const MY_PROPOSALS: &str = "my-proposals";
const PROPOSALS: &str = "proposals";

/// Purchase queries.
#[derive(Default)]
pub struct PurchasesQuery;

#[Object]
impl PurchasesQuery {
    /// What the library and its vendors know of an ISBN (anyone): a held book to borrow
    /// instead, or the vendor's data a proposal of it is judged on.
    async fn isbn_lookup(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISBN-10 or ISBN-13, hyphens allowed, e.g. `978-7-02-000220-7`.")]
        isbn: String,
    ) -> GqlResult<IsbnLookup> {
        Ok(IsbnLookup(
            offers::lookup(&domain(ctx).db, &isbn).await.gql()?,
        ))
    }

    /// The caller's proposals, newest first.
    #[graphql(complexity = "crate::pagination::cost(first, child_complexity)")]
    async fn my_proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Proposals per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page (none: the first page). Only cursors of `myProposals` are accepted."
        )]
        after: Option<String>,
    ) -> GqlResult<PurchaseProposalConnection> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let page_of = Keyset::parse(MY_PROPOSALS, first, after.as_deref()).gql()?;
        let (rows, more) =
            proposals::of_reader(&domain(ctx).db, reader, page_of.first, page_of.after)
                .await
                .gql()?;
        Ok(PurchaseProposalConnection(page(
            MY_PROPOSALS,
            rows,
            more,
            page_of,
            |p| p.id,
            PurchaseProposal,
        )))
    }

    /// All proposals, optionally in one state, newest first (librarians).
    #[graphql(complexity = "crate::pagination::cost(first, child_complexity)")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only proposals in this state, e.g. SUBMITTED for the review queue; none: all."
        )]
        status: Option<ProposalStatus>,
        #[graphql(desc = "Proposals per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page (none: the first page). Only cursors of `proposals` are accepted."
        )]
        after: Option<String>,
    ) -> GqlResult<PurchaseProposalConnection> {
        let who = principal(ctx).gql()?;
        let page_of = Keyset::parse(PROPOSALS, first, after.as_deref()).gql()?;
        let (rows, more) = proposals::list(
            &domain(ctx).db,
            who,
            status.map(Into::into),
            page_of.first,
            page_of.after,
        )
        .await
        .gql()?;
        Ok(PurchaseProposalConnection(page(
            PROPOSALS,
            rows,
            more,
            page_of,
            |p| p.id,
            PurchaseProposal,
        )))
    }

    /// The clerk's bookstore counter: its purchases of the last 7 days still waiting for a
    /// librarian (urgent) or approved and not yet lent, newest first, at most 100 (bookstore
    /// clerks).
    async fn counter_proposals(&self, ctx: &Context<'_>) -> GqlResult<Vec<PurchaseProposal>> {
        let who = principal(ctx).gql()?;
        let rows = in_store::at_counter(&domain(ctx).db, who, domain(ctx).now())
            .await
            .gql()?;
        Ok(rows.into_iter().map(PurchaseProposal).collect())
    }

    /// A fiscal year's book budget (librarians).
    async fn budget(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The fiscal (calendar) year, e.g. 2025; NOT_FOUND when none was allocated."
        )]
        fiscal_year: i32,
    ) -> GqlResult<Budget> {
        let who = principal(ctx).gql()?;
        Ok(Budget(
            budget::of_year(&domain(ctx).db, who, fiscal_year)
                .await
                .gql()?,
        ))
    }

    /// Purchase orders, newest first (librarians).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many, 1–100 (default 50).")] first: i32,
    ) -> GqlResult<Vec<PurchaseOrder>> {
        let who = principal(ctx).gql()?;
        let limit = crate::pagination::list_size(first).gql()?;
        let rows = orders::list(&domain(ctx).db, who, limit).await.gql()?;
        Ok(rows.into_iter().map(PurchaseOrder).collect())
    }

    /// The vendors (staff).
    async fn vendors(&self, ctx: &Context<'_>) -> GqlResult<Vec<Vendor>> {
        let who = principal(ctx).gql()?;
        let rows = statements::vendors(&domain(ctx).db, who).await.gql()?;
        Ok(rows.into_iter().map(Vendor).collect())
    }

    /// A vendor's statement for a month (`YYYY-MM`): librarians, or the store's clerk.
    async fn vendor_statement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vendor (`Vendor.id`).")] vendor_id: ID,
        #[graphql(desc = "The month, `YYYY-MM` (China time), e.g. `2025-03`.")] month: String,
    ) -> GqlResult<VendorStatement> {
        let who = principal(ctx).gql()?;
        let vendor = parse_id(&vendor_id, "vendor").gql()?;
        Ok(VendorStatement(
            statements::of_month(&domain(ctx).db, who, vendor, &month)
                .await
                .gql()?,
        ))
    }

    /// The purchase rules in force (anyone signed in: readers may read what decides).
    async fn purchase_rules(&self, ctx: &Context<'_>) -> GqlResult<PurchaseRules> {
        principal(ctx).gql()?;
        Ok(rules::current(&domain(ctx).db).await.gql()?.into())
    }

    /// A fiscal year's "you read, we pay" figures (librarians).
    async fn purchase_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiscal (calendar) year, e.g. 2025.")] fiscal_year: i32,
    ) -> GqlResult<PurchaseStats> {
        let who = principal(ctx).gql()?;
        Ok(PurchaseStats(
            year_figures::of_year(&domain(ctx).db, who, fiscal_year)
                .await
                .gql()?,
        ))
    }
}
