//! Returns: a reader announces one (`startReturn`); for a locker they get a one-time drop
//! code. Typed at that locker, the code opens a free door; the door's `return_dropped` ends
//! the loan at once (the reader stops owing the book) and the locker gets a `collect_return`
//! command for staff; their `collected` closes the ticket and the book travels to the
//! branch, where check-in puts it back into circulation (or onto the waitlist).

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;
use sea_orm::DatabaseTransaction;

use super::commands::{self, Issued};
use super::home::BookReturn;
use super::placement::{claim_compartment, move_door};
use super::{codes, pickups};
use crate::entity::compartment::{self, State};
use crate::entity::item::{self, ItemStatus};
use crate::entity::locker_command::CommandKind;
use crate::entity::return_ticket::{self, ReturnMethod, TicketStatus};
use crate::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use crate::entity::{loan, reader_address};
use crate::jobs;
use crate::lending::{delivery_methods, loans, lock_title, LoanStatus};
use crate::lifecycle::{self, Lifecycle};
use crate::lockers::{self, Locker};
use crate::{Ctx, Error, Reason, Result};

pub use return_ticket::Model as ReturnTicket;

/// Digits in a drop code.
const CODE_DIGITS: usize = 8;

/// Where a return starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnPlace {
    /// At any branch desk.
    Branch,
    /// Into this locker.
    Locker(Uuid),
    /// Collected by the courier from this saved address.
    Courier(Uuid),
}

/// Announces the return of one of the reader's loans: LOCKER gives a drop code; COURIER
/// books a pickup (a job, retried while the courier is down). An earlier open ticket for the
/// loan is replaced.
///
/// # Errors
/// NOT_FOUND for another reader's or unknown loan, locker or address; CONFLICT when the loan
/// has ended.
pub async fn start(
    ctx: &Ctx,
    reader: Uuid,
    loan_id: Uuid,
    place: ReturnPlace,
) -> Result<ReturnTicket> {
    let (method, locker, address) = match place {
        ReturnPlace::Locker(id) => (
            ReturnMethod::Locker,
            Some(lockers::by_id(&ctx.db, id).await?.id),
            None,
        ),
        ReturnPlace::Courier(id) => {
            let mine = reader_address::Entity::find_by_id(id)
                .filter(reader_address::Column::ReaderId.eq(reader))
                .one(&ctx.db)
                .await?
                .ok_or(Error::NotFound("address"))?;
            (ReturnMethod::Courier, None, Some(mine.id))
        }
        ReturnPlace::Branch => (ReturnMethod::Branch, None, None),
    };
    let txn = ctx.begin().await?;
    let the_loan = loan::Entity::find_by_id(loan_id)
        .filter(loan::Column::ReaderId.eq(reader))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("loan"))?;
    if the_loan.status != LoanStatus::Active {
        return Err(the_loan.status.refusal());
    }
    lifecycle::advance_all::<return_ticket::Entity>(
        &[TicketStatus::Open],
        TicketStatus::Cancelled,
    )?
    .filter(return_ticket::Column::LoanId.eq(loan_id))
    .exec(&txn)
    .await?;
    let secret = &ctx.config.jwt_secret.bytes;
    let id = loop {
        // A code clashing with an open one (one in many millions) takes a new ticket id.
        let id = Uuid::now_v7();
        let row = return_ticket::ActiveModel {
            id: Set(id),
            loan_id: Set(loan_id),
            code_hash: Set(codes::drop_lookup_hash(
                secret,
                &codes::drop_code(secret, id),
            )),
            method: Set(method),
            locker_id: Set(locker),
            status: Set(lifecycle::begin(TicketStatus::Open)?),
            created_at: Set(ctx.now()),
            compartment_id: Set(None),
        };
        let inserted = return_ticket::Entity::insert(row.clone())
            .on_conflict(
                OnConflict::column(return_ticket::Column::CodeHash)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        if inserted == 1 {
            break id;
        }
    };
    let ticket = return_ticket::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("return"))?;
    if let Some(address) = address {
        let copy = copy_of(&txn, loan_id).await?;
        let shipment = shipment::ActiveModel {
            loan_id: Set(Some(loan_id)),
            from_branch_id: Set(None),
            ..delivery_methods::shipment(
                ShipmentKind::Return,
                ShipmentStatus::Created,
                None,
                copy.home_branch_id,
                copy.home_branch_id,
                ctx.now(),
            )?
        }
        .insert(&txn)
        .await?
        .id;
        jobs::enqueue(&txn, &BookReturn { shipment, address }, ctx.now()).await?;
    }
    txn.commit().await?;
    ctx.wake_workers();
    Ok(ticket)
}

/// The drop code of `ticket`, for its reader.
pub fn drop_code(ctx: &Ctx, ticket: &ReturnTicket) -> String {
    codes::drop_code(&ctx.config.jwt_secret.bytes, ticket.id)
}

