//! Lending load benchmark: `requestBook` over GraphQL against `pgbench` running the same SQL.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench lending -- [CLIENTS] [SECONDS] [READERS] [TITLES]
//! ```
//! (defaults: 64 clients, 20 s, 256 readers, 100,000 titles with 4 copies each over 8
//! branches; `HONGYAN_DATABASE_POOL` sets the servers' pool size). It generates the library in a fresh PostgreSQL database
//! (`hongyan_bench_lending` on `HONGYAN_TEST_DATABASE_URL`'s server), starts Hongyan on it
//! (PostgreSQL + Redis, no worker in the process: the queued jobs are the worker's), logs
//! the readers in with `loginWithCard`, and has CLIENTS concurrent clients, each acting for
//! its own readers, fire `requestBook` (random title, BRANCH delivery to a random branch, an
//! idempotency key) for SECONDS. Then `pgbench` runs, with as many clients for as long, the
//! SQL one request commits at its leanest, each client acting for its own readers as ours
//! do (so neither waits on another's reader lock): lock the reader and the title, reserve a copy with
//! `FOR UPDATE SKIP LOCKED`, insert the request, its pick task, its history row and its job
//! (or the waitlisted request when no copy is free). It prints throughput, p50 and p99 of
//! both and their ratio. Between the two, the same load runs against two API servers on the
//! same database and Redis (clients split evenly), for the scale-out ratio.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hongyan_tests::bench::{self, Rng};
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

const DB: &str = "hongyan_bench_lending";
const BRANCHES: u64 = 8;
const PIN: &str = "246810";
const REQUEST: &str =
    "mutation($i: RequestBookInput!) { requestBook(input: $i) { id status waitlistPosition } }";

/// The SQL one request commits, at its leanest, as a pgbench script.
const PGBENCH_SCRIPT: &str = r"
\set r 1 + :client_id + :clients * random(0, :readers / :clients - 1)
\set t random(1, :titles)
\set b random(1, :branches)
BEGIN;
SELECT r.id AS reader_id FROM reader r JOIN bench_reader br ON br.id = r.id WHERE br.n = :r FOR UPDATE OF r \gset
SELECT id AS branch_id FROM bench_branch WHERE n = :b \gset
UPDATE title SET updated_at = now() WHERE id = (SELECT id FROM bench_title WHERE n = :t) RETURNING id AS title_id \gset
WITH reserved AS (UPDATE item SET status = 'RESERVED', updated_at = now() WHERE id = (SELECT id FROM item WHERE title_id = :title_id::uuid AND status = 'AVAILABLE' AND net_lending ORDER BY barcode LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, current_branch_id) SELECT coalesce((SELECT id::text FROM reserved), '') AS item_id, coalesce((SELECT current_branch_id::text FROM reserved), '') AS source_id \gset
INSERT INTO loan_request (id, reader_id, title_id, item_id, status, delivery_method, pickup_branch_id, source_branch_id, pickup_code_gen, created_at, updated_at) VALUES (gen_random_uuid(), :reader_id::uuid, :title_id::uuid, nullif(:item_id::text, '')::uuid, CASE WHEN :item_id::text = '' THEN 'WAITLISTED' ELSE 'ROUTED' END, 'BRANCH', :branch_id::uuid, nullif(:source_id::text, '')::uuid, 0, now(), now()) RETURNING id AS request_id \gset
INSERT INTO pick_task (id, request_id, item_id, branch_id, status, created_at) SELECT gen_random_uuid(), :request_id::uuid, nullif(:item_id::text, '')::uuid, nullif(:source_id::text, '')::uuid, 'OPEN', now() WHERE :item_id::text <> '';
INSERT INTO request_event (id, request_id, from_status, to_status, actor_kind, actor_id, at) VALUES (gen_random_uuid(), :request_id::uuid, NULL, CASE WHEN :item_id::text = '' THEN 'WAITLISTED' ELSE 'ROUTED' END, 'READER', :reader_id::uuid, now()) RETURNING id AS event_id \gset
INSERT INTO job (id, kind, payload, state, run_at, attempts, max_attempts, dedup_key, created_at, updated_at) VALUES (gen_random_uuid(), 'request.changed', json_build_object('event_id', :event_id::text), 'QUEUED', now(), 0, 10, 'request.changed:' || :event_id::text, now(), now()) ON CONFLICT (dedup_key) DO NOTHING;
COMMIT;
";

fn sql(db: &DatabaseConnection, s: &str) -> Statement {
    Statement::from_string(db.get_database_backend(), s.to_owned())
}

/// Branches around Zhangjiagang, titles with 4 copies each, readers with one PIN and no
/// practical limits, and the numbered id tables pgbench picks from.
async fn generate(db: &DatabaseConnection, titles: u64, readers: u64) {
    let pin_hash = hongyan_domain::auth::password::hash(PIN).expect("hash");
    let started = Instant::now();
    db.execute_unprepared(&format!(
        r"
        INSERT INTO branch (id, code, name, kind, address, latitude, longitude, created_at)
          SELECT gen_random_uuid(), 'B' || i, '分馆' || i, 'BRANCH', '张家港',
                 31.80 + i * 0.02, 120.50 + (i % 3) * 0.03, now()
          FROM generate_series(1, {BRANCHES}) i;
        CREATE TABLE bench_branch AS SELECT row_number() OVER (ORDER BY code) AS n, id FROM branch;
        INSERT INTO title (id, title, authors, publisher, pub_year, clc_class, created_at, updated_at)
          SELECT gen_random_uuid(), '书' || n, '作者' || (n % 997), '出版社', 2000 + n % 25, 'I247', now(), now()
          FROM generate_series(1, {titles}) n;
        CREATE TABLE bench_title AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM title;
        CREATE UNIQUE INDEX ON bench_title (n);
        INSERT INTO item (id, title_id, barcode, call_number, home_branch_id, current_branch_id, status, net_lending, created_at, updated_at)
          SELECT gen_random_uuid(), t.id, 'BC' || t.n || '-' || c, 'I247/' || t.n, b.id, b.id, 'AVAILABLE', true, now(), now()
          FROM bench_title t, generate_series(1, 4) c, bench_branch b
          WHERE b.n = 1 + (t.n * 7 + c * 3) % {BRANCHES};
        INSERT INTO reader (id, card_number, pin_hash, name, blocked, max_loans, max_open_requests, created_at)
          SELECT gen_random_uuid(), 'R' || lpad(n::text, 6, '0'), '{pin_hash}', '读者' || n, false, 1000000, 1000000, now()
          FROM generate_series(1, {readers}) n;
        CREATE TABLE bench_reader AS SELECT row_number() OVER (ORDER BY card_number) AS n, id FROM reader;
        CREATE UNIQUE INDEX ON bench_reader (n);
        ANALYZE;
        "
    ))
    .await
    .expect("generate library");
    println!(
        "generated {titles} titles, {} copies, {readers} readers in {:.1?}",
        titles * 4,
        started.elapsed()
    );
}

async fn ids(db: &DatabaseConnection, table: &str) -> Vec<String> {
    db.query_all(sql(
        db,
        &format!("SELECT id::text AS id FROM {table} ORDER BY n"),
    ))
    .await
    .expect("ids")
    .iter()
    .map(|r| r.try_get::<String>("", "id").expect("id"))
    .collect()
}

async fn login_all(app: &TestApp, readers: u64) -> Vec<String> {
    let started = Instant::now();
    let mut tokens = Vec::new();
    for chunk in (1..=readers).collect::<Vec<_>>().chunks(8) {
        let cards: Vec<String> = chunk.iter().map(|n| format!("R{n:06}")).collect();
        let logins = cards.iter().map(|card| app.reader_token(card, PIN));
        tokens.extend(futures::future::join_all(logins).await);
    }
    println!(
        "logged in {readers} readers with loginWithCard in {:.1?}",
        started.elapsed()
    );
    tokens
}

/// What the clients saw.
#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    /// Replies by request status, or by error code.
    replies: BTreeMap<String, u64>,
}

