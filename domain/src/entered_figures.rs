//! Figures only the library's other systems know — the whole network's loans (every desk and
//! self-service machine, not only this platform's) and visits (到馆人次) — entered by staff
//! per month, for the whole library or one branch, or imported from CSV, so an annual report
//! is complete. Reports sum them over the whole months of a period and say how many months
//! were entered; they are marked as entered, never mixed with what the platform measured.
//!
//! A month's figure for a scope and kind is one row: entering it again replaces it.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{Principal, StaffRole};
use crate::entity::entered_figure::{self, FigureKind, Model as EnteredFigure};
use crate::i18n::Locale;
use crate::{branches, Ctx, Error, Result, Text};

/// The scope of figures for the whole library.
pub const LIBRARY: &str = "LIBRARY";

/// The largest figure taken (a city's network lends millions a month, not trillions).
pub const MAX_VALUE: i64 = 1_000_000_000_000;

/// The largest CSV import taken at once.
pub const MAX_CSV_BYTES: usize = 256 * 1024;

/// The most rows a CSV import may have (ten years of months for a hundred branches).
pub const MAX_CSV_ROWS: usize = 12_000;

/// The scope column's value for `branch`.
fn scope(branch: Option<Uuid>) -> String {
    branch.map_or_else(|| LIBRARY.to_owned(), |b| b.to_string())
}

/// Who may enter or read figures of `branch`: its librarians, and admins; the whole
/// library's, admins.
fn require(who: &Principal, branch: Option<Uuid>) -> Result<()> {
    match branch {
        Some(b) => who.require_staff_at(&[StaffRole::Librarian], b),
        None => who.require_staff(&[StaffRole::Admin]),
    }
}

/// The first day of month `s` (`YYYY-MM`, years 2000–2100), or why not.
fn month_of(s: &str) -> std::result::Result<NaiveDate, Text> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(|| text!("figures-month-invalid", month = s))
}

/// A figure's value, or why not.
fn value_of(kind: FigureKind, n: i64) -> std::result::Result<i64, Text> {
    if (0..=MAX_VALUE).contains(&n) {
        Ok(n)
    } else {
        Err(text!("figures-value-invalid", value = n).arg_text("kind", kind_text(kind)))
    }
}

/// The figure's name in words.
pub fn kind_text(kind: FigureKind) -> Text {
    match kind {
        FigureKind::NetworkLoans => text!("figures-network-loans"),
        FigureKind::Visits => text!("figures-visits"),
    }
}

/// One month's figures for a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The branch, or none for the whole library.
    pub branch: Option<Uuid>,
    /// The figures given, by kind.
    pub values: Vec<(FigureKind, i64)>,
}

/// The rows for `figures`, checked.
fn rows(
    figures: &MonthFigures,
    who: Option<Uuid>,
    now: DateTime<Utc>,
) -> std::result::Result<Vec<entered_figure::ActiveModel>, Text> {
    let month = month_of(&figures.month)?.format("%Y-%m").to_string();
    if figures.values.is_empty() {
        return Err(text!("figures-none-given"));
    }
    figures
        .values
        .iter()
        .map(|&(kind, n)| {
            Ok(entered_figure::ActiveModel {
                id: Set(Uuid::now_v7()),
                month: Set(month.clone()),
                scope: Set(scope(figures.branch)),
                kind: Set(kind),
                value: Set(value_of(kind, n)?),
                entered_by: Set(who),
                updated_at: Set(now),
            })
        })
        .collect()
}

/// Stores rows, each replacing the row of its month, scope and kind.
async fn store(db: &impl ConnectionTrait, rows: Vec<entered_figure::ActiveModel>) -> Result<u64> {
    let n = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    if rows.is_empty() {
        return Ok(0);
    }
    for chunk in rows.chunks(1_000) {
        entered_figure::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    entered_figure::Column::Month,
                    entered_figure::Column::Scope,
                    entered_figure::Column::Kind,
                ])
                .update_columns([
                    entered_figure::Column::Value,
                    entered_figure::Column::EnteredBy,
                    entered_figure::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(n)
}

/// The staff member behind `who`.
fn staff_id(who: &Principal) -> Option<Uuid> {
    match who {
        Principal::Staff { id, .. } => Some(*id),
        Principal::Reader { .. } => None,
    }
}

/// Enters one month's figures (librarians for their branch, admins; audited); returns the
/// month's figures for that scope as stored.
///
/// # Errors
/// FORBIDDEN outside the caller's scope; VALIDATION for a bad month, no figure, or a figure
/// below 0 or above [`MAX_VALUE`].
pub async fn enter(
    ctx: &Ctx,
    who: &Principal,
    figures: MonthFigures,
) -> Result<Vec<EnteredFigure>> {
    require(who, figures.branch)?;
    let rows = rows(&figures, staff_id(who), ctx.now())
        .map_err(|why| Error::validation(why).in_field("month"))?;
    let txn = ctx.begin().await?;
    store(&txn, rows).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "figures.enter",
        Some(&scope(figures.branch)),
        Some(json!({"month": figures.month.trim()})),
        ctx.now(),
    )
    .await?;
    let stored = entered_figure::Entity::find()
        .filter(entered_figure::Column::Month.eq(figures.month.trim()))
        .filter(entered_figure::Column::Scope.eq(scope(figures.branch)))
        .order_by_asc(entered_figure::Column::Kind)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(stored)
}

