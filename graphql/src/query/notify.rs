//! Notification history: a reader's own, any reader's for staff, dead ones for admins.

use async_graphql::{Context, Object, ID};
use hongyan_domain::notify::{delivery, history};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::pagination::list_size;
use crate::types::notify::Notification;
use crate::types::parse_id;

/// Notification queries.
#[derive(Default)]
pub struct NotifyQuery;

#[Object]
impl NotifyQuery {
    /// The calling reader's messages, newest first.
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let who = principal(ctx).gql()?;
        let reader = who.reader_id().gql()?;
        let rows = history::of_reader(&domain(ctx).db, who, reader, list_size(first).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }

    /// A reader's messages, newest first (staff who work a desk, and admins).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn reader_notifications(
        &self,
        ctx: &Context<'_>,
        reader_id: ID,
        #[graphql(default = 50)] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let who = principal(ctx).gql()?;
        who.require_any_staff().gql()?;
        let reader = parse_id(&reader_id, "reader").gql()?;
        let rows = history::of_reader(&domain(ctx).db, who, reader, list_size(first).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }

    /// Messages that failed for good, newest first (admins).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn dead_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let rows = delivery::dead(domain(ctx), principal(ctx).gql()?, list_size(first).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }
}