async fn fire(
    apps: Arc<Vec<TestApp>>,
    tokens: Arc<Vec<String>>,
    titles: Arc<Vec<String>>,
    branches: Arc<Vec<String>>,
    clients: usize,
    run_for: Duration,
    seed: u64,
) -> Outcome {
    let until = Instant::now() + run_for;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (apps, tokens, titles, branches) = (
                Arc::clone(&apps),
                Arc::clone(&tokens),
                Arc::clone(&titles),
                Arc::clone(&branches),
            );
            tokio::spawn(async move {
                let mut rng = Rng::new(seed + c as u64);
                // Clients spread evenly over the API servers.
                let app = &apps[c % apps.len()];
                let mut out = Outcome::default();
                // Client c acts for readers c, c + clients, c + 2·clients, …
                let mine: Vec<&String> = tokens.iter().skip(c).step_by(clients).collect();
                let mut turn = 0;
                while Instant::now() < until {
                    let token = mine[turn % mine.len()];
                    turn += 1;
                    let vars = json!({"i": {
                        "bookId": titles[rng.below(titles.len() as u64) as usize],
                        "delivery": {"method": "BRANCH", "branchId": branches[rng.below(branches.len() as u64) as usize]},
                        "idempotencyKey": uuid::Uuid::new_v4().to_string(),
                    }});
                    let t = Instant::now();
                    let reply = app.gql_as(Some(token), REQUEST, vars).await;
                    out.latencies.push(t.elapsed());
                    let key = match reply.0.get("errors") {
                        Some(e) => format!("{} ({})", reply.code(), e[0]["message"].as_str().unwrap_or("")),
                        None => reply.data()["requestBook"]["status"]
                            .as_str()
                            .unwrap_or("?")
                            .to_owned(),
                    };
                    *out.replies.entry(key).or_default() += 1;
                }
                out
            })
        })
        .collect();
    let mut all = Outcome::default();
    for t in tasks {
        let out = t.await.expect("client");
        all.latencies.extend(out.latencies);
        for (k, v) in out.replies {
            *all.replies.entry(k).or_default() += v;
        }
    }
    all.latencies.sort();
    all
}

