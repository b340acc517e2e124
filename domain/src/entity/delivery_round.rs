//! `delivery_round`: one van trip from a branch to a locker with the parcels for it.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use RoundStatus::*;

/// Where a round is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RoundStatus {
    /// Collecting parcels.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// The van left; the locker has its deposit commands.
    #[sea_orm(string_value = "STARTED")]
    Started,
    /// Every parcel deposited (or taken back).
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}

impl RoundStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Open => "OPEN",
            RoundStatus::Started => "STARTED",
            RoundStatus::Completed => "COMPLETED",
        }
    }
}

impl Lifecycle for RoundStatus {
    const THING: &'static str = "delivery round";
    const TITLE: &'static str = "Delivery round";
    const BEGINS: &'static [Self] = &[Open];
    const MOVES: &'static [(Self, Self)] = &[
        // The van leaves; every parcel deposited or taken off the round.
        (Open, Started),
        (Started, Completed),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A delivery round row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_round")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The branch the van leaves from.
    pub branch_id: Uuid,
    /// The locker it serves.
    pub locker_id: Uuid,
    /// Where it is.
    pub status: RoundStatus,
    /// When the van left.
    pub started_at: Option<DateTimeUtc>,
    /// When the round was opened.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = RoundStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> RoundStatus {
        row.status
    }
}
