//! Notification delivery benchmark: worker processes sending to a local fake WeChat.
//!
//! ```text
//! cargo build --release -p hongyan-api
//! cargo bench -p hongyan-tests --bench notify -- [MESSAGES] [WORKERS]
//! ```
//! (defaults: 100,000 messages, 4 worker processes). It writes the messages as PENDING
//! template-message notifications for 1,000 readers who follow the library's official
//! account, in a fresh PostgreSQL database (`hongyan_bench_notify`), starts `WORKERS`
//! `hongyan worker` processes (release build) with Redis, and times them until every
//! notification is SENT. Then it checks the fake received each message exactly once (no
//! duplicate `client_msg_id`, none missing). The baseline, side by side: a plain HTTP
//! client posting the same messages to another fake at the same concurrency
//! (`WORKERS` × 32 in flight) — what the endpoint and this machine can take at all.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hongyan_tests::bench;
use hongyan_tests::fake_wechat::{FakeWechat, OA_APPID, OA_SECRET};
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};

const DB: &str = "hongyan_bench_notify";
const READERS: u64 = 1000;
const PER_WORKER: usize = 32;

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n")
}

/// Readers following the official account and `messages` PENDING notifications for them.
async fn arrange(db: &DatabaseConnection, messages: u64) {
    db.execute_unprepared(&format!(
        "INSERT INTO reader (id, name, wechat_oa_openid, blocked, max_loans, max_open_requests, \
         created_at, notify_channels, muted_kinds) \
         SELECT gen_random_uuid(), '读者' || i, 'oa-' || i, false, 10, 5, now(), 'WECHAT,EMAIL', '' \
         FROM generate_series(1, {READERS}) i"
    ))
    .await
    .expect("readers");
    db.execute_unprepared(&format!(
        "INSERT INTO notification (id, reader_id, kind, channel, dedup_key, payload, status, \
         attempts, next_attempt_at, created_at, updated_at) \
         SELECT gen_random_uuid(), r.id, 'renewed', 'WECHAT', 'bench:' || g || ':' || r.id || ':WECHAT', \
         '{{\"book_title\": \"平凡的世界(全三册)\", \"loan_id\": \"bench\", \"due_at\": \"2026-12-26T02:00:00Z\", \
           \"renewals_left\": 1, \"at\": \"2026-11-26T02:00:00Z\"}}', \
         'PENDING', 0, now(), now(), now() \
         FROM generate_series(1, {messages}) g \
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM reader) r ON r.rn = g % {READERS} + 1"
    ))
    .await
    .expect("notifications");
}

fn worker(app: &TestApp) -> Child {
    Command::new(hongyan_tests::hongyan_bin())
        .arg("worker")
        .env_clear()
        .envs(&app.env)
        .env("RUST_LOG", "warn")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .spawn()
        .expect("start hongyan worker (cargo build --release -p hongyan-api first)")
}

/// The baseline: `concurrency` clients posting `messages` template messages to `fake`.
async fn raw_posts(fake: &FakeWechat, messages: u64, concurrency: usize) -> Duration {
    let http = reqwest::Client::new();
    let token: Value = http
        .get(format!(
            "{}cgi-bin/token?grant_type=client_credential&appid={OA_APPID}&secret={OA_SECRET}",
            fake.base_url
        ))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let url = format!(
        "{}cgi-bin/message/template/send?access_token={}",
        fake.base_url,
        token["access_token"].as_str().expect("token")
    );
    for i in 1..=READERS {
        fake.follow(&format!("oa-{i}"));
    }
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, url, next) = (http.clone(), url.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= messages {
                        return;
                    }
                    let body = json!({
                        "touser": format!("oa-{}", i % READERS + 1), "template_id": "TPL-renewed",
                        "client_msg_id": format!("{i:032x}"),
                        "data": {"thing1": {"value": "平凡的世界(全三册)"}, "phrase2": {"value": "续借成功"},
                                 "time3": {"value": "2026-12-26 10:00"}, "number4": {"value": "1"}},
                    });
                    let answer: Value = http
                        .post(&url)
                        .json(&body)
                        .send()
                        .await
                        .expect("send")
                        .json()
                        .await
                        .expect("json");
                    assert_eq!(answer["errcode"], 0, "{answer}");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("client");
    }
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let [messages, workers] = bench::args([100_000, 4]);
    let (_, db) = bench::fresh_database(DB).await;
    arrange(&db, messages).await;
    println!("{messages} notifications for {READERS} readers written");
    let app = TestApp::spawn_on(
        DB,
        TestOptions {
            worker: false,
            env: vec![
                ("HONGYAN_WECHAT_OA_APPID", OA_APPID.into()),
                ("HONGYAN_WECHAT_OA_SECRET", OA_SECRET.into()),
                ("HONGYAN_WECHAT_TEMPLATE_IDS", "renewed=TPL-renewed".into()),
                ("HONGYAN_NOTIFY_RATE", "1000000".into()),
                ("HONGYAN_NOTIFY_CONCURRENCY", PER_WORKER.to_string()),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    for i in 1..=READERS {
        app.wechat.follow(&format!("oa-{i}"));
    }

    let started = Instant::now();
    let mut procs: Vec<Child> = (0..workers).map(|_| worker(&app)).collect();
    let sent_sql = "SELECT count(*) AS n FROM notification WHERE status = 'SENT'";
    let total = i64::try_from(messages).expect("count");
    while count(&db, sent_sql).await < total {
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "not delivered within 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let took = started.elapsed();
    for p in &mut procs {
        p.kill().expect("stop worker");
        p.wait().expect("reaped");
    }
    let received = app.wechat.messages();
    let distinct: HashSet<_> = received
        .iter()
        .filter_map(|m| m.client_msg_id.clone())
        .collect();
    let dead = count(
        &db,
        "SELECT count(*) AS n FROM notification WHERE status <> 'SENT'",
    )
    .await;
    let rate = messages as f64 / took.as_secs_f64();
    println!(
        "hongyan: {messages} messages with {workers} worker processes in {:.1} s = {rate:.0} msgs/s; \
         received {} (distinct {}), re-sends suppressed by client_msg_id {}, not SENT {dead}",
        took.as_secs_f64(),
        received.len(),
        distinct.len(),
        app.wechat.duplicates_suppressed()
    );
    assert_eq!(
        received.len() as u64,
        messages,
        "every message delivered once"
    );
    assert_eq!(distinct.len() as u64, messages, "no duplicates");

    let fake = FakeWechat::start().await;
    let raw = raw_posts(&fake, messages, workers as usize * PER_WORKER).await;
    let raw_rate = messages as f64 / raw.as_secs_f64();
    println!(
        "baseline: plain HTTP client, {} in flight: {messages} posts in {:.1} s = {raw_rate:.0} msgs/s",
        workers as usize * PER_WORKER,
        raw.as_secs_f64()
    );
    println!("ratio: {:.0} % of the baseline", 100.0 * rate / raw_rate);
}
