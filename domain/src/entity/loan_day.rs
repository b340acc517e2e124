//! `loan_day`: loans started on one China-time day of copies one branch owns, and loans
//! returned that day at the branch, kept with each loan and return ([`crate::report::counts`]) so a year's loans per day is a few thousand rows.

use sea_orm::entity::prelude::*;

/// One day's loans of one branch's copies.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "loan_day")]
pub struct Model {
    /// The China-time date, `YYYY-MM-DD`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    /// The branch owning the copies lent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: Uuid,
    /// Loans started (of copies the branch owns).
    pub loans: i64,
    /// Loans returned (at the branch).
    pub returns: i64,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
