//! The figures managers put in reports, for a period of China-time days and optionally one
//! branch: readers, loans per day, requests and deliveries by method, the median time from
//! request to ready, locker use, proposals and budget burn, and how new books circulate.
//! Each figure is an SQL aggregate (only one row per day, method or locker comes back);
//! the few places where PostgreSQL and SQLite spell things differently are in [`Dialect`].
//! Librarians take the figures away as a CSV table ([`Report::csv`]) or an Excel workbook
//! ([`workbook`]), both in Simplified Chinese with money in yuan.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Alias;
use sea_orm::{
    AccessMode, DatabaseTransaction, DbBackend, FromQueryResult, IsolationLevel, Iterable,
    QuerySelect, TransactionTrait,
};

use crate::auth::{Principal, StaffRole};
use crate::entered_figures::PeriodFigure;
use crate::entity::budget;
use crate::entity::budget_movement::{self, MovementKind};
use crate::entity::entered_figure::FigureKind;
use crate::entity::item::{self, ItemStatus};
use crate::i18n::Text;
use crate::lending::DeliveryMethod;
use crate::purchases::year_figures::{activity, circulation, Activity, Circulation, Count};
use crate::{china_time, infra::db, Error, Result};

pub mod counts;
mod csv;
pub mod words;
pub mod workbook;

/// The longest period one report covers.
const MAX_DAYS: u64 = 3_660;

/// How many titles and classes the top lists hold.
pub const TOP: i64 = 10;

/// How long requests of one delivery method took to become ready.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyTimes {
    /// The delivery method.
    pub method: DeliveryMethod,
    /// Median seconds from request to ready.
    pub median_secs: Option<f64>,
    /// 90th-percentile seconds (nearest rank) from request to ready.
    pub p90_secs: Option<f64>,
}

/// A title and how often it was requested.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct TopTitle {
    /// The title.
    pub title_id: Uuid,
    /// Its name.
    pub title: String,
    /// Requests made in the period.
    pub n: i64,
}

/// One month's figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// The month's first day (or the period's first day, for a period starting mid-month).
    pub first_day: NaiveDate,
    /// The figure.
    pub n: i64,
}

/// One day's figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// The China-time date.
    pub day: NaiveDate,
    /// The figure.
    pub n: i64,
}

/// How one locker was used in the period.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct LockerUse {
    /// The locker.
    pub locker_id: Uuid,
    /// Its code.
    pub code: String,
    /// Its display name.
    pub name: String,
    /// Its compartments.
    pub compartments: i64,
    /// Compartments holding or awaiting a parcel now.
    pub in_use: i64,
    /// Parcels deposited in the period.
    pub deposits: i64,
}

impl LockerUse {
    /// Deposits per compartment per day of a period of `days` (0 without compartments).
    pub fn turns_per_door_day(&self, days: i64) -> f64 {
        let doors = self.compartments * days;
        if doors == 0 {
            return 0.0;
        }
        ratio(self.deposits, doors)
    }
}

/// `a / b` as a float (counts here are far below 2^52, so nothing is lost).
#[allow(clippy::cast_precision_loss)]
pub fn ratio(a: i64, b: i64) -> f64 {
    a as f64 / b as f64
}

