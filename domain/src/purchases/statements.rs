//! Monthly vendor statements: what the library owes a partner bookstore for the books its
//! readers took home in a month (in-store purchases), as GraphQL and as CSV the bookstore
//! can read; marking a statement paid moves the amounts from committed to spent.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::QueryOrder;

use super::{budget, yuan, Proposal, ProposalChannel, ProposalStatus};
use crate::auth::{Principal, StaffRole};
use crate::entity::{item, purchase_proposal, vendor};
use crate::{china_time, Ctx, Error, Reason, Result};

/// One book on a statement.
#[derive(Debug, Clone)]
pub struct Line {
    /// The proposal.
    pub proposal: Proposal,
    /// The copy's barcode.
    pub barcode: Option<String>,
}

/// A vendor's statement for one month.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The vendor.
    pub vendor: vendor::Model,
    /// `YYYY-MM`.
    pub month: String,
    /// The books, oldest first.
    pub lines: Vec<Line>,
}

impl Statement {
    /// What the library owes for the month.
    pub fn total_cents(&self) -> i64 {
        self.lines.iter().map(|l| l.proposal.price_cents).sum()
    }

    /// True when every line is paid (and there is at least one).
    pub fn paid(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|l| l.proposal.settled_at.is_some())
    }

    /// The statement as CSV (UTF-8 with a header row; amounts in yuan).
    ///
    /// # Errors
    /// INTERNAL if writing fails.
    pub fn to_csv(&self) -> Result<String> {
        let mut rows: Vec<[String; 5]> = self
            .lines
            .iter()
            .map(|l| {
                let p = &l.proposal;
                [
                    crate::china_time::date_of(p.created_at)
                        .format("%Y-%m-%d")
                        .to_string(),
                    p.isbn.clone(),
                    p.title.clone(),
                    l.barcode.clone().unwrap_or_default(),
                    yuan(p.price_cents),
                ]
            })
            .collect();
        rows.push([
            String::new(),
            String::new(),
            "合计".into(),
            String::new(),
            yuan(self.total_cents()),
        ]);
        crate::infra::csv_export::table(["日期", "ISBN", "题名", "条码", "金额（元）"], rows)
    }
}

/// The first instant of `month` (`YYYY-MM`) and of the next, in China Standard Time.
fn bounds(month: &str) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || Error::validation(text!("statement-month-format")).in_field("month");
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) || month.len() != 7 {
        return Err(bad());
    }
    let at = |y: i32, m: u32| china_time::month_start(y, m).ok_or_else(bad);
    let next = if m == 12 {
        at(y + 1, 1)?
    } else {
        at(y, m + 1)?
    };
    Ok((at(y, m)?, next))
}

/// Librarians and admins see every vendor's statement; a bookstore clerk sees their store's.
fn may_see(who: &Principal, v: &vendor::Model) -> Result<()> {
    match who {
        Principal::Staff {
            role: StaffRole::BookstoreClerk,
            branches,
            ..
        } if v.branch_id.is_some_and(|b| branches.contains(&b)) => Ok(()),
        _ => who.require_staff(&[StaffRole::Librarian]),
    }
}

/// The vendors (staff).
///
/// # Errors
/// FORBIDDEN for readers.
pub async fn vendors(db: &impl ConnectionTrait, who: &Principal) -> Result<Vec<vendor::Model>> {
    who.require_any_staff()?;
    Ok(vendor::Entity::find()
        .order_by_asc(vendor::Column::Name)
        .all(db)
        .await?)
}

/// `vendor`'s statement for `month` (`YYYY-MM`, China time).
///
/// # Errors
/// FORBIDDEN for readers and other stores' clerks; NOT_FOUND for an unknown vendor;
/// VALIDATION for a malformed month.
pub async fn of_month(
    db: &impl ConnectionTrait,
    who: &Principal,
    vendor_id: Uuid,
    month: &str,
) -> Result<Statement> {
    let (from, to) = bounds(month)?;
    let v = vendor::Entity::find_by_id(vendor_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("vendor"))?;
    may_see(who, &v)?;
    let proposals = purchase_proposal::Entity::find()
        .filter(purchase_proposal::Column::VendorId.eq(vendor_id))
        .filter(purchase_proposal::Column::Channel.eq(ProposalChannel::InStore))
        .filter(
            purchase_proposal::Column::Status
                .is_in([ProposalStatus::Loaned, ProposalStatus::Received]),
        )
        .filter(purchase_proposal::Column::CreatedAt.gte(from))
        .filter(purchase_proposal::Column::CreatedAt.lt(to))
        .order_by_asc(purchase_proposal::Column::Id)
        .all(db)
        .await?;
    let items: std::collections::HashMap<Uuid, String> = item::Entity::find()
        .filter(item::Column::Id.is_in(proposals.iter().filter_map(|p| p.item_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.barcode))
        .collect();
    Ok(Statement {
        vendor: v,
        month: month.to_owned(),
        lines: proposals
            .into_iter()
            .map(|p| Line {
                barcode: p.item_id.and_then(|i| items.get(&i).cloned()),
                proposal: p,
            })
            .collect(),
    })
}

/// Marks `vendor`'s statement for `month` paid (librarians): each unpaid line's price moves
/// from committed to spent.
///
/// # Errors
/// FORBIDDEN for anyone but librarians and admins; CONFLICT when nothing is left to pay.
pub async fn pay(ctx: &Ctx, who: &Principal, vendor_id: Uuid, month: &str) -> Result<Statement> {
    who.require_staff(&[StaffRole::Librarian])?;
    let txn = ctx.begin().await?;
    let mut statement = of_month(&txn, who, vendor_id, month).await?;
    let now = ctx.now();
    let mut paid = 0;
    for line in &mut statement.lines {
        let p = &mut line.proposal;
        if p.settled_at.is_some() {
            continue;
        }
        if let Some(year) = p.budget_year {
            budget::spend(&txn, year, p.price_cents, p.id, who.staff_id(), now).await?;
        }
        purchase_proposal::Entity::update_many()
            .col_expr(purchase_proposal::Column::SettledAt, Expr::value(now))
            .filter(purchase_proposal::Column::Id.eq(p.id))
            .exec(&txn)
            .await?;
        p.settled_at = Some(now);
        paid += 1;
    }
    if paid == 0 {
        return Err(Error::conflict(Reason::NothingToPay));
    }
    txn.commit().await?;
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_china_time_and_malformed_ones_refused() {
        let (from, to) = bounds("2026-12").expect("month");
        assert_eq!(from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert!(bounds(bad).is_err(), "{bad}");
        }
    }
}
