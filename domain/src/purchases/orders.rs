//! Purchase orders: a library's approved online proposals sent to a vendor together
//! (ORDERED), with a CSV the vendor can read; the books come back through `receiving`.

use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use super::{yuan, Proposal, ProposalChannel, ProposalStatus};
use crate::auth::{Principal, StaffRole};
use crate::entity::{purchase_order, purchase_proposal, vendor};
use crate::lifecycle;
use crate::{Ctx, Error, Reason, Result};

/// An order with its vendor and lines.
#[derive(Debug, Clone)]
pub struct Order {
    /// The order.
    pub order: purchase_order::Model,
    /// Who it goes to.
    pub vendor: vendor::Model,
    /// The proposals on it, oldest first.
    pub lines: Vec<Proposal>,
}

impl Order {
    /// What the order costs.
    pub fn total_cents(&self) -> i64 {
        self.lines.iter().map(|p| p.price_cents).sum()
    }

    /// The order as CSV for the vendor (UTF-8, header row, one book per row, yuan).
    ///
    /// # Errors
    /// INTERNAL if writing fails.
    pub fn to_csv(&self) -> Result<String> {
        let rows = self
            .lines
            .iter()
            .map(|p| {
                [
                    p.isbn.clone(),
                    p.title.clone(),
                    p.author.clone().unwrap_or_default(),
                    p.publisher.clone().unwrap_or_default(),
                    "1".to_owned(),
                    yuan(p.price_cents),
                ]
            })
            .collect();
        crate::infra::csv_export::table(
            ["ISBN", "题名", "责任者", "出版社", "数量", "单价（元）"],
            rows,
        )
    }
}

/// Adds a vendor the library orders from (admins).
///
/// # Errors
/// FORBIDDEN for anyone but an admin; VALIDATION for an empty or overlong name.
pub async fn add_vendor(ctx: &Ctx, who: &Principal, name: &str) -> Result<vendor::Model> {
    who.require_staff(&[StaffRole::Admin])?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::validation(text!("vendor-name-length")).in_field("name"));
    }
    Ok(vendor::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        branch_id: Set(None),
        order_api_base: Set(None),
        created_at: Set(ctx.now()),
    }
    .insert(&ctx.db)
    .await?)
}

/// The most proposals one order may name.
pub const MAX_ORDER_LINES: usize = 500;

/// Which approved online proposals an order takes.
#[derive(Debug, Clone)]
pub enum Lines {
    /// Every one not yet ordered.
    All,
    /// Just these (each must be approved, online and not yet ordered).
    Only(Vec<Uuid>),
}

/// Puts approved online proposals not yet ordered (all of them, or the chosen ones) on one
/// order to `vendor` (librarians).
///
/// # Errors
/// FORBIDDEN for anyone but librarians and admins; NOT_FOUND for an unknown vendor;
/// VALIDATION for an empty or overlong choice; CONFLICT when no approved proposal waits for an
/// order, or a chosen one is not waiting for one (nothing is ordered then).
pub async fn place(ctx: &Ctx, who: &Principal, vendor_id: Uuid, which: Lines) -> Result<Order> {
    who.require_staff(&[StaffRole::Librarian])?;
    if let Lines::Only(ids) = &which {
        if ids.is_empty() || ids.len() > MAX_ORDER_LINES {
            return Err(
                Error::validation(text!("order-line-count", max = MAX_ORDER_LINES))
                    .in_field("proposalIds"),
            );
        }
    }
    let txn = ctx.begin().await?;
    let vendor = vendor::Entity::find_by_id(vendor_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("vendor"))?;
    let order = purchase_order::ActiveModel {
        id: Set(Uuid::now_v7()),
        vendor_id: Set(vendor.id),
        created_by: Set(who.staff_id()),
        created_at: Set(ctx.now()),
    }
    .insert(&txn)
    .await?;
    let mut waiting = lifecycle::advance_all::<purchase_proposal::Entity>(
        &[ProposalStatus::Approved],
        ProposalStatus::Ordered,
    )?
    .col_expr(purchase_proposal::Column::VendorId, Expr::value(vendor.id))
    .col_expr(purchase_proposal::Column::OrderId, Expr::value(order.id))
    .col_expr(purchase_proposal::Column::UpdatedAt, Expr::value(ctx.now()))
    .filter(purchase_proposal::Column::Channel.eq(ProposalChannel::Online))
    .filter(purchase_proposal::Column::OrderId.is_null());
    if let Lines::Only(ids) = &which {
        waiting = waiting.filter(purchase_proposal::Column::Id.is_in(ids.iter().copied()));
    }
    let ordered = waiting.exec(&txn).await?;
    if ordered.rows_affected == 0 {
        return Err(Error::conflict(Reason::NothingToOrder));
    }
    if let Lines::Only(ids) = &which {
        let chosen: std::collections::HashSet<_> = ids.iter().collect();
        if ordered.rows_affected != chosen.len() as u64 {
            // Dropping the transaction rolls the order back.
            return Err(Error::conflict(Reason::NotAwaitingOrder));
        }
    }
    let lines = lines(&txn, order.id).await?;
    txn.commit().await?;
    Ok(Order {
        order,
        vendor,
        lines,
    })
}

async fn lines(db: &impl ConnectionTrait, order: Uuid) -> Result<Vec<Proposal>> {
    Ok(purchase_proposal::Entity::find()
        .filter(purchase_proposal::Column::OrderId.eq(order))
        .order_by_asc(purchase_proposal::Column::Id)
        .all(db)
        .await?)
}

/// The orders, newest first (staff).
///
/// # Errors
/// FORBIDDEN for readers and for staff other than librarians.
pub async fn list(db: &impl ConnectionTrait, who: &Principal, limit: u64) -> Result<Vec<Order>> {
    who.require_staff(&[StaffRole::Librarian])?;
    let orders = purchase_order::Entity::find()
        .order_by_desc(purchase_order::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(orders.len());
    for order in orders {
        let vendor = vendor::Entity::find_by_id(order.vendor_id)
            .one(db)
            .await?
            .ok_or(Error::NotFound("vendor"))?;
        let lines = lines(db, order.id).await?;
        out.push(Order {
            order,
            vendor,
            lines,
        });
    }
    Ok(out)
}