/// A period's figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// The branch, or None for the whole library.
    pub branch: Option<Uuid>,
    /// Readers registered by the end of the period (of a branch: the readers counted at it,
    /// see [`READER_BRANCH`]).
    pub readers: i64,
    /// Readers registered in the period (of a branch: as for `readers`).
    pub new_readers: i64,
    /// Cards issued in the period that lend at once without a deposit (信用办证; of a branch:
    /// as for `readers`).
    pub new_credit_cards: i64,
    /// Readers registered each day (every day of the period, zeros included; of a branch: as
    /// for `readers`).
    pub new_readers_per_day: Vec<Day>,
    /// Loans started each day (every day of the period, zeros included).
    pub loans_per_day: Vec<Day>,
    /// Loans returned each day (of a branch: returned there; every day, zeros included).
    pub returns_per_day: Vec<Day>,
    /// Requests made, by delivery method.
    pub requests_by_method: Vec<Count>,
    /// Requests fulfilled (lent), by delivery method.
    pub deliveries_by_method: Vec<Count>,
    /// Median seconds from request to ready (at a locker or branch, or delivered home), of
    /// requests that became ready in the period.
    pub median_secs_to_ready: Option<f64>,
    /// Median and 90th-percentile seconds from request to ready, per delivery method (every
    /// method, None where no request of it became ready in the period).
    pub secs_to_ready_by_method: Vec<ReadyTimes>,
    /// The titles requested most in the period (at most [`TOP`]), most first.
    pub top_titles: Vec<TopTitle>,
    /// The CLC main classes (the class number's first letter, `?` without one) requested
    /// most in the period (at most [`TOP`]), most first.
    pub top_classes: Vec<Count>,
    /// Locker holds that became ready in the period.
    pub locker_holds: i64,
    /// Locker holds that expired uncollected in the period.
    pub locker_holds_expired: i64,
    /// Lockers (of the branch).
    pub lockers: Vec<LockerUse>,
    /// Proposals made in the period (by status, channel, rule that rejected them), spending by
    /// channel, and readers served.
    pub purchases: Activity,
    /// Requests made each day (every day of the period, zeros included).
    pub requests_per_day: Vec<Day>,
    /// Copies in the net-lending stock now (of the branch): in the collection, flagged for
    /// net lending. The stock has no history, so this is today's, whatever the period.
    pub net_lending_copies: i64,
    /// Figures staff entered from the library's other systems, summed over the period's whole
    /// months ([`crate::entered_figures::for_period`]).
    pub entered: Vec<PeriodFigure>,

    /// Budget spent in the period (cents).
    pub budget_spent_cents: i64,
    /// The budget of the fiscal year the period ends in, if allocated.
    pub budget: Option<budget::Model>,
    /// Copies catalogued in the period bought on readers' proposals.
    pub new_on_demand: Circulation,
    /// Every other copy catalogued in the period.
    pub new_other: Circulation,
}

impl Report {
    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Loans in the period.
    pub fn loans(&self) -> i64 {
        self.loans_per_day.iter().map(|d| d.n).sum()
    }

    /// Loans started per calendar month of the period (every month, zeros included).
    pub fn loans_per_month(&self) -> Vec<Month> {
        by_month(&self.loans_per_day)
    }

    /// Loans returned in the period.
    pub fn returns(&self) -> i64 {
        self.returns_per_day.iter().map(|d| d.n).sum()
    }

    /// Loans returned per calendar month of the period (every month, zeros included).
    pub fn returns_per_month(&self) -> Vec<Month> {
        by_month(&self.returns_per_day)
    }

    /// The platform's share of the whole network's loans (`loans` / entered network loans),
    /// when the period is whole months and the network's loans were entered for every one.
    pub fn platform_share_of_network_loans(&self) -> Option<f64> {
        let whole = self.from.day() == 1 && self.to.succ_opt().is_some_and(|d| d.day() == 1);
        self.entered
            .iter()
            .find(|f| f.kind == FigureKind::NetworkLoans && f.complete() && f.value > 0)
            .filter(|_| whole)
            .map(|n| ratio(self.loans(), n.value))
    }

    /// Readers registered per calendar month of the period (every month, zeros included).
    pub fn new_readers_per_month(&self) -> Vec<Month> {
        by_month(&self.new_readers_per_day)
    }

    /// Requests made per calendar month of the period (every month, zeros included).
    pub fn requests_per_month(&self) -> Vec<Month> {
        by_month(&self.requests_per_day)
    }

    /// Locker holds expired per locker hold ready in the period (None without holds).
    pub fn locker_expiry_rate(&self) -> Option<f64> {
        (self.locker_holds > 0).then(|| ratio(self.locker_holds_expired, self.locker_holds))
    }

    /// Requests made in the period.
    pub fn requests(&self) -> i64 {
        self.requests_by_method.iter().map(|c| c.n).sum()
    }

    /// Requests fulfilled (lent) in the period.
    pub fn deliveries(&self) -> i64 {
        self.deliveries_by_method.iter().map(|c| c.n).sum()
    }

