//! `/graphql`: queries and mutations over POST, GraphiQL over GET, subscriptions over
//! WebSocket (graphql-transport-ws) at `/graphql/ws`.

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, Responder};
use async_graphql::http::GraphiQLSource;
use async_graphql::Data;
use async_graphql_actix_web::{GraphQLResponse, GraphQLSubscription};
use hongyan_domain::auth::Principal;
use hongyan_domain::{rate_limit, Ctx, Error};

use super::read_body;
use hongyan_graphql::{ensure_codes, Caller, HongyanSchema};
use serde_json::json;

/// Executes one GraphQL request as the caller named by the `Authorization` header, once
/// the caller's rate limits admit it (else 429 with `Retry-After` and a GraphQL error
/// RATE_LIMITED carrying `retryAfter`). A body that is not one GraphQL request (a batch,
/// malformed JSON) is a 400 with a VALIDATION error; an answer with an UNAVAILABLE error
/// (the database out of reach) is a 503 with `Retry-After`.
pub async fn execute(
    schema: web::Data<HongyanSchema>,
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let request = match read_body(body).and_then(|b| graphql_request(&b)) {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let caller = caller(&ctx, header);
    let reader = match &caller {
        Caller::Authenticated(Principal::Reader { id }) => Some(*id),
        _ => None,
    };
    if let Err(e) = rate_limit::admit(&ctx, reader, client_ip(&ctx, &req)).await {
        return refused(&e);
    }
    let request = hongyan_graphql::request_data(request, &ctx, caller);
    let mut response = schema.execute(request).await;
    ensure_codes(&mut response);
    let down = hongyan_graphql::unavailable(&response);
    let mut http = GraphQLResponse::from(response)
        .respond_to(&req)
        .map_into_boxed_body();
    if down {
        // The database is out of reach: tell clients and load balancers to come back soon.
        *http.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    http
}

/// One GraphQL request from a JSON body (`query`, `operationName`, `variables`).
fn graphql_request(body: &[u8]) -> Result<async_graphql::Request, Error> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::validation(format!("the body is not JSON: {e}")))?;
    if value.is_array() {
        return Err(Error::validation("batch requests are not supported"));
    }
    serde_json::from_value(value)
        .map_err(|e| Error::validation(format!("not a GraphQL request: {e}")))
}

/// The client's address: the peer's, or (`HONGYAN_TRUST_PROXY`) what the proxy forwarded.
fn client_ip(ctx: &Ctx, req: &HttpRequest) -> Option<IpAddr> {
    if ctx.config.rate_limits.trust_proxy {
        let info = req.connection_info();
        let forwarded = info.realip_remote_addr()?;
        forwarded
            .parse::<IpAddr>()
            .ok()
            .or_else(|| forwarded.parse::<SocketAddr>().ok().map(|a| a.ip()))
    } else {
        req.peer_addr().map(|a| a.ip())
    }
}

/// A request refused before it ran, as the GraphQL error a resolver would give: 429 with
/// `Retry-After` when rate limited, else 400.
fn refused(e: &Error) -> HttpResponse {
    let mut extensions = json!({"code": e.code().as_str()});
    let mut response = match e {
        Error::RateLimited {
            retry_after_secs, ..
        } => {
            extensions["retryAfter"] = json!(retry_after_secs);
            let mut r = HttpResponse::TooManyRequests();
            r.insert_header(("Retry-After", retry_after_secs.to_string()));
            r
        }
        _ => HttpResponse::BadRequest(),
    };
    response.json(json!({
        "data": null,
        "errors": [{"message": e.to_string(), "extensions": extensions}],
    }))
}

/// The GraphiQL IDE.
pub async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql/ws")
                .finish(),
        )
}

/// Subscriptions; the access token comes in the `connection_init` payload as
/// `{"Authorization": "Bearer …"}` (or `{"token": "…"}`).
pub async fn subscriptions(
    schema: web::Data<HongyanSchema>,
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let ctx = ctx.get_ref().clone();
    GraphQLSubscription::new(schema.get_ref().clone())
        .on_connection_init(move |init: serde_json::Value| async move {
            let bearer = init
                .get("Authorization")
                .or_else(|| init.get("authorization"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .or_else(|| {
                    init.get("token")
                        .and_then(|v| v.as_str())
                        .map(|t| format!("Bearer {t}"))
                });
            let mut data = Data::default();
            data.insert(caller(&ctx, bearer.as_deref()));
            data.insert(hongyan_graphql::loaders_for(&ctx));
            Ok(data)
        })
        .start(&req, payload)
}

/// Who sent the request: no header is anonymous; a bad token is remembered as rejected,
/// so public fields still answer and private ones say why they don't.
fn caller(ctx: &Ctx, header: Option<&str>) -> Caller {
    let Some(value) = header else {
        return Caller::Anonymous;
    };
    let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
        return Caller::Rejected("Authorization must be 'Bearer <token>'".into());
    };
    match ctx.tokens.verify(token) {
        Ok(p) => Caller::Authenticated(p),
        Err(e) => Caller::Rejected(e.to_string()),
    }
}
