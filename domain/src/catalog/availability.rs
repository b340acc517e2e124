//! How many copies of a title the library has, and how many can be lent now, per branch.

use std::collections::{HashMap, HashSet};

use sea_orm::prelude::*;
use sea_orm::QuerySelect;

use crate::entity::item::{self, ItemStatus};
use crate::Result;

/// Copies of one title at one branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchCopies {
    /// The branch where the copies are now.
    pub branch_id: Uuid,
    /// Copies in the collection there (not missing or withdrawn).
    pub copies: i64,
    /// Copies on the shelf and free to lend.
    pub available: i64,
}

/// Copies of one title in the net-lending stock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Availability {
    /// Copies in the collection (not missing or withdrawn).
    pub copies: i64,
    /// Copies free to lend now.
    pub available: i64,
    /// Per branch, by branch id.
    pub by_branch: Vec<BranchCopies>,
}

/// Availability of each of `titles` (titles with no copies are absent).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn for_titles(
    db: &impl ConnectionTrait,
    titles: &[Uuid],
) -> Result<HashMap<Uuid, Availability>> {
    let mut out: HashMap<Uuid, Availability> = HashMap::new();
    if titles.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Uuid, Uuid, ItemStatus, i64)> = item::Entity::find()
        .select_only()
        .column(item::Column::TitleId)
        .column(item::Column::CurrentBranchId)
        .column(item::Column::Status)
        .column_as(item::Column::Id.count(), "n")
        .filter(item::Column::TitleId.is_in(titles.iter().copied()))
        .filter(item::Column::NetLending.eq(true))
        .filter(item::Column::Status.is_not_in([ItemStatus::Missing, ItemStatus::Withdrawn]))
        .group_by(item::Column::TitleId)
        .group_by(item::Column::CurrentBranchId)
        .group_by(item::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for (title, branch, status, n) in rows {
        let a = out.entry(title).or_default();
        let available = if status == ItemStatus::Available {
            n
        } else {
            0
        };
        a.copies += n;
        a.available += available;
        match a.by_branch.iter_mut().find(|b| b.branch_id == branch) {
            Some(b) => {
                b.copies += n;
                b.available += available;
            }
            None => a.by_branch.push(BranchCopies {
                branch_id: branch,
                copies: n,
                available,
            }),
        }
    }
    for a in out.values_mut() {
        a.by_branch.sort_by(|x, y| {
            y.available
                .cmp(&x.available)
                .then(x.branch_id.cmp(&y.branch_id))
        });
    }
    Ok(out)
}

/// Those of `titles` every copy of which is withdrawn (titles without copies are not: a
/// title bought for a proposal, say, waits for its first).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn withdrawn_titles(db: &impl ConnectionTrait, titles: &[Uuid]) -> Result<HashSet<Uuid>> {
    if titles.is_empty() {
        return Ok(HashSet::new());
    }
    let with = |withdrawn: bool| {
        let status = if withdrawn {
            item::Column::Status.eq(ItemStatus::Withdrawn)
        } else {
            item::Column::Status.ne(ItemStatus::Withdrawn)
        };
        item::Entity::find()
            .select_only()
            .column(item::Column::TitleId)
            .distinct()
            .filter(item::Column::TitleId.is_in(titles.iter().copied()))
            .filter(status)
            .into_tuple::<Uuid>()
            .all(db)
    };
    let kept: HashSet<Uuid> = with(false).await?.into_iter().collect();
    Ok(with(true)
        .await?
        .into_iter()
        .filter(|t| !kept.contains(t))
        .collect())
}
