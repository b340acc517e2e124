//! Statistics benchmark: the full-year library report over a city-sized year of history.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench report -- [LOANS] [REQUESTS]
//! ```
//! (defaults: 2,000,000 loans and 100,000 platform requests). It generates, set-based
//! (`INSERT … SELECT … FROM generate_series`), a year in a fresh PostgreSQL database
//! (`hongyan_bench_report`): 20 branches, LOANS/10 readers (two in three with a home branch),
//! LOANS×3/20 titles with two copies each, LOANS loans over the last 365 days (most
//! returned), REQUESTS requests by the three delivery methods in final or open states with
//! their `request_event` chains and the lockers' `deposited`/`picked_up`/`collected` events,
//! REQUESTS/100 lockers of 16 to 24 compartments, and REQUESTS/20 purchase proposals with their
//! budget movements (bought copies catalogued in the year, most lent to their proposer).
//!
//! Then it times, as the server computes them, the full-year library report
//! (`report::report`, median of a few runs), one branch's report and `report::last_year`;
//! checks the loan and request totals against a straight count; and, as the floor, times
//! PostgreSQL alone counting the period's loans, requests and request events per day (one
//! `GROUP BY day` scan of each table; like the report's, with JIT off). It prints both and their ratio, then the report's
//! statements one by one (`report::Statements`: the very SQL the server runs) with their
//! times, and the top of `EXPLAIN (ANALYZE, BUFFERS)` of the slowest. The generated history is
//! written in bulk, so its loans per day are counted once after it
//! (`report::counts::recount`), as the demo's generated year is.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

use chrono::{Days, FixedOffset, Utc};
use hongyan_domain::auth::{Principal, StaffRole};
use hongyan_domain::report;
use hongyan_tests::bench;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

const DB: &str = "hongyan_bench_report";
const RUNS: usize = 5;