    /// The headline figures, in the order the exports list them: the same figures for every
    /// period, so two periods' lists line up row by row.
    pub fn headline(&self) -> Vec<Figure> {
        let new_items = self.new_on_demand.items + self.new_other.items;
        let new_lent = self.new_on_demand.lent + self.new_other.lent;
        vec![
            Figure::new(text!("stats-readers"), Amount::Count(self.readers)),
            Figure::new(text!("stats-new-readers"), Amount::Count(self.new_readers)),
            Figure::new(
                text!("stats-new-credit-cards"),
                Amount::Count(self.new_credit_cards),
            ),
            Figure::new(text!("stats-loans"), Amount::Count(self.loans())),
            Figure::new(text!("stats-returns"), Amount::Count(self.returns())),
            Figure::new(text!("stats-requests"), Amount::Count(self.requests())),
            Figure::new(text!("stats-deliveries"), Amount::Count(self.deliveries())),
            Figure::new(
                text!("stats-median-hours"),
                Amount::Hours(words::hours(self.median_secs_to_ready)),
            ),
            Figure::new(
                text!("stats-locker-holds"),
                Amount::Count(self.locker_holds),
            ),
            Figure::new(
                text!("stats-locker-expired"),
                Amount::Count(self.locker_holds_expired),
            ),
            Figure::new(
                text!("stats-locker-expiry-rate"),
                Amount::Share(self.locker_expiry_rate()),
            ),
            Figure::new(
                text!("stats-proposals"),
                Amount::Count(self.purchases.by_status.iter().map(|c| c.n).sum()),
            ),
            Figure::new(
                text!("stats-readers-served"),
                Amount::Count(self.purchases.readers_served),
            ),
            Figure::new(
                text!("stats-budget-spent"),
                Amount::Cents(self.budget_spent_cents),
            ),
            Figure::new(text!("stats-new-items"), Amount::Count(new_items)),
            Figure::new(text!("stats-new-items-lent"), Amount::Count(new_lent)),
        ]
    }
}

/// Daily figures summed per calendar month (a month the period cuts counts its days inside).
fn by_month(days: &[Day]) -> Vec<Month> {
    let mut months: Vec<Month> = Vec::new();
    for d in days {
        match months.last_mut() {
            Some(m)
                if (m.first_day.year(), m.first_day.month()) == (d.day.year(), d.day.month()) =>
            {
                m.n += d.n;
            }
            _ => months.push(Month {
                first_day: d.day,
                n: d.n,
            }),
        }
    }
    months
}

/// A headline figure of the report: its name and its amount.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What it counts (its name says the unit when it is not a count).
    pub name: Text,
    /// How much.
    pub amount: Amount,
}

impl Figure {
    fn new(name: Text, amount: Amount) -> Self {
        Figure { name, amount }
    }
}

/// A figure's amount, by the kind of number it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// A number of people, loans or things.
    Count(i64),
    /// Money, in cents (shown in yuan).
    Cents(i64),
    /// Hours (None: nothing to measure).
    Hours(Option<f64>),
    /// A share of a whole, 0 to 1 (None: no whole).
    Share(Option<f64>),
    /// Any other number (turns per door per day).
    Decimal(f64),
}

impl Amount {
    /// The amount as a spreadsheet number (yuan for money), None when there is none.
    pub fn number(self) -> Option<f64> {
        match self {
            Amount::Count(n) => Some(ratio(n, 1)),
            Amount::Cents(c) => Some(words::yuan_number(c)),
            Amount::Hours(h) | Amount::Share(h) => h,
            Amount::Decimal(x) => Some(x),
        }
    }

    /// The amount as CSV text: counts as they are, yuan and hours with two decimals, shares
    /// as percentages with one, other numbers with three (empty when there is none).
    pub fn text(self) -> String {
        match self {
            Amount::Count(n) => n.to_string(),
            Amount::Cents(c) => words::yuan(c),
            Amount::Hours(h) => h.map(|h| format!("{h:.2}")).unwrap_or_default(),
            Amount::Share(s) => s.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_default(),
            Amount::Decimal(x) => format!("{x:.3}"),
        }
    }
}

/// How the two databases spell dates and intervals.
struct Dialect(DbBackend);

impl Dialect {
    /// The China-time date of timestamp `col`, as `YYYY-MM-DD` text.
    fn day(&self, col: &str) -> String {
        match self.0 {
            DbBackend::Sqlite => format!("strftime('%Y-%m-%d', {col}, '+8 hours')"),
            _ => format!("to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"),
        }
    }

