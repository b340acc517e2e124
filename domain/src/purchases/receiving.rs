//! Receiving a bought book: it is catalogued into the net-lending stock at the receiving
//! branch, reserved for its proposer and put on that branch's picking list as their
//! request (with the delivery they chose), so it flows through picking and dispatch like
//! any loan; it circulates to others only once the proposer has returned it.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QuerySelect};
use serde_json::json;

use super::{budget, proposals, Proposal, ProposalStatus};
use crate::audit::Actor;
use crate::auth::{Principal, StaffRole};
use crate::catalog::call_number::CallNumber;
use crate::catalog::work;
use crate::entity::branch::{self, BranchKind};
use crate::entity::item::{self, ItemStatus};
use crate::entity::{purchase_proposal, title};
use crate::lending::requests::{self, Delivery};
use crate::lifecycle;
use crate::notify::{self, Kind, Notice};
use crate::{Ctx, Error, Reason, Result};

/// Where a bought copy is put, and as what.
pub(crate) struct Placed<'a> {
    /// Its barcode.
    pub barcode: &'a str,
    /// Its call number (empty until catalogued, for a counter sale).
    pub call_number: &'a str,
    /// The library branch it belongs to.
    pub home: Uuid,
    /// Where it is now.
    pub at: Uuid,
    /// Its status.
    pub status: ItemStatus,
    /// Bought at a counter: in the net-lending stock only once a desk catalogues it.
    pub uncatalogued: bool,
}

/// Puts the bought copy of `proposal` into the catalogue: under the title with its ISBN
/// (created from the proposal when the library has none).
///
/// # Errors
/// CONFLICT when the barcode is on another copy; INTERNAL on a database fault.
pub(crate) async fn catalogue(
    db: &impl ConnectionTrait,
    proposal: &Proposal,
    placed: Placed<'_>,
    now: DateTime<Utc>,
) -> Result<item::Model> {
    let Placed {
        barcode,
        call_number,
        home,
        at,
        status,
        uncatalogued,
    } = placed;
    if item::Entity::find()
        .filter(item::Column::Barcode.eq(barcode))
        .one(db)
        .await?
        .is_some()
    {
        return Err(Error::conflict(Reason::BarcodeTaken));
    }
    let known = title::Entity::find()
        .filter(title::Column::Isbn.eq(proposal.isbn.as_str()))
        .one(db)
        .await?;
    let title_id = match known {
        Some(t) => t.id,
        None => {
            title::ActiveModel {
                id: Set(Uuid::now_v7()),
                isbn: Set(Some(proposal.isbn.clone())),
                title: Set(proposal.title.clone()),
                subtitle: Set(None),
                authors: Set(proposal.author.clone().unwrap_or_default()),
                publisher: Set(proposal.publisher.clone()),
                pub_year: Set(proposal.pub_year),
                clc_class: Set(proposal.clc_class.clone()),
                subjects: Set(None),
                summary: Set(None),
                price_cents: Set(i32::try_from(proposal.price_cents).ok()),
                work_key: Set(work::key(
                    &proposal.title,
                    proposal.author.as_deref().unwrap_or_default(),
                )),
                import_key: Set(Some(work::import_key(
                    &proposal.title,
                    proposal.author.as_deref().unwrap_or_default(),
                    proposal.publisher.as_deref(),
                    proposal.pub_year,
                ))),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
            .id
        }
    };
    Ok(item::ActiveModel {
        id: Set(Uuid::now_v7()),
        title_id: Set(title_id),
        barcode: Set(barcode.to_owned()),
        call_number: Set(call_number.to_owned()),
        location: Set(None),
        home_branch_id: Set(home),
        current_branch_id: Set(at),
        status: Set(lifecycle::begin(status)?),
        net_lending: Set(!uncatalogued),
        uncatalogued: Set(uncatalogued),
        created_at: Set(now),
        updated_at: Set(now),
        times_lent: Set(0),
    }
    .insert(db)
    .await?)
}

/// Marks the proposal that bought `copy` for `reader` LOANED when their loan of it starts.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn lent(
    db: &impl ConnectionTrait,
    reader: Uuid,
    copy: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    lifecycle::advance_all::<purchase_proposal::Entity>(
        &[ProposalStatus::Received],
        ProposalStatus::Loaned,
    )?
    .col_expr(purchase_proposal::Column::UpdatedAt, Expr::value(now))
    .filter(purchase_proposal::Column::ItemId.eq(copy))
    .filter(purchase_proposal::Column::ReaderId.eq(reader))
    .exec(db)
    .await?;
    Ok(())
}