/// What a CSV import did.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// Figures stored.
    pub stored: u64,
    /// Rows refused: line (the header is line 1) and why, in Simplified Chinese.
    pub rejected: Vec<(u64, String)>,
}

/// A CSV column and the header names it goes by.
const MONTH: &[&str] = &["month", "月份"];
const BRANCH: &[&str] = &["branch", "分馆代码"];
const NETWORK_LOANS: &[&str] = &["network_loans", "全网借阅"];
const VISITS: &[&str] = &["visits", "到馆人次"];

/// Imports figures from CSV (admins; audited): a header naming `month` (月份) and any of
/// `branch` (分馆代码; empty for the whole library), `network_loans` (全网借阅) and `visits`
/// (到馆人次); a row per month and scope. Bad rows are reported by line, the rest stored.
///
/// # Errors
/// FORBIDDEN for anyone but an admin; VALIDATION for a file over 256 KiB or 12,000 rows, or
/// a header without `month` or without any figure.
pub async fn import_csv(ctx: &Ctx, who: &Principal, csv_text: &str) -> Result<Import> {
    who.require_staff(&[StaffRole::Admin])?;
    let bad = |t: Text| Error::validation(t).in_field("csv");
    if csv_text.len() > MAX_CSV_BYTES {
        return Err(bad(text!("figures-csv-too-large")));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad(text!("figures-csv-header", error = e)))?
        .clone();
    let at = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let kinds: Vec<(FigureKind, usize)> = [
        (FigureKind::NetworkLoans, at(NETWORK_LOANS)),
        (FigureKind::Visits, at(VISITS)),
    ]
    .into_iter()
    .filter_map(|(k, i)| Some((k, i?)))
    .collect();
    let (Some(month), false) = (at(MONTH), kinds.is_empty()) else {
        return Err(bad(text!("figures-csv-columns")));
    };
    let branch = at(BRANCH);
    let records: Vec<_> = reader.records().take(MAX_CSV_ROWS + 1).collect();
    if records.len() > MAX_CSV_ROWS {
        return Err(bad(text!("figures-csv-too-many-rows", max = MAX_CSV_ROWS)));
    }
    let codes: HashMap<String, Uuid> = branches::list(&ctx.db)
        .await?
        .into_iter()
        .map(|b| (b.code, b.id))
        .collect();
    let mut out = Import::default();
    let mut good = Vec::new();
    for (n, record) in records.into_iter().enumerate() {
        let line = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(2);
        let parsed = record
            .map_err(|e| text!("figures-csv-row-unreadable", error = e))
            .and_then(|r| csv_row(&r, month, branch, &kinds, &codes))
            .and_then(|f| rows(&f, staff_id(who), ctx.now()));
        match parsed {
            Ok(rows) => good.extend(rows),
            Err(why) => out.rejected.push((line, why.render(Locale::Chinese))),
        }
    }
    let txn = ctx.begin().await?;
    out.stored = store(&txn, good).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "figures.import",
        None,
        Some(json!({"stored": out.stored, "rejected": out.rejected.len()})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// One CSV row as a month's figures.
fn csv_row(
    r: &csv::StringRecord,
    month: usize,
    branch: Option<usize>,
    kinds: &[(FigureKind, usize)],
    codes: &HashMap<String, Uuid>,
) -> std::result::Result<MonthFigures, Text> {
    let cell = |i: usize| r.get(i).unwrap_or_default();
    let branch = match branch.map(cell).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => Some(
            *codes
                .get(code)
                .ok_or_else(|| text!("figures-csv-branch", code = code))?,
        ),
    };
    let mut values = Vec::new();
    for &(kind, i) in kinds {
        let raw = cell(i).replace(',', "");
        if raw.is_empty() {
            continue;
        }
        let n = raw.parse::<i64>().map_err(|_| {
            text!("figures-value-invalid", value = cell(i)).arg_text("kind", kind_text(kind))
        })?;
        values.push((kind, n));
    }
    Ok(MonthFigures {
        month: cell(month).to_owned(),
        branch,
        values,
    })
}

/// A period's entered figure of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodFigure {
    /// What it counts.
    pub kind: FigureKind,
    /// The sum over the months entered.
    pub value: i64,
    /// Whole months in the period.
    pub months: u32,
    /// Of those, months with the figure entered.
    pub months_entered: u32,
}

