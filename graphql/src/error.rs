//! Domain errors as GraphQL errors with `extensions.code`, in the caller's language.

use std::sync::Arc;

use async_graphql::{ErrorExtensions, Response};
use hongyan_domain::{Code, Error, Locale};

/// Converts a domain error for the client: the message in Simplified Chinese (see
/// [`localize`] for other languages), the stable code in `extensions.code`, the reason in
/// `extensions.reason`, the input field in `extensions.field` (plus `retryAfter` for
/// RATE_LIMITED, `currentState` for a CONFLICT with the current state). Internal causes are
/// logged, never shown.
pub fn to_gql(e: Error) -> async_graphql::Error {
    match &e {
        Error::Internal(cause) => tracing::error!(error = ?cause, "internal error in a resolver"),
        Error::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
        _ => {}
    }
    let code = e.code().as_str();
    let (reason, field) = (e.reason(), e.field());
    let retry = match &e {
        Error::RateLimited {
            retry_after_secs, ..
        } => Some(*retry_after_secs),
        _ => None,
    };
    let state = match &e {
        Error::WrongState { state, .. } => Some(*state),
        _ => None,
    };
    let mut err = async_graphql::Error::new(e.message(Locale::default())).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some(reason) = reason {
            ext.set("reason", reason.as_str());
        }
        if let Some(field) = field {
            ext.set("field", field);
        }
        if let Some(state) = state {
            ext.set("currentState", state);
        }
        if let Some(secs) = retry {
            ext.set("retryAfter", secs);
        }
    });
    // Kept so that the transport can say it again in the language the caller asked for.
    err.source = Some(Arc::new(e));
    err
}

/// Converts a DataLoader's shared error (always a database fault) to UNAVAILABLE when the
/// database is out of reach, else INTERNAL.
pub fn loader_error(e: std::sync::Arc<Error>) -> async_graphql::Error {
    let cause = anyhow::anyhow!("data loader: {e:?}");
    to_gql(match *e {
        Error::Unavailable(_) => Error::Unavailable(cause),
        _ => Error::Internal(cause),
    })
}

/// Whether any error of `response` is UNAVAILABLE (the transport answers 503 then).
pub fn unavailable(response: &Response) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(Code::Unavailable.as_str()))
    })
}

/// The seconds to wait when the whole request was refused for its rate limits (an error
/// without a path carrying RATE_LIMITED); the transport answers 429 then.
pub fn rate_limited(response: &Response) -> Option<u64> {
    response.errors.iter().find_map(|e| {
        let ext = e.extensions.as_ref()?;
        let limited =
            ext.get("code") == Some(&async_graphql::Value::from(Code::RateLimited.as_str()));
        if !(limited && e.path.is_empty()) {
            return None;
        }
        match ext.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) => n.as_u64(),
            _ => Some(1),
        }
    })
}

/// `Result` for resolvers.
pub type GqlResult<T> = async_graphql::Result<T>;

/// Lets resolvers write `domain_call().await.gql()?`.
pub trait IntoGql<T> {
    /// Maps the error with [`to_gql`].
    ///
    /// # Errors
    /// The mapped error.
    fn gql(self) -> GqlResult<T>;
}

impl<T> IntoGql<T> for Result<T, Error> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(to_gql)
    }
}

/// Makes every error of a response speak `locale` and carry a code. Domain errors are said
/// again in `locale`. Parse, validation and limit errors raised by the GraphQL engine itself
/// carry no code and are the client's fault: they become VALIDATION, saying in `locale` that the
/// document is invalid, with the engine's own (English) words in `extensions.detail` for the
/// developer.
pub fn localize(response: &mut Response, locale: Locale) {
    for err in &mut response.errors {
        if let Some(domain) = err.source::<Error>() {
            if locale != Locale::default() {
                err.message = domain.message(locale);
            }
            continue;
        }
        let ext = err.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", Code::Validation.as_str());
            ext.set("detail", std::mem::take(&mut err.message));
            err.message = hongyan_domain::text!("graphql-invalid").render(locale);
        }
    }
}

#[cfg(test)]
mod tests {
    // async-graphql turns anything `Display` into an error without a code: a domain error that
    // were displayable would compile in a resolver that forgot `.gql()` and silently lose its
    // code. It is not, so that mistake is a compile error.
    static_assertions::assert_not_impl_any!(
        hongyan_domain::Error: std::fmt::Display,
        Into<async_graphql::Error>
    );
}
