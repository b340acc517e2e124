//! What resolvers take from the request: the domain context and the caller.

use async_graphql::Context;
use hongyan_domain::auth::Principal;
use hongyan_domain::text;
use hongyan_domain::{Ctx, Error};

use crate::{Caller, ClientAddr};

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
        // A socket outlives its token: each operation checks the time.
        Some(Caller::Authenticated(v)) if v.expired() => {
            Err(Error::unauthenticated(text!("token-expired")))
        }
        Some(Caller::Authenticated(v)) => Ok(&v.principal),
        Some(Caller::Rejected(why)) => Err(Error::unauthenticated(why.clone())),
        Some(Caller::Anonymous) | None => Err(Error::unauthenticated(text!("login-first"))),
    }
}

/// The client's address as the transport saw it (None when unknown).
pub fn client(ctx: &Context<'_>) -> Option<std::net::IpAddr> {
    ctx.data_opt::<ClientAddr>().and_then(|c| c.0)
}
