//! The error policy.
//!
//! Every domain operation returns [`Error`]. Its variants are the failures a caller can act on,
//! each with a stable code ([`Error::code`]) that the transports put in GraphQL
//! `extensions.code` or a REST JSON body. Anything else (a database fault, a bug) is
//! [`Error::Internal`]: the cause is kept for the logs and never shown to the caller.

use std::fmt;

/// A domain failure with a stable, client-visible code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid credentials, or they expired.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated, but this role or scope may not do that.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or is not the caller's to see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input is malformed or breaks a rule.
    #[error("{0}")]
    Validation(String),
    /// The request clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The thing is in a state that does not allow this (the current state is told).
    #[error("{what} is {state}")]
    WrongState {
        /// What was acted on, e.g. `request`.
        what: &'static str,
        /// Its current state, as clients name it.
        state: &'static str,
    },
    /// A per-reader limit is reached.
    #[error("{0}")]
    QuotaExceeded(String),
    /// No copy of the title can be lent now.
    #[error("{0}")]
    NoCopyAvailable(String),
    /// Too many requests; try again later.
    #[error("{message}")]
    RateLimited {
        /// What was limited.
        message: String,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// The database cannot be reached right now (restarting, failing over): try again
    /// shortly. Details go to the log only.
    #[error("the service is temporarily unavailable; try again shortly")]
    Unavailable(#[source] anyhow::Error),
    /// A fault the caller cannot fix; details go to the log only.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// Another error with a finer, stable reason (`extensions.reason`, e.g. `CARD_REQUIRED`)
    /// a client can choose its words by, and for VALIDATION the input field at fault
    /// (`extensions.field`); made with [`Error::because`] and [`Error::in_field`].
    #[error("{inner}")]
    Detailed {
        /// The error.
        inner: Box<Error>,
        /// Its stable sub-code.
        reason: Option<&'static str>,
        /// The input field (camelCase, as clients name it).
        field: Option<&'static str>,
    },
}

/// The stable codes of the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `UNAUTHENTICATED`
    Unauthenticated,
    /// `FORBIDDEN`
    Forbidden,
    /// `NOT_FOUND`
    NotFound,
    /// `VALIDATION`
    Validation,
    /// `CONFLICT`
    Conflict,
    /// `QUOTA_EXCEEDED`
    QuotaExceeded,
    /// `NO_COPY_AVAILABLE`
    NoCopyAvailable,
    /// `RATE_LIMITED`
    RateLimited,
    /// `UNAVAILABLE`
    Unavailable,
    /// `INTERNAL`
    Internal,
}

impl Code {
    /// The code as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::Validation => "VALIDATION",
            Code::Conflict => "CONFLICT",
            Code::QuotaExceeded => "QUOTA_EXCEEDED",
            Code::NoCopyAvailable => "NO_COPY_AVAILABLE",
            Code::RateLimited => "RATE_LIMITED",
            Code::Unavailable => "UNAVAILABLE",
            Code::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The stable code for this error.
    pub fn code(&self) -> Code {
        match self {
            Error::Unauthenticated(_) => Code::Unauthenticated,
            Error::Forbidden(_) => Code::Forbidden,
            Error::NotFound(_) => Code::NotFound,
            Error::Validation(_) => Code::Validation,
            Error::Conflict(_) | Error::WrongState { .. } => Code::Conflict,
            Error::QuotaExceeded(_) => Code::QuotaExceeded,
            Error::NoCopyAvailable(_) => Code::NoCopyAvailable,
            Error::RateLimited { .. } => Code::RateLimited,
            Error::Unavailable(_) => Code::Unavailable,
            Error::Internal(_) => Code::Internal,
            Error::Detailed { inner, .. } => inner.code(),
        }
    }

    /// The finer reason, when one was given.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Error::Detailed { reason, .. } => *reason,
            _ => None,
        }
    }

    /// The input field at fault, when one was named.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Detailed { field, .. } => *field,
            _ => None,
        }
    }

    /// This error with a stable `reason` (upper snake case) for clients.
    #[must_use]
    pub fn because(self, reason: &'static str) -> Self {
        self.detailed(Some(reason), None)
    }

    /// This error naming the input `field` at fault (camelCase, as clients name it).
    #[must_use]
    pub fn in_field(self, field: &'static str) -> Self {
        self.detailed(None, Some(field))
    }

    fn detailed(self, reason: Option<&'static str>, field: Option<&'static str>) -> Self {
        match self {
            Error::Detailed {
                inner,
                reason: r,
                field: f,
            } => Error::Detailed {
                inner,
                reason: reason.or(r),
                field: field.or(f),
            },
            other => Error::Detailed {
                inner: Box::new(other),
                reason,
                field,
            },
        }
    }

    /// Shorthand for [`Error::Validation`].
    pub fn validation(msg: impl Into<String>) -> Self {
        Error::Validation(msg.into())
    }

    /// Shorthand for [`Error::Unauthenticated`].
    pub fn unauthenticated(msg: impl Into<String>) -> Self {
        Error::Unauthenticated(msg.into())
    }

    /// Shorthand for [`Error::Forbidden`].
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Error::Forbidden(msg.into())
    }

    /// Shorthand for [`Error::Conflict`].
    pub fn conflict(msg: impl Into<String>) -> Self {
        Error::Conflict(msg.into())
    }

    /// Wraps any fault as [`Error::Internal`].
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Error::Internal(e.into())
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        if is_outage(&e) {
            Error::Unavailable(e.into())
        } else {
            Error::Internal(e.into())
        }
    }
}

/// Whether a database error means the server is out of reach (no connection to be had, the
/// connection dropped, the server shutting down or starting up) rather than a fault of the
/// statement.
fn is_outage(e: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => match s {
            Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
            // Class 08 (connection exception) and 57P01-57P03 (shutting down, starting up).
            Sqlx::Database(db) => db
                .code()
                .is_some_and(|c| c.starts_with("08") || ["57P01", "57P02", "57P03"].contains(&&*c)),
            _ => false,
        },
        _ => false,
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(e: sea_orm::TransactionError<Error>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// The result type of domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
