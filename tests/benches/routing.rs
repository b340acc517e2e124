//! Routing-worker benchmark: a backlog of open requests routed in bulk, then every branch's
//! picking list generated in shelf order.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench routing -- [REQUESTS] [TITLES]
//! ```
//! (defaults: 100,000 PENDING requests over 50,000 titles with 3 copies each on 8 branches,
//! so some titles run out and their later requests are waitlisted). It generates the data in
//! a fresh PostgreSQL database (`hongyan_bench_routing`), then times, through the domain
//! functions the worker and the GraphQL `pickingList` use: routing every request
//! (`backlog::route_all`, in one transaction as the worker's job does, batches of 1,000,
//! each request ranked by branch, distance and load), and the 8 branches' picking lists. As a baseline it times
//! PostgreSQL alone writing the same rows set-based (`UPDATE … FROM` / `INSERT … SELECT`),
//! run side by side on data generated alike.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::Instant;

use hongyan_domain::auth::{Principal, StaffRole};
use hongyan_domain::config::RoutingPolicy;
use hongyan_domain::lending::{backlog, picking};
use hongyan_tests::bench;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use uuid::Uuid;

const DB: &str = "hongyan_bench_routing";
const BRANCHES: u64 = 8;

async fn generate(db: &DatabaseConnection, requests: u64, titles: u64) {
    let started = Instant::now();
    db.execute_unprepared(&format!(
        r"
        SELECT setseed(0.42);
        INSERT INTO branch (id, code, name, kind, address, latitude, longitude, created_at)
          SELECT gen_random_uuid(), 'B' || i, '分馆' || i, 'BRANCH', '张家港',
                 31.80 + i * 0.02, 120.50 + (i % 3) * 0.03, now()
          FROM generate_series(1, {BRANCHES}) i;
        CREATE TEMP TABLE b AS SELECT row_number() OVER (ORDER BY code) AS n, id FROM branch;
        INSERT INTO title (id, title, authors, pub_year, clc_class, created_at, updated_at)
          SELECT gen_random_uuid(), '书' || n, '作者', 2000, 'I247', now(), now()
          FROM generate_series(1, {titles}) n;
        CREATE TEMP TABLE t AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM title;
        INSERT INTO item (id, title_id, barcode, call_number, home_branch_id, current_branch_id, status, net_lending, created_at, updated_at)
          SELECT gen_random_uuid(), t.id, 'BC' || t.n || '-' || c,
                 chr(65 + (t.n % 22)::int) || (t.n % 900) || '.' || (t.n % 7) || '/' || (t.n % 100),
                 b.id, b.id, 'AVAILABLE', true, now(), now()
          FROM t, generate_series(1, 3) c, b WHERE b.n = 1 + (t.n * 5 + c * 3) % {BRANCHES};
        INSERT INTO reader (id, card_number, name, blocked, max_loans, max_open_requests, created_at)
          SELECT gen_random_uuid(), 'R' || n, '读者' || n, false, 1000, 1000, now()
          FROM generate_series(1, 1000) n;
        CREATE TEMP TABLE r AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM reader;
        INSERT INTO loan_request (id, reader_id, title_id, status, delivery_method, pickup_branch_id, created_at, updated_at)
          SELECT gen_random_uuid(), r.id, t.id, 'PENDING', 'BRANCH', b.id, now(), now()
          FROM (SELECT n, 1 + floor(random() * 1000)::int AS rn, 1 + floor(random() * {titles})::int AS tn,
                       1 + floor(random() * {BRANCHES})::int AS bn
                FROM generate_series(1, {requests}) n) x
          JOIN r ON r.n = x.rn JOIN t ON t.n = x.tn JOIN b ON b.n = x.bn;
        ANALYZE;
        "
    ))
    .await
    .expect("generate");
    println!(
        "generated {requests} PENDING requests over {titles} titles ({} copies) in {:.1?}",
        titles * 3,
        started.elapsed()
    );
}

