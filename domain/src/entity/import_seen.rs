//! `import_seen`: a barcode an import run has read, and the record it was in.

use sea_orm::entity::prelude::*;

/// An import run's barcode row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_seen")]
pub struct Model {
    /// The run (one `hongyan import`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: Uuid,
    /// The barcode, trimmed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub barcode: String,
    /// The record of the file it was first read in (1-based).
    pub position: i32,
    /// When the run read it.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
