//! `branches`, `lockers`: public, readers choose where to collect; `appSettings`: what a
//! client needs to know of this library before anyone signs in.

use async_graphql::{Context, Enum, Object, SimpleObject};
use hongyan_domain::config::CardPolicy as DomainCardPolicy;
use hongyan_domain::{branches, lockers};

use crate::context::domain;
use crate::error::{GqlResult, IntoGql};
use crate::types::{Branch, Locker};

/// What an online card application gives.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CardPolicy {
    /// A card that waits until a desk checks the reader's ID.
    Verify,
    /// A card that lends at once (信用办证).
    Credit,
}

/// The library's settings a client shows or needs (public).
#[derive(SimpleObject)]
pub struct AppSettings {
    /// How the library signs its messages.
    pub library_name: String,
    /// The official account's app id, for its web authorisation (none: not configured).
    pub wechat_official_account_app_id: Option<String>,
    /// What an online card application gives.
    pub card_policy: CardPolicy,
    /// What a home delivery costs the reader, in cents (0: free).
    pub home_delivery_fee_cents: u32,
}

/// Queries about the library's places.
#[derive(Default)]
pub struct PlacesQuery;

#[Object]
impl PlacesQuery {
    /// Every branch, by code.
    async fn branches(&self, ctx: &Context<'_>) -> GqlResult<Vec<Branch>> {
        Ok(branches::list(&domain(ctx).db)
            .await
            .gql()?
            .into_iter()
            .map(Branch)
            .collect())
    }

    /// The library's settings a client needs before anyone signs in.
    async fn app_settings(&self, ctx: &Context<'_>) -> AppSettings {
        let config = &domain(ctx).config;
        AppSettings {
            library_name: config.notify.library_name.clone(),
            wechat_official_account_app_id: config.wechat.oa_appid.clone(),
            card_policy: match config.lending.card_policy {
                DomainCardPolicy::Verify => CardPolicy::Verify,
                DomainCardPolicy::Credit => CardPolicy::Credit,
            },
            home_delivery_fee_cents: config.lending.home_delivery_fee_cents,
        }
    }

    /// Every smart locker, by code.
    async fn lockers(&self, ctx: &Context<'_>) -> GqlResult<Vec<Locker>> {
        Ok(lockers::list(&domain(ctx).db)
            .await
            .gql()?
            .into_iter()
            .map(Locker)
            .collect())
    }
}
