//! Smart book lockers (智能书柜): registration, device authentication and liveness.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, TransactionTrait};

use crate::entity::compartment::{self, Size, State};
use crate::entity::locker;
use crate::{branches, infra::secrets, lifecycle, Ctx, Error, Reason, Result};

pub use locker::Model as Locker;

/// A locker counts as online if its controller sent a heartbeat this recently: three of the
/// 30-second heartbeat (and long-poll) periods controllers keep.
pub const ONLINE_WINDOW: Duration = Duration::seconds(90);

/// Compartments to create, parsed from a spec such as `S=12,M=8,L=4` (`S:12` works too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompartmentSpec(Vec<(Size, u32)>);

impl std::str::FromStr for CompartmentSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::validation(text!("locker-compartments-format", spec = s));
        let mut parts = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (size, count) = part.split_once(['=', ':']).ok_or_else(bad)?;
            let size = match size.trim() {
                "S" | "s" => Size::S,
                "M" | "m" => Size::M,
                "L" | "l" => Size::L,
                _ => return Err(bad()),
            };
            let count: u32 = count.trim().parse().map_err(|_| bad())?;
            parts.push((size, count));
        }
        let total: u32 = parts.iter().map(|(_, n)| n).sum();
        if total == 0 || total > 500 {
            return Err(Error::validation(text!("locker-compartments-count")));
        }
        Ok(CompartmentSpec(parts))
    }
}

/// What a new locker needs besides its compartments.
#[derive(Debug, Clone)]
pub struct NewLocker {
    /// Unique code, e.g. `L-XH-01`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Code of the branch that serves it.
    pub branch_code: String,
    /// Where it stands.
    pub address: String,
    /// WGS-84 coordinates.
    pub position: Option<(f64, f64)>,
}

/// Registers a locker with its compartments and returns it with its device token.
/// The token is shown once; only its hash is stored.
///
/// # Errors
/// VALIDATION for an empty code, NOT_FOUND for an unknown branch, CONFLICT for a taken code.
pub async fn register<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    new: NewLocker,
    spec: &CompartmentSpec,
    now: DateTime<Utc>,
) -> Result<(Locker, String)> {
    let token = secrets::random_token();
    let locker = register_with_token(db, new, spec, &token, now).await?;
    Ok((locker, token))
}

/// Registers a locker whose controller will present `token` (the demo uses known tokens).
///
/// # Errors
/// As [`register`].
pub async fn register_with_token<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    new: NewLocker,
    spec: &CompartmentSpec,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Locker> {
    let code = new.code.trim().to_owned();
    if code.is_empty() || code.len() > 64 {
        return Err(Error::validation(text!("locker-code-length")));
    }
    let txn = crate::infra::db::begin_write(db).await?;
    let branch = branches::by_code(&txn, &new.branch_code).await?;
    if locker::Entity::find()
        .filter(locker::Column::Code.eq(&code))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(Error::conflict(Reason::LockerCodeTaken).with("code", code));
    }
    let row = locker::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(if new.name.trim().is_empty() {
            code.clone()
        } else {
            new.name
        }),
        code: Set(code),
        branch_id: Set(branch.id),
        address: Set(new.address),
        latitude: Set(new.position.map(|p| p.0)),
        longitude: Set(new.position.map(|p| p.1)),
        device_token_hash: Set(Some(secrets::token_hash(token))),
        last_seen_at: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut n = 0;
    let mut doors = Vec::new();
    for (size, count) in &spec.0 {
        for _ in 0..*count {
            n += 1;
            doors.push(compartment::ActiveModel {
                id: Set(Uuid::now_v7()),
                locker_id: Set(row.id),
                label: Set(format!("{n:03}")),
                size: Set(*size),
                state: Set(lifecycle::begin(State::Free)?),
                capacity: Set(1),
            });
        }
    }
    compartment::Entity::insert_many(doors)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(row)
}

/// Refuses the demo lockers' published device tokens in production.
///
/// # Errors
/// UNAUTHENTICATED for a demo token when `HONGYAN_ENV=production`.
pub fn refuse_demo_token(ctx: &Ctx, token: &str) -> Result<()> {
    if ctx.config.environment.is_production() && crate::demo::is_demo_locker_token(token) {
        tracing::warn!(
            "a demo locker token was refused: the demo's credentials are public (HONGYAN_ENV=production)"
        );
        return Err(Error::unauthenticated(text!("locker-unknown-token")));
    }
    Ok(())
}

