//! A fake WeChat API server following the documented contract: HTTP 200 always, JSON with
//! `errcode`/`errmsg` on failure (`errcode` 0 or absent means success). It knows two apps,
//! the mini-program ([`APPID`]/[`SECRET`]) and the official account
//! ([`OA_APPID`]/[`OA_SECRET`]), and implements:
//!
//! - `GET sns/jscode2session` (mini-program login): 40013 bad appid, 40125 bad secret,
//!   40002 bad grant_type, 40029 invalid code, 40163 code already used, 45011 rate limited
//!   (code `throttled`), -1 busy (code `busy`). Codes are single-use and are issued by the
//!   test as `wx.login()` would ([`FakeWechat::issue_code`]).
//! - `GET cgi-bin/token` (`client_credential` access token, for either app): 40013, 40125,
//!   40002. A new token replaces the app's previous one, which stops working at once.
//!   Tokens live 7200 s; [`FakeWechat::expire_tokens`] expires them early.
//! - `POST cgi-bin/message/template/send` (official-account template message, needs an OA
//!   token) and `POST cgi-bin/message/subscribe/send` (mini-program subscribe message, needs a
//!   mini-program token): 40001 missing, unknown or replaced token, 42001 expired token,
//!   48001 the other app's token, 47001 body not JSON or fields of the wrong type, 40003
//!   empty `touser`, 40037 empty `template_id`, 43004 template message to a non-follower,
//!   43101 subscribe message with no consent left (each message consumes one consent granted
//!   by [`FakeWechat::grant_subscribe`]). Template messages with a `client_msg_id` already
//!   accepted for the same `touser` in the last 10 minutes answer success with the first
//!   `msgid` and are not delivered again.
//! - `GET sns/oauth2/access_token` (official-account web OAuth, `snsapi_base`): 40013,
//!   40125, 40002, 40029 invalid code, 40163 code already used; codes come from
//!   [`FakeWechat::issue_oauth_code`], and from [`FakeWechat::issue_snapshot_code`] for a
//!   page opened as a Moments snapshot (`is_snapshotuser: 1`, a stand-in openid).
//!
//! Faults can be injected into message sends ([`FakeWechat::fail_next`], e.g. -1 system
//! error, 45009 daily quota, 40001, 43004, 43101) and responses delayed
//! ([`FakeWechat::set_delay`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::Deserialize;
use serde_json::{json, Value};

/// The mini-program app id test configurations use.
pub const APPID: &str = "wx0123456789abcdef";
/// The mini-program app secret test configurations use.
pub const SECRET: &str = "0123456789abcdef0123456789abcdef";
/// The official account's app id test configurations use.
pub const OA_APPID: &str = "wx00officialacct01";
/// The official account's app secret test configurations use.
pub const OA_SECRET: &str = "fedcba9876543210fedcba9876543210";

/// How long an access token lives (`expires_in`).
const TOKEN_TTL: Duration = Duration::from_secs(7200);
/// How long a template message's `client_msg_id` de-duplicates.
const DEDUP_WINDOW: Duration = Duration::from_secs(600);

/// Which message API delivered a [`Sent`] message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Official-account template message (`cgi-bin/message/template/send`).
    Template,
    /// Mini-program subscribe message (`cgi-bin/message/subscribe/send`).
    Subscribe,
}

/// One message the fake accepted and delivered.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The API it came through.
    pub api: Api,
    /// The recipient's openid (of the official account for [`Api::Template`], of the
    /// mini-program for [`Api::Subscribe`]).
    pub touser: String,
    /// The template id.
    pub template_id: String,
    /// The request's `data` object (`{key: {value}}`; `{}` if the request had none).
    pub data: Value,
    /// The template message's `client_msg_id`, if any (always `None` for subscribe).
    pub client_msg_id: Option<String>,
    /// The subscribe message's `page`, or the template message's `miniprogram.pagepath`.
    pub page: Option<String>,
    /// The `msgid` answered.
    pub msgid: i64,
    /// The whole request body (for fields not lifted out above: `url`, `miniprogram`,
    /// `miniprogram_state`, `lang`, ...).
    pub body: Value,
}

struct Token {
    appid: &'static str,
    issued: Instant,
    /// Replaced by a newer token of the same app, or invalidated by an injected 40001.
    revoked: bool,
    /// Expired early by [`FakeWechat::expire_tokens`].
    expired: bool,
}

