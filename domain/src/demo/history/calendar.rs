//! The days of the demo year and how busy each was: more on weekends, more in the winter
//! and summer school holidays, a little noise from the seeded generator.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::Rng;

use crate::china_time;

/// How many days the generated history covers.
pub const DAYS: i64 = 365;

/// One China-time day of the history.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    /// Its first instant (China time).
    pub start: DateTime<Utc>,
    /// How busy it was against an ordinary weekday outside the holidays (1.0).
    pub weight: f64,
}

/// The [`DAYS`] whole days before `now`'s China-time date, oldest first: the history
/// depends on the date only, so two loads on one day write the same figures.
pub fn days(now: DateTime<Utc>, rng: &mut StdRng) -> Vec<Day> {
    let today = china_time::date_of(now);
    (1..=DAYS)
        .rev()
        .filter_map(|back| {
            let date = today - Duration::days(back);
            let start = china_time::zone()
                .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
                .single()?
                .with_timezone(&Utc);
            let weight = rhythm(date) * rng.random_range(0.85..1.15);
            Some(Day { start, weight })
        })
        .collect()
}

/// The weekly and seasonal rhythm of date `d`.
pub fn rhythm(d: NaiveDate) -> f64 {
    let week = match d.weekday() {
        Weekday::Sat | Weekday::Sun => 1.7,
        Weekday::Fri => 1.1,
        _ => 1.0,
    };
    let season = match (d.month(), d.day()) {
        // Winter holiday (寒假) around the Spring Festival; summer holiday (暑假).
        (1, 15..) | (2, _) => 1.4,
        (7 | 8, _) => 1.5,
        _ => 1.0,
    };
    week * season
}

/// An instant of `day` in opening hours (9:00 to 21:00 China time).
pub fn opening_hours(day: &Day, rng: &mut StdRng) -> DateTime<Utc> {
    day.start + Duration::minutes(rng.random_range(9 * 60..21 * 60))
}

/// A duration of between `lo` and `hi` hours.
pub fn hours(rng: &mut StdRng, lo: f64, hi: f64) -> Duration {
    // At most a few hundred hours: the product fits an i64 of seconds.
    #[allow(clippy::cast_possible_truncation)]
    Duration::seconds((rng.random_range(lo..hi) * 3600.0) as i64)
}

/// Splits `total` over `days` in proportion to their weights (rounded, at least zero).
pub fn spread(days: &[Day], total: f64) -> Vec<usize> {
    let sum: f64 = days.iter().map(|d| d.weight).sum();
    days.iter()
        .map(|d| {
            // Small non-negative figures: rounding to usize loses nothing that matters.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let n = (total * d.weight / sum).round().max(0.0) as usize;
            n
        })
        .collect()
}

/// The first instant of `now`'s China-time date: where the history ends.
pub fn end(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = china_time::date_of(now);
    today
        .and_hms_opt(0, 0, 0)
        .and_then(|t| china_time::zone().from_local_datetime(&t).single())
        .map_or(now, |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_and_holidays_are_busier() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        // 2026-03-07 is a Saturday, 2026-03-04 a Wednesday.
        assert!(rhythm(day(2026, 3, 7)) > rhythm(day(2026, 3, 4)));
        assert!(rhythm(day(2026, 7, 15)) > rhythm(day(2026, 10, 14)));
        assert!(rhythm(day(2026, 2, 4)) > rhythm(day(2026, 11, 4)));
    }
}
