//! Readers and staff accounts: creating them, a staff member's own profile (`staffMe`) and
//! a reader as the desk sees them (`readerByCard`, `deskReader`).

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, TransactionTrait};

use crate::auth::{password, Principal, StaffRole};
use crate::branches::Branch;
use crate::entity::{loan, loan_request, reader, staff, staff_branch};
use crate::lending::{self, Loan, LoanRequest, LoanStatus, RequestStatus};
use crate::{branches, lifecycle, Error, Reason, Result};

pub use reader::Model as Reader;
pub use staff::Model as Staff;

/// A library card number: 4–32 ASCII letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Parses a card number as typed or scanned (surrounding space ignored).
    ///
    /// # Errors
    /// VALIDATION when it is not 4–32 letters and digits.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if (4..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(CardNumber(s.to_owned()))
        } else {
            Err(Error::validation(text!("card-number-format")))
        }
    }

    /// The number as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a reader PIN: 4–12 digits.
pub(crate) fn check_pin(pin: &str) -> Result<()> {
    if (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::validation(text!("pin-format")))
    }
}

/// Registers a reader with a card and PIN.
///
/// # Errors
/// VALIDATION for a malformed card, PIN or empty name; CONFLICT for a card already issued.
pub async fn add_reader(
    db: &impl ConnectionTrait,
    card: &str,
    pin: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Reader> {
    let card = CardNumber::parse(card)?;
    check_pin(pin)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::validation(text!("reader-name-length")));
    }
    if reader::Entity::find()
        .filter(reader::Column::CardNumber.eq(card.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(Error::conflict(Reason::CardNumberTaken));
    }
    let mut row = new_reader(name, now)?;
    row.card_number = Set(Some(card.0));
    row.pin_hash = Set(Some(password::hash(pin)?));
    Ok(row.insert(db).await?)
}

/// Loans a reader may hold at once when no category says otherwise.
pub const DEFAULT_MAX_LOANS: i32 = 10;
/// Requests a reader may have open at once when no category says otherwise.
pub const DEFAULT_MAX_OPEN_REQUESTS: i32 = 5;

/// A new ACTIVE reader row with the library's default limits and no credentials yet.
///
/// # Errors
/// INTERNAL when the reader's table lets none begin ACTIVE.
pub fn new_reader(name: &str, now: DateTime<Utc>) -> Result<reader::ActiveModel> {
    Ok(reader::ActiveModel {
        id: Set(Uuid::now_v7()),
        card_number: Set(None),
        pin_hash: Set(None),
        name: Set(name.to_owned()),
        wechat_openid: Set(None),
        wechat_unionid: Set(None),
        wechat_oa_openid: Set(None),
        notify_channels: Set(crate::notify::prefs::DEFAULT_CHANNELS.to_owned()),
        muted_kinds: Set(String::new()),
        phone: Set(None),
        email: Set(None),
        home_branch_id: Set(None),
        blocked: Set(false),
        blocked_reason: Set(None),
        max_loans: Set(DEFAULT_MAX_LOANS),
        max_open_requests: Set(DEFAULT_MAX_OPEN_REQUESTS),
        created_at: Set(now),
        status: Set(lifecycle::begin(reader::ReaderStatus::Active)?),
        id_number_hash: Set(None),
        id_number_masked: Set(None),
        merged_into: Set(None),
        category_id: Set(None),
        credit_card_at: Set(None),
    })
}

/// Creates a staff account scoped to the branches with the given codes.
///
/// # Errors
/// VALIDATION for a weak password ([`password::require_strong`]) or bad user name,
/// NOT_FOUND for an unknown branch, CONFLICT for a taken user name.
pub async fn add_staff<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    username: &str,
    secret: &str,
    role: StaffRole,
    branch_codes: &[String],
    now: DateTime<Utc>,
) -> Result<Staff> {
    password::require_strong(secret, &[username.trim()])?;
    insert_staff(db, username, secret, role, branch_codes, now).await
}

/// Creates a staff account without judging its password: only for the demo library,
/// whose passwords are published anyway (and refused in production).
///
/// # Errors
/// As [`add_staff`], but for the password.
pub(crate) async fn insert_staff<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    username: &str,
    secret: &str,
    role: StaffRole,
    branch_codes: &[String],
    now: DateTime<Utc>,
) -> Result<Staff> {
    let username = username.trim();
    if !(3..=64).contains(&username.len())
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(Error::validation(text!("staff-username-format")).in_field("username"));
    }
    if role != StaffRole::Admin && branch_codes.is_empty() {
        return Err(Error::validation(text!("staff-branch-required")).in_field("branchCodes"));
    }
    let txn = crate::infra::db::begin_write(db).await?;
    if staff::Entity::find()
        .filter(staff::Column::Username.eq(username))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(Error::conflict(Reason::UsernameTaken).with("username", username));
    }
    let row = staff::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.to_owned()),
        password_hash: Set(password::hash(secret)?),
        display_name: Set(username.to_owned()),
        role: Set(role),
        disabled: Set(false),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    link_branches(&txn, row.id, branch_codes).await?;
    txn.commit().await?;
    Ok(row)
}