/// Marks `proposal` RECEIVED: `copy` was bought for it.
async fn bought(
    txn: &DatabaseTransaction,
    proposal: &Proposal,
    copy: Uuid,
    now: DateTime<Utc>,
) -> Result<Proposal> {
    let row = purchase_proposal::ActiveModel {
        item_id: Set(Some(copy)),
        updated_at: Set(now),
        ..Default::default()
    };
    lifecycle::advance::<purchase_proposal::Entity>(
        txn,
        proposal.id,
        proposal.status,
        ProposalStatus::Received,
        row,
    )
    .await
}

/// The proposer's delivery choice as stored (`{method, lockerId|branchId|addressId}`).
fn chosen(proposal: &Proposal) -> Option<Delivery> {
    let d = proposal.delivery.as_ref()?;
    let id = |k: &str| d.get(k)?.as_str().and_then(|s| Uuid::parse_str(s).ok());
    match d.get("method")?.as_str()? {
        "LOCKER" => id("lockerId").map(Delivery::Locker),
        "BRANCH" => id("branchId").map(Delivery::Branch),
        "HOME" => id("addressId").map(Delivery::Home),
        _ => None,
    }
}

/// Receives the book of an approved (or ordered) proposal at `branch` with the copy's
/// `barcode` and `call_number`: the copy is catalogued, the proposer's request opened on
/// it (to their chosen place, else this branch's hold shelf), readers who joined the
/// proposal waitlisted behind them, the price moves from committed to spent, and the
/// proposer is told.
///
/// # Errors
/// FORBIDDEN for anyone but librarians of the branch; NOT_FOUND for an unknown proposal or
/// branch; VALIDATION for an empty barcode, a bad call number or a bookstore branch;
/// CONFLICT when the proposal is not APPROVED or ORDERED (rejected, or received already)
/// or the barcode is taken. Nothing is written then.
pub async fn receive(
    ctx: &Ctx,
    who: &Principal,
    id: Uuid,
    barcode: &str,
    call_number: &str,
    branch_id: Uuid,
) -> Result<Proposal> {
    who.require_staff_at(&[StaffRole::Librarian], branch_id)?;
    let barcode = barcode.trim();
    if barcode.is_empty() || barcode.len() > 40 {
        return Err(Error::validation(text!("purchase-barcode-length")).in_field("barcode"));
    }
    let call = CallNumber::parse(call_number).map_err(|e| e.in_field("callNumber"))?;
    let txn = ctx.begin().await?;
    let proposal = purchase_proposal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("proposal"))?;
    if !matches!(
        proposal.status,
        ProposalStatus::Approved | ProposalStatus::Ordered
    ) {
        return Err(Error::WrongState {
            what: "proposal",
            state: proposal.status.as_str(),
        });
    }
    let at = branch::Entity::find_by_id(branch_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("branch"))?;
    if at.kind == BranchKind::Bookstore {
        return Err(Error::validation(text!("purchase-receive-at-bookstore")).in_field("branchId"));
    }
    let copy = catalogue(
        &txn,
        &proposal,
        Placed {
            barcode,
            call_number: call.as_str(),
            home: branch_id,
            at: branch_id,
            status: ItemStatus::Reserved,
            uncatalogued: false,
        },
        ctx.now(),
    )
    .await?;
    let now = ctx.now();
    let delivery = chosen(&proposal).unwrap_or(Delivery::Branch(branch_id));
    let actor = who.staff_id().map_or(Actor::System, Actor::Staff);
    requests::open_for_copy(&txn, proposal.reader_id, delivery, &copy, actor, now).await?;
    if let Some(year) = proposal.budget_year {
        budget::spend(
            &txn,
            year,
            proposal.price_cents,
            proposal.id,
            who.staff_id(),
            now,
        )
        .await?;
    }
    // Readers who joined the proposal queue behind the proposer, in the order they asked.
    for f in proposals::followers(&txn, proposal.id).await? {
        let wish = chosen(&f);
        requests::waitlist(
            &txn,
            f.reader_id,
            wish,
            branch_id,
            copy.title_id,
            actor,
            now,
        )
        .await?;
        bought(&txn, &f, copy.id, now).await?;
    }
    let received = bought(&txn, &proposal, copy.id, now).await?;
    let method = delivery.parts().0.as_str();
    let notice = Notice {
        reader: received.reader_id,
        kind: Kind::ProposalArrived,
        event: format!("proposal:{}:RECEIVED", received.id),
        data: json!({"book_title": received.title, "delivery": method,
                     "proposal_id": received.id, "at": now.to_rfc3339()}),
    };
    notify::enqueue(&txn, notice, now).await?;
    txn.commit().await?;
    crate::lending::committed(ctx);
    Ok(received)
}
