//! The figures managers put in reports, for a period of China-time days and optionally one
//! branch: readers, loans per day, requests and deliveries by method, the median time from
//! request to ready, locker use, proposals and budget burn, and how new books circulate.
//! Each figure is an SQL aggregate (only one row per day, method or locker comes back);
//! the few places where PostgreSQL and SQLite spell things differently are in [`Dialect`].

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Alias;
use sea_orm::{DbBackend, FromQueryResult, QuerySelect};

use crate::auth::{Principal, StaffRole};
use crate::entity::budget_movement::{self, MovementKind};
use crate::entity::{budget, reader};
use crate::i18n::Text;
use crate::purchases::stats::{circulation, proposals_by, Circulation, Count, Grouping};
use crate::{china_time, db, Error, Result};

/// The longest period one report covers.
const MAX_DAYS: u64 = 3_660;

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
    /// Readers registered by the end of the period.
    pub readers: i64,
    /// Readers registered in the period.
    pub new_readers: i64,
    /// Loans started each day (every day of the period, zeros included).
    pub loans_per_day: Vec<Day>,
    /// Requests made, by delivery method.
    pub requests_by_method: Vec<Count>,
    /// Requests fulfilled (lent), by delivery method.
    pub deliveries_by_method: Vec<Count>,
    /// Median seconds from request to ready (at a locker or branch, or delivered home), of
    /// requests that became ready in the period.
    pub median_secs_to_ready: Option<f64>,
    /// Lockers (of the branch).
    pub lockers: Vec<LockerUse>,
    /// Proposals made, by status.
    pub proposals_by_status: Vec<Count>,
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

    /// The figures as CSV (`figure,key,value`), for spreadsheets.
    ///
    /// # Errors
    /// INTERNAL if writing fails (it does not, into memory).
    pub fn csv(&self) -> Result<String> {
        let mut rows: Vec<[String; 3]> = vec![
            row("readers", "", self.readers),
            row("new_readers", "", self.new_readers),
            row("loans", "", self.loans()),
        ];
        rows.extend(
            self.loans_per_day
                .iter()
                .map(|d| row("loans_per_day", &d.day.to_string(), d.n)),
        );
        for (figure, counts) in [
            ("requests_by_method", &self.requests_by_method),
            ("deliveries_by_method", &self.deliveries_by_method),
            ("proposals_by_status", &self.proposals_by_status),
        ] {
            rows.extend(counts.iter().map(|c| row(figure, &c.key, c.n)));
        }
        if let Some(secs) = self.median_secs_to_ready {
            rows.push([
                "median_hours_to_ready".into(),
                String::new(),
                format!("{:.2}", secs / 3600.0),
            ]);
        }
        for l in &self.lockers {
            rows.push(row("locker_deposits", &l.code, l.deposits));
            rows.push([
                "locker_turns_per_door_day".into(),
                l.code.clone(),
                format!("{:.3}", l.turns_per_door_day(self.days())),
            ]);
        }
        rows.push(row("budget_spent_cents", "", self.budget_spent_cents));
        for (group, c) in [("on_demand", self.new_on_demand), ("other", self.new_other)] {
            rows.push(row("new_items", group, c.items));
            rows.push(row("new_items_lent", group, c.lent));
        }
        crate::csv_export::table(["figure", "key", "value"], rows)
    }
}

