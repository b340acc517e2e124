//! `locker_event`: the device's event log as received (unique per locker and `event_id`).

use sea_orm::entity::prelude::*;

/// What happened at the locker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum EventKind {
    /// The driver put the parcel in.
    #[sea_orm(string_value = "deposited")]
    Deposited,
    /// The reader took it out with their pickup code.
    #[sea_orm(string_value = "picked_up")]
    PickedUp,
    /// A reader dropped a returned book in.
    #[sea_orm(string_value = "return_dropped")]
    ReturnDropped,
    /// Staff took a parcel or a return out.
    #[sea_orm(string_value = "collected")]
    Collected,
    /// The door jammed or would not close.
    #[sea_orm(string_value = "door_fault")]
    DoorFault,
}

/// An event row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "locker_event")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The locker.
    pub locker_id: Uuid,
    /// The device's id for the event (replays carry the same).
    pub event_id: String,
    /// What happened.
    pub kind: EventKind,
    /// Compartment label.
    pub compartment: String,
    /// Parcel (copy barcode), when the event concerns one.
    pub parcel: Option<String>,
    /// When it happened, by the device's clock.
    pub at: DateTimeUtc,
    /// When the platform received it.
    pub received_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