impl Token {
    fn is_expired(&self) -> bool {
        self.expired || self.issued.elapsed() >= TOKEN_TTL
    }
}

struct State {
    // sns/jscode2session
    codes: HashMap<String, (String, Option<String>)>,
    used: HashSet<String>,
    calls: usize,
    // sns/oauth2/access_token
    oauth_codes: HashMap<String, (String, Option<String>)>,
    oauth_used: HashSet<String>,
    oauth_snapshots: HashSet<String>,
    // cgi-bin/token
    tokens: HashMap<String, Token>,
    current_token: HashMap<&'static str, String>,
    token_requests: HashMap<String, usize>,
    // messages
    followers: HashSet<String>,
    consents: HashMap<(String, String), u32>,
    delivered: Vec<Sent>,
    /// (touser, client_msg_id) → (msgid, accepted at).
    client_msg_ids: HashMap<(String, String), (i64, Instant)>,
    next_msgid: i64,
    send_attempts: usize,
    duplicates_suppressed: usize,
    fail_queue: VecDeque<i64>,
    delay: Duration,
}

impl Default for State {
    fn default() -> Self {
        State {
            codes: HashMap::new(),
            used: HashSet::new(),
            calls: 0,
            oauth_codes: HashMap::new(),
            oauth_used: HashSet::new(),
            oauth_snapshots: HashSet::new(),
            tokens: HashMap::new(),
            current_token: HashMap::new(),
            token_requests: HashMap::new(),
            followers: HashSet::new(),
            consents: HashMap::new(),
            delivered: Vec::new(),
            client_msg_ids: HashMap::new(),
            next_msgid: 2_000_000_001,
            send_attempts: 0,
            duplicates_suppressed: 0,
            fail_queue: VecDeque::new(),
            delay: Duration::ZERO,
        }
    }
}

impl State {
    fn msgid(&mut self) -> i64 {
        let id = self.next_msgid;
        self.next_msgid += 1;
        id
    }

    /// Checks `access_token` for an API that belongs to `appid`.
    fn check_token(&self, token: Option<&str>, appid: &str) -> Result<(), Value> {
        let Some(t) = token.and_then(|t| self.tokens.get(t)) else {
            return Err(error(40001));
        };
        if t.is_expired() {
            Err(error(42001))
        } else if t.revoked {
            Err(error(40001))
        } else if t.appid != appid {
            Err(error(48001))
        } else {
            Ok(())
        }
    }
}

type Shared = web::Data<Arc<Mutex<State>>>;

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().expect("fake wechat state")
}

/// The real API's `errmsg` for an `errcode`.
fn errmsg(errcode: i64) -> &'static str {
    match errcode {
        0 => "ok",
        -1 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40002 => "invalid grant_type",
        40003 => "invalid openid",
        40013 => "invalid appid",
        40029 => "invalid code",
        40037 => "invalid template_id",
        40125 => "invalid appsecret",
        40163 => "code been used",
        42001 => "access_token expired",
        43004 => "require subscribe",
        43101 => "user refuse to accept the msg",
        45009 => "reach max api daily quota limit",
        45011 => "api minute-quota reach limit",
        47001 => "data format error",
        48001 => "api unauthorized",
        _ => "injected error",
    }
}

fn error(errcode: i64) -> Value {
    json!({"errcode": errcode, "errmsg": errmsg(errcode)})
}

fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The app a known appid/secret pair names, or the error answer.
fn app(appid: Option<&str>, secret: Option<&str>) -> Result<&'static str, Value> {
    let (known, expected) = match appid {
        Some(APPID) => (APPID, SECRET),
        Some(OA_APPID) => (OA_APPID, OA_SECRET),
        _ => return Err(error(40013)),
    };
    if secret == Some(expected) {
        Ok(known)
    } else {
        Err(error(40125))
    }
}

#[derive(Deserialize)]
struct SessionQuery {
    appid: String,
    secret: String,
    js_code: String,
    grant_type: String,
}

