//! GraphQL object types: wrappers over domain models, so tables never leak into the API.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use hongyan_domain::auth::AuthTokens;
use hongyan_domain::branches::{Branch as BranchRow, BranchKind as DomainKind};
use hongyan_domain::entity::job;
use hongyan_domain::lockers::{self, Locker as LockerRow};
use hongyan_domain::people::Reader as ReaderRow;
use uuid::Uuid;

use crate::error::{loader_error, to_gql, GqlResult};
use crate::loaders::Loaders;

/// Parses an opaque id; an id that cannot exist is simply not found.
pub fn parse_id(id: &ID, what: &'static str) -> Result<Uuid, hongyan_domain::Error> {
    Uuid::parse_str(id.as_str()).map_err(|_| hongyan_domain::Error::NotFound(what))
}

/// Tokens returned by logins and refreshes.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// One-time token for `refreshToken`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl From<AuthTokens> for AuthPayload {
    fn from(t: AuthTokens) -> Self {
        AuthPayload {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
        }
    }
}

/// A library reader (only ever the caller themself).
pub struct Reader(pub ReaderRow);

#[Object]
impl Reader {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Library card number, if a card was issued.
    async fn card_number(&self) -> Option<&str> {
        self.0.card_number.as_deref()
    }
    /// Whether the reader has linked WeChat.
    async fn wechat_linked(&self) -> bool {
        self.0.wechat_openid.is_some()
    }
    /// Lending is blocked by staff.
    async fn blocked(&self) -> bool {
        self.0.blocked
    }
    async fn max_loans(&self) -> i32 {
        self.0.max_loans
    }
    async fn max_open_requests(&self) -> i32 {
        self.0.max_open_requests
    }
}

/// Kinds of branch.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum BranchKind {
    /// The central library.
    Central,
    /// A staffed branch.
    Branch,
    /// A 24-hour self-service library.
    SelfService,
    /// A partner bookstore.
    Bookstore,
}

impl From<DomainKind> for BranchKind {
    fn from(k: DomainKind) -> Self {
        match k {
            DomainKind::Central => BranchKind::Central,
            DomainKind::Branch => BranchKind::Branch,
            DomainKind::SelfService => BranchKind::SelfService,
            DomainKind::Bookstore => BranchKind::Bookstore,
        }
    }
}

/// A place of the library network.
pub struct Branch(pub BranchRow);

#[Object]
impl Branch {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> BranchKind {
        self.0.kind.into()
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// WGS-84 latitude.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// WGS-84 longitude.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
}

/// A smart book locker.
pub struct Locker(pub LockerRow);

#[Object]
impl Locker {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// The branch whose delivery rounds fill this locker.
    async fn branch(&self, ctx: &Context<'_>) -> GqlResult<Branch> {
        let loaders = ctx.data::<Loaders>()?;
        loaders
            .branches
            .load_one(self.0.branch_id)
            .await
            .map_err(loader_error)?
            .map(Branch)
            .ok_or_else(|| to_gql(hongyan_domain::Error::NotFound("branch")))
    }
    /// The controller was heard from in the last two minutes.
    async fn online(&self) -> bool {
        lockers::is_online(&self.0)
    }
}

/// A job that failed its last attempt (admins).
pub struct DeadJob(pub job::Model);

#[Object]
impl DeadJob {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn payload(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.payload.clone())
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    async fn failed_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
}
