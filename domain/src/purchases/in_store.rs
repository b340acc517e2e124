//! In-store purchases ("you choose, we pay" at a partner bookstore): the clerk scans the
//! reader's card and the book; the rules and the budget decide at once, and an approved
//! book leaves the shop as a loan on a newly catalogued copy, owed to that bookstore.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseTransaction, QueryOrder, QuerySelect};

use super::proposals::{self, NewProposal};
use super::receiving::{catalogue, Placed};
use super::{Proposal, ProposalChannel, ProposalStatus};
use crate::auth::{Principal, StaffRole};
use crate::entity::branch::{self, BranchKind};
use crate::entity::item::ItemStatus;
use crate::entity::{purchase_proposal, reader, vendor};
use crate::lending::loans;
use crate::lifecycle;
use crate::{Ctx, Error, Reason, Result};

/// What the clerk scans and types.
#[derive(Debug, Clone)]
pub struct Sale {
    /// The reader's library card.
    pub card_number: String,
    /// The book, with its price.
    pub book: NewProposal,
    /// The copy's barcode if the clerk scans a library label; else a temporary one.
    pub barcode: Option<String>,
}

/// Decides a purchase at the clerk's bookstore; an approved one is lent to the reader at
/// once (status LOANED) on a new copy at the store, its price owed to the store. One that
/// needs a librarian stays SUBMITTED (urgent: the reader waits) and is lent by
/// [`lend_approved`] once approved.
///
/// # Errors
/// FORBIDDEN for anyone but a bookstore clerk (a clerk acts for their own store only);
/// NOT_FOUND for an unknown card; FORBIDDEN or QUOTA_EXCEEDED when the reader may not
/// borrow (as at the desk); VALIDATION / CONFLICT as for online proposals, and CONFLICT for
/// a barcode already in use. Nothing is written then.
pub async fn purchase(ctx: &Ctx, who: &Principal, sale: Sale) -> Result<Proposal> {
    let txn = ctx.begin().await?;
    let store = clerk_store(&txn, who).await?;
    let card = sale.card_number.trim();
    let who_reads = reader::Entity::find()
        .filter(reader::Column::CardNumber.eq(card))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    // The counter lends, so the reader must be able to borrow, as at the desk.
    crate::lending::admit_loan(&txn, who_reads.id, ctx.now()).await?;
    let vendor = store_vendor(&txn, &store, ctx.now()).await?;
    let decided = proposals::decide(
        &txn,
        who_reads.id,
        sale.book,
        ProposalChannel::InStore,
        Some(vendor),
        ctx.now(),
    )
    .await?;
    if decided.status != ProposalStatus::Approved {
        txn.commit().await?;
        ctx.wake_workers();
        return Ok(decided);
    }
    let lent = lend(ctx, &txn, &store, decided, sale.barcode.as_deref()).await?;
    txn.commit().await?;
    crate::lending::committed(ctx);
    Ok(lent)
}

/// Lends an in-store proposal of the clerk's store that a librarian approved while the
/// reader waited (with the store's barcode label, else a temporary one).
///
/// # Errors
/// FORBIDDEN for anyone but that store's clerk, or when the reader may no longer borrow;
/// NOT_FOUND for an unknown proposal; CONFLICT when it is not APPROVED (still waiting,
/// rejected, or lent already) or the barcode is taken.
pub async fn lend_approved(
    ctx: &Ctx,
    who: &Principal,
    id: Uuid,
    barcode: Option<&str>,
) -> Result<Proposal> {
    let txn = ctx.begin().await?;
    let store = clerk_store(&txn, who).await?;
    let vendor = store_vendor(&txn, &store, ctx.now()).await?;
    let proposal = purchase_proposal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|p| p.channel == ProposalChannel::InStore && p.vendor_id == Some(vendor))
        .ok_or(Error::NotFound("proposal"))?;
    if proposal.status != ProposalStatus::Approved {
        return Err(Error::WrongState {
            what: "proposal",
            state: proposal.status.as_str(),
        });
    }
    crate::lending::admit_loan(&txn, proposal.reader_id, ctx.now()).await?;
    let lent = lend(ctx, &txn, &store, proposal, barcode).await?;
    txn.commit().await?;
    crate::lending::committed(ctx);
    Ok(lent)
}

