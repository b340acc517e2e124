//! `loan`: a copy in a reader's hands.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use LoanStatus::*;

/// Where a loan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum LoanStatus {
    /// The reader has the copy.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Returned.
    #[sea_orm(string_value = "RETURNED")]
    Returned,
    /// Declared lost.
    #[sea_orm(string_value = "LOST")]
    Lost,
}

impl LoanStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            LoanStatus::Active => "ACTIVE",
            LoanStatus::Returned => "RETURNED",
            LoanStatus::Lost => "LOST",
        }
    }
}

impl Lifecycle for LoanStatus {
    const THING: &'static str = "loan";
    const TITLE: &'static str = "Loan";
    const BEGINS: &'static [Self] = &[Active];
    const MOVES: &'static [(Self, Self)] = &[
        // Checked in at a desk, or dropped at a locker.
        (Active, Returned),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A loan row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "loan")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The borrower.
    pub reader_id: Uuid,
    /// The copy.
    pub item_id: Uuid,
    /// The request it fulfilled (none for a walk-in desk loan).
    pub request_id: Option<Uuid>,
    /// Status.
    pub status: LoanStatus,
    /// When it started.
    pub checked_out_at: DateTimeUtc,
    /// When it is due back.
    pub due_at: DateTimeUtc,
    /// Renewals so far.
    pub renewals: i32,
    /// When it came back.
    pub returned_at: Option<DateTimeUtc>,
    /// Where it came back.
    pub return_branch_id: Option<Uuid>,
    /// When the overdue sweep flagged it (and told the reader).
    pub overdue_flagged_at: Option<DateTimeUtc>,
    /// When the "due in 3 days" reminder was enqueued (cleared by a renewal).
    pub due_reminded_at: Option<DateTimeUtc>,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = LoanStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> LoanStatus {
        row.status
    }
}