    /// Per `method` of `sql`'s rows and (method `''`) for all: the median (the mean of the
    /// middle two for an even count) and the 90th percentile (nearest rank: the smallest value
    /// at least 90% of the values do not exceed) of column `s`. PostgreSQL has ordered-set
    /// aggregates for it (three times faster than ranking every row over the benchmark's city);
    /// SQLite ranks the rows.
    fn median_and_p90(&self, sql: &str) -> String {
        match self.0 {
            DbBackend::Sqlite => format!(
                "WITH v AS ({sql}), ranked AS ( \
                   SELECT method, s, row_number() OVER (PARTITION BY method ORDER BY s) AS k, \
                          count(*) OVER (PARTITION BY method) AS n FROM v \
                   UNION ALL \
                   SELECT '' AS method, s, row_number() OVER (ORDER BY s) AS k, \
                          count(*) OVER () AS n FROM v \
                 ) SELECT method, avg(CASE WHEN k = (n + 1) / 2 OR k = n / 2 + 1 THEN s END) \
                     AS median, max(CASE WHEN k = (n * 9 + 9) / 10 THEN s END) AS p90 \
                 FROM ranked GROUP BY method"
            ),
            _ => format!(
                "SELECT COALESCE(method, '') AS method, \
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS median, \
                   percentile_disc(0.9) WITHIN GROUP (ORDER BY s) AS p90 \
                 FROM ({sql}) v GROUP BY ROLLUP (method)"
            ),
        }
    }

    /// Seconds from timestamp `a` to timestamp `b`, as a double.
    fn seconds(&self, a: &str, b: &str) -> String {
        match self.0 {
            DbBackend::Sqlite => format!("((julianday({b}) - julianday({a})) * 86400.0)"),
            _ => format!("CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS DOUBLE PRECISION)"),
        }
    }
}

/// The report's statements, as the server runs them: `$1` and `$2` are the period's first
/// and end instants, `$3` the branch (NULL for the whole library). Public so the report
/// benchmark times the very statements the server runs.
#[derive(Debug, Clone)]
pub struct Statements {
    /// Readers registered by the end of the period, per day registered in it (NULL: before
    /// it), with the cards issued on credit in the period ([`READER_BRANCH`]); an account
    /// merged into another is the same person, counted once (as the one kept).
    pub readers: String,
    /// Loans (of the branch's copies) and returns (at the branch) per day, from the counts
    /// kept with each loan and return ([`counts`]).
    pub loans_per_day: String,
    /// Requests made, per day and delivery method.
    pub requests: String,
    /// Per delivery method, requests lent, ready and expired in the period (the request's
    /// milestones).
    pub milestones: String,
    /// The median and 90th percentile of the seconds from request to ready, per delivery
    /// method and (method `''`) for all ([`ReadyTime`]).
    pub ready_times: String,
    /// The titles requested most.
    pub top_titles: String,
    /// The CLC main classes requested most.
    pub top_classes: String,
    /// Each locker's doors, doors in use and deposits.
    pub lockers: String,
}

/// A request's branches: where it is picked up or was sent from.
const MINE: &str = "($3 IS NULL OR r.pickup_branch_id = $3 OR r.source_branch_id = $3)";

