//! Readers' identity: binding an existing card to a WeChat sign-in, applying for a card
//! online, and a desk verifying an application.

use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::identity::{binding, registration};
use hongyan_domain::text;

use crate::context::{client, domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::{parse_id, Reader};
use crate::Caller;

/// An online card application (网上办证).
#[derive(InputObject)]
pub struct RegisterReaderInput {
    /// Full name as on the ID card.
    pub name: String,
    /// Mainland resident ID number (18 characters; checked with its check character).
    pub id_number: String,
    /// Mainland mobile number.
    pub mobile: String,
    /// The branch the reader chooses as home.
    pub home_branch_id: ID,
    /// A 4–12 digit PIN for card sign-in: required when not signed in.
    pub pin: Option<String>,
}

/// Identity mutations.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Binds the library card the caller already holds to their WeChat sign-in: the card's
    /// PIN is checked like a login; everything of the card-less account moves to the card's
    /// and the empty account is closed (refresh the tokens to act as the card's holder).
    async fn bind_card(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The library card number to bind.")] card_number: String,
        #[graphql(desc = "The card's PIN; wrong tries count and lock like a login.")] pin: String,
    ) -> GqlResult<Reader> {
        let who = principal(ctx).gql()?;
        Ok(Reader(
            binding::bind_card(domain(ctx), who, &card_number, &pin, client(ctx))
                .await
                .gql()?,
        ))
    }

    /// Applies for a library card online, for the signed-in card-less reader or (with a PIN)
    /// for someone not signed in. The library's policy decides whether the card lends at
    /// once (ACTIVE) or after a desk checks the ID (PENDING).
    async fn register_reader(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application.")] input: RegisterReaderInput,
    ) -> GqlResult<Reader> {
        let who = match ctx.data_opt::<Caller>() {
            Some(Caller::Anonymous) | None => None,
            _ => Some(principal(ctx).gql()?),
        };
        let application = registration::Application {
            name: input.name,
            id_number: input.id_number,
            mobile: input.mobile,
            home_branch: parse_id(&input.home_branch_id, "branch")
                .map_err(|_| {
                    hongyan_domain::Error::validation(text!("home-branch-unknown"))
                        .in_field("homeBranchId")
                })
                .gql()?,
            pin: input.pin,
        };
        Ok(Reader(
            registration::register(domain(ctx), who, application)
                .await
                .gql()?,
        ))
    }

    /// A desk has checked a PENDING applicant's ID: their card lends from now on (desk
    /// staff; audited).
    async fn verify_reader(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The PENDING reader whose ID was checked (`DeskReader.id`).")]
        reader_id: ID,
    ) -> GqlResult<Reader> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&reader_id, "reader").gql()?;
        Ok(Reader(
            registration::verify(domain(ctx), who, id).await.gql()?,
        ))
    }
}
