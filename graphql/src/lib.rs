//! Hongyan's GraphQL schema (the contract in docs/design.md and schema.graphql).
//!
//! Thin by design: resolvers fetch the [`hongyan_domain::Ctx`] and the caller from the
//! request, call one domain function, and map the result. Root types are merged from one
//! module per resource. The schema is built once ([`builder`]) and shared; the caller's
//! identity ([`Caller`]) and the per-request DataLoaders are attached to each request
//! ([`request_data`]).

mod admission;
mod context;
mod error;
mod guard;
pub mod loaders;
mod mutation;
mod pagination;
mod persisted;
mod query;
mod subscription;
mod types;

use async_graphql::{Request, Schema, SchemaBuilder};
use std::sync::Arc;

use hongyan_domain::auth::{Principal, Verified};
use hongyan_domain::catalog::search_index::SearchIndex;
use hongyan_domain::config::Introspection;
use hongyan_domain::Ctx;

pub use admission::LOGIN_FIELDS;
pub use error::{localize, rate_limited, unavailable};
pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

/// The executable schema.
pub type HongyanSchema = Schema<Query, Mutation, Subscription>;

/// Deepest selection allowed. The standard introspection query (graphql-core's
/// `get_introspection_query()`) reaches 13 levels through its nested `ofType`s.
pub const MAX_DEPTH: usize = 16;
/// Most fields a single operation may select (fragments expanded).
pub const MAX_COMPLEXITY: usize = 2000;

/// Who is calling, as the transport established from the `Authorization` header.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No credentials: public fields only.
    Anonymous,
    /// A valid access token (its expiry is checked again by every operation).
    Authenticated(Verified),
    /// A token was sent but is invalid or expired; fields that need a caller say why.
    Rejected(hongyan_domain::Text),
}

/// The schema in SDL (`hongyan schema print`, `schema.graphql`).
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .finish()
        .sdl()
}

/// The client's address, as the transport established it (the peer, or what a trusted
/// proxy appended): what login and rate limits count per client.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

/// The schema with its data and limits; the transport adds extensions and calls `finish`.
pub fn builder(ctx: Ctx, search: Arc<SearchIndex>) -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .data(ctx)
        .data(search)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_directives(16)
        .extension(persisted::PersistedQueries::default())
        .extension(guard::TextGuard)
        .extension(admission::Admission)
}

/// Attaches the caller, their address and fresh DataLoaders to one request (loaders are
/// per request, so their caches never leak data between callers), with introspection as
/// the configuration allows it to this caller.
pub fn request_data(request: Request, ctx: &Ctx, caller: Caller, client: ClientAddr) -> Request {
    introspection_for(request, ctx, &caller)
        .data(caller)
        .data(client)
        .data(loaders_for(ctx))
}

/// `request` with introspection switched off unless `HONGYAN_INTROSPECTION` allows it to
/// `caller` (the admission checks refuse such a request with a clear error first; this
/// keeps the schema closed whatever they miss).
pub fn introspection_for(request: Request, ctx: &Ctx, caller: &Caller) -> Request {
    if introspection_allowed(ctx, Some(caller)) {
        request
    } else {
        request.disable_introspection()
    }
}

/// Whether `caller` may introspect the schema (`staff`: signed-in staff only).
fn introspection_allowed(ctx: &Ctx, caller: Option<&Caller>) -> bool {
    match ctx.config.exposure.introspection {
        Introspection::On => true,
        Introspection::Staff => matches!(
            caller,
            Some(Caller::Authenticated(v)) if matches!(v.principal, Principal::Staff { .. }) && !v.expired()
        ),
        Introspection::Off => false,
    }
}

/// Fresh DataLoaders for one request or one subscription connection.
pub fn loaders_for(ctx: &Ctx) -> loaders::Loaders {
    loaders::Loaders::new(ctx)
}
