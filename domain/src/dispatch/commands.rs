//! Commands for locker controllers: a per-locker sequence (`seq` 1, 2, …) that controllers
//! read past their cursor. Issuing a command happens in the transaction that causes it; after
//! the commit [`announce`] publishes the locker's newest `seq` on the [`LOCKERS`] signal
//! (Redis across processes), which wakes that locker's long poll without any process asking
//! the database whether something is new.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use crate::entity::locker;
use crate::entity::locker_command::{self, CommandKind};
use crate::{Ctx, Result};

pub use locker_command::Model as Command;

/// Signal topic: messages are `<locker id>:<newest seq>`.
pub const LOCKERS: &str = "lockers";

/// The newest command a transaction issued to a locker, to announce after the commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Issued(Option<(Uuid, i64)>);

/// Appends a command to `locker`'s sequence (the locker row is locked, so sequences have no
/// gaps or duplicates).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn issue(
    db: &impl ConnectionTrait,
    locker_id: Uuid,
    kind: CommandKind,
    compartment: &str,
    parcel: &str,
    request: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Issued> {
    locker::Entity::find_by_id(locker_id)
        .lock_exclusive()
        .one(db)
        .await?;
    let seq = latest(db, locker_id).await? + 1;
    locker_command::ActiveModel {
        id: Set(Uuid::now_v7()),
        locker_id: Set(locker_id),
        seq: Set(seq),
        kind: Set(kind),
        compartment: Set(compartment.to_owned()),
        parcel: Set(parcel.to_owned()),
        request_id: Set(request),
        acked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(Issued(Some((locker_id, seq))))
}

/// Tells every process (and so the locker's long poll) about issued commands. Call after
/// the commit.
pub fn announce(ctx: &Ctx, issued: Issued) {
    if let Issued(Some((locker, seq))) = issued {
        ctx.signals.publish(LOCKERS, &format!("{locker}:{seq}"));
    }
}

/// The newest `seq` of `locker`'s commands (0 when it has none).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn latest(db: &impl ConnectionTrait, locker_id: Uuid) -> Result<i64> {
    Ok(locker_command::Entity::find()
        .select_only()
        .column_as(locker_command::Column::Seq.max(), "seq")
        .filter(locker_command::Column::LockerId.eq(locker_id))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0))
}

/// Up to `limit` of `locker`'s commands after `cursor`, oldest first.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn after(
    db: &impl ConnectionTrait,
    locker_id: Uuid,
    cursor: i64,
    limit: u64,
) -> Result<Vec<Command>> {
    Ok(locker_command::Entity::find()
        .filter(locker_command::Column::LockerId.eq(locker_id))
        .filter(locker_command::Column::Seq.gt(cursor))
        .order_by_asc(locker_command::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// Marks the open commands of `kind` for `request` done (the event that completes them came).
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn ack(
    db: &impl ConnectionTrait,
    request: Uuid,
    kind: CommandKind,
    now: DateTime<Utc>,
) -> Result<()> {
    locker_command::Entity::update_many()
        .col_expr(locker_command::Column::AckedAt, Expr::value(now))
        .filter(locker_command::Column::RequestId.eq(request))
        .filter(locker_command::Column::Kind.eq(kind))
        .filter(locker_command::Column::AckedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Parses a [`LOCKERS`] signal message.
pub fn parse_announcement(message: &str) -> Option<(Uuid, i64)> {
    let (locker, seq) = message.split_once(':')?;
    Some((Uuid::parse_str(locker).ok()?, seq.parse().ok()?))
}
