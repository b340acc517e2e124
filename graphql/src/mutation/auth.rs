//! Logins and token refresh.

use async_graphql::{Context, Object};
use hongyan_domain::auth::sessions;

use crate::context::domain;
use crate::error::{GqlResult, IntoGql};
use crate::types::AuthPayload;

/// Authentication mutations (no caller needed).
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Logs a reader in with the code from the mini-program's `wx.login()`.
    async fn login_with_wechat(&self, ctx: &Context<'_>, code: String) -> GqlResult<AuthPayload> {
        Ok(sessions::login_with_wechat(domain(ctx), &code)
            .await
            .gql()?
            .into())
    }

    /// Logs a reader in with library card number and PIN.
    async fn login_with_card(
        &self,
        ctx: &Context<'_>,
        card_number: String,
        pin: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::login_with_card(domain(ctx), &card_number, &pin)
            .await
            .gql()?
            .into())
    }

    /// Logs a staff member in.
    async fn staff_login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::staff_login(domain(ctx), &username, &password)
            .await
            .gql()?
            .into())
    }

    /// Exchanges a refresh token (single use) for new tokens.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::refresh(domain(ctx), &refresh_token)
            .await
            .gql()?
            .into())
    }
}
