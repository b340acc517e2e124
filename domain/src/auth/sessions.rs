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

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QuerySelect};

use super::wechat_login::WechatIdentity;
use super::{password, AuthTokens, Principal, StaffRole};
use crate::audit::{self, Actor};
use crate::entity::reader::ReaderStatus;
use crate::entity::refresh_token::{self, SubjectKind};
use crate::entity::{reader, staff, staff_branch};
use crate::lockout::{self, Attempts, Forget, Policy};
use crate::{demo, infra::secrets, people, Ctx, Error, Result};

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
    let who = verified(ctx, Account::Card(card_number.trim()), pin, client).await?;
    start_session(ctx, who).await
}

/// The reader holding card `card_number`, when `pin` is its PIN: checked exactly as a login
/// is (counted, locked, refused in production for demo cards), without starting a session.
///
/// # Errors
/// As [`login_with_card`].
pub async fn card_holder(
    ctx: &Ctx,
    card_number: &str,
    pin: &str,
    client: Option<IpAddr>,
) -> Result<Uuid> {
    match verified(ctx, Account::Card(card_number.trim()), pin, client).await? {
        Principal::Reader { id } => Ok(id),
        Principal::Staff { .. } => Err(bad_credentials()),
    }
}

/// Logs a reader in with a WeChat `wx.login()` code; the first login creates the reader.
///
/// # Errors
/// UNAUTHENTICATED for a bad or used code; RATE_LIMITED or INTERNAL as WeChat answers.
pub async fn login_with_wechat(ctx: &Ctx, code: &str) -> Result<AuthTokens> {
    let code = wechat_code(code)?;
    let identity = ctx.wechat.code2session(code).await?;
    let id = wechat_reader(ctx, reader::Column::WechatOpenid, &identity).await?;
    start_session(ctx, Principal::Reader { id }).await
}

/// Logs a reader in from the library's official account web page (web authorisation with
/// `snsapi_base`): the first visit creates a card-less reader, or links the account a
/// mini-program login made for the same person (same unionid).
///
/// # Errors
/// UNAUTHENTICATED (reason WECHAT_CODE_INVALID, WECHAT_SNAPSHOT) for a bad, used or stand-in
/// code; VALIDATION when no official account is configured; INTERNAL as WeChat answers.
pub async fn login_with_wechat_web(ctx: &Ctx, code: &str) -> Result<AuthTokens> {
    let code = wechat_code(code)?;
    let identity = ctx
        .notifier
        .official_identity(code)
        .await
        .map_err(|e| match e.reason() {
            // Its message is keyed by the reason: the same words, as UNAUTHENTICATED.
            Some(reason) => Error::unauthenticated(reason),
            None => e,
        })?;
    let id = wechat_reader(ctx, reader::Column::WechatOaOpenid, &identity).await?;
    start_session(ctx, Principal::Reader { id }).await
}

/// A WeChat login code, trimmed and of sane length.
fn wechat_code(code: &str) -> Result<&str> {
    let code = code.trim();
    if code.is_empty() || code.len() > 256 {
        return Err(Error::validation(text!("wechat-login-code-format")).in_field("code"));
    }
    Ok(code)
}

/// The reader WeChat identifies by `identity.openid` in `column` (the mini-program's or
/// the official account's openid): found, linked by unionid to the reader the other app
/// made, or created card-less. Two first logins at once make one reader.
async fn wechat_reader(
    ctx: &Ctx,
    column: reader::Column,
    identity: &WechatIdentity,
) -> Result<Uuid> {
    let openid = identity.openid.as_str();
    let by_openid = || {
        reader::Entity::find()
            .filter(column.eq(openid))
            .filter(reader::Column::Status.ne(ReaderStatus::Closed))
    };
    if let Some(r) = by_openid().one(&ctx.db).await? {
        return Ok(r.id);
    }
    if let Some(unionid) = identity.unionid.as_deref() {
        let linked = reader::Entity::update_many()
            .col_expr(column, Expr::value(openid))
            .filter(reader::Column::WechatUnionid.eq(unionid))
            .filter(column.is_null())
            .filter(reader::Column::Status.ne(ReaderStatus::Closed))
            .exec(&ctx.db)
            .await?;
        if linked.rows_affected > 0 {
            if let Some(r) = by_openid().one(&ctx.db).await? {
                return Ok(r.id);
            }
        }
    }
    let mut row = people::new_reader("微信读者", ctx.now())?;
    row.set(column, Some(openid.to_owned()).into());
    row.wechat_unionid = Set(identity.unionid.clone());
    reader::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(column)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&ctx.db)
        .await?;
    // Inserted now, or by a first login racing this one.
    Ok(by_openid()
        .one(&ctx.db)
        .await?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("reader vanished after insert")))?
        .id)
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
    let who = verified(ctx, Account::Staff(username.trim()), secret, client).await?;
    start_session(ctx, who).await
}

/// Who a name and secret identify: counted against the account and the address, checked
/// against the stored hash (a dummy one for unknown accounts, at the same cost).
async fn verified(
    ctx: &Ctx,
    account: Account<'_>,
    secret: &str,
    client: Option<IpAddr>,
) -> Result<Principal> {
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
            Ok(s.principal)
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
                usable: r.status != ReaderStatus::Closed,
                hash: r.pin_hash,
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
    pub(crate) fn key(self) -> String {
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
    Attempts::begin(ctx, keys, text!("login-locked")).await
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
        ctx.now(),
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
    let now = ctx.now();
    let txn = ctx.begin().await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| Error::unauthenticated(text!("refresh-token-invalid")))?;
    if row.used_at.is_some() || row.revoked_at.is_some() {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::FamilyId.eq(row.family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
        return Err(Error::unauthenticated(text!("refresh-token-reused")));
    }
    if row.expires_at <= now {
        return Err(Error::unauthenticated(text!("refresh-token-expired")));
    }
    let used = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(Error::unauthenticated(text!("refresh-token-used")));
    }
    let principal = match row.subject_kind {
        SubjectKind::Reader => Principal::Reader { id: row.subject_id },
        SubjectKind::Staff => {
            let s = staff::Entity::find_by_id(row.subject_id)
                .one(&txn)
                .await?
                .filter(|s| !s.disabled)
                .ok_or_else(|| Error::unauthenticated(text!("staff-account-disabled")))?;
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
pub async fn revoke_all(
    db: &impl ConnectionTrait,
    kind: SubjectKind,
    subject: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
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
    let now = ctx.now();
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
    Error::unauthenticated(text!("login-failed"))
}
