//! Notifications through GraphQL, a fake WeChat API (documented errcodes, token expiry,
//! client_msg_id de-duplication) and a real SMTP server: each event reaches the right
//! channel with the right fields; tokens refresh once; passing failures back off; a reader
//! WeChat cannot reach gets email; dead messages are listed and retried by admins.

use std::time::Duration;

use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::{item, loan};
use hongyan_domain::notify::Kind;
use hongyan_tests::fake_courier::{self, FakeCourier};
use hongyan_tests::fake_wechat::{Api, Sent, OA_APPID, OA_SECRET};
use hongyan_tests::smtp_sink::SmtpSink;
use hongyan_tests::wait::eventually;
use hongyan_tests::TestOptions;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::library::{locker, to_branch, webhook, Library, CHECK_IN, CHECK_OUT, RENEW};

const WAIT: Duration = Duration::from_secs(20);
const LINK: &str = "mutation($c: String!) { linkWechatOfficialAccount(code: $c) }";
const SETTINGS: &str = "mutation($i: NotificationSettingsInput!) { updateNotificationSettings(input: $i) { channels mutedKinds } }";
const MINE: &str = "{ myNotifications { kind channel status attempts lastErrcode lastError providerMessageId attemptLog { route outcome errcode } } }";
const OF_READER: &str =
    "query($r: ID!) { readerNotifications(readerId: $r) { kind channel status } }";
const DEAD: &str = "{ deadNotifications { id kind status lastErrcode lastError } }";
const RETRY: &str = "mutation($id: ID!) { retryNotification(id: $id) { id status } }";

/// The official account's template id for `kind` in these tests.
fn template(kind: Kind) -> String {
    format!("TPL-{}", kind.as_str())
}

