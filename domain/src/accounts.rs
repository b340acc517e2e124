//! Staff accounts as admins manage them from the console: who works where, new accounts,
//! and switching an account off (a disabled account cannot log in or refresh, and its
//! access tokens stop working at once: [`crate::auth::revocation`]). Every change is audited.

use sea_orm::prelude::*;
use sea_orm::{ActiveEnum, ActiveValue::Set, QueryOrder};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{password, sessions, Principal, StaffRole};
use crate::branches::Branch;
use crate::entity::refresh_token::SubjectKind;
use crate::entity::{staff, staff_branch};
use crate::people::{self, Staff};
use crate::{branches, Ctx, Error, Reason, Result};

/// An account with the branches it works in.
#[derive(Debug, Clone)]
pub struct Account {
    /// The account.
    pub staff: Staff,
    /// Its branches (none for admins, whose scope is everywhere).
    pub branches: Vec<Branch>,
}

/// A new account as an admin types it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login name.
    pub username: String,
    /// Initial password (strong enough: [`crate::auth::password::require_strong`]).
    pub password: String,
    /// Role.
    pub role: StaffRole,
    /// Branch codes (at least one, except for admins).
    pub branch_codes: Vec<String>,
}

/// Every staff account, by user name (admins).
///
/// # Errors
/// FORBIDDEN for anyone but an admin.
pub async fn list(db: &impl ConnectionTrait, who: &Principal) -> Result<Vec<Account>> {
    who.require_staff(&[StaffRole::Admin])?;
    let rows = staff::Entity::find()
        .order_by_asc(staff::Column::Username)
        .all(db)
        .await?;
    let links = staff_branch::Entity::find().all(db).await?;
    let all = branches::list(db).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let mut places: Vec<Branch> = links
                .iter()
                .filter(|l| l.staff_id == s.id)
                .filter_map(|l| all.iter().find(|b| b.id == l.branch_id).cloned())
                .collect();
            places.sort_by(|a, b| a.code.cmp(&b.code));
            Account {
                staff: s,
                branches: places,
            }
        })
        .collect())
}

/// Creates an account (admins).
///
/// # Errors
/// FORBIDDEN for anyone but an admin; VALIDATION for a bad user name, a weak password or
/// a non-admin without branches; NOT_FOUND for an unknown branch code; CONFLICT for a
/// taken user name. Nothing is written then.
pub async fn create(ctx: &Ctx, who: &Principal, new: NewAccount) -> Result<Account> {
    who.require_staff(&[StaffRole::Admin])?;
    let txn = ctx.begin().await?;
    let row = people::add_staff(
        &txn,
        &new.username,
        &new.password,
        new.role,
        &new.branch_codes,
        ctx.now(),
    )
    .await?;
    audit::record(
        &txn,
        Actor::of(who),
        "staff.create",
        Some(&row.id.to_string()),
        Some(
            json!({"username": row.username, "role": new.role.to_value(),
                    "branches": new.branch_codes}),
        ),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    one(&ctx.db, row.id).await
}

/// Gives account `id` a new password (admins, for anyone; staff, for themselves). Its
/// refresh tokens are revoked, so every device signs in again. Audited.
///
/// # Errors
/// FORBIDDEN for readers and for staff other than admins setting another's password;
/// VALIDATION for a weak password; NOT_FOUND for an unknown account.
pub async fn set_password(ctx: &Ctx, who: &Principal, id: Uuid, secret: &str) -> Result<Account> {
    if who.staff_id() != Some(id) {
        who.require_staff(&[StaffRole::Admin])?;
    }
    change_password(ctx, Actor::of(who), id, secret).await?;
    one(&ctx.db, id).await
}

/// Gives the account named `username` a new password (the command line, acting as the
/// platform).
///
/// # Errors
/// NOT_FOUND for an unknown user name; VALIDATION for a weak password.
pub async fn set_password_of(ctx: &Ctx, username: &str, secret: &str) -> Result<()> {
    let id = staff::Entity::find()
        .filter(staff::Column::Username.eq(username.trim()))
        .one(&ctx.db)
        .await?
        .ok_or(Error::NotFound("staff account"))?
        .id;
    change_password(ctx, Actor::System, id, secret).await
}

async fn change_password(ctx: &Ctx, actor: Actor, id: Uuid, secret: &str) -> Result<()> {
    let txn = ctx.begin().await?;
    let current = staff::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("staff account"))?;
    password::require_strong(secret, &[current.username.as_str()])?;
    let mut row: staff::ActiveModel = current.into();
    row.password_hash = Set(password::hash(secret)?);
    row.update(&txn).await?;
    sessions::revoke_all(&txn, SubjectKind::Staff, id, ctx.now()).await?;
    audit::record(
        &txn,
        actor,
        "staff.password",
        Some(&id.to_string()),
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One account with its branches.
async fn one(db: &impl ConnectionTrait, id: Uuid) -> Result<Account> {
    let staff = staff::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("staff account"))?;
    let ids: Vec<Uuid> = staff_branch::Entity::find()
        .filter(staff_branch::Column::StaffId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.branch_id)
        .collect();
    let mut branches = branches::by_ids(db, &ids).await?;
    branches.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Account { staff, branches })
}

