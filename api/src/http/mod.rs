//! HTTP routes: `/` (links to the app, the console and GraphiQL), `/graphql` (+ GraphiQL, `/graphql/ws`), `/locker/v1`, `/webhooks/courier`,
//! `/staff` (printable pages, the statistics workbook), `/console` (the staff console's files), `/app` (the readers'
//! app), `/healthz`, `/readyz`, `/metrics`.

mod app;
mod assets;
mod console;
mod graphiql;
mod graphql;
mod home;
mod locker;
mod ops;
pub mod sockets;
mod staff;
mod webhooks;

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use hongyan_domain::{text, Code, Error, Locale, Text};
use serde_json::json;
use tracing_actix_web::RequestId;

use crate::metrics::Metrics;

/// Largest request body accepted anywhere (GraphQL documents, locker event batches).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY_BYTES)
            .error_handler(|err, _| {
                let detail = err.to_string();
                let resp = error_response(&Error::validation(text!(
                    "request-malformed",
                    detail = detail
                )));
                actix_web::error::InternalError::from_response(err, resp).into()
            }),
    )
    .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
    .service(
        web::resource("/graphql")
            .route(web::post().to(graphql::execute))
            .route(web::get().to(graphiql::page)),
    )
    .service(web::resource("/graphql/ws").route(web::get().to(sockets::subscriptions)))
    .service(web::scope("/locker/v1").configure(locker::routes))
    .service(web::scope("/staff").configure(staff::routes))
    .service(web::scope("/console").configure(console::routes))
    .service(web::scope("/app").configure(app::routes))
    .service(web::scope("/graphiql").configure(graphiql::routes))
    .service(web::scope("/webhooks").configure(webhooks::routes))
    .route("/", web::get().to(home::page))
    .route("/healthz", web::get().to(ops::healthz))
    .route("/readyz", web::get().to(ops::readyz))
    .route("/metrics", web::get().to(ops::public_metrics));
}

/// A request body read within [`MAX_BODY_BYTES`]: a larger or broken one is VALIDATION
/// (a JSON error like every other), not actix's plain-text 413.
///
/// # Errors
/// VALIDATION saying what was wrong with the body.
pub fn read_body(body: Result<web::Bytes, actix_web::Error>) -> Result<web::Bytes, Error> {
    body.map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
        Some(actix_web::error::PayloadError::Overflow) => {
            Error::validation(text!("body-too-large", kib = MAX_BODY_BYTES / 1024))
        }
        _ => Error::validation(text!("body-unreadable")),
    })
}

/// Parses a JSON request body as `T`, refusing NUL characters (`\u0000` escapes) in it:
/// PostgreSQL cannot store them, so they must be bad input here, not a fault later.
///
/// # Errors
/// VALIDATION naming `what` for malformed JSON, the wrong shape, or a NUL character.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Error> {
    let what = Text::thing(what);
    if escapes_nul(body) {
        return Err(Error::validation(
            text!("json-has-nul").arg_text("what", what),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| Error::validation(text!("json-invalid", detail = e).arg_text("what", what)))
}

/// Whether JSON text holds a `\u0000` escape (a backslash that is not itself escaped).
fn escapes_nul(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(i, w)| {
        w == b"\\u0000" && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

/// Any path no route matches: 404 with the JSON error body every endpoint uses.
pub async fn not_found() -> HttpResponse {
    error_response(&Error::NotFound("endpoint"))
}

/// The routes of an operators' listener (`hongyan worker`'s, and the API's
/// `HONGYAN_METRICS_ADDR`): `/healthz` and `/metrics`.
pub fn worker_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(ops::healthz))
        .route("/metrics", web::get().to(ops::metrics));
}

/// The token of an `Authorization: Bearer <token>` header.
///
/// # Errors
/// UNAUTHENTICATED when the header is missing or not a bearer token; `what` names the token.
pub fn bearer<'a>(req: &'a actix_web::HttpRequest, what: &str) -> Result<&'a str, Error> {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            Error::unauthenticated(text!("bearer-missing").arg_text("what", Text::thing(what)))
        })
}

/// A REST error: the contract's code and a message, with the matching HTTP status.
pub fn error_response(e: &Error) -> HttpResponse {
    use actix_web::http::StatusCode;
    if let Error::Internal(cause) = e {
        tracing::error!(error = ?cause, "internal error in a REST handler");
    }
    let status = match e.code() {
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::Forbidden => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::Validation => StatusCode::BAD_REQUEST,
        Code::Conflict | Code::NoCopyAvailable => StatusCode::CONFLICT,
        Code::QuotaExceeded | Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut resp = HttpResponse::build(status);
    let body = |locale| {
        let mut body = json!({ "code": e.code().as_str(), "message": e.message(locale) });
        if let Some(reason) = e.reason() {
            body["reason"] = json!(reason.as_str());
        }
        if let Some(field) = e.field() {
            body["field"] = json!(field);
        }
        if let Error::RateLimited {
            retry_after_secs, ..
        } = e
        {
            body["retryAfter"] = json!(retry_after_secs);
        }
        body
    };
    if let Error::RateLimited {
        retry_after_secs, ..
    } = e
    {
        resp.insert_header(("retry-after", retry_after_secs.to_string()));
    }
    let mut resp = resp.json(body(Locale::default()));
    resp.extensions_mut()
        .insert(EnglishBody(body(Locale::English)));
    resp
}

/// The English words of an error answer, for [`language`] to send instead when asked.
#[derive(Clone)]
struct EnglishBody(serde_json::Value);

/// Answers errors in English to clients that ask for it with `Accept-Language` (the body
/// [`error_response`] kept aside); everything else passes as it is.
pub async fn language(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, String>>, actix_web::Error> {
    let english = graphql::locale(req.request()) == Locale::English;
    let res = next.call(req).await?;
    let english_body = english
        .then(|| res.response().extensions().get::<EnglishBody>().cloned())
        .flatten();
    Ok(match english_body {
        Some(EnglishBody(body)) => {
            let (req, resp) = res.into_parts();
            ServiceResponse::new(req, resp.set_body(body.to_string())).map_into_right_body()
        }
        None => res.map_into_left_body(),
    })
}

/// A domain error as a REST answer, so handlers can return `Result<HttpResponse, Rest>` and
/// use `?`: the HTTP status and `{code, message}` of [`error_response`].
#[derive(Debug)]
pub struct Rest(pub Error);

impl std::fmt::Display for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.english())
    }
}

impl From<Error> for Rest {
    fn from(e: Error) -> Self {
        Rest(e)
    }
}

impl actix_web::ResponseError for Rest {
    fn error_response(&self) -> HttpResponse {
        error_response(&self.0)
    }
}

/// Headers every answer carries: no MIME sniffing, no framing by other sites, no referrer
/// leaving the platform, and (for answers that set none, such as JSON) a policy that lets
/// nothing load or run.
pub async fn secure_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::http::header;
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    Ok(res)
}

/// Times every request by its route pattern and echoes the request id as `x-request-id`.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req
        .app_data::<web::Data<Arc<Metrics>>>()
        .map(|m| Arc::clone(m.get_ref()));
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let request_id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let mut res = next.call(req).await?;
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), id);
    }
    if let Some(m) = metrics {
        m.observe_http(&method, &route, res.status().as_u16(), started);
    }
    Ok(res)
}
