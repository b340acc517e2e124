//! `pick_task`: one copy to take off a branch's shelf for a request.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use PickStatus::*;

/// Where a pick task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum PickStatus {
    /// On the picking list.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Scanned off the shelf.
    #[sea_orm(string_value = "PICKED")]
    Picked,
    /// The picker could not find the copy.
    #[sea_orm(string_value = "NOT_ON_SHELF")]
    NotOnShelf,
    /// The request went away before the pick.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl PickStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            PickStatus::Open => "OPEN",
            PickStatus::Picked => "PICKED",
            PickStatus::NotOnShelf => "NOT_ON_SHELF",
            PickStatus::Cancelled => "CANCELLED",
        }
    }
}

impl Lifecycle for PickStatus {
    const THING: &'static str = "pick task";
    const TITLE: &'static str = "Pick task";
    /// On the list of the branch whose shelf holds the reserved copy.
    const BEGINS: &'static [Self] = &[Open];
    const MOVES: &'static [(Self, Self)] = &[
        // Scanned; not found on the shelf; its request cancelled before the pick.
        (Open, Picked),
        (Open, NotOnShelf),
        (Open, Cancelled),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A pick task row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pick_task")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The request it serves.
    pub request_id: Uuid,
    /// The reserved copy.
    pub item_id: Uuid,
    /// The branch whose shelf holds it.
    pub branch_id: Uuid,
    /// Status.
    pub status: PickStatus,
    /// Who picked it.
    pub picked_by: Option<Uuid>,
    /// When.
    pub picked_at: Option<DateTimeUtc>,
    /// When it joined the list.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = PickStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> PickStatus {
        row.status
    }
}
