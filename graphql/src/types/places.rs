//! Branches and lockers.

use async_graphql::{Context, Enum, Object, ID};
use hongyan_domain::branches::{Branch as BranchRow, BranchKind as DomainKind};
use hongyan_domain::lockers::{self, Locker as LockerRow};

use crate::error::{loader_error, to_gql, GqlResult};
use crate::loaders::Loaders;

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
        load_branch(ctx, self.0.branch_id).await
    }
    /// The controller sent a heartbeat in the last 90 seconds (three heartbeat periods).
    async fn online(&self) -> bool {
        lockers::is_online(&self.0)
    }
}

/// A branch by id, through the request's DataLoader.
pub async fn load_branch(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Branch> {
    ctx.data::<Loaders>()?
        .branches
        .load_one(id)
        .await
        .map_err(loader_error)?
        .map(Branch)
        .ok_or_else(|| to_gql(hongyan_domain::Error::NotFound("branch")))
}