/// The generation steps, in order, run in one transaction (they share temporary tables).
/// `{readers}`, `{titles}`, `{lockers}`, `{requests}`, `{proposals}` and `{loans}` are the
/// sizes; `clock.now` is the one "now" of the whole history.
const STEPS: &[(&str, &str)] = &[
    (
        "branches, staff, lockers, compartments",
        r#"
        SELECT setseed(0.21);
        CREATE TEMP TABLE clock AS SELECT now() AS now, now() - interval '365 days' AS year_ago;
        INSERT INTO staff (id, username, password_hash, display_name, role, created_at)
          VALUES ('{admin}', 'bench-admin', 'x', '统计', 'ADMIN', now());
        INSERT INTO branch (id, code, name, kind, address, latitude, longitude, created_at)
          SELECT gen_random_uuid(), 'B' || lpad(i::text, 2, '0'), '分馆' || i,
                 CASE WHEN i = 1 THEN 'CENTRAL' ELSE 'BRANCH' END, '张家港',
                 31.80 + (i % 5) * 0.02, 120.50 + (i / 5) * 0.03, now() - interval '10 years'
          FROM generate_series(1, 20) i;
        CREATE TEMP TABLE b AS SELECT row_number() OVER (ORDER BY code) AS n, id FROM branch;
        INSERT INTO locker (id, code, name, branch_id, address, latitude, longitude, created_at)
          SELECT gen_random_uuid(), 'L' || lpad(i::text, 5, '0'), '书柜' || i, b.id, '张家港',
                 31.8 + random() * 0.1, 120.5 + random() * 0.1, now() - interval '2 years'
          FROM generate_series(1, {lockers}) i JOIN b ON b.n = 1 + i % 20;
        CREATE TEMP TABLE lk AS
          SELECT row_number() OVER (ORDER BY code) AS n, id, branch_id FROM locker;
        INSERT INTO compartment (id, locker_id, label, size, state, capacity)
          SELECT gen_random_uuid(), lk.id, lpad(c::text, 2, '0'), (ARRAY['S', 'M', 'L'])[1 + c % 3],
                 CASE WHEN c % 7 = 0 THEN 'OCCUPIED' WHEN c % 11 = 0 THEN 'RESERVED' ELSE 'FREE' END, 1
          FROM lk, generate_series(1, 16 + (lk.n % 9)::int) c;
        "#,
    ),
    (
        "readers",
        r#"
        INSERT INTO reader (id, card_number, name, home_branch_id, created_at)
          SELECT gen_random_uuid(), 'R' || lpad(i::text, 8, '0'), '读者' || i, b.id,
                 CASE WHEN i % 7 = 0 THEN clock.now - random() * interval '365 days'
                      ELSE clock.now - interval '365 days' - random() * interval '1500 days' END
          FROM clock, generate_series(1, {readers}) i
          LEFT JOIN b ON b.n = 1 + i % 20 AND i % 3 <> 0;
        CREATE TEMP TABLE r AS
          SELECT row_number() OVER (ORDER BY card_number) AS n, id, created_at FROM reader;
        CREATE UNIQUE INDEX ON r (n);
        "#,
    ),
    (
        "titles and copies",
        r#"
        INSERT INTO title (id, isbn, title, authors, publisher, pub_year, clc_class, created_at, updated_at)
          SELECT gen_random_uuid(), '9787' || lpad(i::text, 9, '0'), '书名' || i, '作者' || (i % 5000),
                 '人民出版社', 1980 + i % 45,
                 CASE WHEN i % 50 = 0 THEN NULL ELSE chr(65 + (i % 22)) || (100 + i % 800) END,
                 now(), now()
          FROM generate_series(1, {titles}) i;
        CREATE TEMP TABLE t AS SELECT row_number() OVER (ORDER BY isbn) AS n, id FROM title;
        CREATE UNIQUE INDEX ON t (n);
        CREATE TEMP TABLE it AS
          SELECT row_number() OVER (ORDER BY t.n, c) AS n, gen_random_uuid() AS id, t.n AS tn,
                 t.id AS title_id, c, b.id AS branch_id,
                 CASE WHEN t.n % 20 = 0 THEN clock.now - random() * interval '365 days'
                      ELSE clock.now - interval '365 days' - random() * interval '3650 days' END
                   AS created_at
          FROM clock, t, generate_series(1, 2) c, b WHERE b.n = 1 + (t.n + c * 7) % 20;
        CREATE UNIQUE INDEX ON it (n);
        CREATE UNIQUE INDEX ON it (tn, c);
        INSERT INTO item (id, title_id, barcode, call_number, home_branch_id, current_branch_id,
                          status, net_lending, created_at, updated_at)
          SELECT id, title_id, 'C' || lpad(tn::text, 9, '0') || c, 'I' || (tn % 900) || '/' || tn,
                 branch_id, branch_id,
                 CASE WHEN n % 100 = 0 THEN 'MISSING' WHEN n % 203 = 0 THEN 'WITHDRAWN'
                      ELSE 'AVAILABLE' END,
                 n % 10 <> 0, created_at, created_at
          FROM it;
        "#,
    ),
    (
        "requests and their events",
        r#"
        CREATE TEMP TABLE rq0 AS
          SELECT x.n, gen_random_uuid() AS id, r.id AS reader_id, t.id AS title_id,
                 it.id AS item_id, it.branch_id AS source_branch_id,
                 CASE WHEN u < 0.45 THEN 'LOCKER' WHEN u < 0.85 THEN 'BRANCH' ELSE 'HOME' END AS method,
                 CASE WHEN v < 0.08 THEN 'CANCELLED' WHEN v < 0.10 THEN 'FAILED'
                      WHEN v < 0.16 THEN 'EXPIRED' ELSE 'FULFILLED' END AS plan,
                 at AS created_at,
                 at + (5 + random() * 115) * interval '1 minute' AS routed_at,
                 at + (2 + random() * 10) * interval '1 hour' AS picked_at,
                 at + (12 + random() * 12) * interval '1 hour' AS transit_at,
                 at + (24 + random() * 48) * interval '1 hour' AS ready_at,
                 (0.3 + random() * 60) * interval '1 hour' AS collect_after
          FROM (SELECT n, random() AS u, random() AS v,
                       1 + floor(random() * {readers})::bigint AS rn,
                       1 + floor(power(random(), 2) * {titles})::bigint AS tn,
                       1 + n % 2 AS c, random() AS w
                FROM generate_series(1, {requests}) n) x
          JOIN r ON r.n = x.rn JOIN t ON t.n = x.tn JOIN it ON it.tn = x.tn AND it.c = x.c
          CROSS JOIN clock
          CROSS JOIN LATERAL (SELECT greatest(clock.year_ago, r.created_at)
                                     + w * (clock.now - greatest(clock.year_ago, r.created_at)) AS at) a;
        CREATE TEMP TABLE rq AS
          SELECT rq0.*, ready_at + collect_after AS done_at,
                 lk.id AS locker_id, lk.branch_id AS locker_branch_id, pb.id AS pickup_id,
                 CASE
                   WHEN plan = 'CANCELLED' THEN CASE WHEN created_at + interval '30 minutes' <= clock.now
                                                     THEN 'CANCELLED' ELSE 'PENDING' END
                   WHEN routed_at > clock.now THEN 'PENDING'
                   WHEN plan = 'FAILED' THEN CASE WHEN routed_at + interval '2 hours' <= clock.now
                                                  THEN 'FAILED' ELSE 'ROUTED' END
                   WHEN picked_at > clock.now THEN 'ROUTED'
                   WHEN transit_at > clock.now THEN 'PICKED'
                   WHEN ready_at > clock.now THEN 'IN_TRANSIT'
                   WHEN method = 'HOME' THEN 'FULFILLED'
                   WHEN plan = 'EXPIRED' THEN CASE WHEN ready_at + interval '7 days' <= clock.now
                                                   THEN 'EXPIRED' ELSE 'READY_FOR_PICKUP' END
                   WHEN ready_at + collect_after > clock.now THEN 'READY_FOR_PICKUP'
                   ELSE 'FULFILLED' END AS fin
          FROM rq0 CROSS JOIN clock
          LEFT JOIN lk ON method = 'LOCKER' AND lk.n = 1 + rq0.n % {lockers}
          LEFT JOIN b pb ON method = 'BRANCH' AND pb.n = 1 + (rq0.n * 7) % 20;
        INSERT INTO loan_request (id, reader_id, title_id, item_id, status, delivery_method,
                                  locker_id, pickup_branch_id, source_branch_id, pickup_deadline,
                                  created_at, updated_at, ready_at, fulfilled_at, expired_at)
          SELECT id, reader_id, title_id,
                 CASE WHEN fin IN ('PENDING', 'CANCELLED') THEN NULL ELSE item_id END,
                 fin, method, locker_id, COALESCE(pickup_id, locker_branch_id),
                 CASE WHEN fin IN ('PENDING', 'CANCELLED') THEN NULL ELSE source_branch_id END,
                 CASE WHEN method <> 'HOME' AND fin IN ('READY_FOR_PICKUP', 'FULFILLED', 'EXPIRED')
                      THEN ready_at + interval '7 days' END,
                 created_at, created_at,
                 CASE WHEN fin IN ('READY_FOR_PICKUP', 'FULFILLED', 'EXPIRED') THEN ready_at END,
                 CASE WHEN fin = 'FULFILLED' AND method = 'HOME' THEN ready_at
                      WHEN fin = 'FULFILLED' THEN done_at END,
                 CASE WHEN fin = 'EXPIRED' THEN ready_at + interval '7 days' END
          FROM rq;
        INSERT INTO request_event (id, request_id, from_status, to_status, actor_kind, at)
          SELECT gen_random_uuid(), q.id, s.from_s, s.to_s, s.actor, s.at
          FROM rq q CROSS JOIN LATERAL (VALUES
            (NULL, 'PENDING', 'READER', q.created_at, true),
            ('PENDING', 'CANCELLED', 'READER', q.created_at + interval '30 minutes', q.fin = 'CANCELLED'),
            ('PENDING', 'ROUTED', 'SYSTEM', q.routed_at, q.fin NOT IN ('PENDING', 'CANCELLED')),
            ('ROUTED', 'FAILED', 'STAFF', q.routed_at + interval '2 hours', q.fin = 'FAILED'),
            ('ROUTED', 'PICKED', 'STAFF', q.picked_at,
             q.fin IN ('PICKED', 'IN_TRANSIT', 'READY_FOR_PICKUP', 'FULFILLED', 'EXPIRED')),
            ('PICKED', 'IN_TRANSIT', 'COURIER', q.transit_at,
             q.fin IN ('IN_TRANSIT', 'READY_FOR_PICKUP', 'FULFILLED', 'EXPIRED')),
            ('IN_TRANSIT', 'READY_FOR_PICKUP', CASE WHEN q.method = 'LOCKER' THEN 'LOCKER' ELSE 'STAFF' END,
             q.ready_at, q.method <> 'HOME' AND q.fin IN ('READY_FOR_PICKUP', 'FULFILLED', 'EXPIRED')),
            ('IN_TRANSIT', 'FULFILLED', 'COURIER', q.ready_at, q.method = 'HOME' AND q.fin = 'FULFILLED'),
            ('READY_FOR_PICKUP', 'FULFILLED', CASE WHEN q.method = 'LOCKER' THEN 'LOCKER' ELSE 'STAFF' END,
             q.done_at, q.method <> 'HOME' AND q.fin = 'FULFILLED'),
            ('READY_FOR_PICKUP', 'EXPIRED', 'SYSTEM', q.ready_at + interval '7 days', q.fin = 'EXPIRED')
          ) s(from_s, to_s, actor, at, keep)
          WHERE s.keep;
        INSERT INTO locker_event (id, locker_id, event_id, kind, compartment, parcel, at, received_at)
          SELECT gen_random_uuid(), q.locker_id, q.id || '-' || s.kind, s.kind,
                 lpad((1 + q.n % 16)::text, 2, '0'), 'C' || lpad(it.tn::text, 9, '0') || it.c,
                 s.at, s.at + interval '2 seconds'
          FROM rq q JOIN it ON it.id = q.item_id CROSS JOIN LATERAL (VALUES
            ('deposited', q.ready_at, true),
            ('picked_up', q.done_at, q.fin = 'FULFILLED'),
            ('collected', q.ready_at + interval '7 days', q.fin = 'EXPIRED')
          ) s(kind, at, keep)
          WHERE q.method = 'LOCKER' AND q.fin IN ('READY_FOR_PICKUP', 'FULFILLED', 'EXPIRED') AND s.keep;
        "#,
    ),
    (
        "proposals and budget movements",
        r#"
        INSERT INTO budget (id, fiscal_year, total_cents, created_at)
          SELECT gen_random_uuid(), y, 200000000, now()
          FROM generate_series(extract(year FROM now())::int - 2, extract(year FROM now())::int) y;
        CREATE TEMP TABLE new_items AS
          SELECT row_number() OVER (ORDER BY it.n) AS k, it.id, it.created_at FROM it, clock
          WHERE it.created_at >= clock.year_ago + interval '20 days';
        CREATE TEMP TABLE pp AS
          SELECT x.n, gen_random_uuid() AS id, r.id AS reader_id,
                 CASE WHEN u < 0.05 THEN 'SUBMITTED' WHEN u < 0.15 THEN 'APPROVED'
                      WHEN u < 0.30 THEN 'REJECTED' WHEN u < 0.40 THEN 'ORDERED'
                      WHEN u < 0.50 THEN 'RECEIVED' WHEN u < 0.95 THEN 'LOANED' ELSE 'CANCELLED' END AS status,
                 CASE WHEN x.n % 3 = 0 THEN 'IN_STORE' ELSE 'ONLINE' END AS channel,
                 2000 + (x.n * 37) % 8000 AS price_cents, ni.id AS item_id,
                 ni.created_at - (3 + random() * 10) * interval '1 day' AS created_at,
                 ni.created_at AS settled_at
          FROM (SELECT n, random() AS u, 1 + floor(random() * {readers})::bigint AS rn
                FROM generate_series(1, {proposals}) n) x
          JOIN r ON r.n = x.rn JOIN new_items ni ON ni.k = x.n;
        INSERT INTO purchase_proposal (id, reader_id, isbn, title, price_cents, channel, status,
                                       rule_results, budget_year, reviewed_by, reviewed_at,
                                       item_id, settled_at, created_at, updated_at)
          SELECT id, reader_id, '97871' || lpad(n::text, 8, '0'), '荐购' || n, price_cents, channel, status,
                 CASE WHEN status = 'REJECTED' AND n % 2 = 0
                      THEN '[{"rule":"price","outcome":"FAIL","reason":"太贵"},{"rule":"holdings","outcome":"PASS","reason":""}]'
                      WHEN status = 'REJECTED'
                      THEN '[{"rule":"publication_year","outcome":"FAIL","reason":"太旧"}]'
                      ELSE '[{"rule":"price","outcome":"PASS","reason":""}]' END::json,
                 extract(year FROM created_at AT TIME ZONE 'Asia/Shanghai')::int,
                 CASE WHEN status = 'REJECTED' AND n % 5 = 0 THEN '{admin}'::uuid END,
                 CASE WHEN status = 'REJECTED' AND n % 5 = 0 THEN created_at + interval '1 day' END,
                 CASE WHEN status IN ('RECEIVED', 'LOANED') THEN item_id END,
                 CASE WHEN status IN ('RECEIVED', 'LOANED') THEN settled_at END,
                 created_at, created_at
          FROM pp;
        INSERT INTO budget_movement (id, budget_id, proposal_id, kind, amount_cents, actor_id, at)
          SELECT gen_random_uuid(), bu.id, p.id, m.kind, m.amount, NULL, m.at
          FROM pp p JOIN budget bu
            ON bu.fiscal_year = extract(year FROM p.created_at AT TIME ZONE 'Asia/Shanghai')::int
          CROSS JOIN LATERAL (VALUES
            ('COMMIT', p.price_cents, p.created_at + interval '1 hour',
             p.status IN ('APPROVED', 'ORDERED', 'RECEIVED', 'LOANED', 'CANCELLED')),
            ('RELEASE', -p.price_cents, p.created_at + interval '2 days', p.status = 'CANCELLED'),
            ('SPEND', p.price_cents, p.settled_at, p.status IN ('RECEIVED', 'LOANED'))
          ) m(kind, amount, at, keep)
          WHERE m.keep;
        UPDATE budget bu SET
          committed_cents = COALESCE((SELECT sum(amount_cents) FROM budget_movement m
            WHERE m.budget_id = bu.id AND m.kind IN ('COMMIT', 'RELEASE')), 0)
            - COALESCE((SELECT sum(amount_cents) FROM budget_movement m
            WHERE m.budget_id = bu.id AND m.kind = 'SPEND'), 0),
          spent_cents = COALESCE((SELECT sum(amount_cents) FROM budget_movement m
            WHERE m.budget_id = bu.id AND m.kind = 'SPEND'), 0);
        "#,
    ),
    (
        "loans and returns",
        r#"
        CREATE TEMP TABLE ln (reader_id uuid, item_id uuid, request_id uuid, at timestamptz);
        INSERT INTO ln
          SELECT reader_id, item_id, id, CASE WHEN method = 'HOME' THEN ready_at ELSE done_at END
          FROM rq WHERE fin = 'FULFILLED';
        INSERT INTO ln
          SELECT p.reader_id, p.item_id, NULL, a.at
          FROM pp p CROSS JOIN clock
          CROSS JOIN LATERAL (SELECT p.settled_at + (1 + random() * 5) * interval '1 day' AS at) a
          WHERE p.status = 'LOANED' AND a.at < clock.now;
        INSERT INTO ln
          SELECT r.id, it.id, NULL, a.at
          FROM (SELECT 1 + floor(random() * {readers})::bigint AS rn,
                       1 + floor(power(random(), 2) * {items})::bigint AS iid, random() AS w
                FROM generate_series(1, greatest({loans} - (SELECT count(*) FROM ln), 0))) x
          JOIN r ON r.n = x.rn JOIN it ON it.n = x.iid CROSS JOIN clock
          CROSS JOIN LATERAL (SELECT greatest(clock.year_ago, r.created_at, it.created_at)
                 + x.w * (clock.now - greatest(clock.year_ago, r.created_at, it.created_at)) AS at) a;
        INSERT INTO loan (id, reader_id, item_id, request_id, status, checked_out_at, due_at,
                          renewals, returned_at, return_branch_id)
          SELECT gen_random_uuid(), ln.reader_id, ln.item_id, ln.request_id,
                 CASE WHEN lost THEN 'LOST' WHEN back < clock.now THEN 'RETURNED' ELSE 'ACTIVE' END,
                 ln.at,
                 ln.at + CASE WHEN back > ln.at + interval '30 days' THEN interval '60 days'
                              ELSE interval '30 days' END,
                 CASE WHEN back > ln.at + interval '30 days' THEN 1 ELSE 0 END,
                 CASE WHEN NOT lost AND back < clock.now THEN back END,
                 CASE WHEN NOT lost AND back < clock.now THEN it.branch_id END
          FROM ln JOIN it ON it.id = ln.item_id CROSS JOIN clock
          CROSS JOIN LATERAL (SELECT ln.at + (1 + random() * 40) * interval '1 day' AS back,
                                     random() < 0.002 AS lost) z;
        UPDATE item SET status = 'ON_LOAN'
          WHERE id IN (SELECT item_id FROM loan WHERE status = 'ACTIVE') AND status = 'AVAILABLE';
        "#,
    ),
];

