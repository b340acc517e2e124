//! A fake WeChat API server following the documented `sns/jscode2session` contract:
//! HTTP 200 always, `errcode` on failure (40013 bad appid, 40125 bad secret, 40029 invalid
//! code, 40163 code already used, 45011 rate limited, -1 busy). Codes are single-use and
//! are issued by the test as `wx.login()` would.

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::Deserialize;
use serde_json::json;

/// The app id test configurations use.
pub const APPID: &str = "wx0123456789abcdef";
/// The app secret test configurations use.
pub const SECRET: &str = "0123456789abcdef0123456789abcdef";

#[derive(Default)]
struct State {
    codes: HashMap<String, (String, Option<String>)>,
    used: HashSet<String>,
    calls: usize,
}

/// A running fake; stops when dropped.
pub struct FakeWechat {
    /// Base URL, for `HONGYAN_WECHAT_API_BASE`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
}

#[derive(Deserialize)]
struct SessionQuery {
    appid: String,
    secret: String,
    js_code: String,
    grant_type: String,
}

async fn jscode2session(
    state: web::Data<Arc<Mutex<State>>>,
    q: web::Query<SessionQuery>,
) -> HttpResponse {
    let mut s = state.lock().expect("fake state");
    s.calls += 1;
    let body = if q.appid != APPID {
        json!({"errcode": 40013, "errmsg": "invalid appid"})
    } else if q.secret != SECRET {
        json!({"errcode": 40125, "errmsg": "invalid appsecret"})
    } else if q.grant_type != "authorization_code" {
        json!({"errcode": 40002, "errmsg": "invalid grant_type"})
    } else if q.js_code == "throttled" {
        json!({"errcode": 45011, "errmsg": "api minute-quota reach limit"})
    } else if q.js_code == "busy" {
        json!({"errcode": -1, "errmsg": "system error"})
    } else if s.used.contains(&q.js_code) {
        json!({"errcode": 40163, "errmsg": "code been used"})
    } else if let Some((openid, unionid)) = s.codes.remove(&q.js_code) {
        s.used.insert(q.js_code.clone());
        let mut ok = json!({"openid": openid, "session_key": "tiihtNczf5v6AKRyjwEUhQ=="});
        if let Some(u) = unionid {
            ok["unionid"] = json!(u);
        }
        ok
    } else {
        json!({"errcode": 40029, "errmsg": "invalid code"})
    };
    HttpResponse::Ok().json(body)
}

impl FakeWechat {
    /// Starts the fake on a random local port.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake wechat");
        let port = listener.local_addr().expect("addr").port();
        let data = web::Data::new(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/sns/jscode2session", web::get().to(jscode2session))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeWechat {
            base_url: format!("http://127.0.0.1:{port}/"),
            state,
            handle,
        }
    }

    /// What `wx.login()` would hand the mini-program for this user: a fresh one-time code.
    pub fn issue_code(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        self.state.lock().expect("fake state").codes.insert(
            code.clone(),
            (openid.to_owned(), unionid.map(str::to_owned)),
        );
        code
    }

    /// How many `jscode2session` calls arrived.
    pub fn calls(&self) -> usize {
        self.state.lock().expect("fake state").calls
    }
}

impl Drop for FakeWechat {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}
