//! The branch desk: check-out (a held request, or a walk-in loan) and check-in of any copy at
//! any branch (通借通还).

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;

use super::eligibility::{self, Asking};
use super::waitlist::{self, Released};
use super::{
    committed, delivery_methods, loans, lock_title, request_log, DeliveryMethod, Loan, LoanRequest,
    PickTask, RequestStatus,
};
use crate::audit::Actor;
use crate::auth::{Principal, StaffRole};
use crate::catalog::call_number::CallNumber;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{loan_request, reader};
use crate::people::CardNumber;
use crate::{Ctx, Error, Reason, Result};

/// Roles that work a branch desk.
pub const DESK: &[StaffRole] = &[
    StaffRole::Librarian,
    StaffRole::Dispatcher,
    StaffRole::Picker,
];

/// What the desk must do with a checked-in copy.
#[derive(Debug, Clone)]
pub enum CheckInAction {
    /// A transfer arrived for a request collected here: put it on the hold shelf.
    HoldShelf(Box<LoanRequest>),
    /// It serves the oldest waitlisted request: it is on this branch's picking list.
    ServesWaitlist(Box<LoanRequest>, PickTask),
    /// Back on this branch's shelf.
    Shelve,
    /// Send it to its home branch.
    SendHome(Uuid),
    /// It is in transit to another branch for a request: send it on.
    Forward(Uuid),
    /// Bought at a bookstore counter and back for the first time: it stays here until the
    /// desk catalogues it ([`catalogue_bought`]).
    Catalogue,
}

/// The outcome of a check-in.
#[derive(Debug, Clone)]
pub struct CheckIn {
    /// What to do with the copy.
    pub action: CheckInAction,
    /// The loan it ended, if it was lent.
    pub loan: Option<Loan>,
    /// The copy.
    pub copy: item::Model,
}

