//! Login flows and refresh-token rotation.
//!
//! Refresh tokens are random, stored as SHA-256 hashes, and single-use: each refresh marks
//! the presented token used and issues a new one in the same family. Presenting a used
//! token again means it was stolen (or replayed): the whole family is revoked.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QuerySelect};

use super::{password, AuthTokens, Principal};
use crate::entity::refresh_token::{self, SubjectKind};
use crate::entity::{reader, staff, staff_branch};
use crate::{people, secrets, Ctx, Error, Result};

/// Logs a reader in with card number and PIN.
///
/// # Errors
/// UNAUTHENTICATED for an unknown card or wrong PIN (the same message for both).
pub async fn login_with_card(ctx: &Ctx, card_number: &str, pin: &str) -> Result<AuthTokens> {
    let found = reader::Entity::find()
        .filter(reader::Column::CardNumber.eq(card_number.trim()))
        .one(&ctx.db)
        .await?;
    let hash = found.as_ref().and_then(|r| r.pin_hash.as_deref());
    match found.as_ref() {
        Some(r) if password::check(pin, hash).await => {
            start_session(ctx, Principal::Reader { id: r.id }).await
        }
        _ => Err(bad_credentials()),
    }
}

/// Logs a reader in with a WeChat `wx.login()` code; the first login creates the reader.
///
/// # Errors
/// UNAUTHENTICATED for a bad or used code; RATE_LIMITED or INTERNAL as WeChat answers.
pub async fn login_with_wechat(ctx: &Ctx, code: &str) -> Result<AuthTokens> {
    if code.trim().is_empty() || code.len() > 256 {
        return Err(Error::validation("code must be a WeChat login code"));
    }
    let identity = ctx.wechat.code2session(code.trim()).await?;
    let existing = reader::Entity::find()
        .filter(reader::Column::WechatOpenid.eq(identity.openid.as_str()))
        .one(&ctx.db)
        .await?;
    let id = match existing {
        Some(r) => r.id,
        None => {
            let mut row = people::new_reader("微信读者");
            row.wechat_openid = Set(Some(identity.openid.clone()));
            row.wechat_unionid = Set(identity.unionid);
            let id = Uuid::now_v7();
            row.id = Set(id);
            let insert = reader::Entity::insert(row)
                .on_conflict(
                    sea_orm::sea_query::OnConflict::column(reader::Column::WechatOpenid)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&ctx.db)
                .await?;
            if insert == 1 {
                id
            } else {
                // Two first logins raced; the other one created the reader.
                reader::Entity::find()
                    .filter(reader::Column::WechatOpenid.eq(identity.openid.as_str()))
                    .one(&ctx.db)
                    .await?
                    .ok_or_else(|| {
                        Error::internal(anyhow::anyhow!("reader vanished after insert"))
                    })?
                    .id
            }
        }
    };
    start_session(ctx, Principal::Reader { id }).await
}

/// Logs a staff member in.
///
/// # Errors
/// UNAUTHENTICATED for an unknown user, wrong password or disabled account.
pub async fn staff_login(ctx: &Ctx, username: &str, secret: &str) -> Result<AuthTokens> {
    let found = staff::Entity::find()
        .filter(staff::Column::Username.eq(username.trim()))
        .one(&ctx.db)
        .await?;
    let hash = found.as_ref().map(|s| s.password_hash.as_str());
    match found.as_ref() {
        Some(s) if password::check(secret, hash).await && !s.disabled => {
            let principal = staff_principal(&ctx.db, s).await?;
            start_session(ctx, principal).await
        }
        _ => Err(bad_credentials()),
    }
}

/// Exchanges a refresh token for a new access token and a new refresh token.
///
/// # Errors
/// UNAUTHENTICATED for an unknown, expired, revoked or already used token; reuse revokes
/// every token of the family.
pub async fn refresh(ctx: &Ctx, token: &str) -> Result<AuthTokens> {
    let hash = secrets::token_hash(token);
    let now = Utc::now();
    let txn = ctx.begin().await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| Error::unauthenticated("invalid refresh token"))?;
    if row.used_at.is_some() || row.revoked_at.is_some() {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::FamilyId.eq(row.family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
        return Err(Error::unauthenticated(
            "refresh token was already used; please log in again",
        ));
    }
    if row.expires_at <= now {
        return Err(Error::unauthenticated("refresh token expired"));
    }
    let used = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(Error::unauthenticated("refresh token was already used"));
    }
    let principal = match row.subject_kind {
        SubjectKind::Reader => Principal::Reader { id: row.subject_id },
        SubjectKind::Staff => {
            let s = staff::Entity::find_by_id(row.subject_id)
                .one(&txn)
                .await?
                .filter(|s| !s.disabled)
                .ok_or_else(|| Error::unauthenticated("account disabled"))?;
            staff_principal(&txn, &s).await?
        }
    };
    let tokens = issue(ctx, &txn, &principal, row.family_id).await?;
    txn.commit().await?;
    Ok(tokens)
}

async fn start_session(ctx: &Ctx, principal: Principal) -> Result<AuthTokens> {
    issue(ctx, &ctx.db, &principal, Uuid::now_v7()).await
}

async fn issue(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    principal: &Principal,
    family_id: Uuid,
) -> Result<AuthTokens> {
    let refresh = secrets::random_token();
    let (kind, subject) = match principal {
        Principal::Reader { id } => (SubjectKind::Reader, *id),
        Principal::Staff { id, .. } => (SubjectKind::Staff, *id),
    };
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ctx.config.refresh_token_ttl).map_err(Error::internal)?;
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(family_id),
        token_hash: Set(secrets::token_hash(&refresh)),
        subject_kind: Set(kind),
        subject_id: Set(subject),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(AuthTokens {
        access_token: ctx.tokens.issue(principal)?,
        refresh_token: refresh,
        expires_in: ctx.tokens.ttl().as_secs(),
    })
}

async fn staff_principal(db: &impl ConnectionTrait, s: &staff::Model) -> Result<Principal> {
    let branches = staff_branch::Entity::find()
        .filter(staff_branch::Column::StaffId.eq(s.id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.branch_id)
        .collect();
    Ok(Principal::Staff {
        id: s.id,
        role: s.role,
        branches,
    })
}

fn bad_credentials() -> Error {
    Error::unauthenticated("wrong card number / user name or PIN / password")
}