impl Statements {
    /// The statements as `backend` spells them.
    pub fn new(backend: DbBackend) -> Self {
        let dialect = Dialect(backend);
        let requested = format!(
            "SELECT r.title_id, count(*) AS n FROM loan_request r \
             WHERE r.created_at >= $1 AND r.created_at < $2 AND {MINE} GROUP BY r.title_id"
        );
        let ready = format!(
            "SELECT r.delivery_method AS method, {secs} AS s FROM loan_request r \
             WHERE r.ready_at >= $1 AND r.ready_at < $2 AND {MINE}",
            secs = dialect.seconds("r.created_at", "r.ready_at"),
        );
        let within = |col: &str| format!("({col} >= $1 AND {col} < $2)");
        let count_of = |cond: &str| {
            format!("CAST(COALESCE(sum(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")
        };
        Statements {
            readers: format!(
                "SELECT CASE WHEN rd.created_at >= $1 THEN {joined} END AS day, count(*) AS n, \
                   CAST(sum(CASE WHEN rd.credit_card_at >= $1 AND rd.credit_card_at < $2 \
                     THEN 1 ELSE 0 END) AS BIGINT) AS credit \
                 FROM reader rd WHERE rd.created_at < $2 AND rd.merged_into IS NULL \
                   AND ($3 IS NULL OR {READER_BRANCH} = $3) \
                 GROUP BY CASE WHEN rd.created_at >= $1 THEN {joined} END",
                joined = dialect.day("rd.created_at"),
            ),
            loans_per_day: format!(
                "SELECT d.day AS day, CAST(sum(d.loans) AS BIGINT) AS loans, \
                   CAST(sum(d.returns) AS BIGINT) AS returns FROM loan_day d \
                 WHERE d.day >= {} AND d.day < {} AND ($3 IS NULL OR d.branch_id = $3) \
                 GROUP BY d.day",
                dialect.day("$1"),
                dialect.day("$2"),
            ),
            requests: format!(
                "SELECT {day} AS day, r.delivery_method AS method, count(*) AS n \
                 FROM loan_request r WHERE r.created_at >= $1 AND r.created_at < $2 AND {MINE} \
                 GROUP BY {day}, r.delivery_method",
                day = dialect.day("r.created_at"),
            ),
            milestones: format!(
                "SELECT r.delivery_method AS method, {fulfilled} AS fulfilled, {ready} AS ready, \
                   {expired} AS expired FROM loan_request r \
                 WHERE ({in_fulfilled} OR {in_ready} OR {in_expired}) AND {MINE} \
                 GROUP BY r.delivery_method",
                fulfilled = count_of(&within("r.fulfilled_at")),
                ready = count_of(&within("r.ready_at")),
                expired = count_of(&within("r.expired_at")),
                in_fulfilled = within("r.fulfilled_at"),
                in_ready = within("r.ready_at"),
                in_expired = within("r.expired_at"),
            ),
            ready_times: dialect.median_and_p90(&ready),
            // Only titles requested as often as the tenth most requested are named (ties
            // are broken by name).
            top_titles: format!(
                "WITH c AS ({requested}) \
                 SELECT t.id AS title_id, t.title, c.n FROM c JOIN title t ON t.id = c.title_id \
                 WHERE c.n >= (SELECT min(n) FROM (SELECT n FROM c ORDER BY n DESC LIMIT {TOP}) top) \
                 ORDER BY c.n DESC, t.title LIMIT {TOP}"
            ),
            top_classes: format!(
                "SELECT COALESCE(substr(t.clc_class, 1, 1), '?') AS key, count(*) AS n \
                 FROM loan_request r JOIN title t ON t.id = r.title_id \
                 WHERE r.created_at >= $1 AND r.created_at < $2 AND {MINE} \
                 GROUP BY COALESCE(substr(t.clc_class, 1, 1), '?') ORDER BY n DESC, key LIMIT {TOP}"
            ),
            lockers: "SELECT lk.id AS locker_id, lk.code, lk.name, \
                   COALESCE(c.compartments, 0) AS compartments, COALESCE(c.in_use, 0) AS in_use, \
                   COALESCE(d.deposits, 0) AS deposits \
                 FROM locker lk \
                 LEFT JOIN (SELECT locker_id, count(*) AS compartments, \
                     CAST(sum(CASE WHEN state IN ('OCCUPIED', 'RESERVED') THEN 1 ELSE 0 END) \
                       AS BIGINT) AS in_use \
                   FROM compartment GROUP BY locker_id) c ON c.locker_id = lk.id \
                 LEFT JOIN (SELECT e.locker_id, count(DISTINCT e.parcel) AS deposits \
                   FROM locker_event e WHERE e.kind = 'deposited' AND e.at >= $1 AND e.at < $2 \
                   GROUP BY e.locker_id) d ON d.locker_id = lk.id \
                 WHERE ($3 IS NULL OR lk.branch_id = $3) ORDER BY lk.code"
                .into(),
        }
    }

    /// Every statement with its name, the new copies' circulation
    /// ([`crate::purchases::year_figures`]) included: what the benchmark times one by one.
    pub fn named(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("readers", &self.readers),
            ("loans per day", &self.loans_per_day),
            ("requests", &self.requests),
            ("milestones", &self.milestones),
            ("ready times", &self.ready_times),
            ("top titles", &self.top_titles),
            ("top classes", &self.top_classes),
            ("lockers", &self.lockers),
            (
                "new copies' circulation",
                crate::purchases::year_figures::CIRCULATION,
            ),
        ]
    }
}

/// A row of [`Statements::ready_times`]: the median and 90th percentile of the seconds to
/// ready of a delivery method (`''`: all methods).
#[derive(Debug, FromQueryResult)]
struct ReadyTime {
    method: String,
    median: Option<f64>,
    p90: Option<f64>,
}

