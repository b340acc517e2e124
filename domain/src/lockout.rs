//! Guessing limits for secrets people type: PINs and passwords at login, pickup and drop
//! codes at a locker's keypad.
//!
//! Each guarded key (an account, a client address, a locker) has a count of attempts and,
//! from its last free try on, a lock that doubles with every further attempt up to a cap. The count is taken *before* the secret is checked, atomically in Redis (or in this
//! process without it), so fifty guesses sent at once are fifty counted attempts: no more
//! than the free tries are ever checked before the lock bites. While a key is locked even
//! the right secret is refused, so guessing cannot continue behind the lock.
//!
//! A success forgets the key's failures ([`Forget::All`], logins) or only its own attempt
//! ([`Forget::Own`], a shared keypad where one reader's right code must not wipe out a
//! stranger's wrong ones). Staff lift a lock with [`unlock`].

use std::time::Duration;

use crate::i18n::Text;
use crate::{Ctx, Error, Result};

/// How many tries a key gets and how long it is locked after them.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before the first lock.
    pub free: u64,
    /// The first lock; each further failure doubles it.
    pub first_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
    /// How long failures are remembered (counted from the first).
    pub memory: Duration,
}

impl Policy {
    /// The lock the `n`th attempt takes (`n >= free`): doubling from `first_lock`.
    fn lock_after(&self, n: u64) -> Duration {
        let doublings = u32::try_from(n.saturating_sub(self.free))
            .unwrap_or(u32::MAX)
            .min(30);
        self.first_lock
            .saturating_mul(1u32 << doublings)
            .min(self.max_lock)
    }
}

/// What a success forgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forget {
    /// Every failure of the key (an account whose owner just proved who they are).
    All,
    /// Only this attempt (a keypad many people share).
    Own,
}

/// Attempts counted on one or more keys, waiting for the outcome of the check.
#[must_use = "report the outcome with failed() or succeeded()"]
pub struct Attempts {
    taken: Vec<Taken>,
}

/// One counted attempt on a key.
struct Taken {
    key: String,
    /// Whether this attempt took the key's lock (its one check in the lock period).
    took_lock: bool,
}

fn fail_key(key: &str) -> String {
    format!("attempts:{key}:fail")
}

fn lock_key(key: &str) -> String {
    format!("attempts:{key}:lock")
}

impl Attempts {
    /// Counts one attempt on each key, or refuses when any is locked.
    ///
    /// # Errors
    /// RATE_LIMITED with `message` (what to tell the person) and the time left when a key
    /// is locked; nothing stays counted then.
    pub async fn begin(
        ctx: &Ctx,
        keys: Vec<(String, &'static Policy)>,
        message: Text,
    ) -> Result<Attempts> {
        let mut taken = Attempts { taken: Vec::new() };
        for (key, policy) in keys {
            let lock = ctx.counters.peek(&lock_key(&key)).await;
            if lock.count > 0 {
                taken.undo(ctx).await;
                return Err(locked(&message, lock.left));
            }
            let n = ctx.counters.hit(&fail_key(&key), policy.memory).await.count;
            // From the last free try on, only the attempt that takes the lock is checked
            // (one per lock period); the others wait for it. Taking it before the check,
            // not after a failure, is what keeps concurrent guesses within the free tries.
            let took_lock = n >= policy.free;
            if took_lock {
                let lock = lock_key(&key);
                if !ctx.counters.start(&lock, policy.lock_after(n)).await {
                    let left = ctx.counters.peek(&lock).await.left;
                    ctx.counters.undo(&fail_key(&key)).await;
                    taken.undo(ctx).await;
                    return Err(locked(&message, left));
                }
            }
            taken.taken.push(Taken { key, took_lock });
        }
        Ok(taken)
    }

    /// The secret was wrong: the attempts stay counted (and a lock taken stays).
    pub fn failed(self) {}

    /// The secret was right.
    pub async fn succeeded(self, ctx: &Ctx, forget: Forget) {
        match forget {
            Forget::All => {
                for t in &self.taken {
                    unlock(ctx, &t.key).await;
                }
            }
            Forget::Own => self.cancelled(ctx).await,
        }
    }

    /// The secret could not be checked (a fault): the attempts are taken back.
    pub async fn cancelled(self, ctx: &Ctx) {
        self.undo(ctx).await;
        for t in self.taken.iter().filter(|t| t.took_lock) {
            ctx.counters.reset(&lock_key(&t.key)).await;
        }
    }

    async fn undo(&self, ctx: &Ctx) {
        for t in &self.taken {
            ctx.counters.undo(&fail_key(&t.key)).await;
        }
    }
}

/// Forgets a key's failures and lifts its lock.
pub async fn unlock(ctx: &Ctx, key: &str) {
    ctx.counters.reset(&fail_key(key)).await;
    ctx.counters.reset(&lock_key(key)).await;
}

/// How long `key` stays locked (None: it is not).
pub async fn locked_for(ctx: &Ctx, key: &str) -> Option<Duration> {
    let lock = ctx.counters.peek(&lock_key(key)).await;
    (lock.count > 0).then_some(lock.left)
}

fn locked(message: &Text, left: Duration) -> Error {
    Error::RateLimited {
        message: message.clone(),
        retry_after_secs: left.as_secs().max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_the_cap() {
        let p = Policy {
            free: 5,
            first_lock: Duration::from_secs(60),
            max_lock: Duration::from_secs(3600),
            memory: Duration::from_secs(86_400),
        };
        assert_eq!(p.lock_after(5), Duration::from_secs(60));
        assert_eq!(p.lock_after(6), Duration::from_secs(120));
        assert_eq!(p.lock_after(8), Duration::from_secs(480));
        assert_eq!(p.lock_after(20), Duration::from_secs(3600));
        assert_eq!(p.lock_after(u64::MAX), Duration::from_secs(3600));
    }
}
