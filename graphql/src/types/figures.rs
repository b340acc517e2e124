//! Monthly figures staff enter from the library's other systems, and their sums in a report.

use async_graphql::{Enum, SimpleObject, ID};
use hongyan_domain::entered_figures::{self, PeriodFigure};
use hongyan_domain::entity::entered_figure::Model as EnteredFigureRow;

/// What an entered figure counts.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::entity::entered_figure::FigureKind")]
pub enum FigureKind {
    /// Loans of the whole library network (every desk and self-service machine, not only
    /// this platform's).
    NetworkLoans,
    /// Visits (到馆人次), as the gate counters count them.
    Visits,
}

/// A month's figure as staff entered it.
#[derive(SimpleObject)]
pub struct EnteredFigure {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The branch; null for the whole library.
    pub branch_id: Option<ID>,
    /// What it counts.
    pub kind: FigureKind,
    /// The figure.
    pub value: i64,
    /// When it was last entered (RFC 3339).
    pub entered_at: String,
}

impl From<EnteredFigureRow> for EnteredFigure {
    fn from(r: EnteredFigureRow) -> Self {
        EnteredFigure {
            branch_id: (r.scope != entered_figures::LIBRARY).then(|| ID(r.scope.clone())),
            month: r.month,
            kind: r.kind.into(),
            value: r.value,
            entered_at: r.updated_at.to_rfc3339(),
        }
    }
}

/// An entered figure summed over a report's whole months: entered by staff, not measured by
/// the platform.
#[derive(SimpleObject)]
pub struct PeriodEnteredFigure {
    /// What it counts.
    pub kind: FigureKind,
    /// The sum over the months entered.
    pub value: i64,
    /// Whole months in the period (a month the period cuts is not counted).
    pub months: u32,
    /// Of those, the months with the figure entered: fewer than `months` means incomplete.
    pub months_entered: u32,
}

impl From<PeriodFigure> for PeriodEnteredFigure {
    fn from(f: PeriodFigure) -> Self {
        PeriodEnteredFigure {
            kind: f.kind.into(),
            value: f.value,
            months: f.months,
            months_entered: f.months_entered,
        }
    }
}