/// A period's report beside the same days a year earlier, with the name of its scope.
#[derive(Debug, Clone)]
pub struct Compared {
    /// The period asked for.
    pub this: Report,
    /// The same days a year earlier ([`last_year`]).
    pub last_year: Report,
    /// 全馆, or the branch's name.
    pub scope: String,
}

/// The report of day `from` to day `to` (as [`report`]) for `branch` or the whole library,
/// beside last year's.
///
/// # Errors
/// As [`report`]; NOT_FOUND for an unknown branch.
pub async fn compared(
    db: &(impl ConnectionTrait + TransactionTrait),
    who: &Principal,
    from: &str,
    to: &str,
    branch: Option<Uuid>,
) -> Result<Compared> {
    let this = report(db, who, from, to, branch).await?;
    let last_year = last_year(db, who, &this).await?;
    let scope = match branch {
        Some(id) => crate::branches::by_ids(db, &[id])
            .await?
            .into_iter()
            .next()
            .map(|b| b.name)
            .ok_or(Error::NotFound("branch"))?,
        None => words::zh(&text!("stats-scope-library")),
    };
    Ok(Compared {
        this,
        last_year,
        scope,
    })
}

/// The first and last day (`YYYY-MM-DD`) a report is asked for: `from` and `to` as given, or
/// a named `period` (`2026`, `2026-H1`, `2026-Q3`, `2026-03`:
/// [`crate::china_time::named_period`]) instead.
///
/// # Errors
/// VALIDATION (field `period`) for an unknown name, or for both dates and a name, or neither.
pub fn days_asked(
    from: Option<String>,
    to: Option<String>,
    period: Option<&str>,
) -> Result<(String, String)> {
    match (from, to, period) {
        (Some(from), Some(to), None) => Ok((from, to)),
        (None, None, Some(name)) => crate::china_time::named_period(name)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .ok_or_else(|| {
                Error::validation(text!("stats-period-name", period = name)).in_field("period")
            }),
        _ => Err(Error::validation(text!("stats-period-either")).in_field("period")),
    }
}

/// The day `s` (`YYYY-MM-DD`), else VALIDATION saying `bad` for the input `field`.
fn parse_day(s: &str, field: &'static str, bad: Text) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::validation(bad).in_field(field))
}

