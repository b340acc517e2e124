//! The library's places (admins): which library branch holds a bookstore's partnership.

use async_graphql::{Context, Object, ID};
use hongyan_domain::branches;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::{parse_id, Branch};

/// Mutations of the library's places.
#[derive(Default)]
pub struct PlacesMutation;

#[Object]
impl PlacesMutation {
    /// Names the library branch that holds a partner bookstore's partnership: copies bought
    /// at the store's counter belong there (admins; audited).
    async fn set_bookstore_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner bookstore (a `Branch` of kind BOOKSTORE).")] bookstore_id: ID,
        #[graphql(desc = "The library branch (not a bookstore) that holds the partnership.")]
        branch_id: ID,
    ) -> GqlResult<Branch> {
        let who = principal(ctx).gql()?;
        let store = parse_id(&bookstore_id, "branch").gql()?;
        let partner = parse_id(&branch_id, "branch").gql()?;
        Ok(Branch(
            branches::set_partner(&domain(ctx).db, who, store, partner, domain(ctx).now())
                .await
                .gql()?,
        ))
    }
}
