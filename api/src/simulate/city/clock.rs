//! The simulated clock: the server's adjustable clock, moved forward by the simulation, and
//! the city's days and hours in China time.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike, Utc, Weekday};
use hongyan_domain::entity::job::{self, JobState};
use hongyan_domain::entity::notification::{self, NotificationStatus};
use hongyan_domain::Ctx;
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};

/// The longest the simulation waits, in real time, for work in flight before it moves the
/// clock anyway.
const SETTLE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

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

/// Waits until the server has done what is due (no job or message due or in flight under a
/// lease), for at most [`SETTLE_WAIT`], before the simulation moves its clock: a real server
/// does that within the minute. A lease is counted on this clock: moved by a step of
/// minutes under a job running or a message being sent, it would expire under it and
/// another worker would do it again (a message sent twice), which the real clock, moving
/// seconds while a message takes milliseconds, never does.
///
/// # Errors
/// A database fault.
pub async fn settle(ctx: &Ctx) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + SETTLE_WAIT;
    loop {
        let now = ctx.now();
        let jobs = job::Entity::find()
            .filter(job::Column::State.eq(JobState::Queued))
            .filter(
                sea_orm::Condition::any()
                    .add(job::Column::RunAt.lte(now))
                    .add(job::Column::LockedUntil.gt(now)),
            )
            .count(&ctx.db)
            .await?;
        let messages = notification::Entity::find()
            .filter(notification::Column::Status.eq(NotificationStatus::Pending))
            .filter(
                sea_orm::Condition::any()
                    .add(notification::Column::NextAttemptAt.lte(now))
                    .add(notification::Column::LockedUntil.gt(now)),
            )
            .count(&ctx.db)
            .await?;
        if jobs + messages == 0 || std::time::Instant::now() >= deadline {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
