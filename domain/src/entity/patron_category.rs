//! `patron_category`: a kind of reader with its own lending terms.

use sea_orm::entity::prelude::*;

/// A category row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patron_category")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short code, unique, e.g. `ADULT`, `CHILD`, `STUDENT`.
    pub code: String,
    /// Name staff and readers see, e.g. 成人证.
    pub name: String,
    /// Loans a reader of it may hold at once.
    pub max_loans: i32,
    /// Requests a reader of it may have open at once.
    pub max_open_requests: i32,
    /// Loan period in days (and what a renewal adds).
    pub loan_days: i32,
    /// Renewals per loan.
    pub max_renewals: i32,
    /// The library's default, for readers given no category.
    pub is_default: bool,
    /// When it was made.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
