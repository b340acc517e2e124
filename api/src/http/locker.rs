//! `/locker/v1`: the smart-locker controller protocol (plain JSON, device bearer tokens).
//! Errors are an HTTP status with `{"code", "message"}` (and `retryAfter` when limited).

use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use hongyan_domain::dispatch::commands::Command;
use hongyan_domain::dispatch::locker_reports::{self, DeviceEvent, DoorReport, Outcome};
use hongyan_domain::dispatch::long_poll::CommandWatch;
use hongyan_domain::dispatch::{pickups, returns};
use hongyan_domain::entity::locker_event::EventKind;
use hongyan_domain::lockers::{self, Locker};
use hongyan_domain::{text, Ctx, Error};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::{bearer, json_body, read_body, Rest};

/// The OpenAPI document of this protocol, generated from the handlers and their types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hongyan locker controller protocol",
        version = "1",
        description = "Smart book lockers (智能书柜) poll for commands, report door events and check pickup codes. Authenticate every call with `Authorization: Bearer <device token>` (printed by `hongyan locker register`). Errors are an HTTP status with `{code, message}`."
    ),
    paths(heartbeat, poll, report, verify, drop_off),
    modifiers(&DeviceToken)
)]
pub struct LockerApi;

/// Declares the device bearer token.
struct DeviceToken;

impl utoipa::Modify for DeviceToken {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        api.security = Some(vec![SecurityRequirement::new(
            "device_token",
            Vec::<String>::new(),
        )]);
    }
}

/// An error: the HTTP status says what kind, `code` is stable, `message` is for people.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// UNAUTHENTICATED, NOT_FOUND, VALIDATION, RATE_LIMITED, …
    code: String,
    /// What went wrong.
    message: String,
    /// Seconds to wait (RATE_LIMITED only).
    retry_after: Option<u64>,
}

/// `GET /openapi.json`.
async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(LockerApi::openapi())
}

/// Longest long poll.
const MAX_WAIT_SECS: u64 = 30;
/// Most events in one batch.
const MAX_EVENTS: usize = 500;

/// Registers the locker routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/heartbeat", web::post().to(heartbeat))
        .route("/commands", web::get().to(poll))
        .route("/events", web::post().to(report))
        .route("/pickups/verify", web::post().to(verify))
        .route("/returns/verify", web::post().to(drop_off))
        .route("/openapi.json", web::get().to(openapi));
}

/// The locker whose device token came with the request (from this process's cache).
async fn device(ctx: &Ctx, watch: &CommandWatch, req: &HttpRequest) -> Result<Locker, Error> {
    watch.device(ctx, bearer(req, "device token")?).await
}

/// What the controller reports with its heartbeat (all optional).
#[derive(Deserialize, Default, ToSchema)]
struct HeartbeatIn {
    /// Doors whose state the controller knows.
    #[serde(default)]
    compartments: Vec<DoorIn>,
}

/// One door's state.
#[derive(Deserialize, ToSchema)]
struct DoorIn {
    /// Compartment label.
    compartment: String,
    /// Jammed or not locking.
    #[serde(default)]
    fault: bool,
}

/// Answer to a heartbeat.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct HeartbeatOut {
    /// The locker's code.
    locker: String,
    /// The server's clock, for devices to correct theirs.
    server_time: DateTime<Utc>,
    /// Compartment labels in the report the platform does not know.
    unknown_compartments: Vec<String>,
}

