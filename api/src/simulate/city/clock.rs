//! The simulated clock: the server's adjustable clock, moved forward by the simulation, and
//! the city's days and hours in China time.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike, Utc, Weekday};
use hongyan_domain::Ctx;

/// China Standard Time (UTC+8).
pub fn china() -> FixedOffset {
    // Eight hours is within FixedOffset's range: this cannot fail.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!())
}

/// The first instant of the China-time day after the one `at` falls in.
pub fn next_midnight(at: DateTime<Utc>) -> DateTime<Utc> {
    let day = at.with_timezone(&china()).date_naive() + Duration::days(1);
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china()).single())
        .map_or(at, |t| t.with_timezone(&Utc))
}

/// The hour of the day (China time) `at` falls in, 0–23.
pub fn hour(at: DateTime<Utc>) -> u32 {
    at.with_timezone(&china()).hour()
}

/// Whether `at` falls on a Saturday or Sunday (China time).
pub fn weekend(at: DateTime<Utc>) -> bool {
    matches!(
        at.with_timezone(&china()).weekday(),
        Weekday::Sat | Weekday::Sun
    )
}

/// Moves the server's clock forward to `at` (it runs on by itself between moves, so it
/// may already be a little past).
///
/// # Errors
/// The server runs the system clock.
pub fn advance_to(ctx: &Ctx, at: DateTime<Utc>) -> anyhow::Result<()> {
    let by = at - ctx.now();
    if by > Duration::zero() {
        ctx.clock.advance(by)?;
    }
    Ok(())
}
