//! `/locker/v1`: the smart-locker controller protocol (plain JSON, device bearer tokens).
//! Errors are an HTTP status with `{"code", "message"}` (and `retryAfter` when limited).

use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use hongyan_domain::dispatch::commands::Command;
use hongyan_domain::dispatch::events::{self, DeviceEvent, Outcome};
use hongyan_domain::dispatch::pickups;
use hongyan_domain::dispatch::watch::CommandWatch;
use hongyan_domain::entity::locker_event::EventKind;
use hongyan_domain::lockers::{self, Locker};
use hongyan_domain::{Ctx, Error};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{bearer, error_response};

/// Longest long poll.
const MAX_WAIT_SECS: u64 = 30;
/// Most events in one batch.
const MAX_EVENTS: usize = 500;

/// Registers the locker routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/heartbeat", web::post().to(heartbeat))
        .route("/commands", web::get().to(poll))
        .route("/events", web::post().to(report))
        .route("/pickups/verify", web::post().to(verify));
}

/// The locker whose device token came with the request (from this process's cache).
async fn device(ctx: &Ctx, watch: &CommandWatch, req: &HttpRequest) -> Result<Locker, Error> {
    watch.device(ctx, bearer(req, "device token")?).await
}

/// `POST /locker/v1/heartbeat`: the controller is alive (it counts as online for the next
/// two minutes); answers the server time so devices can correct their clocks.
async fn heartbeat(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let token = match bearer(&req, "device token") {
        Ok(t) => t,
        Err(e) => return error_response(&e),
    };
    match lockers::authenticate(&ctx.db, token).await {
        Ok(locker) => HttpResponse::Ok().json(json!({
            "locker": locker.code,
            "serverTime": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })),
        Err(e) => error_response(&e),
    }
}

/// Query of `GET /commands`.
#[derive(Deserialize)]
struct PollQuery {
    /// Seconds to wait for a command (0–30).
    wait: Option<u64>,
    /// The last `cursor` the controller processed.
    cursor: Option<String>,
}

/// `GET /locker/v1/commands?wait=SECONDS&cursor=C`: the commands after the cursor, waiting up
/// to `wait` seconds for one. Answers `{"cursor", "commands": [...]}`.
async fn poll(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    query: web::Query<PollQuery>,
) -> HttpResponse {
    let locker = match device(&ctx, &watch, &req).await {
        Ok(l) => l,
        Err(e) => return error_response(&e),
    };
    let cursor = match query.cursor.as_deref().map(str::parse::<i64>) {
        None => 0,
        Some(Ok(c)) if c >= 0 => c,
        Some(_) => return error_response(&Error::validation("cursor is not one this server gave")),
    };
    let wait = Duration::from_secs(query.wait.unwrap_or(0).min(MAX_WAIT_SECS));
    match watch.poll(&ctx, locker.id, cursor, wait).await {
        Ok(commands) => {
            let next = commands.last().map_or(cursor, |c| c.seq);
            HttpResponse::Ok().json(json!({
                "cursor": next.to_string(),
                "commands": commands.iter().map(command_json).collect::<Vec<_>>(),
            }))
        }
        Err(e) => error_response(&e),
    }
}

fn command_json(c: &Command) -> Value {
    json!({
        "id": c.id,
        "seq": c.seq,
        "kind": c.kind.as_str(),
        "compartment": c.compartment,
        "parcel": c.parcel,
        "requestId": c.request_id,
    })
}

/// One event as sent; fields are checked one by one so a bad event does not spoil the batch.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventIn {
    event_id: Option<String>,
    kind: Option<String>,
    compartment: Option<String>,
    parcel: Option<String>,
    at: Option<DateTime<Utc>>,
}

/// Body of `POST /events`.
#[derive(Deserialize)]
struct EventsIn {
    events: Vec<EventIn>,
}

fn event_kind(kind: &str) -> Option<EventKind> {
    Some(match kind {
        "deposited" => EventKind::Deposited,
        "picked_up" => EventKind::PickedUp,
        "return_dropped" => EventKind::ReturnDropped,
        "collected" => EventKind::Collected,
        "door_fault" => EventKind::DoorFault,
        _ => return None,
    })
}

/// `POST /locker/v1/events`: a batch of door events. Each is recorded once by its `eventId`
/// (a replay is answered and changes nothing). 200 when every event was applied or replayed;
/// 422 when some were rejected, with each event's result, the others still applied.
async fn report(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    body: web::Json<EventsIn>,
) -> HttpResponse {
    let locker = match device(&ctx, &watch, &req).await {
        Ok(l) => l,
        Err(e) => return error_response(&e),
    };
    let incoming = body.into_inner().events;
    if incoming.len() > MAX_EVENTS {
        return error_response(&Error::validation(format!(
            "at most {MAX_EVENTS} events per batch"
        )));
    }
    // Malformed events are rejected here; the rest go to the domain in the order sent.
    let mut results: Vec<(String, Option<Outcome>)> = Vec::with_capacity(incoming.len());
    let mut valid = Vec::new();
    for e in incoming {
        let id = e.event_id.clone().unwrap_or_default();
        match (
            e.event_id,
            e.kind.as_deref().and_then(event_kind),
            e.compartment,
        ) {
            (Some(event_id), Some(kind), Some(compartment)) => {
                results.push((id, None));
                valid.push(DeviceEvent {
                    event_id,
                    kind,
                    compartment,
                    parcel: e.parcel,
                    at: e.at.unwrap_or_else(Utc::now),
                });
            }
            _ => results.push((
                id,
                Some(Outcome::Rejected(
                    "an event needs eventId, a known kind and compartment".into(),
                )),
            )),
        }
    }
    let mut applied = match events::report(&ctx, &locker, valid).await {
        Ok(outcomes) => outcomes.into_iter(),
        Err(e) => return error_response(&e),
    };
    let mut rejected = false;
    let listed: Vec<Value> = results
        .into_iter()
        .map(|(id, early)| {
            let outcome = early
                .or_else(|| applied.next())
                .unwrap_or(Outcome::Replayed);
            let (status, reason) = match outcome {
                Outcome::Applied => ("applied", None),
                Outcome::Replayed => ("replayed", None),
                Outcome::Rejected(r) => {
                    rejected = true;
                    ("rejected", Some(r))
                }
            };
            json!({ "eventId": id, "status": status, "reason": reason })
        })
        .collect();
    let body = json!({ "results": listed });
    if rejected {
        HttpResponse::UnprocessableEntity().json(json!({
            "code": "VALIDATION",
            "message": "some events were rejected; the others were applied",
            "results": body["results"],
        }))
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// Body of `POST /pickups/verify`.
#[derive(Deserialize)]
struct VerifyIn {
    code: String,
}

/// `POST /locker/v1/pickups/verify {code}`: which door to open for a pickup code. A wrong code
/// is 404; after repeated wrong codes the locker gets 429 with `retryAfter` (seconds).
async fn verify(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    body: web::Json<VerifyIn>,
) -> HttpResponse {
    let locker = match device(&ctx, &watch, &req).await {
        Ok(l) => l,
        Err(e) => return error_response(&e),
    };
    match pickups::verify(&ctx, &locker, body.code.trim()).await {
        Ok(p) => HttpResponse::Ok().json(json!({
            "compartment": p.compartment,
            "parcel": p.parcel,
            "requestId": p.request,
        })),
        Err(e) => error_response(&e),
    }
}
