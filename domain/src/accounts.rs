//! Staff accounts as admins manage them from the console: who works where, new accounts,
//! and switching an account off (a disabled account cannot log in or refresh, and its
//! access tokens stop working at once: [`crate::auth::revocation`]). Every change is audited.

use sea_orm::prelude::*;
use sea_orm::{ActiveEnum, ActiveValue::Set, QueryOrder};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{Principal, StaffRole};
use crate::branches::Branch;
use crate::entity::{staff, staff_branch};
use crate::people::{self, Staff};
use crate::{branches, Ctx, Error, Result};

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
    /// Initial password (at least 8 characters).
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
/// FORBIDDEN for anyone but an admin; VALIDATION for a bad user name, a short password or
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
    )
    .await?;
    txn.commit().await?;
    one(&ctx.db, row.id).await
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

/// Switches an account off or on again (admins; not their own account).
///
/// # Errors
/// FORBIDDEN for anyone but an admin, or for an admin's own account; NOT_FOUND for an
/// unknown account.
pub async fn set_disabled(ctx: &Ctx, who: &Principal, id: Uuid, disabled: bool) -> Result<Account> {
    who.require_staff(&[StaffRole::Admin])?;
    if who.staff_id() == Some(id) {
        return Err(Error::forbidden("you cannot switch off your own account"));
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
    audit::record(&txn, Actor::of(who), action, Some(&id.to_string()), None).await?;
    txn.commit().await?;
    ctx.accounts.forget(id);
    one(&ctx.db, id).await
}
