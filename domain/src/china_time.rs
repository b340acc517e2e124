//! The library's clock: China Standard Time (UTC+8, no daylight saving). Times are stored
//! in UTC; readers read them, and months begin, in China time.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// UTC+8.
pub(crate) fn zone() -> FixedOffset {
    // Eight hours is within FixedOffset's ±24 h range: this cannot fail.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!())
}

/// The first instant of month `m` of year `y` in China time (None for a month that does
/// not exist).
pub(crate) fn month_start(y: i32, m: u32) -> Option<DateTime<Utc>> {
    zone()
        .with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The first instant of the China-time month `at` falls in.
pub(crate) fn start_of_month(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let local = at.with_timezone(&zone());
    month_start(local.year(), local.month())
}

/// The China-time date `at` falls on.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone()).date_naive()
}

/// The China-time calendar year `at` falls in (the library's fiscal year).
pub(crate) fn year_of(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&zone()).year()
}

/// The first and last day of a named period: a year (`2026`), a half (`2026-H1`), a quarter
/// (`2026-Q3`) or a month (`2026-03`); None for anything else (years 2000–2100).
pub fn named_period(name: &str) -> Option<(NaiveDate, NaiveDate)> {
    let name = name.trim().to_ascii_uppercase();
    let (year, part) = name.split_once('-').unwrap_or((name.as_str(), ""));
    let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
    let (first_month, months) = match part.as_bytes() {
        [] => (1, 12),
        [b'H', h @ b'1'..=b'2'] => (u32::from(h - b'1') * 6 + 1, 6),
        [b'Q', q @ b'1'..=b'4'] => (u32::from(q - b'1') * 3 + 1, 3),
        [a @ b'0'..=b'1', b @ b'0'..=b'9'] => (u32::from(a - b'0') * 10 + u32::from(b - b'0'), 1),
        _ => return None,
    };
    let first = NaiveDate::from_ymd_opt(year, first_month, 1)?;
    let last = first
        .checked_add_months(chrono::Months::new(months))?
        .pred_opt()?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_periods_are_their_first_and_last_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let p = |s: &str| named_period(s).map(|(a, b)| (Some(a), Some(b)));
        assert_eq!(p("2026"), Some((d("2026-01-01"), d("2026-12-31"))));
        assert_eq!(p("2026-h2"), Some((d("2026-07-01"), d("2026-12-31"))));
        assert_eq!(p("2024-Q1"), Some((d("2024-01-01"), d("2024-03-31"))));
        assert_eq!(p("2024-02"), Some((d("2024-02-01"), d("2024-02-29"))));
        assert_eq!(p("2026-12"), Some((d("2026-12-01"), d("2026-12-31"))));
        for bad in [
            "2026-13",
            "2026-00",
            "2026-Q5",
            "1999",
            "2026-W1",
            "二〇二六",
            "",
        ] {
            assert_eq!(named_period(bad), None, "{bad}");
        }
    }
}
