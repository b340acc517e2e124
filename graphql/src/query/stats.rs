//! Statistics for reports.

use async_graphql::{Context, Object, ID};
use hongyan_domain::{entered_figures, report};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::figures::EnteredFigure;
use crate::types::parse_branch;
use crate::types::stats::Stats;

/// Statistics queries.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// The figures of a period — `from` to `to` (inclusive China-time dates, `YYYY-MM-DD`),
    /// or a named `period` (`2026`, `2026-H1`, `2026-Q3`, `2026-03`) — for a branch (its
    /// librarians) or, without `branchId`, the whole library (admins).
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The first day, `YYYY-MM-DD` (China time); with `to`, instead of `period`."
        )]
        from: Option<String>,
        #[graphql(
            desc = "The last day, `YYYY-MM-DD` (China time, inclusive): not before `from`, and less than 3,660 days (about ten years) after it."
        )]
        to: Option<String>,
        #[graphql(
            desc = "A named period instead of `from` and `to`: a year `2026`, a half `2026-H1`, a quarter `2026-Q3` or a month `2026-03`."
        )]
        period: Option<String>,
        #[graphql(desc = "The branch; none: the whole library (admins).")] branch_id: Option<ID>,
    ) -> GqlResult<Stats> {
        let who = principal(ctx).gql()?;
        let branch = parse_branch(branch_id).gql()?;
        let (from, to) = report::days_asked(from, to, period.as_deref()).gql()?;
        Ok(Stats(
            report::report(&domain(ctx).db, who, &from, &to, branch)
                .await
                .gql()?,
        ))
    }

    /// The figures entered for `year`'s months from the library's other systems, for a
    /// branch (its librarians) or, without `branchId`, the whole library (admins).
    async fn monthly_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000–2100.")] year: i32,
        #[graphql(desc = "The branch; none: the whole library (admins).")] branch_id: Option<ID>,
    ) -> GqlResult<Vec<EnteredFigure>> {
        let who = principal(ctx).gql()?;
        let branch = parse_branch(branch_id).gql()?;
        Ok(entered_figures::of_year(&domain(ctx).db, who, year, branch)
            .await
            .gql()?
            .into_iter()
            .map(EnteredFigure::from)
            .collect())
    }
}
