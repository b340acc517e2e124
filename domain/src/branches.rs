//! Branches: the library's places (central library, branches, 24-hour self-service
//! libraries, partner bookstores).

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::QueryOrder;

use crate::entity::branch;
use crate::{Error, Reason, Result};

pub use branch::{BranchKind, Model as Branch};

/// All branches, by code.
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Branch>> {
    Ok(branch::Entity::find()
        .order_by_asc(branch::Column::Code)
        .all(db)
        .await?)
}

/// The branch with this code.
///
/// # Errors
/// NOT_FOUND when no branch has that code.
pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<Branch> {
    branch::Entity::find()
        .filter(branch::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("branch"))
}

/// The branches with these ids (missing ids are simply absent).
///
/// # Errors
/// [`Error::Internal`] on a database fault.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Branch>> {
    Ok(branch::Entity::find()
        .filter(branch::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// A branch to create.
#[derive(Debug, Clone)]
pub struct NewBranch {
    /// Unique short code, e.g. `ZJG-JG`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Kind of place.
    pub kind: BranchKind,
    /// Street address.
    pub address: String,
    /// WGS-84 (latitude, longitude).
    pub position: Option<(f64, f64)>,
}

/// Creates branches in one statement.
///
/// # Errors
/// VALIDATION for an empty code or name; CONFLICT when a code is taken.
pub async fn create(
    db: &impl ConnectionTrait,
    new: Vec<NewBranch>,
    now: DateTime<Utc>,
) -> Result<Vec<Branch>> {
    let mut rows = Vec::with_capacity(new.len());
    for b in new {
        let code = b.code.trim().to_owned();
        if code.is_empty() || code.len() > 32 || b.name.trim().is_empty() {
            return Err(Error::validation(text!("branch-code-and-name")));
        }
        if branch::Entity::find()
            .filter(branch::Column::Code.eq(&code))
            .one(db)
            .await?
            .is_some()
        {
            return Err(Error::conflict(Reason::BranchCodeTaken).with("code", code));
        }
        rows.push(Branch {
            id: Uuid::now_v7(),
            code,
            name: b.name.trim().to_owned(),
            kind: b.kind,
            address: b.address,
            latitude: b.position.map(|p| p.0),
            longitude: b.position.map(|p| p.1),
            created_at: now,
            partner_branch_id: None,
        });
    }
    if !rows.is_empty() {
        branch::Entity::insert_many(
            rows.iter()
                .cloned()
                .map(sea_orm::IntoActiveModel::into_active_model),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(rows)
}

/// Names the library branch that holds bookstore `store`'s partnership: the home of the
/// copies bought at its counter (admins; audited).
///
/// # Errors
/// FORBIDDEN for anyone but an admin; NOT_FOUND for an unknown branch; VALIDATION when
/// `store` is no bookstore or `partner` is one.
pub async fn set_partner(
    db: &impl ConnectionTrait,
    who: &crate::auth::Principal,
    store: Uuid,
    partner: Uuid,
    now: DateTime<Utc>,
) -> Result<Branch> {
    who.require_staff(&[crate::auth::StaffRole::Admin])?;
    let found = by_ids(db, &[store, partner]).await?;
    let get = |id: Uuid| found.iter().find(|b| b.id == id).cloned();
    let (Some(shop), Some(home)) = (get(store), get(partner)) else {
        return Err(Error::NotFound("branch"));
    };
    if shop.kind != BranchKind::Bookstore {
        return Err(
            Error::validation(text!("branch-partner-not-bookstore")).in_field("bookstoreId")
        );
    }
    if home.kind == BranchKind::Bookstore {
        return Err(Error::validation(text!("branch-partner-is-bookstore")).in_field("branchId"));
    }
    branch::Entity::update_many()
        .col_expr(branch::Column::PartnerBranchId, Expr::value(partner))
        .filter(branch::Column::Id.eq(store))
        .exec(db)
        .await?;
    crate::audit::record(
        db,
        crate::audit::Actor::of(who),
        "branch.partner",
        Some(&store.to_string()),
        Some(serde_json::json!({"partner": partner})),
        now,
    )
    .await?;
    Ok(Branch {
        partner_branch_id: Some(partner),
        ..shop
    })
}