/// Runs pgbench with per-transaction logging; returns the sorted latencies.
fn pgbench(url: &str, clients: u64, seconds: u64, titles: u64, readers: u64) -> Vec<Duration> {
    let dir = std::env::temp_dir().join(format!("hongyan-pgbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("request.sql");
    std::fs::write(&script, PGBENCH_SCRIPT).expect("script");
    let status = std::process::Command::new("pgbench")
        .current_dir(&dir)
        .args(["-n", "-M", "prepared", "-j", "2", "-l", "--log-prefix=tx"])
        .args(["-c", &clients.to_string(), "-T", &seconds.to_string()])
        .args(["-D", &format!("titles={titles}")])
        .args(["-D", &format!("readers={readers}")])
        .args(["-D", &format!("clients={clients}")])
        .args(["-D", &format!("branches={BRANCHES}")])
        .arg("-f")
        .arg(&script)
        .arg(url)
        .status()
        .expect("run pgbench (Debian package postgresql-client)");
    assert!(status.success(), "pgbench failed");
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("logs").flatten() {
        if !entry.file_name().to_string_lossy().starts_with("tx") {
            continue;
        }
        let file = std::fs::File::open(entry.path()).expect("log");
        for line in std::io::BufReader::new(file).lines() {
            // client_id transaction_no latency_us script_no epoch epoch_us
            let line = line.expect("log line");
            if let Some(us) = line
                .split_whitespace()
                .nth(2)
                .and_then(|f| f.parse::<u64>().ok())
            {
                latencies.push(Duration::from_micros(us));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort();
    latencies
}

fn report(name: &str, clients: u64, latencies: &[Duration], seconds: f64) -> f64 {
    let tps = latencies.len() as f64 / seconds;
    println!(
        "{name:<10} {clients:>8} {:>10.2?} {:>10.2?} {tps:>10.0}",
        bench::pct(latencies, 0.5),
        bench::pct(latencies, 0.99)
    );
    tps
}

/// The servers' settings: no rate limits (one load generator on one address, each reader
/// far above a person's pace), and `HONGYAN_DATABASE_POOL` passed on when set.
fn server_env() -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("HONGYAN_RATE_LIMIT_IP", "off".into()),
        ("HONGYAN_RATE_LIMIT_READER", "off".into()),
    ];
    if let Ok(pool) = std::env::var("HONGYAN_DATABASE_POOL") {
        env.push(("HONGYAN_DATABASE_POOL", pool));
    }
    env
}

#[tokio::main]
async fn main() {
    let [clients, seconds, readers, titles] = bench::args([64, 20, 256, 100_000]);
    let (url, db) = bench::fresh_database(DB).await;
    generate(&db, titles, readers).await;

    let app = TestApp::spawn_on(
        DB,
        TestOptions {
            worker: false,
            env: server_env(),
            ..TestOptions::default()
        },
    )
    .await;
    let tokens = Arc::new(login_all(&app, readers).await);
    let title_ids = Arc::new(ids(&db, "bench_title").await);
    let branch_ids = Arc::new(ids(&db, "bench_branch").await);
    let clients_n = usize::try_from(clients).expect("clients");
    // One API server, then two sharing the database and Redis (as two processes would;
    // the second is a sibling server in this process, with its own pool and workers).
    let second = app.sibling(&server_env()).await;
    let one = Arc::new(vec![app]);
    let run = |apps: &Arc<Vec<TestApp>>, secs: u64, seed: u64| {
        fire(
            Arc::clone(apps),
            Arc::clone(&tokens),
            Arc::clone(&title_ids),
            Arc::clone(&branch_ids),
            clients_n,
            Duration::from_secs(secs),
            seed,
        )
    };
    // Warm-up: connection pools, prepared statements, caches.
    run(&one, 2, 1_000).await;
    let hongyan = run(&one, seconds, 2_000).await;
    let mut apps = Arc::try_unwrap(one).unwrap_or_else(|_| unreachable!());
    apps.push(second);
    let two = Arc::new(apps);
    run(&two, 2, 3_000).await;
    let hongyan_two = run(&two, seconds, 4_000).await;
    // Close the servers' pools: pgbench needs the connections.
    if let Ok(apps) = Arc::try_unwrap(two) {
        for app in apps {
            let db = app.ctx.db.clone();
            drop(app);
            let _ = db.close().await;
        }
    }
    let pg = pgbench(&url, clients, seconds, titles, readers);

    println!(
        "{:<10} {:>8} {:>10} {:>10} {:>10}",
        "engine", "clients", "p50", "p99", "tx/s"
    );
    let ours = report("hongyan", clients, &hongyan.latencies, seconds as f64);
    let ours_two = report("hongyan×2", clients, &hongyan_two.latencies, seconds as f64);
    let theirs = report("pgbench", clients, &pg, seconds as f64);
    println!("hongyan replies: {:?}", hongyan.replies);
    println!("hongyan×2 replies: {:?}", hongyan_two.replies);
    println!(
        "hongyan / pgbench throughput: {:.0} %",
        100.0 * ours / theirs
    );
    println!("two API servers / one: {:.2}× throughput", ours_two / ours);
}
