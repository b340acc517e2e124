//! `compartment`: one door of a locker.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};

/// Compartment size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Size {
    /// Small: one or two paperbacks.
    #[sea_orm(string_value = "S")]
    S,
    /// Medium.
    #[sea_orm(string_value = "M")]
    M,
    /// Large: picture books, atlases, several volumes.
    #[sea_orm(string_value = "L")]
    L,
}

/// What a compartment holds right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum State {
    /// Empty and unclaimed.
    #[sea_orm(string_value = "FREE")]
    Free,
    /// Claimed for a parcel on its way.
    #[sea_orm(string_value = "RESERVED")]
    Reserved,
    /// Holds a parcel.
    #[sea_orm(string_value = "OCCUPIED")]
    Occupied,
    /// The door reported a fault.
    #[sea_orm(string_value = "FAULT")]
    Fault,
}

impl State {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Free => "FREE",
            State::Reserved => "RESERVED",
            State::Occupied => "OCCUPIED",
            State::Fault => "FAULT",
        }
    }
}

impl Lifecycle for State {
    const THING: &'static str = "compartment";
    const TITLE: &'static str = "Compartment";
    /// A new locker's doors are empty.
    const BEGINS: &'static [Self] = &[State::Free];
    const MOVES: &'static [(Self, Self)] = &[
        // Claimed for a parcel on its way or a return to be dropped; a door may fail at any time.
        (State::Free, State::Reserved),
        (State::Free, State::Fault),
        // The parcel or the return is in.
        (State::Reserved, State::Occupied),
        (State::Reserved, State::Fault),
        // Taken out: by the reader (a pickup), or by staff (a return, an uncollected parcel).
        (State::Occupied, State::Free),
        (State::Occupied, State::Fault),
        // Reported working again and holding nothing, or emptied while faulty.
        (State::Fault, State::Free),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A compartment row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "compartment")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The locker it belongs to.
    pub locker_id: Uuid,
    /// Door label as the controller knows it, e.g. `A03`.
    pub label: String,
    /// Size.
    pub size: Size,
    /// Current state.
    pub state: State,
    /// Items it can hold (1–3).
    pub capacity: i32,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = State;

    fn state_column() -> Column {
        Column::State
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> State {
        row.state
    }
}
