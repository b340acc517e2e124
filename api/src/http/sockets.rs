//! `/graphql/ws`: subscriptions (and queries and mutations) over graphql-transport-ws,
//! with the limits a socket anyone can open needs:
//!
//! - `connection_init` must come within [`INIT_TIMEOUT`] (else close 4408), once (4429);
//! - frames are at most [`MAX_FRAME`] bytes;
//! - at most [`MAX_OPERATIONS`] operations run at once on a socket (a further `subscribe`
//!   gets an `error` RATE_LIMITED), at most [`MAX_SOCKETS_PER_READER`] sockets per reader per
//!   process (close 4429);
//! - the socket closes (4401) when its access token expires and (4403) when its staff
//!   account is switched off, checked every [`RECHECK`];
//! - every operation runs through the schema with the socket's caller and address, so the
//!   admission checks (rate limits, one login) apply per operation as on `POST /graphql`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::http::ClientMessage;
use async_graphql::{Data, Response};
use futures::stream::{self, AbortHandle, BoxStream, SelectAll};
use futures::StreamExt;
use hongyan_domain::auth::Principal;
use hongyan_domain::{text, Locale};
use hongyan_domain::{Ctx, Error};
use hongyan_graphql::{localize, Caller, ClientAddr, HongyanSchema};
use serde_json::{json, Value};
use uuid::Uuid;

use super::error_response;
use super::graphql::{caller, client_ip};

/// The sub-protocol spoken here.
const PROTOCOL: &str = "graphql-transport-ws";
/// How long a new socket may wait before `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest frame (or message of continuation frames) accepted.
pub const MAX_FRAME: usize = 64 * 1024;
/// Operations running at once on one socket.
pub const MAX_OPERATIONS: usize = 10;
/// Sockets one reader may hold open on one API process.
pub const MAX_SOCKETS_PER_READER: usize = 5;
/// How often an open socket checks that its account may still act.
pub const RECHECK: Duration = Duration::from_secs(10);

/// Open sockets per reader on this process.
#[derive(Debug, Default)]
pub struct Sockets(Mutex<HashMap<Uuid, usize>>);

/// One reader's place among [`Sockets`], given back when dropped.
struct Seat {
    sockets: Arc<Sockets>,
    reader: Uuid,
}

impl Sockets {
    fn take(self: &Arc<Self>, reader: Uuid) -> Option<Seat> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(reader).or_default();
        if *n >= MAX_SOCKETS_PER_READER {
            return None;
        }
        *n += 1;
        Some(Seat {
            sockets: Arc::clone(self),
            reader,
        })
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut open = self
            .sockets
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.reader) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.reader);
            }
        }
    }
}

/// Upgrades to a socket speaking graphql-transport-ws (400 for any other sub-protocol).
///
/// # Errors
/// A failed WebSocket handshake.
pub async fn subscriptions(
    schema: web::Data<HongyanSchema>,
    ctx: web::Data<Ctx>,
    sockets: web::Data<Sockets>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let offered = req
        .headers()
        .get_all("sec-websocket-protocol")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case(PROTOCOL));
    if !offered {
        return Ok(error_response(&Error::validation(text!(
            "websocket-protocol",
            protocol = PROTOCOL
        ))));
    }
    let (mut response, session, messages) = actix_ws::handle(&req, payload)?;
    response.headers_mut().insert(
        actix_web::http::header::SEC_WEBSOCKET_PROTOCOL,
        actix_web::http::header::HeaderValue::from_static(PROTOCOL),
    );
    let socket = Socket {
        schema: schema.get_ref().clone(),
        ctx: ctx.get_ref().clone(),
        sockets: sockets.into_inner(),
        client: ClientAddr(client_ip(&ctx, &req)),
        locale: super::graphql::locale(&req),
        session,
    };
    let messages = messages
        .max_frame_size(MAX_FRAME)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME);
    actix_web::rt::spawn(socket.run(messages));
    Ok(response)
}

