//! Applying for a library card online (网上办证): name, mainland ID number, mobile and a
//! home branch. `HONGYAN_CARD_POLICY` decides what the applicant gets: a card that lends at
//! once (`credit`, 信用办证) or one PENDING until a desk checks the ID ([`verify`]). One ID
//! number, one card: a second application is refused naming the card it already has
//! (masked).
//!
//! A signed-in reader without a card (a WeChat identity) applies for themselves and keeps
//! signing in as before; someone not signed in applies with a PIN and signs in by card.

use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveEnum, SqlErr};
use serde_json::json;

use super::id_number::{mask, IdNumber};
use crate::addresses::Phone;
use crate::audit::{self, Actor};
use crate::auth::{password, Principal, StaffRole};
use crate::branches::BranchKind;
use crate::config::CardPolicy;
use crate::entity::branch;
use crate::entity::reader::{self, ReaderStatus};
use crate::lifecycle;
use crate::people::{self, Reader};
use crate::{infra::secrets, Ctx, Error, Reason, Result};

/// Digits of a card number issued online (`9` and nine random digits).
const ONLINE_CARD_DIGITS: usize = 9;

/// An application as the reader fills it in.
#[derive(Debug, Clone)]
pub struct Application {
    /// Full name as on the ID card.
    pub name: String,
    /// Mainland ID number.
    pub id_number: String,
    /// Mobile number.
    pub mobile: String,
    /// The branch the reader chooses as home.
    pub home_branch: Uuid,
    /// A PIN for card sign-in: required when not signed in.
    pub pin: Option<String>,
}