async fn copy_by_barcode(db: &impl ConnectionTrait, barcode: &str) -> Result<item::Model> {
    item::Entity::find()
        .filter(item::Column::Barcode.eq(barcode.trim()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("copy"))
}

/// Lends the copy with `barcode` to the reader with `card`: a copy on the hold shelf for
/// them fulfils their request; a free copy on the shelf is a walk-in loan.
///
/// # Errors
/// NOT_FOUND for an unknown copy or card; FORBIDDEN outside the staff member's branches, or
/// for a blocked reader or one owing overdue books (walk-in); QUOTA_EXCEEDED at the reader's
/// loan limit (walk-in); CONFLICT when the copy is held for someone else
/// (HOLD_FOR_OTHER_READER), still in transit (COPY_IN_TRANSIT) or not lendable.
pub async fn check_out(ctx: &Ctx, who: &Principal, barcode: &str, card: &str) -> Result<Loan> {
    who.require_any_staff()?;
    let actor = Actor::of(who);
    let card = CardNumber::parse(card).map_err(|_| Error::NotFound("reader"))?;
    let txn = ctx.begin().await?;
    let borrower = reader::Entity::find()
        .filter(reader::Column::CardNumber.eq(card.as_str()))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    let borrower = eligibility::lock_reader(&txn, borrower.id).await?;
    let copy = copy_by_barcode(&txn, barcode).await?;
    who.require_staff_at(DESK, copy.current_branch_id)?;
    lock_title(&txn, copy.title_id, ctx.now()).await?;
    let copy = copy_by_barcode(&txn, barcode).await?;
    let loan = match copy.status {
        ItemStatus::OnHold => {
            let held = loan_request::Entity::find()
                .filter(loan_request::Column::ItemId.eq(copy.id))
                .filter(loan_request::Column::Status.eq(RequestStatus::ReadyForPickup))
                .one(&txn)
                .await?
                .ok_or_else(|| Error::conflict(Reason::HoldWithoutRequest))?;
            if held.reader_id != borrower.id {
                return Err(Error::conflict(Reason::HoldForOtherReader));
            }
            let loan = loans::start(
                &txn,
                &ctx.config.lending,
                borrower.id,
                &copy,
                Some(held.id),
                ctx.now(),
            )
            .await?;
            request_log::transition(
                &txn,
                &held,
                RequestStatus::Fulfilled,
                actor,
                Some(&text!("history-checked-out-at-desk").into()),
                Default::default(),
                ctx.now(),
            )
            .await?;
            loan
        }
        ItemStatus::Available => {
            let reader = borrower.id;
            eligibility::check(
                &eligibility::standing(&txn, borrower, None, ctx.now()).await?,
                Asking::Loan,
            )?;
            loans::start(&txn, &ctx.config.lending, reader, &copy, None, ctx.now()).await?
        }
        ItemStatus::InTransit => return Err(Error::conflict(Reason::CopyInTransit)),
        other => {
            return Err(Error::WrongState {
                what: "copy",
                state: other.as_str(),
            })
        }
    };
    txn.commit().await?;
    committed(ctx);
    Ok(loan)
}

/// Takes a copy in at `branch`, whatever branch it belongs to: a loan ends; a transfer for a
/// request collected here goes on the hold shelf; a freed copy first serves the title's
/// waitlist (onto this branch's picking list), else goes home or stays (the return policy).
///
/// # Errors
/// NOT_FOUND for an unknown copy; FORBIDDEN outside the staff member's branches; CONFLICT
/// when the copy is reserved or held for a request.
pub async fn check_in(ctx: &Ctx, who: &Principal, barcode: &str, branch: Uuid) -> Result<CheckIn> {
    who.require_any_staff()?;
    let actor = Actor::of(who);
    who.require_staff_at(DESK, branch)?;
    let policy = &ctx.config.lending;
    let txn = ctx.begin().await?;
    let copy = copy_by_barcode(&txn, barcode).await?;
    lock_title(&txn, copy.title_id, ctx.now()).await?;
    let copy = copy_by_barcode(&txn, barcode).await?;
    let mut ended = None;
    let action = if copy.uncatalogued {
        // Nothing leaves for the shop: the copy waits here for its catalogue record.
        if copy.status == ItemStatus::OnLoan {
            if let Some(active) = loans::active_for_copy(&txn, copy.id).await? {
                ended = loans::end(&txn, active.id, branch, ctx.now()).await?;
            }
        }
        delivery_methods::set_copy(&txn, &copy, ItemStatus::Available, branch, ctx.now()).await?;
        CheckInAction::Catalogue
    } else {
        match copy.status {
            ItemStatus::OnLoan => {
                let active = loans::active_for_copy(&txn, copy.id)
                    .await?
                    .ok_or_else(|| Error::conflict(Reason::LentWithoutLoan))?;
                ended = loans::end(&txn, active.id, branch, ctx.now()).await?;
                released(&txn, &copy, branch, policy.return_policy, actor, ctx.now()).await?
            }
            ItemStatus::InTransit => match in_transit_for(&txn, copy.id).await? {
                Some(req) if req.pickup_branch_id == Some(branch) => {
                    let held = delivery_methods::arrive(&txn, policy, req, &copy, actor, ctx.now())
                        .await?;
                    CheckInAction::HoldShelf(Box::new(held))
                }
                Some(req) => {
                    CheckInAction::Forward(req.pickup_branch_id.unwrap_or(copy.home_branch_id))
                }
                None => {
                    released(&txn, &copy, branch, policy.return_policy, actor, ctx.now()).await?
                }
            },
            ItemStatus::Missing | ItemStatus::Available => {
                released(&txn, &copy, branch, policy.return_policy, actor, ctx.now()).await?
            }
            other => {
                return Err(Error::WrongState {
                    what: "copy",
                    state: other.as_str(),
                })
            }
        }
    };
    let copy = item::Entity::find_by_id(copy.id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    txn.commit().await?;
    committed(ctx);
    Ok(CheckIn {
        action,
        loan: ended,
        copy,
    })
}

/// How a desk catalogues a copy bought at a bookstore counter.
#[derive(Debug, Clone)]
pub struct Cataloguing {
    /// The barcode it came back with (the store's or a temporary one).
    pub barcode: String,
    /// The library's barcode for it.
    pub new_barcode: String,
    /// Its call number, e.g. `I247.5/123`.
    pub call_number: String,
    /// Whether it joins the net-lending stock.
    pub net_lending: bool,
}

/// Catalogues a copy bought at a bookstore counter that came back at `branch` (library
/// barcode, call number, net-lending flag); then it goes where any returned copy goes
/// (the waitlist, this shelf, or its home branch). Audited.
///
/// # Errors
/// FORBIDDEN outside the staff member's desk branches; VALIDATION for a bad barcode or call
/// number; NOT_FOUND for an unknown copy; CONFLICT when it is catalogued already, is not at
/// this branch, or the new barcode is on another copy. Nothing is written then.
pub async fn catalogue_bought(
    ctx: &Ctx,
    who: &Principal,
    branch: Uuid,
    what: Cataloguing,
) -> Result<CheckIn> {
    who.require_staff_at(DESK, branch)?;
    let new_barcode = what.new_barcode.trim();
    if new_barcode.is_empty() || new_barcode.len() > 40 {
        return Err(Error::validation(text!("lending-barcode-length")).in_field("newBarcode"));
    }
    let call = CallNumber::parse(&what.call_number).map_err(|e| e.in_field("callNumber"))?;
    let txn = ctx.begin().await?;
    let copy = copy_by_barcode(&txn, &what.barcode).await?;
    lock_title(&txn, copy.title_id, ctx.now()).await?;
    if !copy.uncatalogued {
        return Err(Error::conflict(Reason::AlreadyCatalogued));
    }
    if copy.current_branch_id != branch || copy.status != ItemStatus::Available {
        return Err(Error::conflict(Reason::NotHere));
    }
    let taken = item::Entity::find()
        .filter(item::Column::Barcode.eq(new_barcode))
        .filter(item::Column::Id.ne(copy.id))
        .one(&txn)
        .await?
        .is_some();
    if taken {
        return Err(Error::conflict(Reason::BarcodeTaken));
    }
    item::Entity::update_many()
        .col_expr(item::Column::Barcode, Expr::value(new_barcode))
        .col_expr(item::Column::CallNumber, Expr::value(call.as_str()))
        .col_expr(item::Column::NetLending, Expr::value(what.net_lending))
        .col_expr(item::Column::Uncatalogued, Expr::value(false))
        .filter(item::Column::Id.eq(copy.id))
        .exec(&txn)
        .await?;
    crate::audit::record(
        &txn,
        Actor::of(who),
        "copy.catalogue",
        Some(&copy.id.to_string()),
        Some(serde_json::json!({"from": copy.barcode, "to": new_barcode})),
        ctx.now(),
    )
    .await?;
    let copy = copy_by_barcode(&txn, new_barcode).await?;
    let action = released(
        &txn,
        &copy,
        branch,
        ctx.config.lending.return_policy,
        Actor::of(who),
        ctx.now(),
    )
    .await?;
    let copy = copy_by_barcode(&txn, new_barcode).await?;
    txn.commit().await?;
    committed(ctx);
    Ok(CheckIn {
        action,
        loan: None,
        copy,
    })
}

async fn released(
    db: &impl ConnectionTrait,
    copy: &item::Model,
    branch: Uuid,
    policy: crate::config::ReturnPolicy,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<CheckInAction> {
    Ok(
        match waitlist::release(db, copy, branch, policy, actor, now).await? {
            Released::ServesWaitlist(req, task) => CheckInAction::ServesWaitlist(req, task),
            Released::Shelved => CheckInAction::Shelve,
            Released::SentHome(home) => CheckInAction::SendHome(home),
        },
    )
}

/// The BRANCH request a copy is in transit for, if any.
async fn in_transit_for(db: &impl ConnectionTrait, copy: Uuid) -> Result<Option<LoanRequest>> {
    Ok(loan_request::Entity::find()
        .filter(loan_request::Column::ItemId.eq(copy))
        .filter(loan_request::Column::Status.eq(RequestStatus::InTransit))
        .filter(loan_request::Column::DeliveryMethod.eq(DeliveryMethod::Branch))
        .one(db)
        .await?)
}
