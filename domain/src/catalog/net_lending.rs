//! The net-lending stock (网借书库): the copies online requests may be routed to. A library
//! keeps part of its collection apart for net lending; librarians put copies in or out by a
//! list of barcodes or by branch and call-number class, and see how many each branch has.
//! Routing and availability only ever count copies in it. A copy taken out keeps the request
//! it already serves.

use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashSet};

use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr as SqlExpr, LikeExpr};
use sea_orm::{FromQueryResult, QuerySelect};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{Principal, StaffRole};
use crate::branches::{self, Branch};
use crate::entity::item;
use crate::{Ctx, Error, Result};

/// Most barcodes one change names.
pub const MAX_BARCODES: usize = 5000;
/// Longest class prefix.
pub const MAX_PREFIX: usize = 20;

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Copies whose flag changed.
    pub changed: u64,
    /// Barcodes no copy has, as given (the others were changed).
    pub unknown: Vec<String>,
}

/// A branch's stock.
#[derive(Debug, Clone)]
pub struct BranchStock {
    /// The branch.
    pub branch: Branch,
    /// Copies it owns.
    pub copies: i64,
    /// Of which in the net-lending stock.
    pub net_lending: i64,
}

/// Puts the copies with `barcodes` in (`on`) or out of the net-lending stock: librarians of
/// each copy's home branch, and admins. Unknown barcodes are reported, not refused.
///
/// # Errors
/// FORBIDDEN for anyone else or when a copy belongs to a branch outside the caller's (nothing
/// changes then); VALIDATION for no barcodes or more than [`MAX_BARCODES`] (field `barcodes`).
pub async fn set_by_barcodes(
    ctx: &Ctx,
    who: &Principal,
    barcodes: &[String],
    on: bool,
) -> Result<Change> {
    who.require_staff(&[StaffRole::Librarian])?;
    let wanted: BTreeSet<String> = barcodes
        .iter()
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 64)
        .collect();
    if wanted.is_empty() || barcodes.len() > MAX_BARCODES {
        return Err(
            Error::validation(text!("net-lending-barcode-count", max = MAX_BARCODES))
                .in_field("barcodes"),
        );
    }
    let txn = ctx.begin().await?;
    let copies = item::Entity::find()
        .filter(item::Column::Barcode.is_in(wanted.iter().cloned()))
        .lock_exclusive()
        .all(&txn)
        .await?;
    let homes: HashSet<Uuid> = copies.iter().map(|c| c.home_branch_id).collect();
    for home in homes {
        who.require_staff_at(&[StaffRole::Librarian], home)?;
    }
    let ids: Vec<Uuid> = copies
        .iter()
        .filter(|c| c.net_lending != on)
        .map(|c| c.id)
        .collect();
    let changed = flag(&txn, item::Column::Id.is_in(ids), on, ctx.now()).await?;
    let found: HashSet<&str> = copies.iter().map(|c| c.barcode.as_str()).collect();
    let unknown: Vec<String> = wanted
        .iter()
        .filter(|b| !found.contains(b.as_str()))
        .cloned()
        .collect();
    audit::record(
        &txn,
        Actor::of(who),
        "stock.net_lending",
        None,
        Some(json!({"by": "barcodes", "on": on, "named": wanted.len(), "changed": changed})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Change { changed, unknown })
}

/// Puts every copy of `branch` whose call number starts with the CLC class `prefix` (e.g.
/// `I247`) in or out of the net-lending stock: the branch's librarians, and admins.
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION for a prefix that is not 1–20 letters, digits and
/// dots (field `classPrefix`); NOT_FOUND for an unknown branch.
pub async fn set_by_class(
    ctx: &Ctx,
    who: &Principal,
    branch: Uuid,
    prefix: &str,
    on: bool,
) -> Result<Change> {
    who.require_staff_at(&[StaffRole::Librarian], branch)?;
    let prefix = prefix.trim().to_ascii_uppercase();
    let valid = (1..=MAX_PREFIX).contains(&prefix.len())
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.');
    if !valid {
        return Err(
            Error::validation(text!("net-lending-class-prefix", max = MAX_PREFIX))
                .in_field("classPrefix"),
        );
    }
    crate::entity::branch::Entity::find_by_id(branch)
        .one(&ctx.db)
        .await?
        .ok_or(Error::NotFound("branch"))?;
    let txn = ctx.begin().await?;
    // Letters, digits and dots only: nothing in the prefix is a LIKE wildcard.
    let condition = item::Column::HomeBranchId
        .eq(branch)
        .and(item::Column::CallNumber.like(LikeExpr::new(format!("{prefix}%"))))
        .and(item::Column::NetLending.ne(on));
    let changed = flag(&txn, condition, on, ctx.now()).await?;
    audit::record(
        &txn,
        Actor::of(who),
        "stock.net_lending",
        Some(&branch.to_string()),
        Some(json!({"by": "class", "prefix": prefix, "on": on, "changed": changed})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Change {
        changed,
        unknown: Vec::new(),
    })
}

/// Sets the flag on the copies matching `which`; how many changed.
async fn flag(
    txn: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
    on: bool,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(item::Entity::update_many()
        .col_expr(item::Column::NetLending, SqlExpr::value(on))
        .col_expr(item::Column::UpdatedAt, SqlExpr::value(now))
        .filter(which)
        .exec(txn)
        .await?
        .rows_affected)
}

#[derive(FromQueryResult)]
struct Counted {
    home_branch_id: Uuid,
    copies: i64,
    net: i64,
}

/// Each branch's copies and how many are in the net-lending stock, by branch code (staff).
///
/// # Errors
/// FORBIDDEN for readers.
pub async fn stock(db: &impl ConnectionTrait, who: &Principal) -> Result<Vec<BranchStock>> {
    who.require_any_staff()?;
    let net = SqlExpr::cust("SUM(CASE WHEN net_lending THEN 1 ELSE 0 END)");
    let rows = item::Entity::find()
        .select_only()
        .column(item::Column::HomeBranchId)
        .column_as(item::Column::Id.count(), "copies")
        .column_as(net, "net")
        .group_by(item::Column::HomeBranchId)
        .into_model::<Counted>()
        .all(db)
        .await?;
    let mut out: Vec<BranchStock> = branches::list(db)
        .await?
        .into_iter()
        .map(|branch| {
            let row = rows.iter().find(|r| r.home_branch_id == branch.id);
            BranchStock {
                branch,
                copies: row.map_or(0, |r| r.copies),
                net_lending: row.map_or(0, |r| r.net),
            }
        })
        .filter(|s| s.copies > 0)
        .collect();
    out.sort_by(|a, b| a.branch.code.cmp(&b.branch.code));
    Ok(out)
}