/// Applies for a card, as `who` (a card-less reader) or as someone not signed in (`None`).
///
/// # Errors
/// VALIDATION naming the field at fault (`name`, `idNumber`, `mobile`, `homeBranchId`,
/// `pin`); FORBIDDEN for staff; CONFLICT when the caller has a card already or (reason
/// ID_NUMBER_TAKEN) the ID number has one. Nothing is written then.
pub async fn register(ctx: &Ctx, who: Option<&Principal>, app: Application) -> Result<Reader> {
    let applicant = match who {
        Some(Principal::Reader { id }) => Some(*id),
        Some(Principal::Staff { .. }) => return Err(Error::forbidden(Reason::StaffCannotApply)),
        None => None,
    };
    let name = app.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::validation(text!("reader-name-length")).in_field("name"));
    }
    let id = IdNumber::parse(&app.id_number, ctx.now()).map_err(|e| e.in_field("idNumber"))?;
    let mobile = Phone::parse(&app.mobile).map_err(|e| e.in_field("mobile"))?;
    let pin = match (&app.pin, applicant) {
        (Some(pin), _) => Some(pin.as_str()),
        (None, None) => {
            return Err(Error::validation(text!("register-pin-required")).in_field("pin"))
        }
        (None, Some(_)) => None,
    };
    if let Some(pin) = pin {
        people::check_pin(pin).map_err(|e| e.in_field("pin"))?;
    }
    let pin_hash = pin.map(password::hash).transpose()?;
    let status = match ctx.config.lending.card_policy {
        CardPolicy::Credit => ReaderStatus::Active,
        CardPolicy::Verify => ReaderStatus::Pending,
    };
    let id_hash = id.lookup_hash(&ctx.config.jwt_secret.bytes);

    let txn = ctx.begin().await?;
    let home = branch::Entity::find_by_id(app.home_branch)
        .one(&txn)
        .await?
        .filter(|b| b.kind != BranchKind::Bookstore)
        .ok_or_else(|| {
            Error::validation(text!("register-branch-unknown")).in_field("homeBranchId")
        })?;
    if let Some(holder) = holder_of(&txn, &id_hash).await? {
        return Err(id_number_taken(&holder));
    }
    let card = free_card_number(&txn).await?;
    let (mut row, applied) = match applicant {
        Some(id) => {
            let me = reader::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .filter(|r| r.status != ReaderStatus::Closed)
                .ok_or_else(|| Error::unauthenticated(text!("reader-account-gone")))?;
            if me.card_number.is_some() {
                return Err(Error::conflict(Reason::HasCard));
            }
            let applied = me.status;
            (me.into(), Some(applied))
        }
        None => {
            let mut row = people::new_reader(name, ctx.now())?;
            row.status = Set(lifecycle::begin(status)?);
            (row, None)
        }
    };
    row.name = Set(name.to_owned());
    row.card_number = Set(Some(card.clone()));
    row.phone = Set(Some(mobile.as_str().to_owned()));
    row.home_branch_id = Set(Some(home.id));
    row.id_number_hash = Set(Some(id_hash.clone()));
    row.id_number_masked = Set(Some(id.masked()));
    if status == ReaderStatus::Active {
        row.credit_card_at = Set(Some(ctx.now()));
    }
    if let Some(hash) = pin_hash {
        row.pin_hash = Set(Some(hash));
    }
    let saved = match applied {
        Some(_) => row.update(&txn).await,
        None => row.insert(&txn).await,
    };
    let saved = match saved {
        Ok(saved) => saved,
        // A unique-index clash: another application with this ID number got in past the
        // check above (two at once). Refused as that check refuses, naming its card.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            return Err(match holder_of(&ctx.db, &id_hash).await? {
                Some(holder) => id_number_taken(&holder),
                None => e.into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    // An account applying for itself keeps its state (ACTIVE) unless its card waits for a desk.
    let saved = match applied {
        Some(was) if was != status => {
            lifecycle::advance::<reader::Entity>(&txn, saved.id, was, status, Default::default())
                .await?
        }
        _ => saved,
    };
    audit::record(
        &txn,
        Actor::Reader(saved.id),
        "reader.register",
        Some(&saved.id.to_string()),
        Some(json!({"card": card, "status": saved.status.to_value()})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// A card number no reader has: `9` and nine random digits.
async fn free_card_number(db: &impl ConnectionTrait) -> Result<String> {
    loop {
        let card = format!("9{}", secrets::random_digits(ONLINE_CARD_DIGITS));
        let taken = reader::Entity::find()
            .filter(reader::Column::CardNumber.eq(card.as_str()))
            .one(db)
            .await?
            .is_some();
        if !taken {
            return Ok(card);
        }
    }
}

/// The reader whose ID number has the lookup hash `id_hash`, if any.
async fn holder_of(db: &impl ConnectionTrait, id_hash: &str) -> Result<Option<Reader>> {
    Ok(reader::Entity::find()
        .filter(reader::Column::IdNumberHash.eq(id_hash))
        .one(db)
        .await?)
}

/// The CONFLICT for an ID number that has a card already: `holder`'s, named masked.
fn id_number_taken(holder: &Reader) -> Error {
    let card = holder.card_number.as_deref().map(mask).unwrap_or_default();
    Error::conflict(Reason::IdNumberTaken).with("card", card)
}

/// A desk has checked a PENDING applicant's ID: the card lends from now on. Audited.
///
/// # Errors
/// FORBIDDEN for anyone but desk staff; NOT_FOUND for an unknown reader; CONFLICT when the
/// reader is not PENDING.
pub async fn verify(ctx: &Ctx, who: &Principal, reader_id: Uuid) -> Result<Reader> {
    who.require_staff(&[
        StaffRole::Librarian,
        StaffRole::Dispatcher,
        StaffRole::Picker,
    ])?;
    let txn = ctx.begin().await?;
    let found = reader::Entity::find_by_id(reader_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    // Its table lets only a PENDING account become ACTIVE.
    let saved = lifecycle::advance::<reader::Entity>(
        &txn,
        found.id,
        found.status,
        ReaderStatus::Active,
        Default::default(),
    )
    .await?;
    audit::record(
        &txn,
        Actor::of(who),
        "reader.verify",
        Some(&reader_id.to_string()),
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}
