//! `return_ticket`: a reader's announced return (a drop code for a locker).

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use TicketStatus::*;

/// How the book comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ReturnMethod {
    /// At any branch desk.
    #[sea_orm(string_value = "BRANCH")]
    Branch,
    /// Dropped into a smart locker with the ticket's code.
    #[sea_orm(string_value = "LOCKER")]
    Locker,
    /// Picked up by a courier.
    #[sea_orm(string_value = "COURIER")]
    Courier,
}

/// Where a return is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum TicketStatus {
    /// Announced; the code works.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// In the locker: the loan has ended.
    #[sea_orm(string_value = "DROPPED")]
    Dropped,
    /// Staff have it.
    #[sea_orm(string_value = "RECEIVED")]
    Received,
    /// Given up (returned another way).
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl Lifecycle for TicketStatus {
    const THING: &'static str = "return";
    const TITLE: &'static str = "Return ticket";
    const BEGINS: &'static [Self] = &[Open];
    const MOVES: &'static [(Self, Self)] = &[
        // Dropped at the locker (the loan ends); replaced by a new `startReturn` of its loan.
        (Open, Dropped),
        (Open, Cancelled),
        // Collected from the locker by staff.
        (Dropped, Received),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        match self {
            Open => "OPEN",
            Dropped => "DROPPED",
            Received => "RECEIVED",
            Cancelled => "CANCELLED",
        }
    }
}

/// A return ticket row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "return_ticket")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The loan being returned.
    pub loan_id: Uuid,
    /// The keyed hash of the drop code the reader types at the locker (the code itself is
    /// derived from the server secret and never stored: `dispatch::codes`).
    #[sea_orm(column_name = "code")]
    pub code_hash: String,
    /// How.
    pub method: ReturnMethod,
    /// The locker (LOCKER).
    pub locker_id: Option<Uuid>,
    /// Where it is.
    pub status: TicketStatus,
    /// When it was announced.
    pub created_at: DateTimeUtc,
    /// The door it was given at the locker.
    pub compartment_id: Option<Uuid>,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = TicketStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> TicketStatus {
        row.status
    }
}
