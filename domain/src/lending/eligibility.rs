//! Whether a reader may borrow more: not blocked, no overdue books, within their limits.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{PaginatorTrait, QuerySelect};

use super::{LoanStatus, RequestStatus};
use crate::entity::{loan, loan_request, reader};
use crate::{Error, Result};

/// Loads the reader and locks their row for the transaction, so concurrent requests by one
/// reader cannot together pass a limit each passes alone.
///
/// # Errors
/// UNAUTHENTICATED when the reader no longer exists.
pub async fn lock_reader(db: &impl ConnectionTrait, id: Uuid) -> Result<reader::Model> {
    reader::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| Error::unauthenticated("this reader account no longer exists"))
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
pub async fn check(
    db: &impl ConnectionTrait,
    reader: &reader::Model,
    asking: Asking,
) -> Result<()> {
    if reader.blocked {
        return Err(Error::forbidden(
            "lending is blocked on this card; please contact the library",
        ));
    }
    let active = loan::Entity::find()
        .filter(loan::Column::ReaderId.eq(reader.id))
        .filter(loan::Column::Status.eq(LoanStatus::Active));
    if active
        .clone()
        .filter(loan::Column::DueAt.lt(Utc::now()))
        .count(db)
        .await?
        > 0
    {
        return Err(Error::forbidden(
            "overdue books must be returned before borrowing more",
        ));
    }
    let loans = active.count(db).await?;
    let open = loan_request::Entity::find()
        .filter(loan_request::Column::ReaderId.eq(reader.id))
        .filter(loan_request::Column::Status.is_in(RequestStatus::OPEN))
        .count(db)
        .await?;
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
