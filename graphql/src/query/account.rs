//! `me` (readers), `staffMe` (staff), `readerByCard` (staff at the desk) and
//! `staffAccounts` (admins).

use async_graphql::{Context, Object};
use hongyan_domain::auth::Principal;
use hongyan_domain::{accounts, addresses, people};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::people::{DeskReader, StaffAccount, StaffMe};
use crate::types::{Address, Reader};

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
        card_number: String,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        Ok(DeskReader(
            people::reader_by_card(&domain(ctx).db, who, &card_number)
                .await
                .gql()?,
        ))
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