/// Makes staff member `staff_id` work in the branches with `codes` (their only ones).
///
/// # Errors
/// NOT_FOUND for an unknown branch code.
pub(crate) async fn link_branches(
    db: &impl ConnectionTrait,
    staff_id: Uuid,
    codes: &[String],
) -> Result<()> {
    staff_branch::Entity::delete_many()
        .filter(staff_branch::Column::StaffId.eq(staff_id))
        .exec(db)
        .await?;
    for code in codes {
        let branch = branches::by_code(db, code).await?;
        staff_branch::ActiveModel {
            staff_id: Set(staff_id),
            branch_id: Set(branch.id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A reader by id.
///
/// # Errors
/// NOT_FOUND when there is no such reader.
pub async fn reader(db: &impl ConnectionTrait, id: Uuid) -> Result<Reader> {
    reader::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("reader"))
}

/// A staff member's own account as their console needs it: who they are, the role and the
/// branches their access token carries (what the server lets this session do).
#[derive(Debug, Clone)]
pub struct StaffProfile {
    /// The account.
    pub staff: Staff,
    /// The role the session acts in.
    pub role: StaffRole,
    /// Their branches by code: every branch for admins, whose scope is everywhere.
    pub branches: Vec<Branch>,
}

/// The calling staff member's own profile.
///
/// # Errors
/// FORBIDDEN for readers; UNAUTHENTICATED when the account was removed or disabled after the
/// token was issued.
pub async fn staff_me(db: &impl ConnectionTrait, who: &Principal) -> Result<StaffProfile> {
    let Principal::Staff { id, role, branches } = who else {
        return Err(Error::forbidden(Reason::StaffOnly));
    };
    let row = staff::Entity::find_by_id(*id)
        .one(db)
        .await?
        .filter(|s| !s.disabled)
        .ok_or_else(|| Error::unauthenticated(text!("staff-account-disabled")))?;
    let mut places = if *role == StaffRole::Admin {
        branches::list(db).await?
    } else {
        branches::by_ids(db, branches).await?
    };
    places.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(StaffProfile {
        staff: row,
        role: *role,
        branches: places,
    })
}

/// Most open requests or active loans the desk is shown (readers hold far fewer).
const DESK_ROWS: u64 = 100;

/// Looks a reader up by card number, for staff at a desk (the desk's roles and admins).
///
/// # Errors
/// FORBIDDEN for readers and other staff roles; VALIDATION for a malformed card number;
/// NOT_FOUND when no reader holds that card.
pub async fn reader_by_card(
    db: &impl ConnectionTrait,
    who: &Principal,
    card: &str,
) -> Result<Reader> {
    who.require_staff(lending::desk::DESK)?;
    let card = CardNumber::parse(card)?;
    reader::Entity::find()
        .filter(reader::Column::CardNumber.eq(card.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("reader"))
}

/// A reader by id as the desk sees them (found by name or phone, or an application without
/// a card yet): the desk's roles and admins.
///
/// # Errors
/// FORBIDDEN for readers and other staff roles; NOT_FOUND for an unknown reader.
pub async fn reader_for_desk(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<Reader> {
    who.require_staff(lending::desk::DESK)?;
    reader::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("reader"))
}

/// A reader's requests still under way (not fulfilled, cancelled, expired or failed), newest
/// first, for the desk.
///
/// # Errors
/// FORBIDDEN for readers and other staff roles.
pub async fn open_requests_of(
    db: &impl ConnectionTrait,
    who: &Principal,
    reader_id: Uuid,
) -> Result<Vec<LoanRequest>> {
    who.require_staff(lending::desk::DESK)?;
    let open = loan_request::Entity::find()
        .filter(loan_request::Column::ReaderId.eq(reader_id))
        .filter(loan_request::Column::Status.is_in(RequestStatus::OPEN));
    Ok(
        lending::newest_first(db, open, loan_request::Column::Id, DESK_ROWS, None)
            .await?
            .0,
    )
}

/// The books a reader has now, newest loan first, for the desk.
///
/// # Errors
/// FORBIDDEN for readers and other staff roles.
pub async fn active_loans_of(
    db: &impl ConnectionTrait,
    who: &Principal,
    reader_id: Uuid,
) -> Result<Vec<Loan>> {
    who.require_staff(lending::desk::DESK)?;
    let active = loan::Entity::find()
        .filter(loan::Column::ReaderId.eq(reader_id))
        .filter(loan::Column::Status.eq(LoanStatus::Active));
    Ok(
        lending::newest_first(db, active, loan::Column::Id, DESK_ROWS, None)
            .await?
            .0,
    )
}
