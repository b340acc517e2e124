//! Branches and lockers.

use async_graphql::{Context, Description, Enum, Object, SimpleObject, ID};
use hongyan_domain::branches::{Branch as BranchRow, BranchKind as DomainKind};
use hongyan_domain::dispatch::placement;
use hongyan_domain::entity::compartment;
use hongyan_domain::lockers::{self, Locker as LockerRow};

use crate::context::{domain, principal};
use crate::error::{loader_error, to_gql, GqlResult, IntoGql};
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

/// A place of the library network: the central library, a branch, a 24-hour self-service
/// library or a partner bookstore (public).
#[derive(Description)]
pub struct Branch(pub BranchRow);

#[Object(use_type_description)]
impl Branch {
    /// The branch's id (`branchId` arguments and inputs).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Short code, e.g. `ZX01`: what staff accounts' `branchCodes` name.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// For a bookstore: the library branch that holds its partnership (the home of copies
    /// bought at its counter; none: the central library).
    async fn partner_branch(&self, ctx: &Context<'_>) -> GqlResult<Option<Branch>> {
        match self.0.partner_branch_id {
            Some(id) => load_branch(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
    /// What kind of place it is.
    async fn kind(&self) -> BranchKind {
        self.0.kind.into()
    }
    /// Street address.
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

/// A smart book locker readers collect requested books from and return books to (public).
#[derive(Description)]
pub struct Locker(pub LockerRow);

impl Locker {
    /// Its doors per size, free and total (one query per request for all lockers).
    async fn counts(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<hongyan_domain::lockers::SizeCount>> {
        Ok(ctx
            .data::<Loaders>()?
            .compartment_counts
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default())
    }
}

#[Object(use_type_description)]
impl Locker {
    /// The locker's id (`DeliveryInput.lockerId`, `startReturn`'s `lockerId`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Short code, e.g. `L-XH-01`, as printed on the locker.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Where it stands (street address).
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// WGS-84 latitude (null when not recorded).
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// WGS-84 longitude (null when not recorded).
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// The branch whose delivery rounds fill this locker.
    async fn branch(&self, ctx: &Context<'_>) -> GqlResult<Branch> {
        load_branch(ctx, self.0.branch_id).await
    }
    /// The controller sent a heartbeat in the last 90 seconds (three heartbeat periods).
    async fn online(&self, ctx: &Context<'_>) -> bool {
        lockers::is_online(&self.0, domain(ctx).now())
    }
    /// Whether a parcel could go in now: the locker is online and has a free door (anyone:
    /// readers choose a locker by it).
    async fn has_room(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(lockers::is_online(&self.0, domain(ctx).now())
            && self.counts(ctx).await?.iter().any(|c| c.free > 0))
    }
    /// Free and total doors per size, smallest first (staff: dispatchers watch which
    /// lockers have room).
    async fn free_compartments(&self, ctx: &Context<'_>) -> GqlResult<Vec<CompartmentCount>> {
        principal(ctx).gql()?.require_any_staff().gql()?;
        Ok(self
            .counts(ctx)
            .await?
            .into_iter()
            .map(|c| CompartmentCount {
                size: size_name(c.size),
                free: c.free,
                total: c.total,
            })
            .collect())
    }
    /// Its compartments and their state — FAULT doors are out of use until the controller
    /// reports them working (dispatchers and librarians of the locker's branch).
    async fn compartments(&self, ctx: &Context<'_>) -> GqlResult<Vec<Compartment>> {
        let who = principal(ctx).gql()?;
        Ok(
            placement::compartments_for_staff(&domain(ctx).db, who, &self.0)
                .await
                .gql()?
                .into_iter()
                .map(Compartment)
                .collect(),
        )
    }
}

/// A locker door (staff).
#[derive(Description)]
pub struct Compartment(pub compartment::Model);

#[Object(use_type_description)]
impl Compartment {
    /// Door label, e.g. `003`.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// S, M or L.
    async fn size(&self) -> &'static str {
        size_name(self.0.size)
    }
    /// FREE, RESERVED (a parcel is on its way), OCCUPIED or FAULT.
    async fn state(&self) -> &'static str {
        match self.0.state {
            compartment::State::Free => "FREE",
            compartment::State::Reserved => "RESERVED",
            compartment::State::Occupied => "OCCUPIED",
            compartment::State::Fault => "FAULT",
        }
    }
}

/// A locker's doors of one size.
#[derive(SimpleObject)]
pub struct CompartmentCount {
    /// S, M or L.
    pub size: &'static str,
    /// Doors free for a parcel now.
    pub free: u32,
    /// Every door of that size (faulty ones too).
    pub total: u32,
}

fn size_name(size: compartment::Size) -> &'static str {
    match size {
        compartment::Size::S => "S",
        compartment::Size::M => "M",
        compartment::Size::L => "L",
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