async fn jscode2session(state: Shared, q: web::Query<SessionQuery>) -> HttpResponse {
    let mut s = lock(&state);
    s.calls += 1;
    let body = if q.appid != APPID {
        error(40013)
    } else if q.secret != SECRET {
        error(40125)
    } else if q.grant_type != "authorization_code" {
        error(40002)
    } else if q.js_code == "throttled" {
        error(45011)
    } else if q.js_code == "busy" {
        error(-1)
    } else if s.used.contains(&q.js_code) {
        error(40163)
    } else if let Some((openid, unionid)) = s.codes.remove(&q.js_code) {
        s.used.insert(q.js_code.clone());
        let mut ok = json!({"openid": openid, "session_key": "tiihtNczf5v6AKRyjwEUhQ=="});
        if let Some(u) = unionid {
            ok["unionid"] = json!(u);
        }
        ok
    } else {
        error(40029)
    };
    HttpResponse::Ok().json(body)
}

async fn token(state: Shared, q: web::Query<HashMap<String, String>>) -> HttpResponse {
    let mut s = lock(&state);
    let appid = q.get("appid").map(String::as_str);
    *s.token_requests
        .entry(appid.unwrap_or_default().to_owned())
        .or_default() += 1;
    let app = match app(appid, q.get("secret").map(String::as_str)) {
        Ok(app) => app,
        Err(e) => return HttpResponse::Ok().json(e),
    };
    if q.get("grant_type").map(String::as_str) != Some("client_credential") {
        return HttpResponse::Ok().json(error(40002));
    }
    let token = random_token();
    if let Some(old) = s.current_token.insert(app, token.clone()) {
        if let Some(old) = s.tokens.get_mut(&old) {
            old.revoked = true;
        }
    }
    s.tokens.insert(
        token.clone(),
        Token {
            appid: app,
            issued: Instant::now(),
            revoked: false,
            expired: false,
        },
    );
    HttpResponse::Ok().json(json!({"access_token": token, "expires_in": TOKEN_TTL.as_secs()}))
}

async fn oauth_access_token(state: Shared, q: web::Query<HashMap<String, String>>) -> HttpResponse {
    let mut s = lock(&state);
    let appid = q.get("appid").map(String::as_str);
    let secret = q.get("secret").map(String::as_str);
    let body = if appid != Some(OA_APPID) {
        error(40013)
    } else if secret != Some(OA_SECRET) {
        error(40125)
    } else if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        error(40002)
    } else {
        let code = q.get("code").cloned().unwrap_or_default();
        if s.oauth_used.contains(&code) {
            error(40163)
        } else if let Some((openid, unionid)) = s.oauth_codes.remove(&code) {
            s.oauth_used.insert(code.clone());
            let mut ok = json!({
                "access_token": random_token(),
                "expires_in": TOKEN_TTL.as_secs(),
                "refresh_token": random_token(),
                "openid": openid,
                "scope": "snsapi_base",
            });
            if let Some(u) = unionid {
                ok["unionid"] = json!(u);
            }
            if s.oauth_snapshots.remove(&code) {
                ok["is_snapshotuser"] = json!(1);
            }
            ok
        } else {
            error(40029)
        }
    };
    HttpResponse::Ok().json(body)
}

/// A message-send request's fields, or 47001.
struct SendRequest {
    body: Value,
    touser: String,
    template_id: String,
    data: Value,
    client_msg_id: Option<String>,
    page: Option<String>,
}

fn parse_send(api: Api, raw: &[u8]) -> Result<SendRequest, Value> {
    let body: Value = serde_json::from_slice(raw).map_err(|_| error(47001))?;
    if !body.is_object() {
        return Err(error(47001));
    }
    let string = |v: &Value| -> Result<Option<String>, Value> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(error(47001)),
        }
    };
    let touser = string(&body["touser"])?.unwrap_or_default();
    let template_id = string(&body["template_id"])?.unwrap_or_default();
    let data = match &body["data"] {
        Value::Null => json!({}),
        d @ Value::Object(_) => d.clone(),
        _ => return Err(error(47001)),
    };
    let (client_msg_id, page) = match api {
        Api::Template => (
            string(&body["client_msg_id"])?,
            string(&body["miniprogram"]["pagepath"])?,
        ),
        Api::Subscribe => (None, string(&body["page"])?),
    };
    if touser.is_empty() {
        return Err(error(40003));
    }
    if template_id.is_empty() {
        return Err(error(40037));
    }
    Ok(SendRequest {
        body,
        touser,
        template_id,
        data,
        client_msg_id,
        page,
    })
}

