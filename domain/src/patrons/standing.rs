//! A reader's standing as staff set it: lending blocked (with the reason the reader is told),
//! the loans and requests they may hold at once, and a new PIN when they forgot theirs. Each
//! change is audited with who made it; the PIN itself is never written anywhere but its hash.

use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{password, Principal, StaffRole};
use crate::entity::reader::{self, ReaderStatus};
use crate::lending::desk::DESK;
use crate::people::Reader;
use crate::{infra::secrets, lockout, Ctx, Error, Reason, Result};

/// Longest reason for a block.
pub const MAX_REASON: usize = 200;
/// Highest loan or request limit staff may set.
pub const MAX_LIMIT: i32 = 99;
/// Digits of a PIN the desk issues.
pub const PIN_DIGITS: usize = 6;

/// Blocks or unblocks `reader`'s lending (librarians and admins); blocking needs a reason
/// (1–200 characters), which the reader and the desk see.
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION for a missing or overlong reason (field `reason`);
/// NOT_FOUND for an unknown reader; CONFLICT for a closed account.
pub async fn set_blocked(
    ctx: &Ctx,
    who: &Principal,
    reader_id: Uuid,
    blocked: bool,
    reason: Option<&str>,
) -> Result<Reader> {
    who.require_staff(&[StaffRole::Librarian])?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if blocked && reason.is_none() {
        return Err(Error::validation(text!("block-reason-required")).in_field("reason"));
    }
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON) {
        return Err(
            Error::validation(text!("block-reason-too-long", max = MAX_REASON)).in_field("reason"),
        );
    }
    let txn = ctx.begin().await?;
    let found = open_account(&txn, reader_id).await?;
    let mut row: reader::ActiveModel = found.into();
    row.blocked = Set(blocked);
    row.blocked_reason = Set(blocked.then(|| reason.unwrap_or_default().to_owned()));
    let saved = row.update(&txn).await?;
    let action = if blocked {
        "reader.block"
    } else {
        "reader.unblock"
    };
    audit::record(
        &txn,
        Actor::of(who),
        action,
        Some(&reader_id.to_string()),
        Some(json!({"reason": reason})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Sets how many loans and open requests `reader` may hold at once (librarians and admins;
/// 0–99 each; 0 stops new ones without blocking).
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION for a limit out of range (field `maxLoans` or
/// `maxOpenRequests`); NOT_FOUND for an unknown reader; CONFLICT for a closed account.
pub async fn set_limits(
    ctx: &Ctx,
    who: &Principal,
    reader_id: Uuid,
    max_loans: i32,
    max_open_requests: i32,
) -> Result<Reader> {
    who.require_staff(&[StaffRole::Librarian])?;
    for (value, field) in [
        (max_loans, "maxLoans"),
        (max_open_requests, "maxOpenRequests"),
    ] {
        if !(0..=MAX_LIMIT).contains(&value) {
            return Err(
                Error::validation(text!("reader-limit-range", max = MAX_LIMIT)).in_field(field),
            );
        }
    }
    let txn = ctx.begin().await?;
    let found = open_account(&txn, reader_id).await?;
    let before =
        json!({"max_loans": found.max_loans, "max_open_requests": found.max_open_requests});
    let mut row: reader::ActiveModel = found.into();
    row.max_loans = Set(max_loans);
    row.max_open_requests = Set(max_open_requests);
    let saved = row.update(&txn).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "reader.limits",
        Some(&reader_id.to_string()),
        Some(json!({"before": before, "after": {"max_loans": max_loans, "max_open_requests": max_open_requests}})),
ctx.now(),)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Gives a card holder who forgot their PIN a new random 6-digit one, returned once for the
/// desk to hand over (desk staff and admins). The card's login lock is lifted too.
///
/// # Errors
/// FORBIDDEN for anyone else; NOT_FOUND for an unknown reader; CONFLICT for a closed account
/// or one without a card (reason CARD_REQUIRED).
pub async fn reset_pin(ctx: &Ctx, who: &Principal, reader_id: Uuid) -> Result<(Reader, String)> {
    who.require_staff(DESK)?;
    let pin = secrets::random_digits(PIN_DIGITS);
    let hash = password::hash(&pin)?;
    let txn = ctx.begin().await?;
    let found = open_account(&txn, reader_id).await?;
    let Some(card) = found.card_number.clone() else {
        return Err(Error::conflict(Reason::CardRequired));
    };
    let mut row: reader::ActiveModel = found.into();
    row.pin_hash = Set(Some(hash));
    let saved = row.update(&txn).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "reader.reset_pin",
        Some(&reader_id.to_string()),
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    lockout::unlock(ctx, &crate::auth::sessions::Account::Card(&card).key()).await;
    Ok((saved, pin))
}

/// The reader, locked for the caller's transaction; not a closed account.
async fn open_account(txn: &impl ConnectionTrait, reader_id: Uuid) -> Result<Reader> {
    use sea_orm::QuerySelect;
    let found = reader::Entity::find_by_id(reader_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    if found.status == ReaderStatus::Closed {
        return Err(Error::WrongState {
            what: "reader",
            state: "CLOSED",
        });
    }
    Ok(found)
}
