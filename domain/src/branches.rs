//! Branches: the library's places (central library, branches, 24-hour self-service
//! libraries, partner bookstores).

use sea_orm::prelude::*;
use sea_orm::QueryOrder;

use crate::entity::branch;
use crate::{Error, Result};

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