/// Handles one message send under the lock; returns the answer.
fn send(s: &mut State, api: Api, access_token: Option<&str>, raw: &[u8]) -> Value {
    if let Some(errcode) = s.fail_queue.pop_front() {
        if errcode == 40001 {
            for t in s.tokens.values_mut() {
                t.revoked = true;
            }
            s.current_token.clear();
        }
        return error(errcode);
    }
    let appid = match api {
        Api::Template => OA_APPID,
        Api::Subscribe => APPID,
    };
    if let Err(e) = s.check_token(access_token, appid) {
        return e;
    }
    let req = match parse_send(api, raw) {
        Ok(req) => req,
        Err(e) => return e,
    };
    let dedup_key = req
        .client_msg_id
        .as_ref()
        .map(|id| (req.touser.clone(), id.clone()));
    if let Some(key) = &dedup_key {
        if let Some((msgid, at)) = s.client_msg_ids.get(key) {
            if at.elapsed() < DEDUP_WINDOW {
                let msgid = *msgid;
                s.duplicates_suppressed += 1;
                return json!({"errcode": 0, "errmsg": "ok", "msgid": msgid});
            }
        }
    }
    match api {
        Api::Template => {
            if !s.followers.contains(&req.touser) {
                return error(43004);
            }
        }
        Api::Subscribe => {
            let key = (req.touser.clone(), req.template_id.clone());
            match s.consents.get_mut(&key) {
                Some(n) if *n > 0 => *n -= 1,
                _ => return error(43101),
            }
        }
    }
    let msgid = s.msgid();
    if let Some(key) = dedup_key {
        s.client_msg_ids.insert(key, (msgid, Instant::now()));
    }
    s.delivered.push(Sent {
        api,
        touser: req.touser,
        template_id: req.template_id,
        data: req.data,
        client_msg_id: req.client_msg_id,
        page: req.page,
        msgid,
        body: req.body,
    });
    json!({"errcode": 0, "errmsg": "ok", "msgid": msgid})
}

async fn message_send(
    api: Api,
    state: Shared,
    q: web::Query<HashMap<String, String>>,
    raw: web::Bytes,
) -> HttpResponse {
    let (answer, delay) = {
        let mut s = lock(&state);
        s.send_attempts += 1;
        let answer = send(&mut s, api, q.get("access_token").map(String::as_str), &raw);
        (answer, s.delay)
    };
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    HttpResponse::Ok().json(answer)
}

async fn template_send(
    state: Shared,
    q: web::Query<HashMap<String, String>>,
    raw: web::Bytes,
) -> HttpResponse {
    message_send(Api::Template, state, q, raw).await
}

async fn subscribe_send(
    state: Shared,
    q: web::Query<HashMap<String, String>>,
    raw: web::Bytes,
) -> HttpResponse {
    message_send(Api::Subscribe, state, q, raw).await
}

