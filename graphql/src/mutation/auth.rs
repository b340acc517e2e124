//! Logins and token refresh.

use async_graphql::{Context, Object};
use hongyan_domain::auth::sessions::{self, Account};
use hongyan_domain::text;
use hongyan_domain::Error;

use crate::context::{client, domain, principal};
use crate::error::{to_gql, GqlResult, IntoGql};
use crate::types::AuthPayload;

/// Authentication mutations (no caller needed, but unlocking).
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Logs a reader in with the code from the mini-program's `wx.login()`.
    async fn login_with_wechat(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code `wx.login()` returned (single use).")] code: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::login_with_wechat(domain(ctx), &code)
            .await
            .gql()?
            .into())
    }

    /// Logs a reader in from the library's WeChat official account web page: `code` is what
    /// WeChat's web authorisation (`snsapi_base`) handed the page. The first visit creates a
    /// card-less reader (bind a card or apply for one to borrow).
    async fn login_with_wechat_web(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The `code` query parameter WeChat added to the page's address (single use)."
        )]
        code: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::login_with_wechat_web(domain(ctx), &code)
            .await
            .gql()?
            .into())
    }

    /// Logs a reader in with library card number and PIN.
    async fn login_with_card(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The library card number.")] card_number: String,
        #[graphql(
            desc = "The card's PIN (digits). Five wrong tries lock the card for a minute, doubling up to a day."
        )]
        pin: String,
    ) -> GqlResult<AuthPayload> {
        Ok(
            sessions::login_with_card(domain(ctx), &card_number, &pin, client(ctx))
                .await
                .gql()?
                .into(),
        )
    }

    /// Logs a staff member in.
    async fn staff_login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The staff account's login name.")] username: String,
        #[graphql(
            desc = "Its password. Five wrong tries lock the account for a minute, doubling up to a day."
        )]
        password: String,
    ) -> GqlResult<AuthPayload> {
        Ok(
            sessions::staff_login(domain(ctx), &username, &password, client(ctx))
                .await
                .gql()?
                .into(),
        )
    }

    /// Lifts the lock that failed logins put on a reader's card (desk staff) or a staff
    /// account (admins), and forgets its failures. Give one of the two.
    async fn unlock_login(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A reader's card number, to unlock that card (desk staff). Give this or `username`, not both."
        )]
        card_number: Option<String>,
        #[graphql(
            desc = "A staff login name, to unlock that account (admins). Give this or `cardNumber`, not both."
        )]
        username: Option<String>,
    ) -> GqlResult<bool> {
        let who = principal(ctx).gql()?;
        let account = match (&card_number, &username) {
            (Some(card), None) => Account::Card(card.trim()),
            (None, Some(user)) => Account::Staff(user.trim()),
            _ => return Err(to_gql(Error::validation(text!("unlock-which")))),
        };
        sessions::unlock(domain(ctx), who, account).await.gql()?;
        Ok(true)
    }

    /// Exchanges a refresh token (single use) for new tokens.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The `refreshToken` of the last login or refresh; it works once, and using it again revokes every token of that sign-in."
        )]
        refresh_token: String,
    ) -> GqlResult<AuthPayload> {
        Ok(sessions::refresh(domain(ctx), &refresh_token)
            .await
            .gql()?
            .into())
    }
}
