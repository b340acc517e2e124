//! `branch`: a place that holds stock or hands books to readers.

use sea_orm::entity::prelude::*;

/// What kind of place a branch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum BranchKind {
    /// The central library.
    #[sea_orm(string_value = "CENTRAL")]
    Central,
    /// A staffed branch library.
    #[sea_orm(string_value = "BRANCH")]
    Branch,
    /// A 24-hour self-service library.
    #[sea_orm(string_value = "SELF_SERVICE")]
    SelfService,
    /// A partner bookstore ("you choose, we pay").
    #[sea_orm(string_value = "BOOKSTORE")]
    Bookstore,
}

/// A branch row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "branch")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short code used in imports and the CLI, e.g. `ZX01`.
    #[sea_orm(unique)]
    pub code: String,
    /// Display name.
    pub name: String,
    /// Kind of place.
    pub kind: BranchKind,
    /// Street address.
    pub address: String,
    /// WGS-84 latitude.
    pub latitude: Option<f64>,
    /// WGS-84 longitude.
    pub longitude: Option<f64>,
    /// When the row was made.
    pub created_at: DateTimeUtc,
    /// For a bookstore: the library branch that holds its partnership, home of the copies
    /// bought there (none: the central library).
    pub partner_branch_id: Option<Uuid>,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
