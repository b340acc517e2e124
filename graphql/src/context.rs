//! What resolvers take from the request: the domain context and the caller.

use async_graphql::Context;
use hongyan_domain::auth::Principal;
use hongyan_domain::{Ctx, Error};

use crate::Caller;

/// The domain context shared by the schema.
pub fn domain<'a>(ctx: &Context<'a>) -> &'a Ctx {
    // The schema is always built with a Ctx (see `build`).
    ctx.data_unchecked::<Ctx>()
}

/// The authenticated caller.
///
/// # Errors
/// UNAUTHENTICATED when no token, or an invalid one, came with the request.
pub fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, Error> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::Authenticated(p)) => Ok(p),
        Some(Caller::Rejected(why)) => Err(Error::unauthenticated(why.clone())),
        Some(Caller::Anonymous) | None => Err(Error::unauthenticated("log in first")),
    }
}
