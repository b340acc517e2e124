//! `courier_event`: a courier's tracking webhook, recorded once per (carrier, event id).

use sea_orm::entity::prelude::*;

/// A tracking event row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "courier_event")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The courier's name.
    pub carrier: String,
    /// The courier's id for the event.
    pub event_id: String,
    /// The waybill.
    pub waybill_no: String,
    /// What the courier said (`IN_TRANSIT`, `DELIVERED`, `FAILED`, …).
    pub status: String,
    /// When it arrived.
    pub received_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
