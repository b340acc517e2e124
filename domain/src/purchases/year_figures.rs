//! The figures libraries report about "you read, we pay" for a fiscal (China-time calendar)
//! year: proposals by outcome, channel and the rule that rejected them; the budget and what
//! each channel spent of it; and how copies bought on demand circulate against the rest of
//! the year's acquisitions. Every figure is one SQL aggregate; no rows are loaded to count.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{DbBackend, FromQueryResult};

use super::ProposalStatus;
use crate::auth::{Principal, StaffRole};
use crate::entity::budget::{self, Model as Budget};
use crate::{china_time, infra::db, Error, Result};

/// A figure per key (a status, a channel, a rule).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Count {
    /// What is counted.
    pub key: String,
    /// How many (or how many cents).
    pub n: i64,
}

/// How a group of copies acquired in the year circulates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromQueryResult)]
pub struct Circulation {
    /// Copies catalogued in the year.
    pub items: i64,
    /// Of those, copies lent at least once.
    pub lent: i64,
    /// Copies lent at least once to a reader who did not propose them.
    pub lent_to_others: i64,
    /// Loans of those copies.
    pub loans: i64,
}

/// One year's figures.
#[derive(Debug, Clone)]
pub struct Stats {
    /// The fiscal year.
    pub year: i32,
    /// Proposals made in the year, by current status.
    pub by_status: Vec<Count>,
    /// Proposals made in the year, by channel.
    pub by_channel: Vec<Count>,
    /// Rejected proposals by the rule that failed (one proposal may fail several);
    /// `librarian` for rejections on review.
    pub rejected_by_rule: Vec<Count>,
    /// The year's budget, if one was allocated.
    pub budget: Option<Budget>,
    /// Cents spent from the year's budget, by channel.
    pub spent_by_channel: Vec<Count>,
    /// Copies bought on readers' proposals.
    pub bought_on_demand: Circulation,
    /// Every other copy catalogued in the year.
    pub other_acquisitions: Circulation,
}

impl Stats {
    /// Proposals made in the year.
    pub fn proposals(&self) -> i64 {
        self.by_status.iter().map(|c| c.n).sum()
    }

    /// Proposals approved (by the rules or a librarian), whatever happened to them since.
    pub fn approved(&self) -> i64 {
        let approved = [
            ProposalStatus::Approved,
            ProposalStatus::Ordered,
            ProposalStatus::Received,
            ProposalStatus::Loaned,
        ]
        .map(ProposalStatus::as_str);
        self.of_status(&approved)
    }

    /// Proposals rejected.
    pub fn rejected(&self) -> i64 {
        self.of_status(&[ProposalStatus::Rejected.as_str()])
    }

    fn of_status(&self, statuses: &[&str]) -> i64 {
        self.by_status
            .iter()
            .filter(|c| statuses.contains(&c.key.as_str()))
            .map(|c| c.n)
            .sum()
    }
}

/// The figures for fiscal `year` (librarians and admins).
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION for an implausible year.
pub async fn of_year(db: &impl ConnectionTrait, who: &Principal, year: i32) -> Result<Stats> {
    who.require_staff(&[StaffRole::Librarian])?;
    let bounds = (2000..=2100)
        .contains(&year)
        .then(|| china_time::month_start(year, 1).zip(china_time::month_start(year + 1, 1)))
        .flatten()
        .ok_or_else(|| Error::validation(text!("fiscal-year-range")).in_field("fiscalYear"))?;
    let window = || [bounds.0.into(), bounds.1.into()];
    let counts = |sql: String| Count::find_by_statement(db::statement(db, sql, window())).all(db);
    let by_status = proposals_by(db, bounds, Grouping::Status).await?;
    let by_channel = proposals_by(db, bounds, Grouping::Channel).await?;
    let rejected_by_rule = counts(rejections_sql(db.get_database_backend())).await?;
    let budget = budget::Entity::find()
        .filter(budget::Column::FiscalYear.eq(year))
        .one(db)
        .await?;
    let spent_by_channel = Count::find_by_statement(db::statement(
        db,
        "SELECT p.channel AS key, CAST(sum(m.amount_cents) AS BIGINT) AS n \
         FROM budget_movement m JOIN budget b ON b.id = m.budget_id \
         JOIN purchase_proposal p ON p.id = m.proposal_id \
         WHERE b.fiscal_year = $1 AND m.kind = 'SPEND' GROUP BY p.channel ORDER BY key",
        [year.into()],
    ))
    .all(db)
    .await?;
    let (bought_on_demand, other_acquisitions) = circulation(db, bounds, None).await?;
    Ok(Stats {
        year,
        by_status,
        by_channel,
        rejected_by_rule,
        budget,
        spent_by_channel,
        bought_on_demand,
        other_acquisitions,
    })
}

/// Proposals and purchase spending of any window of time (a report's period): the figures
/// of [`Stats`] that do not hang on a fiscal year's budget.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Proposals made in the window, by current status.
    pub by_status: Vec<Count>,
    /// Proposals made in the window, by channel.
    pub by_channel: Vec<Count>,
    /// Proposals made in the window and rejected, by the rule that failed (`librarian`: on
    /// review).
    pub rejected_by_rule: Vec<Count>,
    /// Cents spent in the window (whatever the budget's year), by channel.
    pub spent_by_channel: Vec<Count>,
    /// Readers a proposal of theirs bought a book for, lent to them in the window.
    pub readers_served: i64,
}