/// The figures from day `from` to day `to` (inclusive, `YYYY-MM-DD`, China time), for
/// `branch` (its librarians and admins) or the whole library (admins).
///
/// # Errors
/// FORBIDDEN outside the caller's scope; VALIDATION for malformed dates, `to` before
/// `from`, or a period over ten years.
pub async fn report(
    db: &(impl ConnectionTrait + TransactionTrait),
    who: &Principal,
    from: &str,
    to: &str,
    branch: Option<Uuid>,
) -> Result<Report> {
    match branch {
        Some(b) => who.require_staff_at(&[StaffRole::Librarian], b)?,
        None => who.require_staff(&[StaffRole::Admin])?,
    }
    let from = parse_day(from, "from", text!("stats-from-date"))?;
    let to = parse_day(to, "to", text!("stats-to-date"))?;
    let days = u64::try_from((to - from).num_days()).unwrap_or(u64::MAX);
    if to < from || days >= MAX_DAYS {
        return Err(Error::validation(text!("stats-period-invalid")));
    }
    let window = bounds(from, to)?;
    let txn = snapshot(db).await?;
    let db = &txn;
    let q = Queries { db, window, branch };

    let sql = Statements::new(db.get_database_backend());
    let reader_days = ReaderDay::find_by_statement(q.statement(&sql.readers))
        .all(db)
        .await?;
    let joined: Vec<Count> = reader_days
        .iter()
        .filter_map(|r| r.day.clone().map(|key| Count { key, n: r.n }))
        .collect();
    let loan_days = LoanDay::find_by_statement(q.statement(&sql.loans_per_day))
        .all(db)
        .await?;
    let of_days = |n: fn(&LoanDay) -> i64| {
        let counts: Vec<Count> = loan_days
            .iter()
            .map(|d| Count {
                key: d.day.clone(),
                n: n(d),
            })
            .collect();
        every_day(from, to, &counts)
    };
    let requested = RequestDay::find_by_statement(q.statement(&sql.requests))
        .all(db)
        .await?;
    let milestones = Milestones::find_by_statement(q.statement(&sql.milestones))
        .all(db)
        .await?;
    let of_lockers = milestones
        .iter()
        .find(|m| m.method == DeliveryMethod::Locker.as_str());
    let ready = ReadyTime::find_by_statement(q.statement(&sql.ready_times))
        .all(db)
        .await?;
    let of = |method: &str| ready.iter().find(|r| r.method == method);
    let median_secs_to_ready = of("").and_then(|r| r.median);
    let secs_to_ready_by_method = DeliveryMethod::iter()
        .map(|method| ReadyTimes {
            method,
            median_secs: of(method.as_str()).and_then(|r| r.median),
            p90_secs: of(method.as_str()).and_then(|r| r.p90),
        })
        .collect();
    let top_titles = TopTitle::find_by_statement(q.statement(&sql.top_titles))
        .all(db)
        .await?;
    let top_classes = q.counts(&sql.top_classes).await?;
    let lockers = LockerUse::find_by_statement(q.statement(&sql.lockers))
        .all(db)
        .await?;
    let purchases = activity(db, window).await?;
    let mut stock = item::Entity::find()
        .filter(item::Column::NetLending.eq(true))
        .filter(item::Column::Status.is_not_in([ItemStatus::Missing, ItemStatus::Withdrawn]));
    if let Some(b) = branch {
        stock = stock.filter(item::Column::HomeBranchId.eq(b));
    }
    let net_lending_copies = i64::try_from(stock.count(db).await?).unwrap_or(i64::MAX);
    let spent: Option<Option<i64>> = budget_movement::Entity::find()
        .select_only()
        .column_as(
            // SUM of a bigint is a numeric in PostgreSQL: cast it back.
            Expr::col(budget_movement::Column::AmountCents)
                .sum()
                .cast_as(Alias::new("BIGINT")),
            "n",
        )
        .filter(budget_movement::Column::Kind.eq(MovementKind::Spend))
        .filter(budget_movement::Column::At.gte(window.0))
        .filter(budget_movement::Column::At.lt(window.1))
        .into_tuple()
        .one(db)
        .await?;
    let budget_spent_cents = spent.flatten().unwrap_or(0);
    let budget = budget::Entity::find()
        .filter(budget::Column::FiscalYear.eq(to.year()))
        .one(db)
        .await?;
    let (new_on_demand, new_other) = circulation(db, window, branch).await?;
    let entered = crate::entered_figures::for_period(db, from, to, branch).await?;
    txn.commit().await?;
    Ok(Report {
        from,
        to,
        branch,
        readers: reader_days.iter().map(|r| r.n).sum(),
        new_readers: joined.iter().map(|c| c.n).sum(),
        new_credit_cards: reader_days.iter().map(|r| r.credit).sum(),
        new_readers_per_day: every_day(from, to, &joined),
        loans_per_day: of_days(|d| d.loans),
        returns_per_day: of_days(|d| d.returns),
        requests_by_method: most_first(requested.iter().map(|r| Count {
            key: r.method.clone(),
            n: r.n,
        })),
        deliveries_by_method: most_first(milestones.iter().map(|m| Count {
            key: m.method.clone(),
            n: m.fulfilled,
        })),
        median_secs_to_ready,
        secs_to_ready_by_method,
        top_titles,
        top_classes,
        locker_holds: of_lockers.map_or(0, |m| m.ready),
        locker_holds_expired: of_lockers.map_or(0, |m| m.expired),
        lockers,
        purchases,
        requests_per_day: every_day(
            from,
            to,
            &requested
                .iter()
                .map(|r| Count {
                    key: r.day.clone(),
                    n: r.n,
                })
                .collect::<Vec<_>>(),
        ),
        net_lending_copies,
        entered,
        budget_spent_cents,
        budget,
        new_on_demand,
        new_other,
    })
}

/// The figures of `this`'s days a year earlier (each day moved back twelve months, 29
/// February becoming the 28th), for the same branch and under the same access rules.
///
/// # Errors
/// As [`report`]; VALIDATION when a year earlier is out of range.
pub async fn last_year(
    db: &(impl ConnectionTrait + TransactionTrait),
    who: &Principal,
    this: &Report,
) -> Result<Report> {
    let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).map(|d| d.to_string());
    let (from, to) = back(this.from)
        .zip(back(this.to))
        .ok_or_else(|| Error::validation(text!("stats-dates-out-of-range")))?;
    report(db, who, &from, &to, this.branch).await
}

