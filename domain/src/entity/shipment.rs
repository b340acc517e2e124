//! `shipment`: a copy on the move (transfer between branches, to a locker, to a door, back).

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use ShipmentStatus::*;

/// What kind of journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ShipmentKind {
    /// To a locker on a delivery round.
    #[sea_orm(string_value = "LOCKER")]
    Locker,
    /// To the reader's door by courier.
    #[sea_orm(string_value = "HOME")]
    Home,
    /// Between branches (to a pickup branch, or home after a return elsewhere).
    #[sea_orm(string_value = "TRANSFER")]
    Transfer,
    /// A return on its way back.
    #[sea_orm(string_value = "RETURN")]
    Return,
}

/// Where a shipment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ShipmentStatus {
    /// Booked, not yet moving.
    #[sea_orm(string_value = "CREATED")]
    Created,
    /// Moving.
    #[sea_orm(string_value = "IN_TRANSIT")]
    InTransit,
    /// Arrived.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Did not arrive.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Called off.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl Lifecycle for ShipmentStatus {
    const THING: &'static str = "shipment";
    const TITLE: &'static str = "Shipment";
    /// LOCKER, HOME and RETURN shipments are booked first; a TRANSFER leaves at once.
    const BEGINS: &'static [Self] = &[Created, InTransit];
    const MOVES: &'static [(Self, Self)] = &[
        // The round starts or the waybill is booked; a LOCKER parcel deposited before its
        // round started, or re-dispatched after a door fault.
        (Created, InTransit),
        (Created, Delivered),
        (Created, Cancelled),
        // Arrived (deposited, checked in, delivered at the door, a return at its branch); not
        // delivered (HOME, RETURN); a LOCKER parcel re-dispatched after a door fault.
        (InTransit, Delivered),
        (InTransit, Failed),
        (InTransit, Cancelled),
        // A RETURN's courier changes its word: tracking is applied as it comes.
        (Delivered, Failed),
        (Failed, Delivered),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        match self {
            Created => "CREATED",
            InTransit => "IN_TRANSIT",
            Delivered => "DELIVERED",
            Failed => "FAILED",
            Cancelled => "CANCELLED",
        }
    }
}

/// A shipment row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The request it delivers, if any.
    pub request_id: Option<Uuid>,
    /// The loan it returns, if any.
    pub loan_id: Option<Uuid>,
    /// Kind.
    pub kind: ShipmentKind,
    /// Status.
    pub status: ShipmentStatus,
    /// Delivery round (LOCKER).
    pub round_id: Option<Uuid>,
    /// Compartment (LOCKER).
    pub compartment_id: Option<Uuid>,
    /// From branch.
    pub from_branch_id: Option<Uuid>,
    /// To branch.
    pub to_branch_id: Option<Uuid>,
    /// Courier company.
    pub carrier: Option<String>,
    /// Courier's waybill number.
    pub waybill_no: Option<String>,
    /// Fee in cents.
    pub fee_cents: i32,
    /// Whether the library waives the fee.
    pub fee_waived: bool,
    /// When booked.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = ShipmentStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> ShipmentStatus {
        row.status
    }
}
