//! `locker`: a smart book locker (智能书柜) served from a branch.

use sea_orm::entity::prelude::*;

/// A locker row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "locker")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short code, e.g. `L-XH-01`.
    #[sea_orm(unique)]
    pub code: String,
    /// Display name.
    pub name: String,
    /// The branch whose delivery rounds fill it.
    pub branch_id: Uuid,
    /// Where it stands.
    pub address: String,
    /// WGS-84 latitude.
    pub latitude: Option<f64>,
    /// WGS-84 longitude.
    pub longitude: Option<f64>,
    /// SHA-256 of the controller's device token.
    pub device_token_hash: Option<String>,
    /// Last heartbeat or poll from the controller.
    pub last_seen_at: Option<DateTimeUtc>,
    /// When the row was made.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
