//! Locker long-poll benchmark: many controllers polling one server.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench lockers -- [LOCKERS] [SECONDS]
//! ```
//! (defaults: 1,000 lockers, 10 s per phase). It registers the lockers in a fresh PostgreSQL
//! database (`hongyan_bench_lockers`), starts Hongyan on it (PostgreSQL + Redis), and then:
//! 1. short polls (`wait=0`) from 64 clients cycling over every locker's token, side by side
//!    with the same clients calling `/healthz` (the server's cheapest route) as the baseline,
//!    and the database's transactions counted (`pg_stat_database`) during the short-poll
//!    phase, after one warm-up pass, against the same count with no polls at all: idle polls
//!    must not reach PostgreSQL;
//! 2. every locker in a 30-second long poll while commands are issued to random lockers (a
//!    transaction each, announced after the commit): the time from the commit to the
//!    controller holding its command, p50 and p99.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hongyan_domain::dispatch::commands;
use hongyan_domain::entity::locker_command::CommandKind;
use hongyan_domain::lockers::{self, CompartmentSpec, NewLocker};
use hongyan_tests::bench::{self, Rng};
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::Value;
use uuid::Uuid;

const DB: &str = "hongyan_bench_lockers";
const CLIENTS: usize = 64;

async fn commits(db: &DatabaseConnection) -> i64 {
    tokio::time::sleep(Duration::from_millis(700)).await; // statistics are flushed every 500 ms
    db.query_one(Statement::from_string(
        db.get_database_backend(),
        format!(
            "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = '{DB}'"
        ),
    ))
    .await
    .expect("stats")
    .expect("row")
    .try_get::<i64>("", "n")
    .expect("n")
}

/// `CLIENTS` clients calling `path(i)` in turn for `run_for`; returns the calls made.
async fn hammer(
    app: &Arc<TestApp>,
    tokens: &Arc<Vec<String>>,
    run_for: Duration,
    poll: bool,
) -> u64 {
    let until = Instant::now() + run_for;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (app, tokens) = (Arc::clone(app), Arc::clone(tokens));
            tokio::spawn(async move {
                let mut n = 0u64;
                let mut i = c;
                while Instant::now() < until {
                    let req = if poll {
                        app.http
                            .get(format!(
                                "{}/locker/v1/commands?cursor=0&wait=0",
                                app.address
                            ))
                            .bearer_auth(&tokens[i % tokens.len()])
                    } else {
                        app.http.get(format!("{}/healthz", app.address))
                    };
                    let resp = req.send().await.expect("request");
                    assert!(resp.status().is_success(), "{}", resp.status());
                    resp.bytes().await.expect("body");
                    n += 1;
                    i += CLIENTS;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("client");
    }
    total
}

#[tokio::main]
async fn main() {
    let [n_lockers, seconds] = bench::args([1000, 10]);
    let (_, db) = bench::fresh_database(DB).await;
    db.execute_unprepared(
        "INSERT INTO branch (id, code, name, kind, address, latitude, longitude, created_at) \
         VALUES (gen_random_uuid(), 'B1', '分馆', 'BRANCH', '张家港', 31.88, 120.55, now())",
    )
    .await
    .expect("branch");
    let spec: CompartmentSpec = "S=4".parse().expect("spec");
    let started = Instant::now();
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..n_lockers {
        let token = format!("bench-token-{i:05}-0123456789abcdef");
        let locker = lockers::register_with_token(
            &db,
            NewLocker {
                code: format!("L{i:05}"),
                name: String::new(),
                branch_code: "B1".into(),
                address: "张家港".into(),
                position: None,
            },
            &spec,
            &token,
            chrono::Utc::now(),
        )
        .await
        .expect("register");
        ids.push(locker.id);
        tokens.push(token);
    }
    println!(
        "registered {n_lockers} lockers in {:.1?}",
        started.elapsed()
    );
    let app = Arc::new(
        TestApp::spawn_on(
            DB,
            TestOptions {
                worker: false,
                ..TestOptions::default()
            },
        )
        .await,
    );
    let tokens = Arc::new(tokens);
    let run_for = Duration::from_secs(seconds);

    // 1. Short polls against the baseline; warm every locker once first.
    hammer(&app, &tokens, Duration::from_secs(3), true).await;
    // What the app (its search indexer, pools) and these statistics reads commit on their
    // own over the same time, with no polls.
    let before = commits(&db).await;
    tokio::time::sleep(run_for).await;
    let background = commits(&db).await - before;
    let before = commits(&db).await;
    let polls = hammer(&app, &tokens, run_for, true).await;
    let during = commits(&db).await - before;
    let health = hammer(&app, &tokens, run_for, false).await;
    let secs = run_for.as_secs_f64();
    println!(
        "short polls: {:.0}/s; /healthz baseline: {:.0}/s ({:.0} %); database transactions during {polls} idle polls: {during}, with no polls over the same time: {background}",
        polls as f64 / secs,
        health as f64 / secs,
        100.0 * polls as f64 / health as f64
    );

    // 2. Wake-ups: every locker long-polls; commands go to random lockers.
    let issued: Arc<Mutex<HashMap<(Uuid, i64), Instant>>> = Arc::default();
    let woke: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let until = Instant::now() + run_for + Duration::from_secs(2);
    let pollers: Vec<_> = ids
        .iter()
        .zip(tokens.iter())
        .map(|(id, token)| {
            let (app, token, id) = (Arc::clone(&app), token.clone(), *id);
            let (issued, woke) = (Arc::clone(&issued), Arc::clone(&woke));
            tokio::spawn(async move {
                let mut cursor = "0".to_owned();
                while Instant::now() < until {
                    let got: Value = app
                        .http
                        .get(format!(
                            "{}/locker/v1/commands?cursor={cursor}&wait=5",
                            app.address
                        ))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("poll")
                        .json()
                        .await
                        .expect("json");
                    let now = Instant::now();
                    for c in got["commands"].as_array().expect("commands") {
                        let seq = c["seq"].as_i64().expect("seq");
                        if let Some(t0) = issued.lock().unwrap().remove(&(id, seq)) {
                            woke.lock().unwrap().push(now - t0);
                        }
                    }
                    cursor = got["cursor"].as_str().expect("cursor").to_owned();
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await; // everyone is waiting
    let mut rng = Rng::new(7);
    let mut sent = 0;
    let deadline = Instant::now() + run_for;
    while Instant::now() < deadline {
        let locker = ids[rng.below(ids.len() as u64) as usize];
        let txn = app.ctx.db.begin().await.expect("begin");
        let done = commands::issue(
            &txn,
            locker,
            CommandKind::Release,
            "001",
            "BENCH",
            None,
            app.ctx.now(),
        )
        .await
        .expect("issue");
        txn.commit().await.expect("commit");
        let committed = Instant::now();
        let seq = commands::latest(&app.ctx.db, locker).await.expect("seq");
        issued.lock().unwrap().insert((locker, seq), committed);
        commands::announce(&app.ctx, done);
        sent += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for p in pollers {
        p.await.expect("poller");
    }
    let mut lat = woke.lock().unwrap().clone();
    lat.sort();
    println!(
        "wake-ups: {} of {sent} commands reached their long-polling locker ({n_lockers} polling); commit → controller p50 {:.1?}, p99 {:.1?}",
        lat.len(),
        bench::pct(&lat, 0.5),
        bench::pct(&lat, 0.99)
    );
}
