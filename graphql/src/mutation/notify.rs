//! Notification settings (readers) and retrying dead notifications (admins).

use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::notify::{prefs, sending};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::notify::{Notification, NotificationChannel, NotificationSettings};
use crate::types::parse_id;

/// What to change; a field left out stays as it is.
#[derive(InputObject)]
pub struct NotificationSettingsInput {
    /// Channels in order of preference (the later ones are the fallback); empty: no messages.
    pub channels: Option<Vec<NotificationChannel>>,
    /// Kinds to mute (`NotificationSettings.kinds`); `ready_at_locker` and
    /// `ready_at_branch` cannot be muted.
    pub muted_kinds: Option<Vec<String>>,
    /// Email address for messages; an empty string removes it.
    pub email: Option<String>,
}

/// Notification mutations.
#[derive(Default)]
pub struct NotifyMutation;

#[Object]
impl NotifyMutation {
    /// Changes how the calling reader is told.
    async fn update_notification_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; fields left out stay as they are.")]
        input: NotificationSettingsInput,
    ) -> GqlResult<NotificationSettings> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let changes = prefs::Changes {
            channels: input
                .channels
                .map(|c| c.into_iter().map(Into::into).collect()),
            muted: input.muted_kinds,
            email: input.email,
        };
        Ok(prefs::update(domain(ctx), reader, changes)
            .await
            .gql()?
            .into())
    }

    /// Links the calling reader to the library's WeChat official account, with the code
    /// the account's web page got from WeChat's OAuth; messages then arrive there.
    async fn link_wechat_official_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The `code` WeChat's web authorisation gave the official account's page (single use)."
        )]
        code: String,
    ) -> GqlResult<bool> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        prefs::link_official_account(domain(ctx), reader, &code)
            .await
            .gql()?;
        Ok(true)
    }

    /// Sends a dead notification again, with fresh attempts (admins).
    async fn retry_notification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The DEAD notification (`Notification.id`).")] id: ID,
    ) -> GqlResult<Notification> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "notification").gql()?;
        Ok(Notification(
            sending::retry(domain(ctx), who, id).await.gql()?,
        ))
    }
}
