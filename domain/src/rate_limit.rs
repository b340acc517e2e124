//! Request limits for the GraphQL API: per signed-in reader and per client address, in
//! one-minute windows counted across every API process (Redis, through [`Ctx::counters`];
//! in-process without it). Staff are limited by address only: a desk's scanner is fast.

use std::net::IpAddr;
use std::time::Duration;

use uuid::Uuid;

use crate::{Ctx, Error, Result};

/// The window the limits count in.
const MINUTE: Duration = Duration::from_secs(60);

/// Counts one request of `reader` (if a reader is signed in) from `ip`.
///
/// # Errors
/// RATE_LIMITED with the seconds until the window ends when either limit is exceeded.
pub async fn admit(ctx: &Ctx, reader: Option<Uuid>, ip: Option<IpAddr>) -> Result<()> {
    let limits = ctx.config.rate_limits;
    if let (Some(max), Some(ip)) = (limits.per_ip, ip) {
        count(
            ctx,
            &format!("rate:ip:{ip}"),
            max,
            "requests from this address",
        )
        .await?;
    }
    if let (Some(max), Some(reader)) = (limits.per_reader, reader) {
        count(
            ctx,
            &format!("rate:reader:{reader}"),
            max,
            "requests by this reader",
        )
        .await?;
    }
    Ok(())
}

async fn count(ctx: &Ctx, key: &str, max: u32, what: &str) -> Result<()> {
    let w = ctx.counters.hit(key, MINUTE).await;
    if w.count > u64::from(max) {
        return Err(Error::RateLimited {
            message: format!("too many {what}: at most {max} a minute"),
            retry_after_secs: w.left.as_secs().max(1),
        });
    }
    Ok(())
}