/// A read-only transaction for one report, so all its figures are of the same moment
/// (REPEATABLE READ on PostgreSQL; a SQLite transaction reads one snapshot), with
/// PostgreSQL's JIT compiler off: the report is a dozen short statements, and compiling one
/// took longer than running it (0.75 s of 1.4 s for the new copies' circulation over the
/// benchmark's city).
///
/// # Errors
/// INTERNAL on a database fault.
async fn snapshot(db: &(impl ConnectionTrait + TransactionTrait)) -> Result<DatabaseTransaction> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?;
        txn.execute_unprepared("SET LOCAL jit = off").await?;
        Ok(txn)
    } else {
        Ok(db.begin().await?)
    }
}

/// The UTC instants the China-time days `from`..=`to` span.
fn bounds(from: NaiveDate, to: NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(china_time::zone()).single())
            .map(|t| t.with_timezone(&Utc))
    };
    start(from)
        .zip(to.checked_add_days(Days::new(1)).and_then(start))
        .ok_or_else(|| Error::validation(text!("stats-dates-out-of-range")))
}

/// Every day of the period with its figure: the sum of its rows (0 where the query returned
/// none).
fn every_day(from: NaiveDate, to: NaiveDate, counts: &[Count]) -> Vec<Day> {
    let mut per_day = std::collections::HashMap::<&str, i64>::new();
    for c in counts {
        *per_day.entry(c.key.as_str()).or_default() += c.n;
    }
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|day| Day {
            day,
            n: per_day.get(day.to_string().as_str()).copied().unwrap_or(0),
        })
        .collect()
}

/// Statements over the period's window (`$1`, `$2`) and branch (`$3`, NULL for all).
struct Queries<'a, C> {
    db: &'a C,
    window: (DateTime<Utc>, DateTime<Utc>),
    branch: Option<Uuid>,
}

/// A row of [`Statements::readers`]: readers registered on `day` (None: before the period),
/// and cards issued on credit in the period among them.
#[derive(FromQueryResult)]
struct ReaderDay {
    day: Option<String>,
    n: i64,
    credit: i64,
}

/// A row of [`Statements::loans_per_day`].
#[derive(FromQueryResult)]
struct LoanDay {
    day: String,
    loans: i64,
    returns: i64,
}

/// A row of [`Statements::requests`].
#[derive(FromQueryResult)]
struct RequestDay {
    day: String,
    method: String,
    n: i64,
}

/// A row of [`Statements::milestones`].
#[derive(FromQueryResult)]
struct Milestones {
    method: String,
    fulfilled: i64,
    ready: i64,
    expired: i64,
}

/// `counts` summed per key, without zeros, most first (then by key).
fn most_first(counts: impl Iterator<Item = Count>) -> Vec<Count> {
    let mut summed: Vec<Count> = Vec::new();
    for c in counts.filter(|c| c.n > 0) {
        match summed.iter_mut().find(|s| s.key == c.key) {
            Some(s) => s.n += c.n,
            None => summed.push(c),
        }
    }
    summed.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key)));
    summed
}

/// The branch a reader is counted at: their home branch; without one, the branch owning
/// the copy of their first loan before the period ends; without loans, the pickup branch of
/// their first request. Readers with none of these count for the whole library only.
const READER_BRANCH: &str = "COALESCE(rd.home_branch_id, \
     (SELECT i.home_branch_id FROM loan l JOIN item i ON i.id = l.item_id \
       WHERE l.reader_id = rd.id AND l.checked_out_at < $2 \
       ORDER BY l.checked_out_at, l.id LIMIT 1), \
     (SELECT r.pickup_branch_id FROM loan_request r \
       WHERE r.reader_id = rd.id AND r.created_at < $2 AND r.pickup_branch_id IS NOT NULL \
       ORDER BY r.created_at, r.id LIMIT 1))";

impl<C: ConnectionTrait> Queries<'_, C> {
    fn statement(&self, sql: &str) -> sea_orm::Statement {
        db::statement(
            self.db,
            sql,
            [
                self.window.0.into(),
                self.window.1.into(),
                self.branch.into(),
            ],
        )
    }

    async fn counts(&self, sql: &str) -> Result<Vec<Count>> {
        Ok(Count::find_by_statement(self.statement(sql))
            .all(self.db)
            .await?)
    }
}