/// Gives account `id` another role and branches (admins; not their own account; audited).
/// Its refresh tokens are revoked and its access tokens stop at once (their role no longer
/// matches), so it signs in again in the new role.
///
/// # Errors
/// FORBIDDEN for anyone but an admin, or for an admin's own account; VALIDATION for a
/// non-admin without branches (field `branchCodes`); NOT_FOUND for an unknown account or
/// branch code.
pub async fn set_role(
    ctx: &Ctx,
    who: &Principal,
    id: Uuid,
    role: StaffRole,
    branch_codes: &[String],
) -> Result<Account> {
    who.require_staff(&[StaffRole::Admin])?;
    if who.staff_id() == Some(id) {
        return Err(Error::forbidden(Reason::OwnRole));
    }
    if role != StaffRole::Admin && branch_codes.is_empty() {
        return Err(Error::validation(text!("staff-branch-required")).in_field("branchCodes"));
    }
    let txn = ctx.begin().await?;
    let current = staff::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("staff account"))?;
    let before = current.role.to_value();
    let mut row: staff::ActiveModel = current.into();
    row.role = Set(role);
    row.update(&txn).await?;
    let codes: &[String] = if role == StaffRole::Admin {
        &[]
    } else {
        branch_codes
    };
    people::link_branches(&txn, id, codes).await?;
    sessions::revoke_all(&txn, SubjectKind::Staff, id, ctx.now()).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "staff.role",
        Some(&id.to_string()),
        Some(json!({"before": before, "role": role.to_value(), "branches": codes})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.accounts.forget(id);
    one(&ctx.db, id).await
}

/// Switches an account off or on again (admins; not their own account).
///
/// # Errors
/// FORBIDDEN for anyone but an admin, or for an admin's own account; NOT_FOUND for an
/// unknown account.
pub async fn set_disabled(ctx: &Ctx, who: &Principal, id: Uuid, disabled: bool) -> Result<Account> {
    who.require_staff(&[StaffRole::Admin])?;
    if who.staff_id() == Some(id) {
        return Err(Error::forbidden(Reason::OwnAccount));
    }
    let txn = ctx.begin().await?;
    let current = staff::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("staff account"))?;
    let mut row: staff::ActiveModel = current.into();
    row.disabled = Set(disabled);
    row.update(&txn).await?;
    let action = if disabled {
        "staff.disable"
    } else {
        "staff.enable"
    };
    audit::record(
        &txn,
        Actor::of(who),
        action,
        Some(&id.to_string()),
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.accounts.forget(id);
    one(&ctx.db, id).await
}
