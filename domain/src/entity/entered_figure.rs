//! `entered_figure`: a monthly figure staff entered from another of the library's systems.

use sea_orm::entity::prelude::*;

/// What the figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum FigureKind {
    /// Loans of the whole library network (every desk and machine, not only this platform).
    #[sea_orm(string_value = "NETWORK_LOANS")]
    NetworkLoans,
    /// Visits (到馆人次), as the gate counters count them.
    #[sea_orm(string_value = "VISITS")]
    Visits,
}

/// An entered figure.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "entered_figure")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The branch's id, or `LIBRARY` for the whole library.
    pub scope: String,
    /// What it counts.
    pub kind: FigureKind,
    /// The figure.
    pub value: i64,
    /// The staff member who entered it last (none for an operator's import).
    pub entered_by: Option<Uuid>,
    /// When it was last entered.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