/// Replaces drop codes stored in plain text (before they were hashed) with their keyed
/// hashes; they keep working at the locker. Runs at start-up; does nothing the second time.
///
/// # Errors
/// INTERNAL or UNAVAILABLE on a database fault.
pub async fn seal_plain_codes(ctx: &Ctx) -> Result<u64> {
    let plain = return_ticket::Entity::find()
        .filter(Expr::cust("length(code)").eq(i32::try_from(CODE_DIGITS).unwrap_or(8)))
        .all(&ctx.db)
        .await?;
    let secret = &ctx.config.jwt_secret.bytes;
    for t in &plain {
        return_ticket::Entity::update_many()
            .col_expr(
                return_ticket::Column::CodeHash,
                Expr::value(codes::drop_lookup_hash(secret, &t.code_hash)),
            )
            .filter(return_ticket::Column::Id.eq(t.id))
            .exec(&ctx.db)
            .await?;
    }
    Ok(u64::try_from(plain.len()).unwrap_or(u64::MAX))
}

/// The door a drop code opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropDoor {
    /// Compartment label.
    pub compartment: String,
    /// The book expected (its barcode).
    pub parcel: String,
    /// The ticket.
    pub ticket: Uuid,
}

/// A drop code typed at `locker`: claims a free door for the return (the same door when the
/// reader types it again).
///
/// # Errors
/// RATE_LIMITED while locked out; NOT_FOUND for a wrong code (counted); CONFLICT when the
/// locker has no free door.
pub async fn open_door(ctx: &Ctx, locker: &Locker, code: &str) -> Result<DropDoor> {
    let well_formed = code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit());
    let lookup = well_formed.then_some(async {
        return_ticket::Entity::find()
            .filter(
                return_ticket::Column::CodeHash
                    .eq(codes::drop_lookup_hash(&ctx.config.jwt_secret.bytes, code)),
            )
            .filter(return_ticket::Column::LockerId.eq(locker.id))
            .filter(return_ticket::Column::Status.eq(TicketStatus::Open))
            .one(&ctx.db)
            .await
            .map_err(Error::from)
    });
    let ticket = pickups::guarded(ctx, locker, code, "return code", lookup).await?;
    let txn = ctx.begin().await?;
    let door = match ticket.compartment_id {
        Some(id) => compartment::Entity::find_by_id(id).one(&txn).await?,
        None => claim_compartment(&txn, locker.id).await?,
    }
    .ok_or_else(|| Error::conflict(Reason::LockerFull))?;
    return_ticket::Entity::update_many()
        .col_expr(return_ticket::Column::CompartmentId, Expr::value(door.id))
        .filter(return_ticket::Column::Id.eq(ticket.id))
        .exec(&txn)
        .await?;
    let copy = copy_of(&txn, ticket.loan_id).await?;
    txn.commit().await?;
    Ok(DropDoor {
        compartment: door.label,
        parcel: copy.barcode,
        ticket: ticket.id,
    })
}

async fn copy_of(db: &impl ConnectionTrait, loan_id: Uuid) -> Result<item::Model> {
    let the_loan = loan::Entity::find_by_id(loan_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("loan"))?;
    item::Entity::find_by_id(the_loan.item_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("parcel"))
}

/// `return_dropped` at `door`: the loan ends, the door holds the book until staff collect it.
///
/// # Errors
/// NOT_FOUND when no return was given this door, or for another book.
pub(crate) async fn dropped(
    txn: &DatabaseTransaction,
    locker: &Locker,
    door: &compartment::Model,
    parcel: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Issued> {
    let ticket = return_ticket::Entity::find()
        .filter(return_ticket::Column::CompartmentId.eq(door.id))
        .filter(return_ticket::Column::Status.eq(TicketStatus::Open))
        .one(txn)
        .await?
        .ok_or(Error::NotFound("return for this compartment"))?;
    let copy = copy_of(txn, ticket.loan_id).await?;
    if parcel != Some(copy.barcode.as_str()) {
        return Err(Error::NotFound("parcel"));
    }
    lock_title(txn, copy.title_id, now).await?;
    loans::end(txn, ticket.loan_id, locker.branch_id, now).await?;
    delivery_methods::set_copy(txn, &copy, ItemStatus::InTransit, locker.branch_id, now).await?;
    set_ticket(txn, &ticket, TicketStatus::Dropped).await?;
    move_door(txn, door.id, State::Occupied).await?;
    commands::issue(
        txn,
        locker.id,
        CommandKind::CollectReturn,
        &door.label,
        &copy.barcode,
        None,
        now,
    )
    .await
}

/// `collected` at `door`: staff took a dropped return out. False when the door held none.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn collected(
    txn: &DatabaseTransaction,
    door: &compartment::Model,
) -> Result<bool> {
    let Some(ticket) = return_ticket::Entity::find()
        .filter(return_ticket::Column::CompartmentId.eq(door.id))
        .filter(return_ticket::Column::Status.eq(TicketStatus::Dropped))
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    set_ticket(txn, &ticket, TicketStatus::Received).await?;
    move_door(txn, door.id, State::Free).await?;
    Ok(true)
}

/// Moves `ticket` (in the state its caller read) to `to`.
async fn set_ticket(
    db: &impl ConnectionTrait,
    ticket: &ReturnTicket,
    to: TicketStatus,
) -> Result<()> {
    lifecycle::advance::<return_ticket::Entity>(
        db,
        ticket.id,
        ticket.status,
        to,
        Default::default(),
    )
    .await?;
    Ok(())
}
