//! `me` (readers), `staffMe` (staff), `readerByCard`, `deskReader` and `findReaders` (staff
//! at the desk) and `staffAccounts` (admins).

use async_graphql::{Context, Object, ID};
use hongyan_domain::auth::Principal;
use hongyan_domain::patrons::{categories, search};
use hongyan_domain::{accounts, addresses, people};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::people::{DeskReader, PatronCategory, StaffAccount, StaffMe};
use crate::types::{parse_id, Address, Reader, ReaderStatus};

/// Queries about the caller's own account, and readers' accounts for the desk.
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

    /// The calling staff member: role and branches (FORBIDDEN for readers).
    async fn staff_me(&self, ctx: &Context<'_>) -> GqlResult<StaffMe> {
        let who = principal(ctx).gql()?;
        Ok(StaffMe(people::staff_me(&domain(ctx).db, who).await.gql()?))
    }

    /// A reader by library card, with their open requests, loans and messages (staff who
    /// work a desk, and admins; NOT_FOUND for a card nobody holds).
    async fn reader_by_card(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The library card number as typed or scanned (4–32 letters and digits).")]
        card_number: String,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        Ok(DeskReader(
            people::reader_by_card(&domain(ctx).db, who, &card_number)
                .await
                .gql()?,
        ))
    }

    /// A reader by id, as `readerByCard` shows them (desk staff and admins).
    async fn desk_reader(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reader's id (`DeskReader.id`).")] id: ID,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "reader").gql()?;
        Ok(DeskReader(
            people::reader_for_desk(&domain(ctx).db, who, id)
                .await
                .gql()?,
        ))
    }

    /// Readers by card number, full mobile number or part of the name, and/or in one state
    /// (PENDING: online applications to verify), oldest account first; at most `first`
    /// (1–100) (desk staff and admins).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn find_readers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A card number or 11-digit mobile number (exact), or part of a name; at most 50 characters. Give this, `status`, or both."
        )]
        query: Option<String>,
        #[graphql(desc = "Only readers in this state.")] status: Option<ReaderStatus>,
        #[graphql(default = 20, desc = "How many, 1–100 (default 20).")] first: i32,
    ) -> GqlResult<Vec<DeskReader>> {
        let who = principal(ctx).gql()?;
        let q = search::Query {
            text: query,
            status: status.map(Into::into),
        };
        let limit = crate::pagination::list_size(first).gql()?;
        let rows = search::find(&domain(ctx).db, who, &q, limit).await.gql()?;
        Ok(rows.into_iter().map(DeskReader).collect())
    }

    /// The library's reader categories, by code (staff).
    async fn patron_categories(&self, ctx: &Context<'_>) -> GqlResult<Vec<PatronCategory>> {
        let who = principal(ctx).gql()?;
        let rows = categories::list(&domain(ctx).db, who).await.gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every staff account with its branches (admins).
    async fn staff_accounts(&self, ctx: &Context<'_>) -> GqlResult<Vec<StaffAccount>> {
        let who = principal(ctx).gql()?;
        Ok(accounts::list(&domain(ctx).db, who)
            .await
            .gql()?
            .into_iter()
            .map(StaffAccount)
            .collect())
    }
}
