//! Statistics for reports.

use async_graphql::{Context, Object, ID};
use hongyan_domain::{china_time, entered_figures, report, text, Error};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::figures::EnteredFigure;
use crate::types::parse_id;
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
        let branch = branch_id
            .map(|b| parse_id(&b, "branch"))
            .transpose()
            .gql()?;
        let (from, to) = match (from, to, period) {
            (Some(from), Some(to), None) => (from, to),
            (None, None, Some(name)) => china_time::named_period(&name)
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| {
                    Error::validation(text!("stats-period-name", period = name)).in_field("period")
                })
                .gql()?,
            _ => {
                return Err(Error::validation(text!("stats-period-either")).in_field("period"))
                    .gql()
            }
        };
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
        let branch = branch_id
            .map(|b| parse_id(&b, "branch"))
            .transpose()
            .gql()?;
        Ok(entered_figures::of_year(&domain(ctx).db, who, year, branch)
            .await
            .gql()?
            .into_iter()
            .map(EnteredFigure::from)
            .collect())
    }
}