fn row(figure: &str, key: &str, n: i64) -> [String; 3] {
    [figure.to_owned(), key.to_owned(), n.to_string()]
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

    /// Seconds from timestamp `a` to timestamp `b`, as a double.
    fn seconds(&self, a: &str, b: &str) -> String {
        match self.0 {
            DbBackend::Sqlite => format!("((julianday({b}) - julianday({a})) * 86400.0)"),
            _ => format!("CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS DOUBLE PRECISION)"),
        }
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
    db: &impl ConnectionTrait,
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
    let dialect = Dialect(db.get_database_backend());
    let q = Queries { db, window, branch };

    let readers_of = |since: Option<DateTime<Utc>>| {
        let mut rows = reader::Entity::find().filter(reader::Column::CreatedAt.lt(window.1));
        if let Some(t) = since {
            rows = rows.filter(reader::Column::CreatedAt.gte(t));
        }
        if let Some(b) = branch {
            rows = rows.filter(reader::Column::HomeBranchId.eq(b));
        }
        rows.count(db)
    };
    let readers = count(readers_of(None).await?);
    let new_readers = count(readers_of(Some(window.0)).await?);
    let per_day = q
        .counts(&format!(
            "SELECT {day} AS key, count(*) AS n FROM loan l JOIN item i ON i.id = l.item_id \
             WHERE l.checked_out_at >= $1 AND l.checked_out_at < $2 \
               AND ($3 IS NULL OR i.home_branch_id = $3) GROUP BY {day} ORDER BY key",
            day = dialect.day("l.checked_out_at"),
        ))
        .await?;
    let mine = "($3 IS NULL OR r.pickup_branch_id = $3 OR r.source_branch_id = $3)";
    let requests_by_method = q
        .counts(&format!(
            "SELECT r.delivery_method AS key, count(*) AS n FROM loan_request r \
             WHERE r.created_at >= $1 AND r.created_at < $2 AND {mine} \
             GROUP BY r.delivery_method ORDER BY n DESC, key"
        ))
        .await?;
    let deliveries_by_method = q
        .counts(&format!(
            "SELECT r.delivery_method AS key, count(*) AS n FROM loan_request r \
             JOIN request_event e ON e.request_id = r.id \
             WHERE e.to_status = 'FULFILLED' AND e.at >= $1 AND e.at < $2 AND {mine} \
             GROUP BY r.delivery_method ORDER BY n DESC, key"
        ))
        .await?;
    let median_secs_to_ready = q
        .median(&format!(
            "SELECT {secs} AS s FROM loan_request r JOIN ( \
               SELECT e.request_id, min(e.at) AS at FROM request_event e \
                JOIN loan_request q ON q.id = e.request_id \
                WHERE e.to_status = 'READY_FOR_PICKUP' \
                   OR (e.to_status = 'FULFILLED' AND q.delivery_method = 'HOME') \
                GROUP BY e.request_id \
             ) ready ON ready.request_id = r.id \
             WHERE ready.at >= $1 AND ready.at < $2 AND {mine}",
            secs = dialect.seconds("r.created_at", "ready.at"),
        ))
        .await?;
    let lockers = LockerUse::find_by_statement(q.statement(
        "SELECT lk.id AS locker_id, lk.code, lk.name, \
           (SELECT count(*) FROM compartment c WHERE c.locker_id = lk.id) AS compartments, \
           (SELECT count(*) FROM compartment c WHERE c.locker_id = lk.id \
             AND c.state IN ('OCCUPIED', 'RESERVED')) AS in_use, \
           (SELECT count(DISTINCT e.parcel) FROM locker_event e WHERE e.locker_id = lk.id \
             AND e.kind = 'deposited' AND e.at >= $1 AND e.at < $2) AS deposits \
         FROM locker lk WHERE ($3 IS NULL OR lk.branch_id = $3) ORDER BY lk.code",
    ))
    .all(db)
    .await?;
    let proposals_by_status = proposals_by(db, window, Grouping::Status).await?;
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
    Ok(Report {
        from,
        to,
        branch,
        readers,
        new_readers,
        loans_per_day: every_day(from, to, &per_day),
        requests_by_method,
        deliveries_by_method,
        median_secs_to_ready,
        lockers,
        proposals_by_status,
        budget_spent_cents,
        budget,
        new_on_demand,
        new_other,
    })
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

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Every day of the period with its figure (0 where the query returned none).
fn every_day(from: NaiveDate, to: NaiveDate, counts: &[Count]) -> Vec<Day> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|day| Day {
            day,
            n: counts
                .iter()
                .find(|c| c.key == day.to_string())
                .map_or(0, |c| c.n),
        })
        .collect()
}

/// Statements over the period's window (`$1`, `$2`) and branch (`$3`, NULL for all).
struct Queries<'a, C> {
    db: &'a C,
    window: (DateTime<Utc>, DateTime<Utc>),
    branch: Option<Uuid>,
}

#[derive(FromQueryResult)]
struct Median {
    s: Option<f64>,
}

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

    /// The median of column `s` of `sql`'s rows (the mean of the middle two for an even
    /// count), None without rows.
    async fn median(&self, sql: &str) -> Result<Option<f64>> {
        let median = format!(
            "WITH v AS ({sql}) SELECT avg(s) AS s FROM ( \
               SELECT s FROM v ORDER BY s \
               LIMIT 2 - (SELECT count(*) FROM v) % 2 \
               OFFSET ((SELECT count(*) FROM v) - 1) / 2 \
             ) middle"
        );
        Ok(Median::find_by_statement(self.statement(&median))
            .one(self.db)
            .await?
            .and_then(|m| m.s))
    }
}
