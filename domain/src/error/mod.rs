//! The error policy.
//!
//! Every domain operation returns [`Error`]. Its variants are the failures a caller can act on,
//! each with a stable code ([`Error::code`]) that the transports put in GraphQL
//! `extensions.code` or a REST JSON body, and where a client may need to tell situations apart
//! a stable [`Reason`] (`extensions.reason`); every CONFLICT and FORBIDDEN has one. Anything else
//! (a database fault, a bug) is [`Error::Internal`]: the cause is kept for the logs and never
//! shown to the caller.
//!
//! What an error says is a [`Text`] from the message catalogues ([`Error::message`] renders it in
//! the caller's language; `Display` gives English, for logs). `docs/errors.md` lists the codes
//! and reasons.

mod reason;

use std::fmt;

pub use reason::Reason;

use crate::i18n::{Locale, Text};

/// A domain failure with a stable, client-visible code.
///
/// It deliberately has no `Display`: async-graphql turns anything displayable into an error
/// without a code, so a resolver that forgot `.gql()` would silently answer VALIDATION. Without
/// `Display` that mistake does not compile. Say an error with [`Error::message`] (or
/// [`Error::english`] for logs); jobs and the CLI carry it on as an `anyhow::Error`.
#[derive(Debug)]
pub enum Error {
    /// No valid credentials, or they expired.
    Unauthenticated(Text),
    /// Authenticated, but this role or scope may not do that.
    Forbidden(Reason, Text),
    /// The thing does not exist, or is not the caller's to see.
    NotFound(&'static str),
    /// The input is malformed or breaks a rule.
    Validation(Text),
    /// The request clashes with the current state.
    Conflict(Reason, Text),
    /// The thing is in a state that does not allow this (the current state is told).
    WrongState {
        /// What was acted on, e.g. `request`.
        what: &'static str,
        /// Its current state, as clients name it.
        state: &'static str,
    },
    /// A per-reader limit is reached.
    QuotaExceeded(Text),
    /// No copy of the title can be lent now.
    NoCopyAvailable(Text),
    /// Too many requests; try again later.
    RateLimited {
        /// What was limited.
        message: Text,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// The database cannot be reached right now (restarting, failing over): try again
    /// shortly. Details go to the log only.
    Unavailable(anyhow::Error),
    /// A fault the caller cannot fix; details go to the log only.
    Internal(anyhow::Error),
    /// Another error with a finer, stable reason (`extensions.reason`, e.g. `CARD_REQUIRED`)
    /// a client can choose its words by, and for VALIDATION the input field at fault
    /// (`extensions.field`); made with [`Error::because`] and [`Error::in_field`].
    Detailed {
        /// The error.
        inner: Box<Error>,
        /// Its stable sub-code.
        reason: Option<Reason>,
        /// The input field (camelCase, as clients name it).
        field: Option<&'static str>,
    },
}

/// The [`Text`] an error holds, borrowed as `$error` is (`text` / `text_mut` recurse).
macro_rules! own_text {
    ($error:expr, $recurse:ident) => {
        match $error {
            Error::Unauthenticated(t)
            | Error::Forbidden(_, t)
            | Error::Validation(t)
            | Error::Conflict(_, t)
            | Error::QuotaExceeded(t)
            | Error::NoCopyAvailable(t)
            | Error::RateLimited { message: t, .. } => Some(t),
            Error::Detailed { inner, .. } => inner.$recurse(),
            _ => None,
        }
    };
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
            Error::Forbidden(..) => Code::Forbidden,
            Error::NotFound(_) => Code::NotFound,
            Error::Validation(_) => Code::Validation,
            Error::Conflict(..) | Error::WrongState { .. } => Code::Conflict,
            Error::QuotaExceeded(_) => Code::QuotaExceeded,
            Error::NoCopyAvailable(_) => Code::NoCopyAvailable,
            Error::RateLimited { .. } => Code::RateLimited,
            Error::Unavailable(_) => Code::Unavailable,
            Error::Internal(_) => Code::Internal,
            Error::Detailed { inner, .. } => inner.code(),
        }
    }

    /// The finer reason: the one given, else the one the message is keyed by. Every CONFLICT
    /// and FORBIDDEN has one; [`Reason::WrongState`] for a state that does not allow the move.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Error::Detailed { reason, inner, .. } => reason.or_else(|| inner.reason()),
            Error::Forbidden(reason, _) | Error::Conflict(reason, _) => Some(*reason),
            Error::WrongState { .. } => Some(Reason::WrongState),
            other => other.text().and_then(|t| t.key().parse().ok()),
        }
    }

    /// What the error says in English, for logs (a fault's cause is in its `Debug`).
    pub fn english(&self) -> String {
        self.message(Locale::English)
    }

    /// What the error says, in `locale`: the caller may read this. Internal causes never appear.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Error::NotFound(what) => text!("not-found")
                .arg_text("what", Text::thing(what))
                .render(locale),
            Error::WrongState { what, state } => text!("wrong-state")
                .arg_text("what", Text::thing(what))
                .arg_text(
                    "state",
                    Text::named(format!("state-{}", state.replace(' ', "-"))),
                )
                .render(locale),
            Error::Unavailable(_) => text!("unavailable").render(locale),
            Error::Internal(_) => text!("internal-error").render(locale),
            Error::Detailed { inner, .. } => inner.message(locale),
            other => other.text().map(|t| t.render(locale)).unwrap_or_default(),
        }
    }

    /// The words of this error, when it has its own (not for NOT_FOUND, a wrong state or a
    /// fault).
    pub fn text(&self) -> Option<&Text> {
        own_text!(self, text)
    }

    fn text_mut(&mut self) -> Option<&mut Text> {
        own_text!(self, text_mut)
    }

    /// This error with the argument `name` of its message set to `value`
    /// (`Error::conflict(Reason::HasCard).with("card", card)`).
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        if let Some(t) = self.text_mut() {
            *t = t.clone().arg(name, value);
        }
        self
    }

    /// The input field at fault, when one was named.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Detailed { field, .. } => *field,
            _ => None,
        }
    }

    /// This error with a stable `reason` for clients (when its message is not keyed by one).
    #[must_use]
    pub fn because(self, reason: Reason) -> Self {
        self.detailed(Some(reason), None)
    }

    /// This error naming the input `field` at fault (camelCase, as clients name it).
    #[must_use]
    pub fn in_field(self, field: &'static str) -> Self {
        self.detailed(None, Some(field))
    }

    fn detailed(self, reason: Option<Reason>, field: Option<&'static str>) -> Self {
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

    /// Shorthand for [`Error::Validation`] (`Error::validation(text!("isbn-check-digit"))`).
    pub fn validation(text: impl Into<Text>) -> Self {
        Error::Validation(text.into())
    }

    /// Shorthand for [`Error::Unauthenticated`].
    pub fn unauthenticated(text: impl Into<Text>) -> Self {
        Error::Unauthenticated(text.into())
    }

    /// [`Error::Forbidden`] saying the catalogue's text for `reason`.
    pub fn forbidden(reason: Reason) -> Self {
        Error::Forbidden(reason, reason.into())
    }

    /// [`Error::Conflict`] saying the catalogue's text for `reason`.
    pub fn conflict(reason: Reason) -> Self {
        Error::Conflict(reason, reason.into())
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

/// Jobs and the CLI carry domain errors on as `anyhow` errors: a fault keeps its cause, any
/// other error becomes its English words.
impl From<Error> for anyhow::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Internal(cause) | Error::Unavailable(cause) => cause,
            other => anyhow::Error::msg(other.english()),
        }
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