/// One open socket.
struct Socket {
    schema: HongyanSchema,
    ctx: Ctx,
    sockets: Arc<Sockets>,
    client: ClientAddr,
    /// The language the client asked for when it opened the socket.
    locale: Locale,
    session: Session,
}

/// Why the server closes a socket (graphql-transport-ws close codes).
struct Close(u16, &'static str);

/// Results of the running operations: `(id, Some(response))`, then `(id, None)` when done.
type Running = SelectAll<BoxStream<'static, (String, Option<Response>)>>;

impl Socket {
    async fn run(mut self, mut messages: actix_ws::AggregatedMessageStream) {
        let close = match self.serve(&mut messages).await {
            Ok(()) => None,
            Err(Close(code, why)) => Some(CloseReason {
                code: CloseCode::Other(code),
                description: Some(why.to_owned()),
            }),
        };
        let _ = self.session.close(close).await;
    }

    async fn serve(
        &mut self,
        messages: &mut actix_ws::AggregatedMessageStream,
    ) -> Result<(), Close> {
        let init = match tokio::time::timeout(INIT_TIMEOUT, self.next_text(messages)).await {
            Err(_) => return Err(Close(4408, "Connection initialisation timeout")),
            Ok(None) => return Ok(()),
            Ok(Some(text)) => text,
        };
        let Ok(ClientMessage::ConnectionInit { payload }) = ClientMessage::from_bytes(&*init)
        else {
            return Err(Close(4401, "Unauthorized"));
        };
        let caller = self.caller(payload.as_ref());
        let (principal, expires_at) = match &caller {
            Caller::Authenticated(v) => (Some(v.principal.clone()), Some(v.expires_at)),
            _ => (None, None),
        };
        let _seat = match &principal {
            Some(Principal::Reader { id }) => Some(
                self.sockets
                    .take(*id)
                    .ok_or(Close(4429, "Too many connections"))?,
            ),
            _ => None,
        };
        if let Some(p) = &principal {
            self.active(p).await?;
        }
        self.send(&json!({"type": "connection_ack"})).await?;

        let mut data = Data::default();
        data.insert(caller.clone());
        data.insert(self.client);
        data.insert(hongyan_graphql::loaders_for(&self.ctx));
        let data = Arc::new(data);
        let mut ops: HashMap<String, AbortHandle> = HashMap::new();
        let mut running: Running = SelectAll::new();
        let expiry = expires_at.map_or(Duration::MAX, |at| {
            (at - hongyan_domain::infra::clock::system_now())
                .to_std()
                .unwrap_or(Duration::ZERO)
        });
        let expired = tokio::time::sleep(expiry);
        tokio::pin!(expired);
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        loop {
            tokio::select! {
                text = self.next_text(messages) => {
                    let Some(text) = text else { return Ok(()) };
                    self.on_message(&text, (&caller, &data), &mut ops, &mut running).await?;
                }
                Some((id, item)) = running.next(), if !running.is_empty() => {
                    self.on_result(id, item, &mut ops).await?;
                }
                () = &mut expired, if expires_at.is_some() => {
                    return Err(Close(4401, "Unauthorized: access token expired"));
                }
                _ = recheck.tick() => {
                    if let Some(p) = &principal {
                        self.active(p).await?;
                    }
                }
            }
        }
    }

    /// Handles one client message after the handshake.
    async fn on_message(
        &mut self,
        text: &str,
        (caller, data): (&Caller, &Arc<Data>),
        ops: &mut HashMap<String, AbortHandle>,
        running: &mut Running,
    ) -> Result<(), Close> {
        match ClientMessage::from_bytes(text) {
            Ok(ClientMessage::Start { id, payload }) => {
                if ops.contains_key(&id) {
                    return Err(Close(4409, "Subscriber for this id already exists"));
                }
                if ops.len() >= MAX_OPERATIONS {
                    let e = Error::RateLimited {
                        message: text!("too-many-operations", max = MAX_OPERATIONS),
                        retry_after_secs: 1,
                    };
                    let error = json!([{
                        "message": e.message(self.locale),
                        "extensions": {"code": e.code().as_str(), "retryAfter": 1},
                    }]);
                    return self
                        .send(&json!({"id": id, "type": "error", "payload": error}))
                        .await;
                }
                let request = hongyan_graphql::introspection_for(payload, &self.ctx, caller);
                let results = self
                    .schema
                    .execute_stream_with_session_data(request, Arc::clone(data));
                let (results, handle) = stream::abortable(results);
                let done = id.clone();
                running.push(
                    results
                        .map({
                            let id = id.clone();
                            move |r| (id.clone(), Some(r))
                        })
                        .chain(stream::once(async move { (done, None) }))
                        .boxed(),
                );
                ops.insert(id, handle);
                Ok(())
            }
            Ok(ClientMessage::Stop { id }) => {
                if let Some(handle) = ops.remove(&id) {
                    handle.abort();
                }
                Ok(())
            }
            Ok(ClientMessage::Ping { payload }) => {
                let mut pong = json!({"type": "pong"});
                if let Some(p) = payload {
                    pong["payload"] = p;
                }
                self.send(&pong).await
            }
            Ok(ClientMessage::Pong { .. }) => Ok(()),
            Ok(ClientMessage::ConnectionInit { .. }) => {
                Err(Close(4429, "Too many initialisation requests"))
            }
            Ok(ClientMessage::ConnectionTerminate) => Err(Close(1000, "Normal Closure")),
            Err(_) => Err(Close(4400, "Invalid message")),
        }
    }

    /// Passes on one result of operation `id` (`None`: it has finished).
    async fn on_result(
        &mut self,
        id: String,
        item: Option<Response>,
        ops: &mut HashMap<String, AbortHandle>,
    ) -> Result<(), Close> {
        match item {
            Some(mut response) => {
                localize(&mut response, self.locale);
                let payload = serde_json::to_value(&response).unwrap_or(Value::Null);
                self.send(&json!({"id": id, "type": "next", "payload": payload}))
                    .await
            }
            // Finished by itself (not stopped by the client): say so.
            None if ops.remove(&id).is_some() => {
                self.send(&json!({"id": id, "type": "complete"})).await
            }
            None => Ok(()),
        }
    }

    /// The caller named by the `connection_init` payload (`Authorization` or `token`).
    fn caller(&self, payload: Option<&Value>) -> Caller {
        let init = payload.cloned().unwrap_or(Value::Null);
        let bearer = init
            .get("Authorization")
            .or_else(|| init.get("authorization"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                init.get("token")
                    .and_then(Value::as_str)
                    .map(|t| format!("Bearer {t}"))
            });
        caller(&self.ctx, bearer.as_deref())
    }

    /// Closes with 4403 when the account behind the socket may no longer act.
    async fn active(&self, principal: &Principal) -> Result<(), Close> {
        match self
            .ctx
            .accounts
            .ensure_active(&self.ctx.db, principal)
            .await
        {
            Err(e) if e.code() == hongyan_domain::Code::Unauthenticated => {
                Err(Close(4403, "Forbidden: account switched off"))
            }
            // A database fault is not the account's: the next check tells.
            _ => Ok(()),
        }
    }

    /// The next text message (None when the client is gone); answers pings on the way.
    async fn next_text(
        &mut self,
        messages: &mut actix_ws::AggregatedMessageStream,
    ) -> Option<String> {
        while let Some(message) = messages.recv().await {
            match message.ok()? {
                AggregatedMessage::Text(text) => return Some(text.to_string()),
                AggregatedMessage::Ping(bytes) => {
                    self.session.pong(&bytes).await.ok()?;
                }
                AggregatedMessage::Close(_) => return None,
                AggregatedMessage::Binary(_) | AggregatedMessage::Pong(_) => {}
            }
        }
        None
    }

    async fn send(&mut self, message: &Value) -> Result<(), Close> {
        self.session
            .text(message.to_string())
            .await
            .map_err(|_| Close(1000, "Normal Closure"))
    }
}
