//! Notification history: a reader's own, any reader's for staff, dead ones for admins; and
//! whether each channel is configured (admins).

use async_graphql::{Context, Object, SimpleObject, ID};
use hongyan_domain::notify::{sending, sent, setup};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::pagination::list_size;
use crate::types::notify::{Notification, NotificationChannel};
use crate::types::parse_id;

/// Whether a channel can send, and what it lacks.
#[derive(SimpleObject)]
pub struct ChannelSetup {
    /// The channel.
    pub channel: NotificationChannel,
    /// Whether it has the settings it needs (else every message on it is UNDELIVERABLE).
    pub configured: bool,
    /// The environment variables to set (empty when configured).
    pub missing_settings: Vec<String>,
}

/// Notification queries.
#[derive(Default)]
pub struct NotifyQuery;

#[Object]
impl NotifyQuery {
    /// Each channel's setup: admins see at once when messages cannot go out (admins).
    async fn message_channels(&self, ctx: &Context<'_>) -> GqlResult<Vec<ChannelSetup>> {
        let who = principal(ctx).gql()?;
        let rows = setup::channels(&domain(ctx).config, who).gql()?;
        Ok(rows
            .into_iter()
            .map(|c| ChannelSetup {
                channel: c.channel.into(),
                configured: c.missing.is_empty(),
                missing_settings: c.missing.into_iter().map(str::to_owned).collect(),
            })
            .collect())
    }

    /// The calling reader's messages, newest first.
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many, 1–100 (default 50).")] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let who = principal(ctx).gql()?;
        let reader = who.reader_id().gql()?;
        let rows = sent::of_reader(&domain(ctx).db, who, reader, list_size(first).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }

    /// A reader's messages, newest first (staff who work a desk, and admins).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn reader_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reader (`DeskReader.id`).")] reader_id: ID,
        #[graphql(default = 50, desc = "How many, 1–100 (default 50).")] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let who = principal(ctx).gql()?;
        who.require_any_staff().gql()?;
        let reader = parse_id(&reader_id, "reader").gql()?;
        let rows = sent::of_reader(&domain(ctx).db, who, reader, list_size(first).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }

    /// Messages that failed for good, newest first (admins).
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn dead_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many, 1–100 (default 50).")] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let rows = sending::dead(domain(ctx), principal(ctx).gql()?, list_size(first).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }
}
