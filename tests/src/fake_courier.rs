//! A fake courier company implementing the signed courier API the platform speaks: it
//! checks each request's `X-Hongyan-Timestamp` / `X-Hongyan-Signature` (HMAC-SHA256 of
//! `"{timestamp}.{body}"`, computed here independently of the platform's code), books one
//! waybill per order id (a retried order gets the same one), can be told to fail the next
//! bookings with 503, and signs the tracking webhooks it sends back.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The shared secret test configurations use.
pub const SECRET: &str = "courier-secret-for-tests";

#[derive(Default)]
struct State {
    waybills: HashMap<String, String>,
    orders: Vec<Value>,
    attempts: usize,
    fail_next: usize,
    delay: std::time::Duration,
}

/// A running fake; stops when dropped.
pub struct FakeCourier {
    /// Base URL (ends with `/`), for `HONGYAN_COURIER_API_BASE`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
}

/// The hex HMAC-SHA256 of `"{timestamp}.{body}"`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    hex_encode(&mac.finalize().into_bytes())
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn waybills(
    state: web::Data<Arc<Mutex<State>>>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    // A slow courier: answers after the delay (the booking still counts, as a real one's
    // would when the caller has stopped waiting).
    let delay = state.lock().expect("fake state").delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut s = state.lock().expect("fake state");
    s.attempts += 1;
    let Ok(ts) = header("x-hongyan-timestamp").parse::<i64>() else {
        return HttpResponse::Unauthorized().json(json!({"error": "no timestamp"}));
    };
    if header("x-hongyan-signature") != signature(SECRET, ts, &body) {
        return HttpResponse::Unauthorized().json(json!({"error": "bad signature"}));
    }
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return HttpResponse::ServiceUnavailable().json(json!({"error": "busy"}));
    }
    let order: Value = serde_json::from_slice(&body).expect("order json");
    let id = order["orderId"].as_str().expect("orderId").to_owned();
    let n = s.waybills.len() + 1;
    let number = s
        .waybills
        .entry(id)
        .or_insert_with(|| format!("SF{n:010}"))
        .clone();
    s.orders.push(order);
    HttpResponse::Ok().json(json!({"waybillNo": number, "feeCents": 300}))
}

impl FakeCourier {
    /// Starts the fake on a random local port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/waybills", web::post().to(waybills))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeCourier {
            base_url: format!("http://127.0.0.1:{port}/"),
            state,
            handle,
        }
    }

    /// Answers the next `n` bookings with 503.
    pub fn fail_next(&self, n: usize) {
        self.state.lock().expect("fake state").fail_next = n;
    }

    /// Answers every booking after `d` (zero: at once).
    pub fn set_delay(&self, d: std::time::Duration) {
        self.state.lock().expect("fake state").delay = d;
    }

    /// Booking attempts so far (failed ones included).
    pub fn attempts(&self) -> usize {
        self.state.lock().expect("fake state").attempts
    }

    /// Orders booked so far (retries of one order included).
    pub fn orders(&self) -> Vec<Value> {
        self.state.lock().expect("fake state").orders.clone()
    }

    /// A tracking webhook body and its headers, signed at `timestamp` with `secret`.
    pub fn webhook(
        secret: &str,
        timestamp: i64,
        event: &Value,
    ) -> (Vec<u8>, [(String, String); 2]) {
        let body = serde_json::to_vec(event).expect("json");
        let headers = [
            ("x-hongyan-timestamp".to_owned(), timestamp.to_string()),
            (
                "x-hongyan-signature".to_owned(),
                signature(secret, timestamp, &body),
            ),
        ];
        (body, headers)
    }
}

impl Drop for FakeCourier {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
