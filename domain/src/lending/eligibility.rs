//! Whether a reader may borrow more: not blocked, no overdue books, within their limits.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{DbBackend, FromQueryResult};

use super::{LoanStatus, RequestStatus};
use crate::entity::reader;
use crate::{db, Error, Result};

/// A reader's overdue loans, loans and open requests, counted in one round trip.
#[derive(Debug, Clone, Default, FromQueryResult)]
struct Counts {
    overdue: i64,
    loans: i64,
    open_requests: i64,
}

/// A reader, locked, with what their limits are checked against.
#[derive(Debug, Clone)]
pub struct Borrower {
    /// The reader row (locked for the transaction).
    pub reader: reader::Model,
    counts: Counts,
}

/// Loads the reader, locks their row for the transaction (so concurrent requests by one
/// reader cannot together pass a limit each passes alone) and counts their overdue loans,
/// loans and open requests, in one round trip.
///
/// # Errors
/// UNAUTHENTICATED when the reader no longer exists.
pub async fn lock_reader(db: &impl ConnectionTrait, id: Uuid) -> Result<Borrower> {
    let lock = match db.get_database_backend() {
        DbBackend::Sqlite => "", // a write transaction holds the whole database
        _ => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT r.*, \
           (SELECT count(*) FROM loan WHERE reader_id = r.id AND status = '{active}' AND due_at < $2) AS overdue, \
           (SELECT count(*) FROM loan WHERE reader_id = r.id AND status = '{active}') AS loans, \
           (SELECT count(*) FROM loan_request WHERE reader_id = r.id AND status IN ({open})) AS open_requests \
         FROM reader r WHERE r.id = $1{lock}",
        active = LoanStatus::Active.as_str(),
        open = RequestStatus::OPEN
            .map(|s| format!("'{}'", s.as_str()))
            .join(", "),
    );
    let row = db
        .query_one(db::statement(db, sql, [id.into(), Utc::now().into()]))
        .await?
        .ok_or_else(|| Error::unauthenticated("this reader account no longer exists"))?;
    Ok(Borrower {
        reader: reader::Model::from_query_result(&row, "")?,
        counts: Counts::from_query_result(&row, "")?,
    })
}

/// What a new loan or request would add to the reader's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asking {
    /// A new request (counts against open requests and loans).
    Request,
    /// A walk-in loan at the desk (counts against loans).
    Loan,
}

/// Refuses a blocked reader, one with overdue books, or one at a limit.
///
/// # Errors
/// FORBIDDEN when blocked or owing overdue books; QUOTA_EXCEEDED at a limit.
pub fn check(who: &Borrower, asking: Asking) -> Result<()> {
    let (reader, counts) = (&who.reader, &who.counts);
    if reader.blocked {
        return Err(Error::forbidden(
            "lending is blocked on this card; please contact the library",
        ));
    }
    if counts.overdue > 0 {
        return Err(Error::forbidden(
            "overdue books must be returned before borrowing more",
        ));
    }
    let (loans, open) = (
        u64::try_from(counts.loans).unwrap_or(0),
        u64::try_from(counts.open_requests).unwrap_or(0),
    );
    let max_open = u64::try_from(reader.max_open_requests).unwrap_or(0);
    let max_loans = u64::try_from(reader.max_loans).unwrap_or(0);
    if asking == Asking::Request && open >= max_open {
        return Err(Error::QuotaExceeded(format!(
            "at most {max_open} open requests per reader"
        )));
    }
    if loans + open >= max_loans {
        return Err(Error::QuotaExceeded(format!(
            "at most {max_loans} books on loan or on their way per reader"
        )));
    }
    Ok(())
}
