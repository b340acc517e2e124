//! Whether a reader may borrow more: not blocked, no overdue books, within their limits.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::LockType;
use sea_orm::{DbBackend, FromQueryResult, QuerySelect};

use super::{LoanStatus, RequestStatus};
use crate::entity::reader::{self, ReaderStatus};
use crate::{infra::db, Error, Reason, Result};

/// A reader's overdue loans, loans and open requests, and whether they already asked for
/// or hold a title, counted in one round trip.
#[derive(Debug, Clone, Default, FromQueryResult)]
struct Counts {
    overdue: i64,
    loans: i64,
    open_requests: i64,
    asked: i64,
    holding: i64,
}

/// A reader, locked, with what their limits are checked against.
#[derive(Debug, Clone)]
pub struct Borrower {
    /// The reader row (locked for the transaction).
    pub reader: reader::Model,
    counts: Counts,
}

impl Counts {
    fn already(&self) -> Option<Reason> {
        if self.asked > 0 {
            Some(Reason::AlreadyRequested)
        } else if self.holding > 0 {
            Some(Reason::AlreadyOnLoan)
        } else {
            None
        }
    }
}

impl Borrower {
    /// Why the reader may not ask for the title [`standing`] was counted for, if they
    /// already asked for it ([`Reason::AlreadyRequested`]) or hold a copy of it
    /// ([`Reason::AlreadyOnLoan`]).
    pub fn already(&self) -> Option<Reason> {
        self.counts.already()
    }
}

/// Loads the reader and locks their row for the transaction, so that concurrent requests by
/// one reader are taken one after the other.
///
/// # Errors
/// UNAUTHENTICATED when the reader no longer exists.
pub async fn lock_reader(db: &impl ConnectionTrait, id: Uuid) -> Result<reader::Model> {
    let mut find = reader::Entity::find_by_id(id);
    if db.get_database_backend() != DbBackend::Sqlite {
        // (On SQLite a write transaction holds the whole database.)
        find = find.lock(LockType::Update);
    }
    find.one(db)
        .await?
        .ok_or_else(|| Error::unauthenticated(text!("lending-reader-gone")))
}

/// What `reader`'s limits are checked against: their overdue loans, loans and open
/// requests and, for `title`, whether they already asked for it or hold it. Counted after
/// [`lock_reader`] in a statement of its own: a statement that waited for the lock would
/// count as of before the wait, missing the request that held it.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn standing(
    db: &impl ConnectionTrait,
    reader: reader::Model,
    title: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Borrower> {
    let counts = counts(db, reader.id, title, now).await?;
    Ok(Borrower { reader, counts })
}

/// Why `reader` may not ask for `title` again (they already asked for it or hold it), if
/// they may not.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn already(
    db: &impl ConnectionTrait,
    reader: Uuid,
    title: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Reason>> {
    Ok(counts(db, reader, Some(title), now).await?.already())
}

async fn counts(
    db: &impl ConnectionTrait,
    reader: Uuid,
    title: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Counts> {
    let sql = format!(
        "SELECT \
           (SELECT count(*) FROM loan WHERE reader_id = $1 AND status = '{active}' AND due_at < $2) AS overdue, \
           (SELECT count(*) FROM loan WHERE reader_id = $1 AND status = '{active}') AS loans, \
           (SELECT count(*) FROM loan_request WHERE reader_id = $1 AND status IN ({open})) AS open_requests, \
           (SELECT count(*) FROM loan_request \
             WHERE reader_id = $1 AND title_id = $3 AND status IN ({open})) AS asked, \
           (SELECT count(*) FROM loan l JOIN item i ON i.id = l.item_id \
             WHERE l.reader_id = $1 AND i.title_id = $3 AND l.status = '{active}') AS holding",
        active = LoanStatus::Active.as_str(),
        open = RequestStatus::OPEN
            .map(|s| format!("'{}'", s.as_str()))
            .join(", "),
    );
    let values = [reader.into(), now.into(), title.into()];
    Ok(Counts::find_by_statement(db::statement(db, sql, values))
        .one(db)
        .await?
        .unwrap_or_default())
}

/// Locks `reader` and refuses them a new loan as the desk would (no card, pending, blocked,
/// overdue books, at the loan limit): the bookstore counter lends by the same rules.
///
/// # Errors
/// As [`check`]; UNAUTHENTICATED when the reader no longer exists.
pub async fn admit_loan(db: &impl ConnectionTrait, reader: Uuid, now: DateTime<Utc>) -> Result<()> {
    let locked = lock_reader(db, reader).await?;
    check(&standing(db, locked, None, now).await?, Asking::Loan)
}

/// What a new loan or request would add to the reader's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asking {
    /// A new request (counts against open requests and loans).
    Request,
    /// A walk-in loan at the desk (counts against loans).
    Loan,
}

/// Refuses a reader without a card or with one still to be verified, a blocked reader, one
/// with overdue books, or one at a limit.
///
/// # Errors
/// FORBIDDEN without a usable card (reason CARD_REQUIRED or REGISTRATION_PENDING), when
/// blocked (BLOCKED) or owing overdue books (OVERDUE_BOOKS); QUOTA_EXCEEDED at a limit.
pub fn check(who: &Borrower, asking: Asking) -> Result<()> {
    let (reader, counts) = (&who.reader, &who.counts);
    if reader.card_number.is_none() {
        return Err(Error::Forbidden(
            Reason::CardRequired,
            text!("lending-card-required"),
        ));
    }
    if reader.status == ReaderStatus::Pending {
        return Err(Error::forbidden(Reason::RegistrationPending));
    }
    if reader.blocked {
        // The reason the staff gave, when they gave one.
        let why = reader.blocked_reason.as_deref().map(str::trim);
        return Err(match why.filter(|r| !r.is_empty()) {
            Some(why) => {
                Error::Forbidden(Reason::Blocked, text!("lending-blocked-because", why = why))
            }
            None => Error::forbidden(Reason::Blocked),
        });
    }
    if counts.overdue > 0 {
        return Err(Error::forbidden(Reason::OverdueBooks));
    }
    let (loans, open) = (
        u64::try_from(counts.loans).unwrap_or(0),
        u64::try_from(counts.open_requests).unwrap_or(0),
    );
    let max_open = u64::try_from(reader.max_open_requests).unwrap_or(0);
    let max_loans = u64::try_from(reader.max_loans).unwrap_or(0);
    if asking == Asking::Request && open >= max_open {
        return Err(Error::QuotaExceeded(text!(
            "lending-open-requests-limit",
            max = max_open
        )));
    }
    if loans + open >= max_loans {
        return Err(Error::QuotaExceeded(text!(
            "lending-loans-limit",
            max = max_loans
        )));
    }
    Ok(())
}
