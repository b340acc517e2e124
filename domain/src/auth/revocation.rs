//! Whether the account behind a valid access token may still act.
//!
//! An access token is self-contained (no database round trip to trust it), so switching a
//! staff account off would otherwise leave its tokens working until they expire. Every
//! request (and every operation on a WebSocket) asks [`AccountCheck::ensure_active`]; the
//! answer is kept per process for [`FRESH`], and the process that switches an account off
//! forgets it at once ([`AccountCheck::forget`]). A reader account merged into another
//! (`bindCard`) is CLOSED and stops the same way.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sea_orm::prelude::*;
use sea_orm::QuerySelect;

use super::{Principal, StaffRole};
use crate::entity::reader::{self, ReaderStatus};
use crate::entity::staff;
use crate::{Error, Reason, Result};

/// How long one process trusts what it read about an account.
pub const FRESH: Duration = Duration::from_secs(2);
/// Accounts remembered at most (the cache is cleared when full; it only saves reads).
const MAX_REMEMBERED: usize = 10_000;

/// Whether an account (with, for staff, the role its token claims) may act, and when that
/// was read.
type Seen = HashMap<(Uuid, Option<StaffRole>), (bool, Instant)>;

/// The per-process cache of accounts' standing.
#[derive(Debug, Default)]
pub struct AccountCheck {
    /// What was read, per account and (for staff) the role its token claims.
    seen: Mutex<Seen>,
}

impl AccountCheck {
    /// Succeeds when `principal`'s account may act now.
    ///
    /// # Errors
    /// UNAUTHENTICATED (reason ACCOUNT_CLOSED) for a staff account switched off, removed or
    /// given another role, or a reader account closed; INTERNAL or UNAVAILABLE on a database fault.
    pub async fn ensure_active(
        &self,
        db: &impl ConnectionTrait,
        principal: &Principal,
    ) -> Result<()> {
        let (id, key) = match principal {
            Principal::Staff { id, role, .. } => (*id, (*id, Some(*role))),
            Principal::Reader { id } => (*id, (*id, None)),
        };
        let known = self
            .map()
            .get(&key)
            .filter(|(_, at)| at.elapsed() < FRESH)
            .map(|(active, _)| *active);
        let active = match known {
            Some(active) => active,
            None => {
                let active = match principal {
                    Principal::Staff { role, .. } => {
                        // A role changed since the token was issued stops it too.
                        let row: Option<(bool, StaffRole)> = staff::Entity::find_by_id(id)
                            .select_only()
                            .column(staff::Column::Disabled)
                            .column(staff::Column::Role)
                            .into_tuple()
                            .one(db)
                            .await?;
                        row == Some((false, *role))
                    }
                    Principal::Reader { .. } => {
                        let status: Option<ReaderStatus> = reader::Entity::find_by_id(id)
                            .select_only()
                            .column(reader::Column::Status)
                            .into_tuple()
                            .one(db)
                            .await?;
                        status.is_some_and(|s| s != ReaderStatus::Closed)
                    }
                };
                let mut map = self.map();
                if map.len() >= MAX_REMEMBERED {
                    map.clear();
                }
                map.insert(key, (active, Instant::now()));
                active
            }
        };
        if active {
            Ok(())
        } else {
            Err(Error::unauthenticated(text!("session-account-closed"))
                .because(Reason::AccountClosed))
        }
    }

    /// Forgets what this process knows of account `id` (it was just changed).
    pub fn forget(&self, id: Uuid) {
        self.map().retain(|(seen, _), _| *seen != id);
    }

    fn map(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
