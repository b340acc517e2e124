//! `item`: one physical copy with a barcode and a shelf place.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use ItemStatus::*;

/// Where a copy is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ItemStatus {
    /// On the shelf, free to lend.
    #[sea_orm(string_value = "AVAILABLE")]
    Available,
    /// Held for a request, still on the shelf.
    #[sea_orm(string_value = "RESERVED")]
    Reserved,
    /// Travelling between places.
    #[sea_orm(string_value = "IN_TRANSIT")]
    InTransit,
    /// Waiting for its reader (hold shelf or locker).
    #[sea_orm(string_value = "ON_HOLD")]
    OnHold,
    /// Lent.
    #[sea_orm(string_value = "ON_LOAN")]
    OnLoan,
    /// Not where it should be.
    #[sea_orm(string_value = "MISSING")]
    Missing,
    /// Taken out of the collection.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

impl ItemStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Available => "AVAILABLE",
            ItemStatus::Reserved => "RESERVED",
            ItemStatus::InTransit => "IN_TRANSIT",
            ItemStatus::OnHold => "ON_HOLD",
            ItemStatus::OnLoan => "ON_LOAN",
            ItemStatus::Missing => "MISSING",
            ItemStatus::Withdrawn => "WITHDRAWN",
        }
    }
}

impl Lifecycle for ItemStatus {
    const THING: &'static str = "copy";
    const TITLE: &'static str = "Copy";
    /// Catalogued onto a shelf (or bought at a bookstore counter); bought for a proposal,
    /// reserved for its proposer.
    const BEGINS: &'static [Self] = &[Available, Reserved];
    const MOVES: &'static [(Self, Self)] = &[
        // Checked in again (released where it is, or home); routed, or scanned instead of
        // the reserved copy; lent at the desk or the bookstore counter.
        (Available, Available),
        (Available, Reserved),
        (Available, InTransit),
        (Available, OnLoan),
        // Another copy was scanned instead, or its request cancelled (then it serves the next
        // reader waiting, or goes home); on the road (transfer, round, waybill); on the hold
        // shelf or deposited; not on the shelf.
        (Reserved, Available),
        (Reserved, Reserved),
        (Reserved, InTransit),
        (Reserved, OnHold),
        (Reserved, Missing),
        // Checked in (released); on to another place (home, back to its branch, another
        // round); on the hold shelf or in the locker; delivered at home.
        (InTransit, Available),
        (InTransit, Reserved),
        (InTransit, InTransit),
        (InTransit, OnHold),
        (InTransit, OnLoan),
        // Not collected (released, or taken out of the locker to travel back); collected.
        (OnHold, Available),
        (OnHold, Reserved),
        (OnHold, InTransit),
        (OnHold, OnLoan),
        // Returned at a desk (released), or dropped at a locker.
        (OnLoan, Available),
        (OnLoan, Reserved),
        (OnLoan, InTransit),
        // Found at a check-in (released).
        (Missing, Available),
        (Missing, Reserved),
        (Missing, InTransit),
        // The library's own system says it is lost (a catalogue import's status).
        (Available, Missing),
        // Withdrawn from the stock (a sync no longer lists it): from a shelf, from a
        // reservation not yet picked (its request is routed again), or missing for good.
        (Available, Withdrawn),
        (Reserved, Withdrawn),
        (Missing, Withdrawn),
        // Listed again by a later import of the library's catalogue: back on its shelf.
        (Withdrawn, Available),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// An item row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "item")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The title it is a copy of.
    pub title_id: Uuid,
    /// Barcode on the copy.
    #[sea_orm(unique)]
    pub barcode: String,
    /// Call number (CLC class / book number), e.g. `I247.5/123`.
    pub call_number: String,
    /// Where in its branch it stands (floor, area or stack), when the catalogue says.
    pub location: Option<String>,
    /// The branch that owns it.
    pub home_branch_id: Uuid,
    /// The branch where it is now.
    pub current_branch_id: Uuid,
    /// Status.
    pub status: ItemStatus,
    /// Whether it is part of the net-lending stock.
    pub net_lending: bool,
    /// Bought at a bookstore counter and not yet catalogued by the library (its barcode is
    /// the store's or a temporary one): the first check-in asks a desk to catalogue it.
    pub uncatalogued: bool,
    /// When the row was made.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// Loans of the copy ever (kept with each loan: `report::counts`).
    pub times_lent: i64,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = ItemStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> ItemStatus {
        row.status
    }
}