/// A running fake; stops when dropped.
pub struct FakeWechat {
    /// Base URL (ends with `/`), for `HONGYAN_WECHAT_API_BASE`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
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
                .route(
                    "/sns/oauth2/access_token",
                    web::get().to(oauth_access_token),
                )
                .route("/cgi-bin/token", web::get().to(token))
                .route(
                    "/cgi-bin/message/template/send",
                    web::post().to(template_send),
                )
                .route(
                    "/cgi-bin/message/subscribe/send",
                    web::post().to(subscribe_send),
                )
        })
        .workers(2)
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

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// What `wx.login()` would hand the mini-program for this user: a fresh one-time code.
    pub fn issue_code(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        self.state().codes.insert(
            code.clone(),
            (openid.to_owned(), unionid.map(str::to_owned)),
        );
        code
    }

    /// How many `jscode2session` calls arrived.
    pub fn calls(&self) -> usize {
        self.state().calls
    }

    /// What the official account's web OAuth redirect would hand the site for this follower
    /// (`openid` of the official account): a fresh one-time code for `sns/oauth2/access_token`.
    pub fn issue_oauth_code(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = format!("oauth-{}", uuid::Uuid::new_v4().simple());
        self.state().oauth_codes.insert(
            code.clone(),
            (openid.to_owned(), unionid.map(str::to_owned)),
        );
        code
    }

    /// A code as WeChat hands a page opened as a Moments snapshot: it answers with
    /// `is_snapshotuser: 1` and a stand-in openid.
    pub fn issue_snapshot_code(&self) -> String {
        let code = self.issue_oauth_code("snapshot-stand-in", None);
        self.state().oauth_snapshots.insert(code.clone());
        code
    }

    /// The next `times` message sends (template or subscribe), whatever their token and body,
    /// answer `errcode` with the real API's `errmsg`, and deliver nothing. Queued after any
    /// injected failures still pending. Each injected 40001 also invalidates every token
    /// issued until then (using one again answers 40001), so the client must fetch a new one.
    pub fn fail_next(&self, errcode: i64, times: usize) {
        self.state()
            .fail_queue
            .extend(std::iter::repeat_n(errcode, times));
    }

    /// Every access token issued so far expires now: using one answers 42001.
    pub fn expire_tokens(&self) {
        for t in self.state().tokens.values_mut() {
            t.expired = true;
        }
    }

    /// Delays every message-send response by `d` (`Duration::ZERO` to stop). The message is
    /// accepted (or refused) when the request arrives; only the answer is late, so a client
    /// that gives up waiting may still have had its message delivered.
    pub fn set_delay(&self, d: Duration) {
        self.state().delay = d;
    }

    /// `oa_openid` (an openid of the official account) follows it: template messages to it are
    /// accepted.
    pub fn follow(&self, oa_openid: &str) {
        self.state().followers.insert(oa_openid.to_owned());
    }

    /// `oa_openid` stops following the official account: template messages to it answer 43004.
    pub fn unfollow(&self, oa_openid: &str) {
        self.state().followers.remove(oa_openid);
    }

    /// The user `openid` (of the mini-program) accepts `times` more subscribe messages of
    /// `template_id` (as `wx.requestSubscribeMessage` would record; consents add up).
    pub fn grant_subscribe(&self, openid: &str, template_id: &str, times: u32) {
        *self
            .state()
            .consents
            .entry((openid.to_owned(), template_id.to_owned()))
            .or_default() += times;
    }

    /// The messages accepted and delivered, in arrival order (de-duplicated: a template message
    /// re-sent with the same `client_msg_id` appears once).
    pub fn messages(&self) -> Vec<Sent> {
        self.state().delivered.clone()
    }

    /// How many `cgi-bin/token` requests arrived with this `appid` (whatever their answer).
    pub fn token_requests(&self, appid: &str) -> usize {
        self.state()
            .token_requests
            .get(appid)
            .copied()
            .unwrap_or_default()
    }

    /// How many message-send HTTP requests (template or subscribe) arrived, whatever their
    /// answer.
    pub fn send_attempts(&self) -> usize {
        self.state().send_attempts
    }

    /// How many template messages were answered with an earlier `msgid` because their
    /// `client_msg_id` had already been accepted for the same `touser`.
    pub fn duplicates_suppressed(&self) -> usize {
        self.state().duplicates_suppressed
    }

    /// Waits (polling every 20 ms) until at least `n` messages have been delivered and returns
    /// them all; panics, listing what did arrive, if they have not within `timeout`.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<Sent> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "expected {n} WeChat message(s) within {timeout:?}, {} arrived \
                     ({} send attempts, {} duplicates suppressed): {messages:#?}",
                    messages.len(),
                    self.send_attempts(),
                    self.duplicates_suppressed(),
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for FakeWechat {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(w: &FakeWechat, path: &str) -> Value {
        reqwest::get(format!("{}{path}", w.base_url))
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    async fn post(w: &FakeWechat, path: &str, token: &str, body: &Value) -> Value {
        let resp = reqwest::Client::new()
            .post(format!("{}{path}?access_token={token}", w.base_url))
            .json(body)
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    async fn token(w: &FakeWechat, appid: &str, secret: &str) -> String {
        let t = get(
            w,
            &format!("cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"),
        )
        .await;
        assert_eq!(t["expires_in"], 7200, "{t}");
        t["access_token"].as_str().expect("token").to_owned()
    }

    fn template(touser: &str, client_msg_id: Option<&str>) -> Value {
        let mut body = json!({
            "touser": touser,
            "template_id": "T-ready",
            "url": "https://example.com/x",
            "miniprogram": {"appid": APPID, "pagepath": "pages/loan/index?id=1"},
            "data": {"thing1": {"value": "三体"}},
        });
        if let Some(id) = client_msg_id {
            body["client_msg_id"] = json!(id);
        }
        body
    }

    const TEMPLATE: &str = "cgi-bin/message/template/send";
    const SUBSCRIBE: &str = "cgi-bin/message/subscribe/send";

    #[tokio::test]
    async fn tokens() {
        let w = FakeWechat::start().await;
        let bad = |q: &str| format!("cgi-bin/token?{q}");
        let r = get(
            &w,
            &bad("grant_type=client_credential&appid=wxnope&secret=x"),
        )
        .await;
        assert_eq!(r["errcode"], 40013);
        let r = get(
            &w,
            &bad(&format!(
                "grant_type=client_credential&appid={OA_APPID}&secret=x"
            )),
        )
        .await;
        assert_eq!(r["errcode"], 40125);
        assert_eq!(r["errmsg"], "invalid appsecret");
        let r = get(
            &w,
            &bad(&format!(
                "grant_type=nope&appid={OA_APPID}&secret={OA_SECRET}"
            )),
        )
        .await;
        assert_eq!(r["errcode"], 40002);
        assert_eq!(w.token_requests(OA_APPID), 2);

        let first = token(&w, OA_APPID, OA_SECRET).await;
        let second = token(&w, OA_APPID, OA_SECRET).await;
        assert_ne!(first, second);
        assert_eq!(w.token_requests(OA_APPID), 4);
        assert_eq!(w.token_requests(APPID), 0);
        w.follow("oa-1");
        let r = post(&w, TEMPLATE, &first, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 40001, "replaced token: {r}");
        let r = post(&w, TEMPLATE, "nonsense", &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 40001);
        let r = post(&w, TEMPLATE, &second, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 0, "{r}");
        let mp = token(&w, APPID, SECRET).await;
        let r = post(&w, TEMPLATE, &mp, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 48001);
        let r = post(&w, SUBSCRIBE, &second, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 48001);
        w.expire_tokens();
        let r = post(&w, TEMPLATE, &second, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 42001);
        assert_eq!(r["errmsg"], "access_token expired");
        let third = token(&w, OA_APPID, OA_SECRET).await;
        let r = post(&w, TEMPLATE, &third, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 0);
        assert_eq!(w.send_attempts(), 7);
        assert_eq!(w.messages().len(), 2);
    }

    #[tokio::test]
    async fn template_messages_dedup_and_followers() {
        let w = FakeWechat::start().await;
        let t = token(&w, OA_APPID, OA_SECRET).await;
        let r = post(&w, TEMPLATE, &t, &template("oa-1", Some("m1"))).await;
        assert_eq!(r["errcode"], 43004);
        assert_eq!(r["errmsg"], "require subscribe");
        w.follow("oa-1");
        let r1 = post(&w, TEMPLATE, &t, &template("oa-1", Some("m1"))).await;
        assert_eq!(r1["errcode"], 0);
        assert_eq!(r1["errmsg"], "ok");
        let r2 = post(&w, TEMPLATE, &t, &template("oa-1", Some("m1"))).await;
        assert_eq!(r2["msgid"], r1["msgid"]);
        let r3 = post(&w, TEMPLATE, &t, &template("oa-1", Some("m2"))).await;
        assert!(r3["msgid"].as_i64() > r1["msgid"].as_i64());
        assert_eq!(w.duplicates_suppressed(), 1);
        let sent = w.wait_for_messages(2, Duration::from_secs(1)).await;
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].api, Api::Template);
        assert_eq!(sent[0].touser, "oa-1");
        assert_eq!(sent[0].template_id, "T-ready");
        assert_eq!(sent[0].data["thing1"]["value"], "三体");
        assert_eq!(sent[0].client_msg_id.as_deref(), Some("m1"));
        assert_eq!(sent[0].page.as_deref(), Some("pages/loan/index?id=1"));
        assert_eq!(sent[0].body["url"], "https://example.com/x");
        assert_eq!(Some(sent[0].msgid), r1["msgid"].as_i64());
        w.unfollow("oa-1");
        let r = post(&w, TEMPLATE, &t, &template("oa-1", Some("m3"))).await;
        assert_eq!(r["errcode"], 43004);
        let r = reqwest::Client::new()
            .post(format!("{}{TEMPLATE}?access_token={t}", w.base_url))
            .body("not json")
            .send()
            .await
            .expect("post")
            .json::<Value>()
            .await
            .expect("json");
        assert_eq!(r["errcode"], 47001);
    }

    #[tokio::test]
    async fn subscribe_messages_consume_consent() {
        let w = FakeWechat::start().await;
        let t = token(&w, APPID, SECRET).await;
        let body = json!({
            "touser": "mp-1", "template_id": "S1", "page": "pages/index",
            "data": {"thing1": {"value": "x"}}, "miniprogram_state": "developer", "lang": "zh_CN",
        });
        let r = post(&w, SUBSCRIBE, &t, &body).await;
        assert_eq!(r["errcode"], 43101);
        assert_eq!(r["errmsg"], "user refuse to accept the msg");
        w.grant_subscribe("mp-1", "S1", 2);
        assert_eq!(post(&w, SUBSCRIBE, &t, &body).await["errcode"], 0);
        assert_eq!(post(&w, SUBSCRIBE, &t, &body).await["errcode"], 0);
        assert_eq!(post(&w, SUBSCRIBE, &t, &body).await["errcode"], 43101);
        let sent = w.messages();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[1].api, Api::Subscribe);
        assert_eq!(sent[1].page.as_deref(), Some("pages/index"));
        assert!(sent[1].msgid > sent[0].msgid);
    }

    #[tokio::test]
    async fn injected_faults_and_delay() {
        let w = FakeWechat::start().await;
        let t = token(&w, OA_APPID, OA_SECRET).await;
        w.follow("oa-1");
        w.fail_next(-1, 1);
        w.fail_next(45009, 1);
        w.fail_next(40001, 1);
        let r = post(&w, TEMPLATE, &t, &template("oa-1", None)).await;
        assert_eq!(
            (r["errcode"].clone(), r["errmsg"].clone()),
            (json!(-1), json!("system error"))
        );
        let r = post(&w, TEMPLATE, &t, &template("oa-1", None)).await;
        assert_eq!(r["errmsg"], "reach max api daily quota limit");
        let r = post(&w, TEMPLATE, &t, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 40001);
        let r = post(&w, TEMPLATE, &t, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 40001, "the token was invalidated");
        let t = token(&w, OA_APPID, OA_SECRET).await;
        w.set_delay(Duration::from_millis(300));
        let started = Instant::now();
        let r = post(&w, TEMPLATE, &t, &template("oa-1", None)).await;
        assert_eq!(r["errcode"], 0);
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(w.send_attempts(), 5);
        assert_eq!(w.messages().len(), 1);
    }

    #[tokio::test]
    async fn oauth_codes() {
        let w = FakeWechat::start().await;
        let code = w.issue_oauth_code("oa-7", Some("union-7"));
        let q = |code: &str, appid: &str, secret: &str| {
            format!(
                "sns/oauth2/access_token?appid={appid}&secret={secret}&code={code}\
                 &grant_type=authorization_code"
            )
        };
        assert_eq!(get(&w, &q(&code, APPID, SECRET)).await["errcode"], 40013);
        assert_eq!(get(&w, &q(&code, OA_APPID, SECRET)).await["errcode"], 40125);
        let ok = get(&w, &q(&code, OA_APPID, OA_SECRET)).await;
        assert_eq!(ok["openid"], "oa-7");
        assert_eq!(ok["unionid"], "union-7");
        assert_eq!(ok["scope"], "snsapi_base");
        assert!(ok["access_token"].is_string() && ok["refresh_token"].is_string());
        assert_eq!(
            get(&w, &q(&code, OA_APPID, OA_SECRET)).await["errcode"],
            40163
        );
        assert_eq!(
            get(&w, &q("nope", OA_APPID, OA_SECRET)).await["errcode"],
            40029
        );
        let code = w.issue_oauth_code("oa-8", None);
        let ok = get(&w, &q(&code, OA_APPID, OA_SECRET)).await;
        assert!(ok.get("unionid").is_none());
    }

    #[tokio::test]
    #[should_panic(expected = "expected 1 WeChat message(s)")]
    async fn wait_for_messages_panics_on_timeout() {
        let w = FakeWechat::start().await;
        w.wait_for_messages(1, Duration::from_millis(50)).await;
    }
}