/// The clerk's store's in-store proposals of the last [`COUNTER_DAYS`] days still open at
/// the counter: waiting for a librarian, or approved and not yet lent; newest first.
///
/// # Errors
/// FORBIDDEN for anyone but a bookstore clerk.
pub async fn at_counter(
    db: &impl ConnectionTrait,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Vec<Proposal>> {
    let store = clerk_store(db, who).await?;
    let Some(vendor) = vendor::Entity::find()
        .filter(vendor::Column::BranchId.eq(store.id))
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(purchase_proposal::Entity::find()
        .filter(purchase_proposal::Column::VendorId.eq(vendor.id))
        .filter(purchase_proposal::Column::Channel.eq(ProposalChannel::InStore))
        .filter(
            purchase_proposal::Column::Status
                .is_in([ProposalStatus::Submitted, ProposalStatus::Approved]),
        )
        .filter(purchase_proposal::Column::CreatedAt.gt(now - chrono::Duration::days(COUNTER_DAYS)))
        .order_by_desc(purchase_proposal::Column::Id)
        .limit(100)
        .all(db)
        .await?)
}

/// How long a proposal made at the counter stays on the clerk's list.
pub const COUNTER_DAYS: i64 = 7;

/// Whether `p` is a purchase at a bookstore counter waiting for a librarian while the reader
/// waits there.
pub fn is_urgent(p: &Proposal) -> bool {
    p.channel == ProposalChannel::InStore && p.status == ProposalStatus::Submitted
}

/// The bookstore `who` is the clerk of.
///
/// # Errors
/// FORBIDDEN for anyone but the clerk of one bookstore.
async fn clerk_store(db: &impl ConnectionTrait, who: &Principal) -> Result<branch::Model> {
    who.require_staff(&[StaffRole::BookstoreClerk])?;
    let Principal::Staff { branches, .. } = who else {
        return Err(Error::forbidden(Reason::StaffRoleRequired));
    };
    match branches.as_slice() {
        [one] => branch::Entity::find_by_id(*one).one(db).await?,
        _ => None,
    }
    .filter(|b| b.kind == BranchKind::Bookstore)
    .ok_or_else(|| Error::forbidden(Reason::NotBookstoreClerk))
}

/// Lends an approved in-store proposal: a new uncatalogued copy owned by the store's partner
/// branch, lent to the proposer at once; the proposal is LOANED.
async fn lend(
    ctx: &Ctx,
    txn: &DatabaseTransaction,
    store: &branch::Model,
    decided: Proposal,
    barcode: Option<&str>,
) -> Result<Proposal> {
    let barcode = match barcode.map(str::trim) {
        Some(b) if !b.is_empty() && b.len() <= 40 => b.to_owned(),
        Some(_) => {
            return Err(Error::validation(text!("purchase-barcode-length")).in_field("barcode"))
        }
        None => format!("TMP-{}", decided.id.simple()),
    };
    // The copy belongs to the library branch that holds the store's partnership; the reader
    // takes it home from the store, and its first return asks a desk to catalogue it.
    let home = partner_branch(txn, store).await?;
    let copy = catalogue(
        txn,
        &decided,
        Placed {
            barcode: &barcode,
            call_number: "",
            home,
            at: store.id,
            status: ItemStatus::Available,
            uncatalogued: true,
        },
        ctx.now(),
    )
    .await?;
    let reader = decided.reader_id;
    loans::start(txn, &ctx.config.lending, reader, &copy, None, ctx.now()).await?;
    let row = purchase_proposal::ActiveModel {
        item_id: Set(Some(copy.id)),
        updated_at: Set(ctx.now()),
        ..Default::default()
    };
    lifecycle::advance::<purchase_proposal::Entity>(
        txn,
        decided.id,
        decided.status,
        ProposalStatus::Loaned,
        row,
    )
    .await
}

/// The library branch holding `store`'s partnership: configured per store, else the central
/// library.
///
/// # Errors
/// CONFLICT when neither exists.
async fn partner_branch(db: &impl ConnectionTrait, store: &branch::Model) -> Result<Uuid> {
    if let Some(partner) = store.partner_branch_id {
        return Ok(partner);
    }
    branch::Entity::find()
        .filter(branch::Column::Kind.eq(BranchKind::Central))
        .one(db)
        .await?
        .map(|b| b.id)
        .ok_or_else(|| Error::conflict(Reason::NoPartnerBranch))
}

/// The bookstore's vendor record (made on its first sale).
async fn store_vendor(
    db: &impl ConnectionTrait,
    store: &branch::Model,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    if let Some(v) = vendor::Entity::find()
        .filter(vendor::Column::BranchId.eq(store.id))
        .one(db)
        .await?
    {
        return Ok(v.id);
    }
    Ok(vendor::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(store.name.clone()),
        branch_id: Set(Some(store.id)),
        order_api_base: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?
    .id)
}
