//! `budget`: a fiscal year's book budget, with running totals its movements add up to.

use sea_orm::entity::prelude::*;

/// A budget row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "budget")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The fiscal (calendar) year.
    pub fiscal_year: i32,
    /// Allocated.
    pub total_cents: i64,
    /// Approved, not yet paid.
    pub committed_cents: i64,
    /// Paid.
    pub spent_cents: i64,
    /// When allocated.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