/// The controller is alive: the locker counts as online (and is used by dispatch) for 90
/// seconds, three heartbeat periods. Doors reported faulty are taken out of use (a parcel on
/// its way to one gets another door); a faulty door reported working and empty is free
/// again. Answers the server time so devices can correct their clocks.
#[utoipa::path(post, path = "/locker/v1/heartbeat", request_body(content = HeartbeatIn, description = "optional"), responses(
    (status = 200, body = HeartbeatOut),
    (status = 400, body = ErrorBody, description = "a body that is not the report"),
    (status = 401, body = ErrorBody, description = "unknown device token"),
))]
async fn heartbeat(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Rest> {
    let body = read_body(body)?;
    let token = bearer(&req, "device token")?;
    let report: HeartbeatIn = if body.iter().all(u8::is_ascii_whitespace) {
        HeartbeatIn::default()
    } else {
        json_body(&body, "heartbeat body")?
    };
    let locker = lockers::authenticate(&ctx, token).await?;
    let doors: Vec<DoorReport> = report
        .compartments
        .into_iter()
        .map(|d| DoorReport {
            compartment: d.compartment,
            fault: d.fault,
        })
        .collect();
    let unknown = locker_reports::doors(&ctx, &locker, &doors).await?;
    Ok(HttpResponse::Ok().json(HeartbeatOut {
        locker: locker.code,
        server_time: ctx.now(),
        unknown_compartments: unknown,
    }))
}

/// Query of `GET /commands`.
#[derive(Deserialize, IntoParams)]
struct PollQuery {
    /// Seconds to wait for a command (0–30).
    wait: Option<u64>,
    /// The last `cursor` the controller processed.
    cursor: Option<String>,
}

/// A command for the controller.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CommandOut {
    /// The command's id.
    id: Uuid,
    /// Its place in this locker's sequence.
    seq: i64,
    /// `deposit` (open the door for the driver), `collect_return` (open it for staff) or
    /// `release` (forget the parcel: it went elsewhere).
    kind: String,
    /// Compartment label.
    compartment: String,
    /// Parcel: the book's barcode (the driver scans it).
    parcel: String,
    /// The request it serves.
    request_id: Option<Uuid>,
}

/// Commands after a cursor.
#[derive(Serialize, ToSchema)]
struct CommandsOut {
    /// Send this back as `cursor` next time (unchanged when there was nothing).
    cursor: String,
    /// Oldest first.
    commands: Vec<CommandOut>,
}

/// The commands after the cursor, waiting up to `wait` seconds (at most 30) for one: a long
/// poll that answers as soon as a command is issued.
#[utoipa::path(get, path = "/locker/v1/commands", params(PollQuery), responses(
    (status = 200, body = CommandsOut),
    (status = 400, body = ErrorBody, description = "a cursor this server did not give"),
    (status = 401, body = ErrorBody),
))]
async fn poll(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    query: web::Query<PollQuery>,
) -> Result<HttpResponse, Rest> {
    let locker = device(&ctx, &watch, &req).await?;
    let cursor = match query.cursor.as_deref().map(str::parse::<i64>) {
        None => 0,
        Some(Ok(c)) if c >= 0 => c,
        Some(_) => {
            return Err(Error::validation(text!("locker-cursor-invalid"))
                .in_field("cursor")
                .into())
        }
    };
    let wait = Duration::from_secs(query.wait.unwrap_or(0).min(MAX_WAIT_SECS));
    let commands = watch.poll(&ctx, locker.id, cursor, wait).await?;
    let next = commands.last().map_or(cursor, |c| c.seq);
    Ok(HttpResponse::Ok().json(CommandsOut {
        cursor: next.to_string(),
        commands: commands.iter().map(command_out).collect(),
    }))
}

fn command_out(c: &Command) -> CommandOut {
    CommandOut {
        id: c.id,
        seq: c.seq,
        kind: c.kind.as_str().to_owned(),
        compartment: c.compartment.clone(),
        parcel: c.parcel.clone(),
        request_id: c.request_id,
    }
}

/// One door event; fields are checked one by one so a bad event does not spoil the batch.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct EventIn {
    /// The device's own id for the event: a replay carries the same and changes nothing.
    event_id: Option<String>,
    /// `deposited`, `picked_up`, `return_dropped`, `collected` or `door_fault`.
    kind: Option<String>,
    /// Compartment label.
    compartment: Option<String>,
    /// The parcel's barcode (all but `door_fault`).
    parcel: Option<String>,
    /// When it happened, by the device's clock (events may arrive late and out of order).
    at: Option<DateTime<Utc>>,
}

/// A batch of door events.
#[derive(Deserialize, ToSchema)]
struct EventsIn {
    events: Vec<EventIn>,
}

/// What became of one event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct EventResult {
    event_id: String,
    /// `applied`, `replayed` or `rejected`.
    status: String,
    /// Why it was rejected.
    reason: Option<String>,
}

