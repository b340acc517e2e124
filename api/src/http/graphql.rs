//! `/graphql`: queries and mutations over POST, GraphiQL over GET (subscriptions over
//! WebSocket are in [`super::sockets`]).

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, Responder};
use async_graphql_actix_web::GraphQLResponse;
use hongyan_domain::{Ctx, Error};

use super::read_body;
use hongyan_domain::{text, Locale};
use hongyan_graphql::{localize, Caller, ClientAddr, HongyanSchema};
use serde_json::json;

/// Executes one GraphQL request as the caller named by the `Authorization` header. The
/// schema's admission checks refuse it when the caller's rate limits are used up (429 with
/// `Retry-After` and a GraphQL error RATE_LIMITED carrying `retryAfter`). A body that is
/// not one GraphQL request (a batch, malformed JSON) is a 400 with a VALIDATION error; an
/// answer with an UNAVAILABLE error (the database out of reach) is a 503 with `Retry-After`.
pub async fn execute(
    schema: web::Data<HongyanSchema>,
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let request = match read_body(body).and_then(|b| graphql_request(&b)) {
        Ok(r) => r,
        Err(e) => return refused(&e, locale(&req)),
    };
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let caller = caller(&ctx, header);
    let client = ClientAddr(client_ip(&ctx, &req));
    let request = hongyan_graphql::request_data(request, &ctx, caller, client);
    let mut response = schema.execute(request).await;
    localize(&mut response, locale(&req));
    let down = hongyan_graphql::unavailable(&response);
    let limited = hongyan_graphql::rate_limited(&response);
    let mut http = GraphQLResponse::from(response)
        .respond_to(&req)
        .map_into_boxed_body();
    if down {
        // The database is out of reach: tell clients and load balancers to come back soon.
        *http.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    } else if let Some(secs) = limited {
        *http.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            http.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    http
}

/// One GraphQL request from a JSON body (`query`, `operationName`, `variables`).
fn graphql_request(body: &[u8]) -> Result<async_graphql::Request, Error> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Error::validation(text!("body-not-json")))?;
    if value.is_array() {
        return Err(Error::validation(text!("batch-unsupported")));
    }
    serde_json::from_value(value).map_err(|_| Error::validation(text!("not-graphql-request")))
}

/// The language the caller asked for in `Accept-Language` (Simplified Chinese by default).
pub(super) fn locale(req: &HttpRequest) -> Locale {
    Locale::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The client's address: the peer's, or behind `HONGYAN_TRUSTED_PROXY_HOPS` trusted proxies
/// the `X-Forwarded-For` entry the outermost of them appended (counted from the right; the
/// entries left of it are whatever the client wrote). Too few entries: the peer's.
pub(super) fn client_ip(ctx: &Ctx, req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    let hops = usize::from(ctx.config.rate_limits.proxy_hops);
    if hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let Some(entry) = forwarded.len().checked_sub(hops).map(|i| forwarded[i]) else {
        return peer;
    };
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or(peer)
}

/// A body that is no GraphQL request: 400 with the GraphQL error a resolver would give.
fn refused(e: &Error, locale: Locale) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({
        "data": null,
        "errors": [{"message": e.message(locale), "extensions": {"code": e.code().as_str()}}],
    }))
}

/// Who sent the request: no header is anonymous; a bad token is remembered as rejected,
/// so public fields still answer and private ones say why they don't.
pub(super) fn caller(ctx: &Ctx, header: Option<&str>) -> Caller {
    let Some(value) = header else {
        return Caller::Anonymous;
    };
    let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
        return Caller::Rejected(text!("bearer-format"));
    };
    match ctx.tokens.verify(token) {
        Ok(v) => Caller::Authenticated(v),
        Err(e) => Caller::Rejected(e.text().cloned().unwrap_or_else(|| text!("login-first"))),
    }
}
