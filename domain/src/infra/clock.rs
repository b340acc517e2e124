//! What time it is, as the platform sees it.
//!
//! Every deadline, sweep and timestamp reads [`Clock::now`] (through `Ctx::now`, or a `now`
//! its caller read once), never the system clock directly, so a test or a simulation can
//! move time instead of waiting or rewriting rows. A deployment runs the system clock; an
//! adjustable one (`HONGYAN_CLOCK=adjustable`) runs the system clock plus an offset that
//! only moves forward, and production refuses it at start-up.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// The system's time, for what is checked against the outside world's clocks rather than
/// the platform's: signatures with a time window (courier webhooks and calls), JWT expiry as
/// the token library checks it, and the clients this binary plays (the locker simulator).
pub fn system_now() -> DateTime<Utc> {
    Utc::now()
}

/// Which clock a process runs (`HONGYAN_CLOCK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockKind {
    /// The system clock (the default, and the only one production accepts).
    #[default]
    System,
    /// The system clock plus an offset that [`Clock::advance`] moves forward.
    Adjustable,
}

/// The platform's clock. Clones share the same time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    kind: ClockKind,
    /// Milliseconds added to the system clock (adjustable clocks only).
    offset_ms: Arc<AtomicI64>,
}

/// Refused: the system clock cannot be moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system clock cannot be moved (set HONGYAN_CLOCK=adjustable outside production)")]
pub struct Immovable;

impl Clock {
    /// A clock of `kind`, starting at the system time.
    pub fn new(kind: ClockKind) -> Self {
        Clock {
            kind,
            offset_ms: Arc::default(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        match self.kind {
            ClockKind::System => now,
            ClockKind::Adjustable => {
                now + Duration::milliseconds(self.offset_ms.load(Ordering::Acquire))
            }
        }
    }

    /// Moves an adjustable clock `by` forward (a negative or zero `by` changes nothing: time
    /// never runs backwards for the rows already written).
    ///
    /// # Errors
    /// [`Immovable`] for the system clock.
    pub fn advance(&self, by: Duration) -> Result<(), Immovable> {
        if self.kind == ClockKind::System {
            return Err(Immovable);
        }
        let ms = by.num_milliseconds().max(0);
        self.offset_ms.fetch_add(ms, Ordering::AcqRel);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_forward_for_every_clone_and_never_back() {
        let clock = Clock::new(ClockKind::Adjustable);
        let twin = clock.clone();
        let before = twin.now();
        clock.advance(Duration::days(3)).expect("adjustable");
        assert!(twin.now() - before >= Duration::days(3));
        clock.advance(Duration::days(-10)).expect("adjustable");
        assert!(twin.now() - before >= Duration::days(3));
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        let clock = Clock::default();
        assert_eq!(clock.advance(Duration::hours(1)), Err(Immovable));
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 5);
    }
}
