//! A reader who signed in through WeChat binds the library card they already hold
//! (`bindCard`). The card's PIN is checked exactly as a card login is (counted, locked). The
//! card-less account WeChat made, and everything in it (requests, loans, proposals,
//! addresses, messages, idempotency keys, sign-ins), moves to the card's account in one
//! transaction; the empty account is CLOSED and points at the card's. The app's refresh
//! token then signs it in as the card's holder.

use std::net::IpAddr;

use sea_orm::prelude::*;
use sea_orm::ActiveEnum;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{sessions, Principal};
use crate::entity::reader::{self, ReaderStatus};
use crate::people::Reader;
use crate::{Ctx, Error, Reason, Result};

/// Binds card `card_number` (with its PIN) to the calling WeChat reader; returns the card's
/// reader, who now holds everything the WeChat account had.
///
/// # Errors
/// FORBIDDEN for staff; UNAUTHENTICATED for a wrong card or PIN; RATE_LIMITED while the
/// card or address is locked after failures; CONFLICT when the caller has a card already
/// (reason HAS_CARD) or the card is bound to another WeChat user (CARD_BOUND_ELSEWHERE).
pub async fn bind_card(
    ctx: &Ctx,
    who: &Principal,
    card_number: &str,
    pin: &str,
    client: Option<IpAddr>,
) -> Result<Reader> {
    let me = who.reader_id()?;
    let holder = sessions::card_holder(ctx, card_number, pin, client).await?;
    if holder == me {
        return Err(Error::conflict(Reason::HasCard));
    }
    let txn = ctx.begin().await?;
    let source = reader::Entity::find_by_id(me)
        .one(&txn)
        .await?
        .filter(|r| r.status != ReaderStatus::Closed)
        .ok_or_else(|| Error::unauthenticated(text!("reader-account-gone")))?;
    if source.card_number.is_some() {
        return Err(Error::conflict(Reason::HasCard));
    }
    let target = reader::Entity::find_by_id(holder)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    if super::merging::wechat_clash(&target, &source) {
        return Err(Error::conflict(Reason::CardBoundElsewhere));
    }
    let saved = super::merging::fold(&txn, source, target).await?;
    audit::record(
        &txn,
        Actor::Reader(me),
        "reader.bind_card",
        Some(&saved.id.to_string()),
        Some(json!({"closed": me, "status": saved.status.to_value()})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.accounts.forget(me);
    Ok(saved)
}