/// PostgreSQL alone: the same rows written set-based, with no ranking (each request takes
/// the free copy with the lowest barcode of its title, first come first served).
const BASELINE: &str = r"
BEGIN;
CREATE TEMP TABLE plan AS
  SELECT q.id AS request_id, c.id AS item_id, c.current_branch_id AS branch_id
  FROM (SELECT id, title_id, row_number() OVER (PARTITION BY title_id ORDER BY id) AS k
        FROM loan_request WHERE status = 'PENDING') q
  JOIN (SELECT id, title_id, current_branch_id, row_number() OVER (PARTITION BY title_id ORDER BY barcode) AS k
        FROM item WHERE status = 'AVAILABLE' AND net_lending) c
    ON c.title_id = q.title_id AND c.k = q.k;
UPDATE title SET updated_at = now() WHERE id IN (SELECT title_id FROM loan_request WHERE status = 'PENDING');
UPDATE item SET status = 'RESERVED', updated_at = now() FROM plan WHERE item.id = plan.item_id;
INSERT INTO pick_task (id, request_id, item_id, branch_id, status, created_at)
  SELECT gen_random_uuid(), request_id, item_id, branch_id, 'OPEN', now() FROM plan;
UPDATE loan_request SET status = 'ROUTED', item_id = plan.item_id, source_branch_id = plan.branch_id, updated_at = now()
  FROM plan WHERE loan_request.id = plan.request_id;
UPDATE loan_request SET status = 'WAITLISTED', updated_at = now() WHERE status = 'PENDING';
CREATE TEMP TABLE ev AS
  SELECT gen_random_uuid() AS id, id AS request_id, status FROM loan_request WHERE updated_at >= now();
INSERT INTO request_event (id, request_id, from_status, to_status, actor_kind, at)
  SELECT id, request_id, 'PENDING', status, 'SYSTEM', now() FROM ev;
INSERT INTO job (id, kind, payload, state, run_at, attempts, max_attempts, dedup_key, created_at, updated_at)
  SELECT gen_random_uuid(), 'request.changed', json_build_object('event_id', id), 'QUEUED', now(), 0, 10,
         'request.changed:' || id, now(), now() FROM ev;
COMMIT;
";

async fn branch_ids(db: &DatabaseConnection) -> Vec<Uuid> {
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT id FROM branch ORDER BY code",
    ))
    .await
    .expect("branches")
    .iter()
    .map(|r| r.try_get::<Uuid>("", "id").expect("id"))
    .collect()
}

#[tokio::main]
async fn main() {
    let [requests, titles] = bench::args([100_000, 50_000]);
    let (_, db) = bench::fresh_database(DB).await;
    generate(&db, requests, titles).await;
    // The baseline runs on its own database generated alike.
    let (_, baseline_db) = bench::fresh_database(&format!("{DB}_baseline")).await;
    generate(&baseline_db, requests, titles).await;

    let started = Instant::now();
    let txn = db.begin().await.expect("begin");
    let done = backlog::route_all(&txn, RoutingPolicy::Nearest, chrono::Utc::now())
        .await
        .expect("route");
    txn.commit().await.expect("commit");
    let routing = started.elapsed();

    let branches = branch_ids(&db).await;
    let picker = Principal::Staff {
        id: Uuid::now_v7(),
        role: StaffRole::Picker,
        branches: branches.clone(),
    };
    let started = Instant::now();
    let mut lines = 0;
    for branch in &branches {
        lines += picking::picking_list(&db, &picker, *branch)
            .await
            .expect("picking list")
            .len();
    }
    let lists = started.elapsed();
    assert_eq!(
        lines as u64, done.routed,
        "every routed request is on a list"
    );

    let started = Instant::now();
    baseline_db
        .execute_unprepared(BASELINE)
        .await
        .expect("baseline");
    let baseline = started.elapsed();

    println!(
        "routed {} and waitlisted {} in {routing:.2?}; {BRANCHES} picking lists ({lines} lines, shelf order) in {lists:.2?}",
        done.routed, done.waitlisted
    );
    println!(
        "hongyan routing + picking lists: {:.2?} (goal ≤ 2 s); PostgreSQL set-based baseline (same rows, no ranking): {baseline:.2?}; ratio {:.1}x",
        routing + lists,
        (routing + lists).as_secs_f64() / baseline.as_secs_f64()
    );
}
