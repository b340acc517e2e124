//! Request limits for the GraphQL API: per signed-in reader and per client address, in
//! one-minute windows counted across every API process (Redis, through [`Ctx::counters`];
//! in-process without it). Staff are limited by address only: a desk's scanner is fast.

use std::net::IpAddr;
use std::time::Duration;

use uuid::Uuid;

use crate::i18n::Text;
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
            text!("rate-limit-client"),
        )
        .await?;
    }
    if let (Some(max), Some(reader)) = (limits.per_reader, reader) {
        count(
            ctx,
            &format!("rate:reader:{reader}"),
            max,
            text!("rate-limit-reader"),
        )
        .await?;
    }
    Ok(())
}

/// Counts one request on `key`; RATE_LIMITED saying `message` (given `max`, as `{ $max }`)
/// beyond `max` a minute.
async fn count(ctx: &Ctx, key: &str, max: u32, message: Text) -> Result<()> {
    let w = ctx.counters.hit(key, MINUTE).await;
    if w.count > u64::from(max) {
        return Err(Error::RateLimited {
            message: message.arg("max", max),
            retry_after_secs: w.left.as_secs().max(1),
        });
    }
    Ok(())
}
