//! A reader at the locker types their pickup code: the controller asks which door to open.
//! Guesses are limited ([`crate::lockout`]) per code and per locker: a code tried
//! [`PER_CODE`]`.free` times is locked for long, and the whole keypad, after
//! [`PER_LOCKER`]`.free` wrong codes, for a short while that doubles with each further wrong
//! code, so six digits cannot be guessed at the door while one person's typos do not shut
//! a locker for everyone for long.

use std::time::Duration;

use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;

use super::{codes, locker_reports};
use crate::auth::Principal;
use crate::entity::{compartment, item, loan_request};
use crate::lending::{request_log, requests, DeliveryMethod, LoanRequest, RequestStatus};
use crate::lockers::Locker;
use crate::lockout::{Attempts, Forget, Policy};
use crate::{notify, Ctx, Error, Result};

/// The same code typed wrong: five tries, then ten minutes and more.
pub static PER_CODE: Policy = Policy {
    free: 5,
    first_lock: Duration::from_secs(10 * 60),
    max_lock: Duration::from_secs(6 * 3600),
    memory: Duration::from_secs(24 * 3600),
};
/// Wrong codes at one keypad: ten, then 30 seconds doubling to ten minutes.
pub static PER_LOCKER: Policy = Policy {
    free: 10,
    first_lock: Duration::from_secs(30),
    max_lock: Duration::from_secs(10 * 60),
    memory: Duration::from_secs(3600),
};

/// The door to open for a valid code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pickup {
    /// Compartment label.
    pub compartment: String,
    /// Parcel (copy barcode).
    pub parcel: String,
    /// The request.
    pub request: Uuid,
}

/// Checks a pickup code typed at `locker`.
///
/// # Errors
/// RATE_LIMITED while locked out; NOT_FOUND for a wrong or expired code (counted).
pub async fn verify(ctx: &Ctx, locker: &Locker, code: &str) -> Result<Pickup> {
    let lookup = codes::well_formed(code).then(|| find(ctx, locker, code));
    guarded(ctx, locker, code, "pickup code", lookup).await
}

/// Runs `lookup` (None: the code is malformed) for a code typed at `locker`'s keypad (pickup
/// and drop codes alike) unless the locker or the code is locked out; counts the code as
/// wrong when it finds nothing.
///
/// # Errors
/// RATE_LIMITED while locked out; NOT_FOUND (`what`) for a wrong code.
pub(crate) async fn guarded<T>(
    ctx: &Ctx,
    locker: &Locker,
    code: &str,
    what: &'static str,
    lookup: Option<impl std::future::Future<Output = Result<Option<T>>>>,
) -> Result<T> {
    let attempts = Attempts::begin(
        ctx,
        vec![
            (format!("code:{}:{code}", locker.id), &PER_CODE),
            (format!("keypad:{}", locker.id), &PER_LOCKER),
        ],
        text!("locker-too-many-wrong-codes"),
    )
    .await?;
    let found = match lookup {
        Some(lookup) => lookup.await,
        None => Ok(None),
    };
    match found {
        Ok(Some(found)) => {
            attempts.succeeded(ctx, Forget::Own).await;
            Ok(found)
        }
        Ok(None) => {
            attempts.failed();
            Err(Error::NotFound(what))
        }
        Err(e) => {
            // A fault is not a guess.
            attempts.cancelled(ctx).await;
            Err(e)
        }
    }
}

async fn find(ctx: &Ctx, locker: &Locker, code: &str) -> Result<Option<Pickup>> {
    let hash = codes::lookup_hash(&ctx.config.jwt_secret.bytes, locker.id, code);
    let Some(req) = loan_request::Entity::find()
        .filter(loan_request::Column::LockerId.eq(locker.id))
        .filter(loan_request::Column::Status.eq(RequestStatus::ReadyForPickup))
        .filter(loan_request::Column::PickupCodeHash.eq(hash))
        .filter(loan_request::Column::PickupDeadline.gt(ctx.now()))
        .one(&ctx.db)
        .await?
    else {
        return Ok(None);
    };
    let door = match req.compartment_id {
        Some(id) => compartment::Entity::find_by_id(id).one(&ctx.db).await?,
        None => None,
    };
    let copy = match req.item_id {
        Some(id) => item::Entity::find_by_id(id).one(&ctx.db).await?,
        None => None,
    };
    Ok(door.zip(copy).map(|(door, copy)| Pickup {
        compartment: door.label,
        parcel: copy.barcode,
        request: req.id,
    }))
}

/// The pickup code of `req`, for its own reader while it waits in a locker (anyone else, or
/// any other state: none).
pub fn code_for(ctx: &Ctx, who: Option<&Principal>, req: &LoanRequest) -> Option<String> {
    let mine = matches!(who, Some(Principal::Reader { id }) if *id == req.reader_id);
    let waiting = req.status == RequestStatus::ReadyForPickup
        && req.delivery_method == DeliveryMethod::Locker
        && req.pickup_code_hash.is_some();
    (mine && waiting)
        .then(|| codes::code(&ctx.config.jwt_secret.bytes, req.id, req.pickup_code_gen))
}

/// The door of `req`'s parcel, for its own reader while it waits in a locker (anyone else,
/// or any other state: none).
///
/// # Errors
/// INTERNAL or UNAVAILABLE on a database fault.
pub async fn door_for(
    ctx: &Ctx,
    who: Option<&Principal>,
    req: &LoanRequest,
) -> Result<Option<String>> {
    let mine = matches!(who, Some(Principal::Reader { id }) if *id == req.reader_id);
    let waiting = req.status == RequestStatus::ReadyForPickup
        && req.delivery_method == DeliveryMethod::Locker;
    match (mine && waiting, req.compartment_id) {
        (true, Some(id)) => Ok(compartment::Entity::find_by_id(id)
            .one(&ctx.db)
            .await?
            .map(|door| door.label)),
        _ => Ok(None),
    }
}

/// Gives the reader a new pickup code for their parcel (the old one stops working) and
/// sends it to them.
///
/// # Errors
/// NOT_FOUND when it is not the reader's request; CONFLICT (with the current state) unless
/// it waits in a locker.
pub async fn resend(ctx: &Ctx, reader: Uuid, request: Uuid) -> Result<LoanRequest> {
    let txn = ctx.begin().await?;
    let req = requests::of_reader_by_id(&txn, reader, request).await?;
    let (Some(locker), RequestStatus::ReadyForPickup, DeliveryMethod::Locker) =
        (req.locker_id, req.status, req.delivery_method)
    else {
        return Err(Error::WrongState {
            what: "request",
            state: req.status.as_str(),
        });
    };
    let (generation, hash) =
        locker_reports::pickup_code(ctx, &txn, locker, req.id, req.pickup_code_gen + 1).await?;
    let req = request_log::update(
        &txn,
        &req,
        loan_request::ActiveModel {
            pickup_code_gen: Set(generation),
            pickup_code_hash: Set(Some(hash)),
            ..Default::default()
        },
        ctx.now(),
    )
    .await?;
    notify::triggers::pickup_code_renewed(&txn, &req, ctx.now()).await?;
    txn.commit().await?;
    ctx.wake_workers();
    Ok(req)
}
