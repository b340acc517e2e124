//! `budget_movement`: every change to a budget, so its totals can always be re-added.

use sea_orm::entity::prelude::*;

/// What a movement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum MovementKind {
    /// An approval holds the price (committed += amount).
    #[sea_orm(string_value = "COMMIT")]
    Commit,
    /// A rejection or cancellation gives it back (committed -= amount).
    #[sea_orm(string_value = "RELEASE")]
    Release,
    /// Paid (committed -= amount, spent += amount).
    #[sea_orm(string_value = "SPEND")]
    Spend,
    /// The allocation changed (total += amount).
    #[sea_orm(string_value = "ADJUST")]
    Adjust,
}

/// A movement row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_movement")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The budget.
    pub budget_id: Uuid,
    /// The proposal it is for, if any.
    pub proposal_id: Option<Uuid>,
    /// What it does.
    pub kind: MovementKind,
    /// How much.
    pub amount_cents: i64,
    /// The staff member who made it (None: the rules, automatically).
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
