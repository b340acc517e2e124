//! Idempotency keys with Stripe's semantics: the same key with the same input returns the
//! first result; the same key with other input is a CONFLICT. A key is claimed in the
//! transaction that does the work, so a failed attempt leaves no key behind, and a second
//! attempt racing the first waits for it on the unique index.

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{OnConflict, SubQueryStatement};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryTrait;
use sha2::{Digest, Sha256};

use crate::entity::idempotency_key;
use crate::{Error, Reason, Result};

/// How long keys are kept (at least 24 h, as clients are promised).
pub const RETENTION: Duration = Duration::hours(48);

/// What claiming a key found.
pub enum Claim {
    /// First use: do the work, then [`complete`].
    New,
    /// Used before with the same input: this was the result.
    Replay(serde_json::Value),
}

/// A fingerprint of an operation and its input.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Claims `key` for `owner` inside the caller's transaction.
///
/// # Errors
/// VALIDATION for an empty or over-long key; CONFLICT when the key was used with other input.
pub async fn claim(
    db: &impl ConnectionTrait,
    owner: Uuid,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Claim> {
    if key.is_empty() || key.len() > 255 || key.chars().any(char::is_control) {
        return Err(Error::validation(text!("idempotency-key-invalid")).in_field("idempotencyKey"));
    }
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        key: Set(key.to_owned()),
        request_hash: Set(fingerprint.to_owned()),
        response: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_key::Column::OwnerId,
            idempotency_key::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let row = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::OwnerId.eq(owner))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?
        .ok_or_else(|| Error::conflict(Reason::IdempotencyKeyInUse))?;
    match row.response {
        Some(first) if row.request_hash == fingerprint => Ok(Claim::Replay(first)),
        Some(_) => Err(Error::conflict(Reason::IdempotencyKeyReused)),
        None => Err(Error::conflict(Reason::IdempotencyKeyInUse)),
    }
}

/// The write that stores the result of the work done under `key`, claimed in the same
/// transaction ([`claim`]), for the caller to write with the work's own rows
/// ([`crate::infra::db::write_all`]).
pub fn completion(owner: Uuid, key: &str, response: serde_json::Value) -> SubQueryStatement {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::Response, Expr::value(response))
        .filter(idempotency_key::Column::OwnerId.eq(owner))
        .filter(idempotency_key::Column::Key.eq(key))
        .into_query()
        .into_sub_query_statement()
}

/// Forgets keys older than [`RETENTION`]; returns how many.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(now - RETENTION))
        .exec(db)
        .await?
        .rows_affected)
}