/// A library whose official account has a template for every kind, with email through
/// `smtp`, and leases short enough for a killed sender to be retried quickly.
async fn library(smtp: &SmtpSink, extra: &[(&'static str, String)]) -> Library {
    Library::open(library_options(smtp, extra)).await
}

fn library_options(smtp: &SmtpSink, extra: &[(&'static str, String)]) -> TestOptions {
    let ids: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}={}", k.as_str(), template(*k)))
        .collect();
    let mut env = vec![
        ("HONGYAN_WECHAT_OA_APPID", OA_APPID.to_owned()),
        ("HONGYAN_WECHAT_OA_SECRET", OA_SECRET.to_owned()),
        ("HONGYAN_WECHAT_TEMPLATE_IDS", ids.join(",")),
        ("HONGYAN_SMTP_URL", smtp.url.clone()),
        (
            "HONGYAN_SMTP_FROM",
            "鸿雁图书馆 <noreply@library.test>".to_owned(),
        ),
        ("HONGYAN_LIBRARY_NAME", "张家港市图书馆".to_owned()),
        ("HONGYAN_NOTIFY_LEASE_SECS", "2".to_owned()),
    ];
    env.extend(extra.iter().cloned());
    TestOptions {
        env,
        ..TestOptions::default()
    }
}

/// A reader linked to the official account (and following it) as `openid`.
async fn follower(lib: &Library, card: &str, openid: &str) -> String {
    let token = lib.reader(card).await;
    let code = lib.app.wechat.issue_oauth_code(openid, None);
    let r = lib.app.gql_as(Some(&token), LINK, json!({"c": code})).await;
    assert_eq!(r.data()["linkWechatOfficialAccount"], true, "{:?}", r.0);
    lib.app.wechat.follow(openid);
    token
}

/// The template ids of `sent`, sorted: messages sent close together may arrive in any
/// order (they go out concurrently).
fn kinds(sent: &[Sent]) -> Vec<String> {
    let mut ids: Vec<String> = sent.iter().map(|m| m.template_id.clone()).collect();
    ids.sort();
    ids
}

/// The sorted template ids of `kinds`.
fn expected<const N: usize>(kinds: [Kind; N]) -> Vec<String> {
    let mut ids = kinds.map(template).to_vec();
    ids.sort();
    ids
}

/// The one message of `kind` in `sent`.
fn one(sent: &[Sent], kind: Kind) -> &Sent {
    let mut of = sent.iter().filter(|m| m.template_id == template(kind));
    match (of.next(), of.next()) {
        (Some(m), None) => m,
        _ => panic!("not exactly one {kind:?} in {sent:#?}"),
    }
}

fn field(m: &Sent, key: &str) -> String {
    m.data[key]["value"].as_str().unwrap_or_default().to_owned()
}

async fn mine(lib: &Library, token: &str) -> Vec<Value> {
    let r = lib.app.gql_as(Some(token), MINE, json!({})).await;
    r.data()["myNotifications"]
        .as_array()
        .expect("list")
        .clone()
}

/// Waits until `at_least` of the reader's notifications of `kind` are in `status`.
async fn settled(
    lib: &Library,
    token: &str,
    kind: &str,
    status: &str,
    at_least: usize,
) -> Vec<Value> {
    let what = format!("{at_least} {kind} notification(s) to become {status}");
    eventually(WAIT, &what, || async {
        let all = mine(lib, token).await;
        let reached = all
            .iter()
            .filter(|n| n["kind"] == kind && n["status"] == status)
            .count();
        (reached >= at_least).then_some(all)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_loan_tells_its_reader_each_step_on_wechat_with_the_right_fields() {
    let smtp = SmtpSink::start().await;
    let lib = library(&smtp, &[("HONGYAN_MAX_RENEWALS", "2".into())]).await;
    let app = &lib.app;
    let book = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let me = follower(&lib, "20250001", "oa-openid-li").await;
    let other = lib.reader("20250002").await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let desk_a = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let desk_c = lib.staff("desk-c", StaffRole::Librarian, &["C"]).await;

    // Requested for A's hold shelf: accepted; picked at A it is ready there at once.
    let req = lib.request(&me, &book, to_branch(&lib, "A")).await;
    assert_eq!(req["status"], "ROUTED");
    lib.pick_first(&picker, "A").await;
    let ready = lib.status(&me, &req).await;
    assert_eq!(ready["status"], "READY_FOR_PICKUP", "{ready}");
    let loan = app
        .gql_as(
            Some(&desk_a),
            CHECK_OUT,
            json!({"b": "A0001", "c": "20250001"}),
        )
        .await;
    let loan = loan.data()["checkOut"].clone();
    let renewed = app
        .gql_as(Some(&me), RENEW, json!({"id": loan["id"]}))
        .await;
    let renewed = renewed.data()["renewLoan"].clone();
    // Returned at another branch (通借通还).
    let r = app
        .gql_as(
            Some(&desk_c),
            CHECK_IN,
            json!({"b": "A0001", "br": lib.id("C")}),
        )
        .await;
    assert!(r.0["errors"].is_null(), "{:?}", r.0);

    let sent = app.wechat.wait_for_messages(4, WAIT).await;
    assert_eq!(
        kinds(&sent),
        expected([
            Kind::RequestAccepted,
            Kind::ReadyAtBranch,
            Kind::Renewed,
            Kind::ReturnReceived
        ]),
        "{sent:#?}"
    );
    assert!(sent
        .iter()
        .all(|m| m.api == Api::Template && m.touser == "oa-openid-li"));
    assert!(
        sent.iter().all(|m| m.client_msg_id.is_some()),
        "de-duplicable"
    );
    let accepted = one(&sent, Kind::RequestAccepted);
    let at_branch = one(&sent, Kind::ReadyAtBranch);
    let renewal = one(&sent, Kind::Renewed);
    let returned = one(&sent, Kind::ReturnReceived);
    assert_eq!(field(accepted, "thing1"), "围城");
    assert_eq!(field(accepted, "thing3"), "到馆取书");
    assert_eq!(field(at_branch, "thing2"), "A 分馆");
    assert_eq!(
        field(at_branch, "time3"),
        cst(ready["pickupDeadline"].as_str().expect("deadline")),
        "the deadline in China Standard Time"
    );
    assert_eq!(
        field(renewal, "time3"),
        cst(renewed["dueAt"].as_str().expect("due"))
    );
    assert_eq!(field(renewal, "number4"), "1", "one renewal left of two");
    assert_eq!(field(returned, "thing2"), "C 分馆");

    // The reader's history: each SENT once with WeChat's msgid and one attempt.
    let history = settled(&lib, &me, "return_received", "SENT", 1).await;
    assert_eq!(history.len(), 4, "{history:#?}");
    for n in &history {
        assert_eq!(n["status"], "SENT");
        assert_eq!(n["channel"], "WECHAT");
        assert!(n["providerMessageId"].is_string());
        assert_eq!(n["attemptLog"][0]["route"], "wechat.template");
    }
    // Staff see it at the desk; a reader cannot see another reader's.
    let me_id = app
        .gql_as(Some(&me), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .clone();
    let r = app
        .gql_as(Some(&desk_c), OF_READER, json!({"r": me_id}))
        .await;
    assert_eq!(
        r.data()["readerNotifications"].as_array().map(Vec::len),
        Some(4)
    );
    let r = app
        .gql_as(Some(&other), OF_READER, json!({"r": me_id}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert!(
        smtp.messages().is_empty(),
        "WeChat reached the reader: no email"
    );
}

/// An RFC 3339 UTC time as the templates show it (China Standard Time, minutes).
fn cst(at: &str) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(at).expect("time");
    let zone = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_errors_refresh_the_token_back_off_fall_back_to_email_and_dead_ones_are_retried() {
    let smtp = SmtpSink::start().await;
    let lib = library(&smtp, &[]).await;
    let app = &lib.app;
    let book = lib.title("边城", &[("A", "A0001", "I246.5/9")]).await;
    let second = lib.title("呐喊", &[("A", "A0002", "I210.4/1")]).await;
    let me = follower(&lib, "20250001", "oa-openid-wang").await;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;

    // A stale token (42001) is replaced once and the send retried at once.
    lib.request(&me, &book, to_branch(&lib, "A")).await;
    app.wechat.wait_for_messages(1, WAIT).await;
    assert_eq!(app.wechat.token_requests(OA_APPID), 1);
    app.wechat.expire_tokens();
    // Busy (-1) twice: backed off and retried, each attempt recorded.
    app.wechat.fail_next(-1, 2);
    lib.request(&me, &second, to_branch(&lib, "A")).await;
    let sent = app.wechat.wait_for_messages(2, WAIT).await;
    assert_eq!(sent.len(), 2);
    let history = settled(&lib, &me, "request_accepted", "SENT", 2).await;
    let log = &history[0]["attemptLog"];
    let outcomes: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .map(|a| a["outcome"].as_str().unwrap_or_default())
        .collect();
    assert!(
        outcomes.ends_with(&["SENT"]) && outcomes.iter().filter(|o| **o == "RETRY").count() >= 1,
        "{log}"
    );
    assert_eq!(app.wechat.token_requests(OA_APPID), 2, "one refresh");

    // Not following any more (43004): the email address is used instead.
    let r = app
        .gql_as(
            Some(&me),
            SETTINGS,
            json!({"i": {"email": "wang@example.cn"}}),
        )
        .await;
    assert_eq!(
        r.data()["updateNotificationSettings"]["channels"],
        json!(["WECHAT", "EMAIL"])
    );
    app.wechat.unfollow("oa-openid-wang");
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    lib.pick_first(&picker, "A").await; // first request: ready at A's hold shelf
    let mail = smtp.wait_for_messages(1, WAIT).await;
    assert_eq!(mail[0].to, ["wang@example.cn"]);
    assert!(
        mail[0].subject.contains("图书已到馆"),
        "{}",
        mail[0].subject
    );
    assert!(
        mail[0].text.contains("呐喊") && mail[0].text.contains("A 分馆"),
        "{}",
        mail[0].text
    );
    assert!(
        mail[0].html.contains("<p>") && mail[0].html.contains("呐喊"),
        "{}",
        mail[0].html
    );
    let history = settled(&lib, &me, "ready_at_branch", "SENT", 1).await;
    let ready: Vec<&Value> = history
        .iter()
        .filter(|n| n["kind"] == "ready_at_branch")
        .collect();
    assert_eq!(ready.len(), 2, "{ready:#?}");
    assert!(ready.iter().any(|n| n["channel"] == "WECHAT"
        && n["status"] == "UNDELIVERABLE"
        && n["lastErrcode"] == 43004));
    assert!(ready
        .iter()
        .any(|n| n["channel"] == "EMAIL" && n["status"] == "SENT"));

    // A permanent error (40037: bad template id) is dead at once; admins see it and retry it.
    app.wechat.follow("oa-openid-wang");
    app.wechat.fail_next(40037, 1);
    lib.pick_first(&picker, "A").await; // the second request
    let dead = eventually(WAIT, "a dead notification listed for admins", || async {
        let r = app.gql_as(Some(&admin), DEAD, json!({})).await;
        let list = r.data()["deadNotifications"]
            .as_array()
            .expect("list")
            .clone();
        (!list.is_empty()).then_some(list)
    })
    .await;
    assert_eq!(dead[0]["lastErrcode"], 40037);
    assert!(dead[0]["lastError"]
        .as_str()
        .unwrap_or_default()
        .contains("40037"));
    assert_eq!(
        app.gql_as(Some(&me), DEAD, json!({})).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(Some(&me), RETRY, json!({"id": dead[0]["id"]}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let r = app
        .gql_as(Some(&admin), RETRY, json!({"id": dead[0]["id"]}))
        .await;
    assert_eq!(r.data()["retryNotification"]["status"], "PENDING");
    let sent = app.wechat.wait_for_messages(3, WAIT).await;
    assert_eq!(sent[2].template_id, template(Kind::ReadyAtBranch));
    let r = app
        .gql_as(Some(&admin), RETRY, json!({"id": dead[0]["id"]}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND", "no longer dead");

    // Operators see the sends by route, outcome and errcode.
    let metrics = app.get_text("/metrics").await;
    for needle in [
        "hongyan_notification_sends_total{route=\"wechat.template\",outcome=\"RETRY\",errcode=\"-1\"} 2",
        "hongyan_notification_sends_total{route=\"wechat.template\",outcome=\"FAILED\",errcode=\"43004\"} 1",
        "hongyan_notification_sends_total{route=\"wechat.template\",outcome=\"FAILED\",errcode=\"40037\"} 1",
        "hongyan_notification_sends_total{route=\"smtp\",outcome=\"SENT\",errcode=\"\"} 1",
    ] {
        assert!(metrics.contains(needle), "{needle} missing from:\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_choose_channels_and_mute_kinds_and_bad_settings_change_nothing() {
    let smtp = SmtpSink::start().await;
    let lib = library(&smtp, &[]).await;
    let app = &lib.app;
    let book = lib.title("呐喊", &[("A", "A0001", "I210.4/1")]).await;
    let me = follower(&lib, "20250001", "oa-openid-zhao").await;

    for (bad, why) in [
        (json!({"channels": ["EMAIL", "EMAIL"]}), "twice"),
        (json!({"mutedKinds": ["no_such_kind"]}), "unknown"),
        (json!({"mutedKinds": ["ready_at_locker"]}), "essential"),
        (
            json!({"email": "not an address", "mutedKinds": ["due_soon"]}),
            "bad email",
        ),
    ] {
        let r = app.gql_as(Some(&me), SETTINGS, json!({"i": bad})).await;
        assert_eq!(r.code(), "VALIDATION", "{why}: {:?}", r.0);
    }
    let settings = "{ me { email notificationSettings { channels mutedKinds kinds } } }";
    let r = app.gql_as(Some(&me), settings, json!({})).await;
    assert_eq!(r.data()["me"]["email"], Value::Null, "nothing changed");
    assert_eq!(
        r.data()["me"]["notificationSettings"]["mutedKinds"],
        json!([])
    );
    assert_eq!(
        r.data()["me"]["notificationSettings"]["kinds"]
            .as_array()
            .map(Vec::len),
        Some(Kind::ALL.len())
    );

    // Email only, accepted requests muted: a waitlisted one is told by email.
    let r = app
        .gql_as(
            Some(&me),
            SETTINGS,
            json!({"i": {"channels": ["EMAIL"], "mutedKinds": ["request_accepted"], "email": "zhao@example.cn"}}),
        )
        .await;
    assert_eq!(
        r.data()["updateNotificationSettings"],
        json!({"channels": ["EMAIL"], "mutedKinds": ["request_accepted"]})
    );
    let other = lib.reader("20250002").await;
    lib.request(&other, &book, to_branch(&lib, "A")).await;
    let req = lib.request(&me, &book, to_branch(&lib, "A")).await;
    assert_eq!(req["status"], "WAITLISTED");
    let mail = smtp.wait_for_messages(1, WAIT).await;
    assert!(mail[0].text.contains("第 1 位"), "{}", mail[0].text);
    assert!(mail[0].subject.contains("排队"), "{}", mail[0].subject);
    let history = settled(&lib, &me, "request_waitlisted", "SENT", 1).await;
    assert_eq!(history.len(), 1, "accepted was muted: {history:#?}");
    assert!(app
        .wechat
        .messages()
        .iter()
        .all(|m| m.touser != "oa-openid-zhao"));
}

/// `n` renewal notices for the reader `card`, enqueued in one transaction as a burst of
/// events would be (the events themselves are exercised above).
async fn burst(lib: &Library, card: &str, n: usize) {
    use hongyan_domain::entity::reader;
    use hongyan_domain::notify::{enqueue, Notice};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
    let ctx = &lib.app.ctx;
    let who = reader::Entity::find()
        .filter(reader::Column::CardNumber.eq(card))
        .one(&ctx.db)
        .await
        .expect("query")
        .expect("reader");
    let txn = ctx.db.begin().await.expect("begin");
    for i in 0..n {
        let notice = Notice {
            reader: who.id,
            kind: Kind::Renewed,
            event: format!("burst:{i}"),
            data: json!({"book_title": format!("第{i}册"), "loan_id": format!("loan-{i}"),
                "due_at": "2026-12-26T02:00:00Z", "renewals_left": 1, "at": "2026-11-26T02:00:00Z"}),
        };
        enqueue(&txn, notice, chrono::Utc::now())
            .await
            .expect("enqueue");
    }
    txn.commit().await.expect("commit");
    ctx.wake_workers();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_sends_on_a_stale_token_refresh_it_once() {
    let smtp = SmtpSink::start().await;
    let lib = library(&smtp, &[("HONGYAN_NOTIFY_CONCURRENCY", "50".into())]).await;
    let app = &lib.app;
    follower(&lib, "20250001", "oa-openid-qian").await;
    burst(&lib, "20250001", 1).await;
    app.wechat.wait_for_messages(1, WAIT).await;
    assert_eq!(app.wechat.token_requests(OA_APPID), 1);

    app.wechat.expire_tokens();
    app.wechat.set_delay(Duration::from_millis(100));
    burst(&lib, "20250001", 51).await; // event 0 again (a no-op) and 50 new ones
    let sent = app.wechat.wait_for_messages(51, WAIT).await;
    assert_eq!(sent.len(), 51);
    assert_eq!(
        app.wechat.token_requests(OA_APPID),
        2,
        "one refresh for fifty senders"
    );
}

/// A `hongyan worker` process for `lib`'s database, Redis and fake WeChat.
fn worker_process(lib: &Library, extra: &[(&str, &str)]) -> std::process::Child {
    std::process::Command::new(hongyan_tests::hongyan_bin())
        .arg("worker")
        .env_clear()
        .envs(&lib.app.env)
        .envs(extra.iter().copied())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start hongyan worker")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_then_restarted_delivers_every_message_exactly_once() {
    let smtp = SmtpSink::start().await;
    let lib = Library::open(TestOptions {
        worker: false,
        ..library_options(&smtp, &[])
    })
    .await;
    let app = &lib.app;
    follower(&lib, "20250001", "oa-openid-sun").await;
    burst(&lib, "20250001", 200).await;
    // Slow answers: at any moment dozens of messages are accepted by WeChat but not yet
    // recorded as sent.
    app.wechat.set_delay(Duration::from_millis(300));
    let mut worker = worker_process(&lib, &[("HONGYAN_NOTIFY_CONCURRENCY", "32")]);
    app.wechat.wait_for_messages(40, WAIT).await;
    worker.kill().expect("SIGKILL");
    worker.wait().expect("reaped");
    let at_kill = app.wechat.messages().len();
    assert!(at_kill < 200, "killed mid-batch ({at_kill} delivered)");

    // The restarted worker sends the rest, and again (once their leases expire) those the
    // killed one had sent but not recorded.
    let mut worker = worker_process(&lib, &[("HONGYAN_NOTIFY_CONCURRENCY", "32")]);
    eventually(
        Duration::from_secs(60),
        "all 200 notifications sent, none pending",
        || async { (statuses(&lib).await == (0, 200)).then_some(()) },
    )
    .await;
    worker.kill().expect("stop");
    worker.wait().expect("reaped");
    let sent = app.wechat.messages();
    let mut ids: Vec<_> = sent
        .iter()
        .filter_map(|m| m.client_msg_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (sent.len(), ids.len()),
        (200, 200),
        "each message shown once"
    );
    assert!(
        app.wechat.duplicates_suppressed() > 0,
        "the restarted worker re-sent messages the killed one had sent but not recorded"
    );
    assert_eq!(
        app.wechat.token_requests(OA_APPID),
        1,
        "the restarted worker used the token the first one left in Redis"
    );
}

/// How many notifications are PENDING and SENT.
async fn statuses(lib: &Library) -> (u64, u64) {
    use hongyan_domain::entity::notification;
    use hongyan_domain::notify::NotificationStatus;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let count = |s: NotificationStatus| {
        notification::Entity::find()
            .filter(notification::Column::Status.eq(s))
            .count(&lib.app.ctx.db)
    };
    (
        count(NotificationStatus::Pending).await.expect("count"),
        count(NotificationStatus::Sent).await.expect("count"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_messages_are_still_delivered() {
    let redis = hongyan_tests::redis_server::RedisServer::start();
    let smtp = SmtpSink::start().await;
    let lib = Library::open(TestOptions {
        redis_url: Some(redis.url.clone()),
        ..library_options(&smtp, &[])
    })
    .await;
    let app = &lib.app;
    follower(&lib, "20250001", "oa-openid-zhou").await;
    burst(&lib, "20250001", 1).await;
    app.wechat.wait_for_messages(1, WAIT).await;
    redis.stop();
    burst(&lib, "20250001", 12).await; // event 0 again (a no-op) and 11 new ones
    let sent = app.wechat.wait_for_messages(12, WAIT).await;
    assert_eq!(
        sent.len(),
        12,
        "delivered on polling, the token kept in the process"
    );
}

const RESEND: &str = "mutation($r: ID!) { resendPickupCode(requestId: $r) { pickupCode } }";
const STATUS: &str = "query($id: ID!) { request(id: $id) { status pickupCode pickupDeadline } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locker_parcel_is_told_with_locker_door_code_and_deadline_reminded_and_expired() {
    let smtp = SmtpSink::start().await;
    let lib = library(
        &smtp,
        &[
            ("HONGYAN_SWEEP_INTERVAL_SECS", "1".into()),
            ("HONGYAN_HOLD_HOURS", "12".into()),
        ],
    )
    .await;
    let app = &lib.app;
    let book = lib.title("活着", &[("A", "A0500", "I247.57/5")]).await;
    let (l1, door) = locker(&lib, "L-01", "S=1", (31.8810, 120.5510)).await;
    let me = follower(&lib, "50000001", "oa-openid-wu").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let driver = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;

    let req = lib
        .request(&me, &book, json!({"method": "LOCKER", "lockerId": l1}))
        .await;
    let barcode = lib.parcel_on_its_way(&picker, &driver).await.barcode;
    // Assigned and on its way: nothing said yet beyond "accepted".
    assert_eq!(app.wechat.wait_for_messages(1, WAIT).await.len(), 1);
    let (code, body) = door.event("ev-1", "deposited", "001", &barcode).await;
    assert_eq!(code, 200, "{body}");
    let ready = app
        .gql_as(Some(&me), STATUS, json!({"id": req["id"]}))
        .await;
    let ready = ready.data()["request"].clone();
    let deadline = cst(ready["pickupDeadline"].as_str().expect("deadline"));

    // Ready: locker, door, the code the reader sees, the deadline; and, the deadline
    // being within 24 hours, the reminder from the next sweep.
    let sent = app.wechat.wait_for_messages(3, WAIT).await;
    assert_eq!(
        kinds(&sent),
        expected([
            Kind::RequestAccepted,
            Kind::ReadyAtLocker,
            Kind::PickupDeadlineSoon
        ])
    );
    let told = one(&sent, Kind::ReadyAtLocker);
    let soon = one(&sent, Kind::PickupDeadlineSoon);
    assert_eq!(field(told, "thing2"), "L-01 书柜");
    assert_eq!(field(told, "thing5"), "001号柜门");
    assert_eq!(
        field(told, "character_string3"),
        ready["pickupCode"].as_str().expect("code")
    );
    assert_eq!(field(told, "time4"), deadline);
    assert_eq!(field(soon, "thing2"), "L-01 书柜");
    assert_eq!(field(soon, "time3"), deadline);

    // A new code is sent to the reader; the old one is not repeated.
    let renewed = app.gql_as(Some(&me), RESEND, json!({"r": req["id"]})).await;
    let new_code = renewed.data()["resendPickupCode"]["pickupCode"].clone();
    assert_ne!(new_code, ready["pickupCode"]);
    let sent = app.wechat.wait_for_messages(4, WAIT).await;
    assert_eq!(sent[3].template_id, template(Kind::ReadyAtLocker));
    assert_eq!(json!(field(&sent[3], "character_string3")), new_code);

    // Not collected in time: expired, and told.
    // The pickup deadline passes: the clock moves on rather than waiting 72 hours.
    let hold = i64::from(app.ctx.config.lending.hold_hours);
    app.ctx
        .clock
        .advance(chrono::Duration::hours(hold) + chrono::Duration::minutes(1))
        .expect("the test clock moves");
    let sent = app.wechat.wait_for_messages(5, WAIT).await;
    assert_eq!(sent[4].template_id, template(Kind::RequestExpired));
    assert_eq!(field(&sent[4], "thing1"), "活着");
    assert_eq!(sent.len(), 5, "each told once: {sent:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_delivery_is_told_with_courier_and_waybill_then_delivered_or_failed() {
    let smtp = SmtpSink::start().await;
    let courier = FakeCourier::start().await;
    let lib = library(
        &smtp,
        &[
            ("HONGYAN_COURIER_API_BASE", courier.base_url.clone()),
            ("HONGYAN_COURIER_SECRET", fake_courier::SECRET.into()),
        ],
    )
    .await;
    let app = &lib.app;
    let book = lib.title("骆驼祥子", &[("A", "A1100", "I246.5/2")]).await;
    let other = lib.title("茶馆", &[("A", "A1200", "I234/1")]).await;
    let me = follower(&lib, "50000061", "oa-openid-zheng").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let address = app
        .gql_as(
            Some(&me),
            "mutation { addAddress(input: {label: \"家\", recipient: \"张小雨\", phone: \"13800138000\", address: \"张家港市杨舍镇人民路 1 号\", latitude: 31.87, longitude: 120.55}) { id } }",
            json!({}),
        )
        .await;
    let address = address.data()["addAddress"]["id"].clone();
    lib.request(&me, &book, json!({"method": "HOME", "addressId": address}))
        .await;
    lib.pick_first(&picker, "A").await;
    let sent = app.wechat.wait_for_messages(2, WAIT).await;
    let shipped = one(&sent, Kind::Shipped);
    let waybill = field(shipped, "character_string3");
    assert!(waybill.starts_with("SF"), "{waybill}");
    assert!(!field(shipped, "thing2").is_empty(), "the courier's name");

    let now = chrono::Utc::now().timestamp();
    let delivered = json!({"eventId": "t-1", "waybillNo": waybill, "status": "DELIVERED"});
    let (body, headers) = FakeCourier::webhook(fake_courier::SECRET, now, &delivered);
    assert_eq!(webhook(&lib, body, headers).await.0, 200);
    let sent = app.wechat.wait_for_messages(3, WAIT).await;
    assert_eq!(sent[2].template_id, template(Kind::Delivered));
    let loans = app
        .gql_as(
            Some(&me),
            "{ myLoans { edges { node { dueAt } } } }",
            json!({}),
        )
        .await;
    let due = loans.data()["myLoans"]["edges"][0]["node"]["dueAt"].clone();
    assert_eq!(field(&sent[2], "time3"), cst(due.as_str().expect("due")));

    // A parcel the courier could not deliver: the reader is told why (and later, when the
    // branch has it back, that it waits on the hold shelf).
    lib.request(&me, &other, json!({"method": "HOME", "addressId": address}))
        .await;
    lib.pick_first(&picker, "A").await;
    let sent = app.wechat.wait_for_messages(5, WAIT).await;
    let mut shipped = sent
        .iter()
        .filter(|m| m.template_id == template(Kind::Shipped));
    let waybill = field(shipped.next_back().expect("shipped"), "character_string3");
    let failed =
        json!({"eventId": "t-2", "waybillNo": waybill, "status": "FAILED", "reason": "收件人拒收"});
    let (body, headers) = FakeCourier::webhook(fake_courier::SECRET, now, &failed);
    assert_eq!(webhook(&lib, body, headers).await.0, 200);
    let sent = app.wechat.wait_for_messages(6, WAIT).await;
    assert_eq!(sent[5].template_id, template(Kind::DeliveryFailed));
    assert_eq!(field(&sent[5], "thing1"), "茶馆");
    assert_eq!(field(&sent[5], "thing3"), "收件人拒收");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loans_due_in_three_days_and_overdue_ones_are_reminded_once() {
    let smtp = SmtpSink::start().await;
    let lib = library(
        &smtp,
        &[
            ("HONGYAN_SWEEP_INTERVAL_SECS", "1".into()),
            ("HONGYAN_LOAN_DAYS", "2".into()),
        ],
    )
    .await;
    let app = &lib.app;
    lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    lib.title("边城", &[("A", "A0002", "I246.5/9")]).await;
    follower(&lib, "20250001", "oa-openid-feng").await;
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    for barcode in ["A0001", "A0002"] {
        let r = app
            .gql_as(
                Some(&desk),
                CHECK_OUT,
                json!({"b": barcode, "c": "20250001"}),
            )
            .await;
        assert_eq!(r.data()["checkOut"]["status"], "ACTIVE");
    }
    // Due in two days: each reminded once, however many sweeps run.
    let sent = app.wechat.wait_for_messages(2, WAIT).await;
    assert!(
        sent.iter()
            .all(|m| m.template_id == template(Kind::DueSoon)),
        "{sent:#?}"
    );
    // One is now past due: told it is overdue, once.
    // (Its due date is moved back; the other stays due in two days.)
    let copy = item::Entity::find()
        .filter(item::Column::Barcode.eq("A0001"))
        .one(&app.ctx.db)
        .await
        .expect("copy")
        .expect("A0001");
    loan::Entity::update_many()
        .col_expr(
            loan::Column::DueAt,
            Expr::value(app.ctx.now() - chrono::Duration::days(1)),
        )
        .filter(loan::Column::ItemId.eq(copy.id))
        .exec(&app.ctx.db)
        .await
        .expect("overdue");
    let sent = app.wechat.wait_for_messages(3, WAIT).await;
    assert_eq!(sent[2].template_id, template(Kind::Overdue));
    assert_eq!(field(&sent[2], "thing1"), "围城");
    tokio::time::sleep(Duration::from_millis(2500)).await; // two more sweeps
    assert_eq!(app.wechat.messages().len(), 3, "nothing told twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mini_program_users_get_subscribe_messages_while_their_consent_lasts_then_email() {
    let smtp = SmtpSink::start().await;
    let subscribe: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}=SUB-{}", k.as_str(), k.as_str()))
        .collect();
    let lib = library(
        &smtp,
        &[("HONGYAN_WECHAT_SUBSCRIBE_IDS", subscribe.join(","))],
    )
    .await;
    let app = &lib.app;
    let first = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let second = lib.title("边城", &[("A", "A0002", "I246.5/9")]).await;
    // Logged in from the mini-program only (no official account link), with the card
    // bound that borrowing needs.
    hongyan_domain::people::add_reader(&app.ctx.db, "40000099", "246810", "陈", app.ctx.now())
        .await
        .expect("card");
    let mini_program_login = || async {
        let code = app.wechat.issue_code("mp-openid-chen", None);
        let login = app
            .gql(
                "mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }",
                json!({"c": code}),
            )
            .await;
        login.data()["loginWithWechat"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned()
    };
    let card_less = mini_program_login().await;
    app.gql_as(
        Some(&card_less),
        "mutation { bindCard(cardNumber: \"40000099\", pin: \"246810\") { id } }",
        json!({}),
    )
    .await
    .data();
    let me = mini_program_login().await;
    app.gql_as(
        Some(&me),
        SETTINGS,
        json!({"i": {"email": "chen@example.cn"}}),
    )
    .await;
    // The reader granted one "request accepted" message in the mini-program.
    app.wechat
        .grant_subscribe("mp-openid-chen", "SUB-request_accepted", 1);

    let req = lib.request(&me, &first, to_branch(&lib, "A")).await;
    let sent = app.wechat.wait_for_messages(1, WAIT).await;
    assert_eq!(sent[0].api, Api::Subscribe);
    assert_eq!(sent[0].touser, "mp-openid-chen");
    assert_eq!(sent[0].template_id, "SUB-request_accepted");
    assert_eq!(
        sent[0].page.as_deref(),
        Some(
            format!(
                "pages/requests/detail?id={}",
                req["id"].as_str().expect("id")
            )
            .as_str()
        )
    );
    // The consent is used up (43101): the next one goes by email.
    lib.request(&me, &second, to_branch(&lib, "A")).await;
    let mail = smtp.wait_for_messages(1, WAIT).await;
    assert!(mail[0].text.contains("边城"), "{}", mail[0].text);
    let history = settled(&lib, &me, "request_accepted", "UNDELIVERABLE", 1).await;
    assert!(history
        .iter()
        .any(|n| n["lastErrcode"] == 43101 && n["channel"] == "WECHAT"));
    assert_eq!(app.wechat.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_keep_to_the_per_second_budget() {
    let smtp = SmtpSink::start().await;
    let lib = library(&smtp, &[("HONGYAN_NOTIFY_RATE", "5".into())]).await;
    follower(&lib, "20250001", "oa-openid-he").await;
    burst(&lib, "20250001", 20).await;
    let started = std::time::Instant::now();
    lib.app.wechat.wait_for_messages(20, WAIT).await;
    // Five per clock second: twenty messages need four seconds' windows, so the first and
    // the last are more than two seconds apart (without the budget: a fraction of one).
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_logs_never_carry_pickup_codes_or_phone_numbers_and_its_metrics_are_served() {
    let smtp = SmtpSink::start().await;
    let lib = Library::open(TestOptions {
        worker: false,
        ..library_options(&smtp, &[])
    })
    .await;
    let app = &lib.app;
    let book = lib.title("活着", &[("A", "A0500", "I247.57/5")]).await;
    let (l1, door) = locker(&lib, "L-01", "S=1", (31.8810, 120.5510)).await;
    let me = follower(&lib, "50000001", "oa-openid-lu").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let driver = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;
    app.gql_as(
        Some(&me),
        "mutation { addAddress(input: {label: \"家\", recipient: \"陆\", phone: \"13912345678\", address: \"人民路 1 号\"}) { id } }",
        json!({}),
    )
    .await;
    let log = std::env::temp_dir().join(format!("hongyan-worker-{}.log", uuid::Uuid::new_v4()));
    let out = std::fs::File::create(&log).expect("log file");
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut worker = std::process::Command::new(hongyan_tests::hongyan_bin())
        .arg("worker")
        .env_clear()
        .envs(&app.env)
        .env("RUST_LOG", "debug")
        .env(
            "HONGYAN_WORKER_METRICS_ADDR",
            format!("127.0.0.1:{metrics_port}"),
        )
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .stdout(out.try_clone().expect("log file"))
        .stderr(out)
        .spawn()
        .expect("start hongyan worker");

    let req = lib
        .request(&me, &book, json!({"method": "LOCKER", "lockerId": l1}))
        .await;
    let barcode = lib.parcel_on_its_way(&picker, &driver).await.barcode;
    app.wechat.wait_for_messages(1, WAIT).await; // "accepted"
    app.wechat.fail_next(-1, 1); // a failed attempt is logged too
    let (code, _) = door.event("ev-1", "deposited", "001", &barcode).await;
    assert_eq!(code, 200);
    let sent = app.wechat.wait_for_messages(2, WAIT).await;
    assert_eq!(sent[1].template_id, template(Kind::ReadyAtLocker));
    let pickup = field(&sent[1], "character_string3");
    let status = app
        .gql_as(Some(&me), STATUS, json!({"id": req["id"]}))
        .await;
    assert_eq!(json!(pickup), status.data()["request"]["pickupCode"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The worker process serves what it counted (a scaled-out deployment has no API process
    // running jobs).
    let metrics = app
        .http
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .expect("worker metrics")
        .text()
        .await
        .expect("text");
    for needle in [
        "hongyan_notification_sends_total{route=\"wechat.template\",outcome=\"SENT\",errcode=\"\"} 2",
        "hongyan_notification_sends_total{route=\"wechat.template\",outcome=\"RETRY\",errcode=\"-1\"} 1",
        "hongyan_job_attempts_total{",
        "hongyan_lockers{state=\"online\"} 1",
    ] {
        assert!(metrics.contains(needle), "{needle} missing from:\n{metrics}");
    }
    // Every metric the example alert rules use is served by the API or the worker.
    let api_metrics = app.get_text("/metrics").await;
    let rules = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/prometheus/alerts.yml"),
    )
    .expect("alert rules");
    let names: std::collections::BTreeSet<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("hongyan_"))
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        assert!(
            metrics.contains(name) || api_metrics.contains(name),
            "the alert rules use {name}, which no process serves"
        );
    }
    assert!(metrics.contains("outcome=\"Succeeded\""), "{metrics}");
    worker.kill().expect("stop");
    worker.wait().expect("reaped");
    let text = std::fs::read_to_string(&log).expect("log");
    let _ = std::fs::remove_file(&log);
    assert!(
        text.len() > 1000,
        "the worker logged at debug level: {text}"
    );
    assert!(
        !text.contains(&pickup),
        "pickup code {pickup} in the worker's log"
    );
    assert!(
        !text.contains("13912345678"),
        "phone number in the worker's log"
    );
    assert!(!text.contains("oa-openid-lu"), "openid in the worker's log");
}
