//! A circuit breaker for Redis, the accelerator: after a failure, callers use their
//! in-process fallback for a cool-off period instead of waiting on Redis's timeouts at every
//! call, then try Redis again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long Redis is left alone after a failure.
const COOL_OFF: Duration = Duration::from_secs(5);

/// Whether Redis is worth trying right now.
#[derive(Debug, Default)]
pub(crate) struct Breaker(Mutex<Option<Instant>>);

impl Breaker {
    /// True while a recent failure says to skip Redis.
    pub(crate) fn open(&self) -> bool {
        let mut until = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match *until {
            Some(t) if t > Instant::now() => true,
            Some(_) => {
                *until = None;
                false
            }
            None => false,
        }
    }

    /// Records a failure: skip Redis for the cool-off period.
    pub(crate) fn trip(&self) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now() + COOL_OFF);
    }
}