/// The locker a controller's bearer token belongs to; also records that it was heard from.
///
/// # Errors
/// UNAUTHENTICATED for an unknown token (or a demo one in production).
pub async fn authenticate(ctx: &Ctx, token: &str) -> Result<Locker> {
    refuse_demo_token(ctx, token)?;
    let db = &ctx.db;
    let mut found = by_token_hash(db, &secrets::token_hash(token)).await?;
    let now = ctx.now();
    // Write at most every few seconds: controllers poll constantly.
    if found
        .last_seen_at
        .is_none_or(|t| now - t > Duration::seconds(10))
    {
        locker::Entity::update_many()
            .col_expr(locker::Column::LastSeenAt, Expr::value(now))
            .filter(locker::Column::Id.eq(found.id))
            .exec(db)
            .await?;
        found.last_seen_at = Some(now);
    }
    Ok(found)
}

/// The locker whose device token has this hash.
///
/// # Errors
/// UNAUTHENTICATED when there is none.
pub async fn by_token_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Locker> {
    locker::Entity::find()
        .filter(locker::Column::DeviceTokenHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(|| Error::unauthenticated(text!("locker-unknown-token")))
}

/// Whether a locker's controller was heard from within [`ONLINE_WINDOW`].
pub fn is_online(locker: &Locker, now: DateTime<Utc>) -> bool {
    locker
        .last_seen_at
        .is_some_and(|t| now - t <= ONLINE_WINDOW)
}

/// One locker.
///
/// # Errors
/// NOT_FOUND when there is none with that id.
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Locker> {
    locker::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("locker"))
}

/// All lockers, by code.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Locker>> {
    Ok(locker::Entity::find()
        .order_by_asc(locker::Column::Code)
        .all(db)
        .await?)
}

/// A locker's compartments of one size: how many there are and how many are free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeCount {
    /// S, M or L.
    pub size: Size,
    /// FREE doors (not reserved for a parcel, not occupied, not faulty).
    pub free: u32,
    /// Every door of that size.
    pub total: u32,
}

/// Free and total compartments per size of each of `lockers`, smallest size first; sizes a
/// locker does not have are left out, as are unknown lockers.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn compartment_counts(
    db: &impl ConnectionTrait,
    lockers: &[Uuid],
) -> Result<HashMap<Uuid, Vec<SizeCount>>> {
    let doors: Vec<(Uuid, Size, State)> = compartment::Entity::find()
        .select_only()
        .columns([
            compartment::Column::LockerId,
            compartment::Column::Size,
            compartment::Column::State,
        ])
        .filter(compartment::Column::LockerId.is_in(lockers.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(count_by_size(doors))
}

/// Folds doors `(locker, size, state)` into [`SizeCount`]s per locker, S before M before L.
fn count_by_size(
    doors: impl IntoIterator<Item = (Uuid, Size, State)>,
) -> HashMap<Uuid, Vec<SizeCount>> {
    let mut by_locker: HashMap<Uuid, Vec<SizeCount>> = HashMap::new();
    for (locker, size, state) in doors {
        let sizes = by_locker.entry(locker).or_default();
        let at = match sizes.iter().position(|c| c.size == size) {
            Some(i) => i,
            None => {
                sizes.push(SizeCount {
                    size,
                    free: 0,
                    total: 0,
                });
                sizes.len() - 1
            }
        };
        sizes[at].total += 1;
        if state == State::Free {
            sizes[at].free += 1;
        }
    }
    let rank = |s: Size| match s {
        Size::S => 0,
        Size::M => 1,
        Size::L => 2,
    };
    for sizes in by_locker.values_mut() {
        sizes.sort_by_key(|c| rank(c.size));
    }
    by_locker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doors_are_counted_per_locker_and_size_smallest_first() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let counts = count_by_size([
            (a, Size::L, State::Free),
            (a, Size::S, State::Reserved),
            (a, Size::S, State::Free),
            (a, Size::S, State::Fault),
            (b, Size::M, State::Occupied),
        ]);
        let count = |size, free, total| SizeCount { size, free, total };
        assert_eq!(counts[&a], vec![count(Size::S, 1, 3), count(Size::L, 1, 1)]);
        assert_eq!(counts[&b], vec![count(Size::M, 0, 1)]);
        assert!(count_by_size([]).is_empty());
    }

    #[test]
    fn compartment_specs() {
        let spec: CompartmentSpec = "S=2, M:1,L=3".parse().expect("valid");
        assert_eq!(spec.0, vec![(Size::S, 2), (Size::M, 1), (Size::L, 3)]);
        for bad in ["", "X:3", "S:x", "S:0", "S3", "S:501"] {
            assert!(bad.parse::<CompartmentSpec>().is_err(), "{bad}");
        }
    }
}
