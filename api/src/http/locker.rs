//! `/locker/v1`: the smart-locker controller protocol (plain JSON, device bearer tokens).

use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::lockers::{self, Locker};
use hongyan_domain::{Ctx, Error};
use serde_json::json;

use super::{bearer, error_response};

/// Registers the locker routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/heartbeat", web::post().to(heartbeat));
}

/// The locker whose device token came with the request.
async fn device(ctx: &Ctx, req: &HttpRequest) -> Result<Locker, Error> {
    let token = bearer(req, "device token")?;
    lockers::authenticate(&ctx.db, token).await
}

/// `POST /locker/v1/heartbeat`: the controller is alive; answers the server time so devices
/// can correct their clocks.
async fn heartbeat(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    match device(&ctx, &req).await {
        Ok(locker) => HttpResponse::Ok().json(json!({
            "locker": locker.code,
            "serverTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })),
        Err(e) => error_response(&e),
    }
}