/// The sizes, scaled from the loans and requests.
struct Sizes {
    loans: u64,
    requests: u64,
    readers: u64,
    titles: u64,
    lockers: u64,
    proposals: u64,
}

impl Sizes {
    fn new(loans: u64, requests: u64) -> Self {
        Sizes {
            loans,
            requests,
            readers: (loans / 10).max(100),
            titles: (loans * 3 / 20).max(100),
            lockers: (requests / 100).max(1),
            proposals: (requests / 20).max(1),
        }
    }

    fn fill(&self, sql: &str, admin: Uuid) -> String {
        sql.replace("{readers}", &self.readers.to_string())
            .replace("{titles}", &self.titles.to_string())
            .replace("{items}", &(2 * self.titles).to_string())
            .replace("{lockers}", &self.lockers.to_string())
            .replace("{requests}", &self.requests.to_string())
            .replace("{proposals}", &self.proposals.to_string())
            .replace("{loans}", &self.loans.to_string())
            .replace("{admin}", &admin.to_string())
    }
}

async fn generate(db: &DatabaseConnection, sizes: &Sizes, admin: Uuid) -> Duration {
    let started = Instant::now();
    let txn: DatabaseTransaction = db.begin().await.expect("begin");
    for (name, sql) in STEPS {
        let step = Instant::now();
        txn.execute_unprepared(&sizes.fill(sql, admin))
            .await
            .unwrap_or_else(|e| panic!("generate {name}: {e}"));
        println!("  {name}: {:.1?}", step.elapsed());
    }
    txn.commit().await.expect("commit");
    let step = Instant::now();
    report::counts::recount(db).await.expect("counts");
    println!("  loans counted per day and copy: {:.1?}", step.elapsed());
    let step = Instant::now();
    db.execute_unprepared("VACUUM ANALYZE")
        .await
        .expect("vacuum analyze");
    println!("  VACUUM ANALYZE: {:.1?}", step.elapsed());
    started.elapsed()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("n")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    bench::pct(&times, 0.5)
}

