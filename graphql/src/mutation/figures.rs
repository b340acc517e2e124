//! Entering and importing monthly figures from the library's other systems.

use async_graphql::{Context, Object, SimpleObject, ID};
use hongyan_domain::entered_figures::{self, MonthFigures};
use hongyan_domain::entity::entered_figure::FigureKind;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::mutation::patrons::ImportRejection;
use crate::types::figures::EnteredFigure;
use crate::types::parse_branch;

/// What an import of monthly figures did.
#[derive(SimpleObject)]
pub struct FiguresImport {
    /// Figures stored (a row may hold two).
    pub stored: u64,
    /// Rows refused.
    pub rejected: Vec<ImportRejection>,
}

/// Mutations of entered figures.
#[derive(Default)]
pub struct FiguresMutation;

#[Object]
impl FiguresMutation {
    /// Enters a month's figures from the library's other systems, for a branch (its
    /// librarians) or the whole library (admins), audited; a figure entered again replaces
    /// the earlier one. Returns the month's figures for that scope.
    async fn enter_monthly_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM` (2000–2100).")] month: String,
        #[graphql(desc = "The branch; none: the whole library (admins).")] branch_id: Option<ID>,
        #[graphql(desc = "Loans of the whole network that month, 0 to a trillion.")]
        network_loans: Option<i64>,
        #[graphql(desc = "Visits (到馆人次) that month, 0 to a trillion.")] visits: Option<i64>,
    ) -> GqlResult<Vec<EnteredFigure>> {
        let who = principal(ctx).gql()?;
        let branch = parse_branch(branch_id).gql()?;
        let values = [
            (FigureKind::NetworkLoans, network_loans),
            (FigureKind::Visits, visits),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
        let figures = MonthFigures {
            month,
            branch,
            values,
        };
        Ok(entered_figures::enter(domain(ctx), who, figures)
            .await
            .gql()?
            .into_iter()
            .map(EnteredFigure::from)
            .collect())
    }

    /// Imports monthly figures from CSV (admins; audited): a header naming `month` (月份),
    /// optionally `branch` (分馆代码; empty for the whole library), and `network_loans`
    /// (全网借阅) and/or `visits` (到馆人次). Bad rows are reported by line, the rest stored.
    async fn import_monthly_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The CSV text (UTF-8, at most 256 KiB and 12,000 rows).")] csv: String,
    ) -> GqlResult<FiguresImport> {
        let who = principal(ctx).gql()?;
        let done = entered_figures::import_csv(domain(ctx), who, &csv)
            .await
            .gql()?;
        Ok(FiguresImport {
            stored: done.stored,
            rejected: done
                .rejected
                .into_iter()
                .map(|(line, reason)| ImportRejection { line, reason })
                .collect(),
        })
    }
}