impl PeriodFigure {
    /// Every month of the period has the figure.
    pub fn complete(&self) -> bool {
        self.months > 0 && self.months_entered == self.months
    }
}

/// The whole months from `from` to `to` (inclusive days), as `YYYY-MM`.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut first = from.with_day(1).unwrap_or(from);
    if first < from {
        first = first.checked_add_months(Months::new(1)).unwrap_or(first);
    }
    while let Some(next) = first.checked_add_months(Months::new(1)) {
        if next.pred_opt().is_none_or(|last| last > to) {
            break;
        }
        out.push(first.format("%Y-%m").to_string());
        first = next;
    }
    out
}

/// The entered figures of `branch` (or the whole library) over the whole months of the
/// period, one per kind.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn for_period(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
    branch: Option<Uuid>,
) -> Result<Vec<PeriodFigure>> {
    let months = whole_months(from, to);
    let rows = if months.is_empty() {
        Vec::new()
    } else {
        entered_figure::Entity::find()
            .filter(entered_figure::Column::Scope.eq(scope(branch)))
            .filter(entered_figure::Column::Month.is_in(months.iter().cloned()))
            .all(db)
            .await?
    };
    let count = u32::try_from(months.len()).unwrap_or(u32::MAX);
    Ok([FigureKind::NetworkLoans, FigureKind::Visits]
        .into_iter()
        .map(|kind| {
            let of: Vec<&EnteredFigure> = rows.iter().filter(|r| r.kind == kind).collect();
            PeriodFigure {
                kind,
                value: of.iter().map(|r| r.value).sum(),
                months: count,
                months_entered: u32::try_from(of.len()).unwrap_or(u32::MAX),
            }
        })
        .collect())
}

/// The figures entered for `year`'s months of `branch` (or the whole library), by month
/// (librarians for their branch, admins).
///
/// # Errors
/// FORBIDDEN outside the caller's scope; VALIDATION for a year outside 2000–2100.
pub async fn of_year(
    db: &impl ConnectionTrait,
    who: &Principal,
    year: i32,
    branch: Option<Uuid>,
) -> Result<Vec<EnteredFigure>> {
    require(who, branch)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::validation(text!("figures-year-invalid")).in_field("year"));
    }
    Ok(entered_figure::Entity::find()
        .filter(entered_figure::Column::Scope.eq(scope(branch)))
        .filter(entered_figure::Column::Month.starts_with(format!("{year}-")))
        .order_by_asc(entered_figure::Column::Month)
        .order_by_asc(entered_figure::Column::Kind)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn only_whole_months_of_a_period_count() {
        assert_eq!(
            whole_months(day("2026-01-01"), day("2026-03-31")),
            ["2026-01", "2026-02", "2026-03"]
        );
        assert_eq!(
            whole_months(day("2026-01-15"), day("2026-03-30")),
            ["2026-02"]
        );
        assert_eq!(
            whole_months(day("2026-02-01"), day("2026-02-28")),
            ["2026-02"]
        );
        assert!(whole_months(day("2026-02-02"), day("2026-02-28")).is_empty());
        assert_eq!(
            whole_months(day("2025-12-01"), day("2026-01-31")),
            ["2025-12", "2026-01"]
        );
    }

    #[test]
    fn months_and_values_are_checked() {
        assert!(month_of("2026-03").is_ok());
        for bad in ["2026-13", "2026", "1999-12", "三月", ""] {
            assert!(month_of(bad).is_err(), "{bad}");
        }
        assert!(value_of(FigureKind::Visits, -1).is_err());
        assert!(value_of(FigureKind::Visits, MAX_VALUE + 1).is_err());
        assert_eq!(value_of(FigureKind::Visits, 0), Ok(0));
    }
}
