//! `vendor`: a bookstore or supplier the library buys from.

use sea_orm::entity::prelude::*;

/// A vendor row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "vendor")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The partner bookstore's branch, for in-store purchases.
    pub branch_id: Option<Uuid>,
    /// Where orders go, when the vendor takes them online.
    pub order_api_base: Option<String>,
    /// When it was added.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
