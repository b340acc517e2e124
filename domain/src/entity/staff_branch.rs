//! `staff_branch`: the branches a staff member's role applies to.

use sea_orm::entity::prelude::*;

/// A staff-to-branch scope row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_branch")]
pub struct Model {
    /// The staff member.
    #[sea_orm(primary_key, auto_increment = false)]
    pub staff_id: Uuid,
    /// A branch in their scope.
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: Uuid,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
