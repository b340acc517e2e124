//! `/graphql`: queries and mutations over POST, GraphiQL over GET, subscriptions over
//! WebSocket (graphql-transport-ws) at `/graphql/ws`.

use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::http::GraphiQLSource;
use async_graphql::Data;
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse, GraphQLSubscription};
use hongyan_domain::Ctx;
use hongyan_graphql::{ensure_codes, Caller, HongyanSchema};

/// Executes one GraphQL request as the caller named by the `Authorization` header.
pub async fn execute(
    schema: web::Data<HongyanSchema>,
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    gql: GraphQLRequest,
) -> GraphQLResponse {
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let caller = caller(&ctx, header);
    let request = hongyan_graphql::request_data(gql.into_inner(), &ctx, caller);
    let mut response = schema.execute(request).await;
    ensure_codes(&mut response);
    response.into()
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