/// The proposals and spending of `window`.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn activity(
    db: &impl ConnectionTrait,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Activity> {
    let counts = |sql: String| {
        Count::find_by_statement(db::statement(db, sql, [window.0.into(), window.1.into()])).all(db)
    };
    let spent_by_channel = counts(
        "SELECT p.channel AS key, CAST(sum(m.amount_cents) AS BIGINT) AS n          FROM budget_movement m JOIN purchase_proposal p ON p.id = m.proposal_id          WHERE m.kind = 'SPEND' AND m.at >= $1 AND m.at < $2 GROUP BY p.channel ORDER BY key"
            .into(),
    )
    .await?;
    let served = counts(
        "SELECT 'served' AS key, count(DISTINCT p.reader_id) AS n FROM purchase_proposal p          JOIN loan l ON l.item_id = p.item_id AND l.reader_id = p.reader_id          WHERE l.checked_out_at >= $1 AND l.checked_out_at < $2"
            .into(),
    )
    .await?;
    Ok(Activity {
        by_status: proposals_by(db, window, Grouping::Status).await?,
        by_channel: proposals_by(db, window, Grouping::Channel).await?,
        rejected_by_rule: counts(rejections_sql(db.get_database_backend())).await?,
        spent_by_channel,
        readers_served: served.first().map_or(0, |c| c.n),
    })
}

/// What proposals are counted by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Grouping {
    /// Their current status.
    Status,
    /// How they were made.
    Channel,
}

/// Proposals made in `window`, per status or channel, most first.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn proposals_by(
    db: &impl ConnectionTrait,
    window: (DateTime<Utc>, DateTime<Utc>),
    by: Grouping,
) -> Result<Vec<Count>> {
    let column = match by {
        Grouping::Status => "status",
        Grouping::Channel => "channel",
    };
    Ok(Count::find_by_statement(db::statement(
        db,
        format!(
            "SELECT {column} AS key, count(*) AS n FROM purchase_proposal \
             WHERE created_at >= $1 AND created_at < $2 GROUP BY {column} ORDER BY n DESC, key"
        ),
        [window.0.into(), window.1.into()],
    ))
    .all(db)
    .await?)
}

/// Rejected proposals of the window per failed rule, plus those a librarian rejected.
/// Reading the stored rule results is the one place the two databases spell differently.
fn rejections_sql(backend: DbBackend) -> String {
    let (elements, field): (&str, fn(&str) -> String) = match backend {
        DbBackend::Sqlite => ("json_each(p.rule_results) r", |f| {
            format!("json_extract(r.value, '$.{f}')")
        }),
        _ => ("json_array_elements(p.rule_results::json) r", |f| {
            format!("(r ->> '{f}')")
        }),
    };
    format!(
        "SELECT key, n FROM ( \
           SELECT {rule} AS key, count(*) AS n FROM purchase_proposal p, {elements} \
            WHERE p.status = 'REJECTED' AND p.created_at >= $1 AND p.created_at < $2 \
              AND {outcome} = 'FAIL' GROUP BY {rule} \
           UNION ALL \
           SELECT 'librarian' AS key, count(*) AS n FROM purchase_proposal p \
            WHERE p.status = 'REJECTED' AND p.created_at >= $1 AND p.created_at < $2 \
              AND p.reviewed_by IS NOT NULL \
         ) t WHERE n > 0 ORDER BY n DESC, key",
        rule = field("rule"),
        outcome = field("outcome"),
    )
}

/// How the copies catalogued in `window` (at `branch`, or anywhere) circulate: those bought
/// on readers' proposals, and the rest.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn circulation(
    db: &impl ConnectionTrait,
    window: (DateTime<Utc>, DateTime<Utc>),
    branch: Option<Uuid>,
) -> Result<(Circulation, Circulation)> {
    let rows = CirculationRow::find_by_statement(db::statement(
        db,
        CIRCULATION,
        [window.0.into(), window.1.into(), branch.into()],
    ))
    .all(db)
    .await?;
    let group = |on_demand: i64| {
        rows.iter()
            .find(|r| r.on_demand == on_demand)
            .map(|r| r.figures)
            .unwrap_or_default()
    };
    Ok((group(1), group(0)))
}

/// Per copy catalogued in the window: bought on demand or not, its loans (`times_lent`, kept
/// with each loan), and its loans to readers who did not propose it (only a bought copy has a
/// proposer to leave out, so only those are counted loan by loan); summed per group.
pub(crate) const CIRCULATION: &str = "\
SELECT CAST(on_demand AS BIGINT) AS on_demand, CAST(count(*) AS BIGINT) AS items, \
       CAST(sum(CASE WHEN loans > 0 THEN 1 ELSE 0 END) AS BIGINT) AS lent, \
       CAST(sum(CASE WHEN others > 0 THEN 1 ELSE 0 END) AS BIGINT) AS lent_to_others, \
       CAST(sum(loans) AS BIGINT) AS loans \
FROM ( \
  SELECT on_demand, loans, \
         CASE WHEN on_demand = 0 THEN loans ELSE ( \
           SELECT count(*) FROM loan l WHERE l.item_id = x.id AND NOT EXISTS ( \
             SELECT 1 FROM purchase_proposal p \
              WHERE p.item_id = x.id AND p.reader_id = l.reader_id)) END AS others \
  FROM ( \
    SELECT i.id, i.times_lent AS loans, \
           CASE WHEN EXISTS (SELECT 1 FROM purchase_proposal p WHERE p.item_id = i.id) \
                THEN 1 ELSE 0 END AS on_demand \
      FROM item i WHERE i.created_at >= $1 AND i.created_at < $2 \
       AND ($3 IS NULL OR i.home_branch_id = $3) \
  ) x \
) y GROUP BY on_demand";

#[derive(FromQueryResult)]
struct CirculationRow {
    on_demand: i64,
    #[sea_orm(nested)]
    figures: Circulation,
}
