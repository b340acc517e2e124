//! `/webhooks/courier`: the courier's signed tracking events.

use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::dispatch::couriers::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use hongyan_domain::dispatch::home::{self, Tracked};
use hongyan_domain::Ctx;
use serde_json::json;

use super::{read_body, Rest};

/// Registers the webhook routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/courier", web::post().to(courier));
}

/// `POST /webhooks/courier`: a tracking event, signed (`X-Hongyan-Timestamp`,
/// `X-Hongyan-Signature`). 401 for a bad or stale signature; a replay answers 200 with
/// `replayed` and changes nothing.
async fn courier(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Rest> {
    let body = read_body(body)?;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let status = match home::track(
        &ctx,
        &header(TIMESTAMP_HEADER),
        &header(SIGNATURE_HEADER),
        &body,
    )
    .await?
    {
        Tracked::Applied => "applied",
        Tracked::Replayed => "replayed",
    };
    Ok(HttpResponse::Ok().json(json!({ "status": status })))
}