/// What became of a batch.
#[derive(Serialize, ToSchema)]
struct EventsOut {
    /// Only on 422.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    /// In the order sent.
    results: Vec<EventResult>,
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

/// A batch of door events (at most 500). Each is recorded once by its `eventId`; a replay is
/// answered and changes nothing. 200 when every event was applied or replayed; 422 when some
/// were rejected (unknown compartment or parcel, malformed), the others still applied.
#[utoipa::path(post, path = "/locker/v1/events", request_body = EventsIn, responses(
    (status = 200, body = EventsOut),
    (status = 422, body = EventsOut, description = "some events rejected; see each result"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
))]
async fn report(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Rest> {
    let body = read_body(body)?;
    let locker = device(&ctx, &watch, &req).await?;
    let incoming = json_body::<EventsIn>(&body, "events")?.events;
    if incoming.len() > MAX_EVENTS {
        return Err(Error::validation(text!("too-many-events", max = MAX_EVENTS)).into());
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
    let mut applied = locker_reports::report(&ctx, &locker, valid)
        .await?
        .into_iter();
    let mut rejected = false;
    let results: Vec<EventResult> = results
        .into_iter()
        .map(|(event_id, early)| {
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
            EventResult {
                event_id,
                status: status.to_owned(),
                reason,
            }
        })
        .collect();
    Ok(if rejected {
        HttpResponse::UnprocessableEntity().json(EventsOut {
            code: Some("VALIDATION".into()),
            results,
        })
    } else {
        HttpResponse::Ok().json(EventsOut {
            code: None,
            results,
        })
    })
}

/// A pickup code typed at the locker.
#[derive(Deserialize, ToSchema)]
struct VerifyIn {
    /// Six digits.
    code: String,
}

/// The door to open.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct VerifyOut {
    compartment: String,
    /// The book's barcode.
    parcel: String,
    request_id: Uuid,
}

/// Which door to open for a pickup code. A wrong or expired code is 404. One code tried 5 times
/// is locked for 10 minutes (doubling, up to 6 hours); after 10 wrong codes at this locker's
/// keypad it is locked for 30 seconds (doubling, up to 10 minutes). Locked: 429 with `retryAfter`.
#[utoipa::path(post, path = "/locker/v1/pickups/verify", request_body = VerifyIn, responses(
    (status = 200, body = VerifyOut),
    (status = 404, body = ErrorBody, description = "wrong or expired code"),
    (status = 429, body = ErrorBody, description = "locked out; retry after `retryAfter` seconds"),
    (status = 401, body = ErrorBody),
))]
async fn verify(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Rest> {
    let body = read_body(body)?;
    let locker = device(&ctx, &watch, &req).await?;
    let body: VerifyIn = json_body(&body, "pickup code")?;
    let p = pickups::verify(&ctx, &locker, body.code.trim()).await?;
    Ok(HttpResponse::Ok().json(VerifyOut {
        compartment: p.compartment,
        parcel: p.parcel,
        request_id: p.request,
    }))
}

/// A drop code typed at the locker.
#[derive(Deserialize, ToSchema)]
struct DropIn {
    /// Eight digits, from the reader's return ticket.
    code: String,
}

/// The door to open for a return.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DropOut {
    compartment: String,
    /// The book expected back (its barcode).
    parcel: String,
    ticket_id: Uuid,
}

/// Which door to open for a reader's return (typing the code again gives the same door).
/// Then report `return_dropped` for that door and book. Wrong codes count towards the same
/// lockout as pickup codes.
#[utoipa::path(post, path = "/locker/v1/returns/verify", request_body = DropIn, responses(
    (status = 200, body = DropOut),
    (status = 404, body = ErrorBody, description = "wrong code"),
    (status = 409, body = ErrorBody, description = "no free door"),
    (status = 429, body = ErrorBody, description = "locked out; retry after `retryAfter` seconds"),
    (status = 401, body = ErrorBody),
))]
async fn drop_off(
    ctx: web::Data<Ctx>,
    watch: web::Data<CommandWatch>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Rest> {
    let body = read_body(body)?;
    let locker = device(&ctx, &watch, &req).await?;
    let body: DropIn = json_body(&body, "return code")?;
    let d = returns::open_door(&ctx, &locker, body.code.trim()).await?;
    Ok(HttpResponse::Ok().json(DropOut {
        compartment: d.compartment,
        parcel: d.parcel,
        ticket_id: d.ticket,
    }))
}
