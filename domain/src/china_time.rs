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
