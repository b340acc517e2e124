//! Login flows and refresh-token rotation.
//!
//! Card and staff logins are guessing-limited ([`crate::lockout`]) per account name (known
//! or not, so a lock tells nothing about who exists) and per client address; while either
//! is locked even the right secret is refused. In production the demo's published logins
//! are refused. Unknown accounts cost the same password hash as known ones.
//!
//! Refresh tokens are random, stored as SHA-256 hashes, and single-use: each refresh marks
//! the presented token used and issues a new one in the same family. Presenting a used
//! token again means it was stolen (or replayed): the whole family is revoked.

use std::net::IpAddr;
use std::time::Duration;

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QuerySelect};

use super::{password, AuthTokens, Principal, StaffRole};
use crate::audit::{self, Actor};
use crate::entity::refresh_token::{self, SubjectKind};
use crate::entity::{reader, staff, staff_branch};
use crate::lockout::{self, Attempts, Forget, Policy};
use crate::{demo, people, secrets, Ctx, Error, Result};

/// Logs a reader in with card number and PIN, from client address `client`.
///
/// # Errors
/// UNAUTHENTICATED for an unknown card or wrong PIN (the same message for both);
/// RATE_LIMITED while the card or the address is locked after failed logins.
pub async fn login_with_card(
    ctx: &Ctx,
    card_number: &str,
    pin: &str,
    client: Option<IpAddr>,
) -> Result<AuthTokens> {
    password_login(ctx, Account::Card(card_number.trim()), pin, client).await
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

/// Logs a staff member in from client address `client`.
///
/// # Errors
/// UNAUTHENTICATED for an unknown user, wrong password or disabled account; RATE_LIMITED
/// while the account or the address is locked after failed logins.
pub async fn staff_login(
    ctx: &Ctx,
    username: &str,
    secret: &str,
    client: Option<IpAddr>,
) -> Result<AuthTokens> {
    password_login(ctx, Account::Staff(username.trim()), secret, client).await
}

/// A login by name and secret: counted against the account and the address, checked
/// against the stored hash (a dummy one for unknown accounts, at the same cost).
async fn password_login(
    ctx: &Ctx,
    account: Account<'_>,
    secret: &str,
    client: Option<IpAddr>,
) -> Result<AuthTokens> {
    let attempts = guard(ctx, account, client).await?;
    let stored = match stored(ctx, account).await {
        Ok(stored) => stored,
        Err(e) => {
            // A fault is not a guess.
            attempts.cancelled(ctx).await;
            return Err(e);
        }
    };
    let hash = stored.as_ref().and_then(|s| s.hash.as_deref());
    let right = password::check(secret, hash).await && stored.is_some();
    match stored {
        Some(s) if right && s.usable && !refused_demo(ctx, account.name(), secret) => {
            attempts.succeeded(ctx, Forget::All).await;
            start_session(ctx, s.principal).await
        }
        _ => {
            attempts.failed();
            Err(bad_credentials())
        }
    }
}

/// An account as a login finds it.
struct Stored {
    /// The PHC string of its secret (a reader may have none yet).
    hash: Option<String>,
    /// False for a switched-off staff account.
    usable: bool,
    /// Who it logs in as.
    principal: Principal,
}

async fn stored(ctx: &Ctx, account: Account<'_>) -> Result<Option<Stored>> {
    Ok(match account {
        Account::Card(card) => reader::Entity::find()
            .filter(reader::Column::CardNumber.eq(card))
            .one(&ctx.db)
            .await?
            .map(|r| Stored {
                hash: r.pin_hash,
                usable: true,
                principal: Principal::Reader { id: r.id },
            }),
        Account::Staff(user) => {
            match staff::Entity::find()
                .filter(staff::Column::Username.eq(user))
                .one(&ctx.db)
                .await?
            {
                Some(s) => Some(Stored {
                    principal: staff_principal(&ctx.db, &s).await?,
                    usable: !s.disabled,
                    hash: Some(s.password_hash),
                }),
                None => None,
            }
        }
    })
}

/// An account people log in to by name and secret.
#[derive(Debug, Clone, Copy)]
pub enum Account<'a> {
    /// A reader's library card number.
    Card(&'a str),
    /// A staff user name.
    Staff(&'a str),
}

impl<'a> Account<'a> {
    /// The name typed.
    fn name(self) -> &'a str {
        match self {
            Account::Card(n) | Account::Staff(n) => n,
        }
    }

    /// The lockout key of the account (whether or not it exists).
    fn key(self) -> String {
        match self {
            Account::Card(card) => format!("login:card:{card}"),
            Account::Staff(user) => format!("login:staff:{user}"),
        }
    }
}

/// Failed logins of one account: five, then a minute doubling to a day. Six-digit PINs
/// would take centuries.
static PER_ACCOUNT: Policy = Policy {
    free: 5,
    first_lock: Duration::from_secs(60),
    max_lock: Duration::from_secs(24 * 3600),
    memory: Duration::from_secs(24 * 3600),
};
/// Failed logins from one address (trying one PIN over many cards): thirty, then a minute
/// doubling to an hour.
static PER_CLIENT: Policy = Policy {
    free: 30,
    first_lock: Duration::from_secs(60),
    max_lock: Duration::from_secs(3600),
    memory: Duration::from_secs(3600),
};

/// Counts a login attempt on `account` and `client`, or refuses while either is locked.
async fn guard(ctx: &Ctx, account: Account<'_>, client: Option<IpAddr>) -> Result<Attempts> {
    let name = account.name();
    if name.is_empty() || name.len() > MAX_LOGIN_NAME {
        return Err(bad_credentials());
    }
    let mut keys = vec![(account.key(), &PER_ACCOUNT)];
    if let Some(ip) = client {
        keys.push((format!("login:client:{ip}"), &PER_CLIENT));
    }
    Attempts::begin(ctx, keys, "登录失败次数过多，请稍后再试，或请馆员解锁账户").await
}

/// Longest card number or user name looked up.
const MAX_LOGIN_NAME: usize = 64;

/// True (and logged) when production is asked to open a session with the demo's
/// published credentials.
fn refused_demo(ctx: &Ctx, login: &str, secret: &str) -> bool {
    let refused = ctx.config.environment.is_production() && demo::is_demo_login(login, secret);
    if refused {
        tracing::warn!(
            "a demo login was refused: the demo's credentials are public (HONGYAN_ENV=production)"
        );
    }
    refused
}

/// Lifts the login lock of `account` (and forgets its failures): desk staff for readers'
/// cards, admins for staff accounts. Audited.
///
/// # Errors
/// FORBIDDEN for anyone else.
pub async fn unlock(ctx: &Ctx, who: &Principal, account: Account<'_>) -> Result<()> {
    match account {
        Account::Card(_) => who.require_staff(&[
            StaffRole::Librarian,
            StaffRole::Dispatcher,
            StaffRole::Picker,
        ])?,
        Account::Staff(_) => who.require_staff(&[])?,
    }
    lockout::unlock(ctx, &account.key()).await;
    let subject = match account {
        Account::Card(c) => format!("card:{c}"),
        Account::Staff(u) => format!("staff:{u}"),
    };
    audit::record(
        &ctx.db,
        Actor::of(who),
        "login.unlock",
        Some(&subject),
        None,
    )
    .await
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

/// Revokes every refresh token of a subject (a new password, a closed account).
///
/// # Errors
/// INTERNAL or UNAVAILABLE on a database fault.
pub async fn revoke_all(db: &impl ConnectionTrait, kind: SubjectKind, subject: Uuid) -> Result<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::SubjectKind.eq(kind))
        .filter(refresh_token::Column::SubjectId.eq(subject))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
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
