//! `purchase_settings`: the library's purchase rules (one row, `default`).

use sea_orm::entity::prelude::*;

/// The settings row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_settings")]
pub struct Model {
    /// Always `default`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The rules, as `purchases::rules::Rules` serialises them.
    pub rules: Json,
    /// The admin who last changed them.
    pub updated_by: Option<Uuid>,
    /// When.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