/// The floor: PostgreSQL counting the period's rows of the three big tables per day.
const FLOOR: [&str; 3] = [
    "SELECT (checked_out_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) FROM loan \
     WHERE checked_out_at >= $1 AND checked_out_at < $2 GROUP BY 1",
    "SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) FROM loan_request \
     WHERE created_at >= $1 AND created_at < $2 GROUP BY 1",
    "SELECT (at AT TIME ZONE 'Asia/Shanghai')::date AS day, to_status, count(*) FROM request_event \
     WHERE at >= $1 AND at < $2 GROUP BY 1, 2",
];

fn values(
    window: (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
    branch: Option<Uuid>,
) -> Vec<Value> {
    vec![window.0.into(), window.1.into(), branch.into()]
}

/// Times `sql` as the report runs its statements: in a transaction with JIT off.
async fn run(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Duration {
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared("SET LOCAL jit = off")
        .await
        .expect("jit off");
    let started = Instant::now();
    txn.query_all(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}: {sql}"));
    let took = started.elapsed();
    txn.commit().await.expect("commit");
    took
}

#[tokio::main]
async fn main() {
    let [loans, requests] = bench::args([2_000_000, 100_000]);
    let sizes = Sizes::new(loans, requests);
    let (_, db) = bench::fresh_database(DB).await;
    let admin_id = Uuid::now_v7();
    let took = generate(&db, &sizes, admin_id).await;
    let rows = count(
        &db,
        "SELECT (SELECT count(*) FROM loan) + (SELECT count(*) FROM loan_request) \
         + (SELECT count(*) FROM request_event) + (SELECT count(*) FROM locker_event) \
         + (SELECT count(*) FROM reader) + (SELECT count(*) FROM title) \
         + (SELECT count(*) FROM item) + (SELECT count(*) FROM compartment) \
         + (SELECT count(*) FROM purchase_proposal) + (SELECT count(*) FROM budget_movement)",
    )
    .await;
    let size = count(&db, "SELECT pg_database_size(current_database())").await;
    println!(
        "generated {} loans, {} requests ({} events), {} readers, {} titles, {} copies, {} lockers, \
         {} proposals: {rows} rows, {:.0} MiB, in {took:.1?}",
        count(&db, "SELECT count(*) FROM loan").await,
        count(&db, "SELECT count(*) FROM loan_request").await,
        count(&db, "SELECT count(*) FROM request_event").await,
        sizes.readers,
        sizes.titles,
        2 * sizes.titles,
        sizes.lockers,
        sizes.proposals,
        size as f64 / 1_048_576.0,
    );

    let admin = Principal::Staff {
        id: admin_id,
        role: StaffRole::Admin,
        branches: vec![],
    };
    let to = hongyan_domain::china_time::date_of(Utc::now());
    let from = to.checked_sub_days(Days::new(364)).expect("a year ago");
    let (from_s, to_s) = (from.to_string(), to.to_string());

    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let r = report::report(&db, &admin, &from_s, &to_s, None)
            .await
            .expect("report");
        times.push(started.elapsed());
        last = Some(r);
    }
    let full = last.expect("a report");
    let all_runs = times.clone();
    let full_median = median(times);

    // A straight recount of the headline totals.
    let window = |f: chrono::NaiveDate, t: chrono::NaiveDate| {
        let start = |d: chrono::NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .unwrap()
                .and_local_timezone(FixedOffset::east_opt(8 * 3600).unwrap())
                .single()
                .unwrap()
                .with_timezone(&Utc)
        };
        (start(f), start(t.checked_add_days(Days::new(1)).unwrap()))
    };
    let w = window(from, to);
    let straight = |table: &str, col: &str| {
        format!(
            "SELECT count(*) FROM {table} WHERE {col} >= '{}' AND {col} < '{}'",
            w.0.to_rfc3339(),
            w.1.to_rfc3339()
        )
    };
    assert_eq!(
        full.loans(),
        count(&db, &straight("loan", "checked_out_at")).await
    );
    assert_eq!(
        full.requests(),
        count(&db, &straight("loan_request", "created_at")).await
    );

    let branch: Uuid = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM branch WHERE code = 'B07'",
        ))
        .await
        .expect("branch")
        .expect("B07")
        .try_get("", "id")
        .expect("id");
    let mut times = Vec::new();
    let mut of_branch = None;
    for _ in 0..3 {
        let started = Instant::now();
        of_branch = Some(
            report::report(&db, &admin, &from_s, &to_s, Some(branch))
                .await
                .expect("branch report"),
        );
        times.push(started.elapsed());
    }
    let branch_median = median(times);
    let of_branch = of_branch.expect("branch report");
    let started = Instant::now();
    let previous = report::last_year(&db, &admin, &full)
        .await
        .expect("last year");
    let last_year = started.elapsed();

    // The floor, a few runs.
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let mut total = Duration::ZERO;
        for sql in FLOOR {
            total += run(&db, sql, values(w, None)[..2].to_vec()).await;
        }
        times.push(total);
    }
    let floor = median(times);

    println!(
        "full-year library report ({from} to {to}: {} loans, {} requests, {} deliveries, {} locker holds, \
         {} lockers): median {full_median:.2?} of {RUNS} (runs {all_runs:.2?}); goal ≤ 1 s",
        full.loans(),
        full.requests(),
        full.deliveries(),
        full.locker_holds,
        full.lockers.len()
    );
    println!(
        "branch B07's report ({} loans, {} readers): median {branch_median:.2?} of 3; \
         last_year (empty year, {} readers): {last_year:.2?}",
        of_branch.loans(),
        of_branch.readers,
        previous.readers
    );
    println!(
        "PostgreSQL floor (loans, requests and request events per day, one GROUP BY scan each): \
         median {floor:.2?}; report / floor = {:.1}x",
        full_median.as_secs_f64() / floor.as_secs_f64()
    );

    // Where the time goes: the report's statements one by one, library and branch.
    let statements = report::Statements::new(db.get_database_backend());
    let mut slowest = (Duration::ZERO, String::new(), None);
    for (scope, branch) in [("library", None), ("B07", Some(branch))] {
        println!("statements of the {scope} report (median of 3):");
        for (name, sql) in statements.named() {
            let mut times = Vec::new();
            for _ in 0..3 {
                times.push(run(&db, sql, values(w, branch)).await);
            }
            let t = median(times);
            println!("  {t:>10.2?}  {name}");
            if t > slowest.0 {
                slowest = (t, sql.to_owned(), branch);
            }
        }
    }
    let (t, sql, branch) = slowest;
    println!("EXPLAIN (ANALYZE, BUFFERS) of the slowest ({t:.2?}, branch {branch:?}):");
    let plan = db
        .query_all(Statement::from_sql_and_values(
            db.get_database_backend(),
            format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"),
            values(w, branch),
        ))
        .await
        .expect("explain");
    for line in plan.iter().take(25) {
        println!(
            "  {}",
            line.try_get_by_index::<String>(0).expect("plan line")
        );
    }
    if plan.len() > 25 {
        println!("  … ({} more lines)", plan.len() - 25);
    }
}
