//! Two accounts of one person become one: a WeChat account binding its holder's card
//! ([`super::binding`]), or staff merging two accounts a reader ended up with (`mergeReaders`:
//! say a second card made at another branch). Everything the closed account had (requests,
//! loans, proposals, addresses, messages, idempotency keys, sign-ins) moves to the kept one in
//! the caller's transaction; the closed one is CLOSED and points at the kept one. A merge that
//! would lose something is refused before anything moves.

use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseTransaction, QuerySelect};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{Principal, StaffRole};
use crate::entity::reader::{self, ReaderStatus};
use crate::entity::refresh_token::{self, SubjectKind};
use crate::entity::{
    idempotency_key, loan, loan_request, notification, purchase_proposal, reader_address,
};
use crate::lifecycle;
use crate::people::Reader;
use crate::{Ctx, Error, Reason, Result};

/// Whether the two accounts are bound to different WeChat users (one binding would be lost).
pub(crate) fn wechat_clash(a: &Reader, b: &Reader) -> bool {
    let clash =
        |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x != y);
    clash(&a.wechat_openid, &b.wechat_openid)
        || clash(&a.wechat_unionid, &b.wechat_unionid)
        || clash(&a.wechat_oa_openid, &b.wechat_oa_openid)
}

/// Merges `close` into `keep` (staff: librarians and admins): the kept account gains
/// everything, the other is CLOSED. Audited with both cards.
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION for the same account twice; NOT_FOUND for an unknown
/// reader; CONFLICT when either is closed already (reason ACCOUNT_CLOSED), or when the merge
/// would lose data: ID numbers that differ (DIFFERENT_PEOPLE) or two WeChat bindings
/// (WECHAT_CLASH).
pub async fn merge(ctx: &Ctx, who: &Principal, keep: Uuid, close: Uuid) -> Result<Reader> {
    who.require_staff(&[StaffRole::Librarian])?;
    if keep == close {
        return Err(Error::validation(text!("merge-same-account")).in_field("mergeId"));
    }
    let txn = ctx.begin().await?;
    let mut rows = reader::Entity::find()
        .filter(reader::Column::Id.is_in([keep, close]))
        .lock_exclusive()
        .all(&txn)
        .await?;
    let position = |id| rows.iter().position(|r| r.id == id);
    let (Some(k), Some(_)) = (position(keep), position(close)) else {
        return Err(Error::NotFound("reader"));
    };
    let target = rows.swap_remove(k);
    let source = rows.pop().ok_or(Error::NotFound("reader"))?;
    if target.status == ReaderStatus::Closed || source.status == ReaderStatus::Closed {
        return Err(Error::conflict(Reason::AccountClosed));
    }
    if matches!((&target.id_number_hash, &source.id_number_hash), (Some(a), Some(b)) if a != b) {
        return Err(Error::conflict(Reason::DifferentPeople));
    }
    if wechat_clash(&target, &source) {
        return Err(Error::conflict(Reason::WechatClash));
    }
    let closed_card = source.card_number.clone();
    let saved = fold(&txn, source, target).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "reader.merge",
        Some(&saved.id.to_string()),
        Some(json!({"closed": close, "closed_card": closed_card, "kept_card": saved.card_number})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.accounts.forget(close);
    ctx.accounts.forget(keep);
    Ok(saved)
}

/// Moves everything of `source` to `target` and closes `source`, in `txn`; the kept account
/// gains the WeChat bindings, contact details, ID number and credit card it lacked, and keeps
/// a block either had. The caller has checked [`wechat_clash`].
pub(crate) async fn fold(
    txn: &DatabaseTransaction,
    source: Reader,
    target: Reader,
) -> Result<Reader> {
    move_belongings(txn, source.id, target.id).await?;
    let mut kept: reader::ActiveModel = target.clone().into();
    kept.wechat_openid = Set(target.wechat_openid.or(source.wechat_openid.clone()));
    kept.wechat_unionid = Set(target.wechat_unionid.or(source.wechat_unionid.clone()));
    kept.wechat_oa_openid = Set(target.wechat_oa_openid.or(source.wechat_oa_openid.clone()));
    kept.email = Set(target.email.or(source.email.clone()));
    kept.phone = Set(target.phone.or(source.phone.clone()));
    // A card issued on credit stays counted, with the person who holds it now.
    kept.credit_card_at = Set(target.credit_card_at.or(source.credit_card_at));
    if target.id_number_hash.is_none() {
        kept.id_number_hash = Set(source.id_number_hash.clone());
        kept.id_number_masked = Set(source.id_number_masked.clone());
    }
    if source.blocked && !target.blocked {
        kept.blocked = Set(true);
        kept.blocked_reason = Set(source.blocked_reason.clone());
    }
    // The WeChat ids are unique: off the closed account first, then onto the kept one.
    let closed = reader::ActiveModel {
        wechat_openid: Set(None),
        wechat_unionid: Set(None),
        wechat_oa_openid: Set(None),
        merged_into: Set(Some(target.id)),
        ..Default::default()
    };
    let (id, from) = (source.id, source.status);
    lifecycle::advance::<reader::Entity>(txn, id, from, ReaderStatus::Closed, closed).await?;
    Ok(kept.update(txn).await?)
}

/// Moves every row of reader `from` to reader `to`.
async fn move_belongings(txn: &DatabaseTransaction, from: Uuid, to: Uuid) -> Result<()> {
    macro_rules! move_rows {
        ($entity:ident, $column:ident) => {
            $entity::Entity::update_many()
                .col_expr($entity::Column::$column, Expr::value(to))
                .filter($entity::Column::$column.eq(from))
                .exec(txn)
                .await?;
        };
    }
    move_rows!(loan_request, ReaderId);
    move_rows!(loan, ReaderId);
    move_rows!(purchase_proposal, ReaderId);
    move_rows!(reader_address, ReaderId);
    move_rows!(notification, ReaderId);
    move_rows!(idempotency_key, OwnerId);
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::SubjectId, Expr::value(to))
        .filter(refresh_token::Column::SubjectKind.eq(SubjectKind::Reader))
        .filter(refresh_token::Column::SubjectId.eq(from))
        .exec(txn)
        .await?;
    Ok(())
}
