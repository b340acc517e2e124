//! The fault suite: two API processes and two worker processes (`hongyan serve --no-worker`
//! and `hongyan worker`, real subprocesses) on one private PostgreSQL and one private Redis,
//! while readers request books (retrying with their idempotency key when an answer does not
//! come back), some to the demo locker, some to their homes by courier, some proposing
//! purchases, the desk lends what waits on the hold shelf, an admin works the
//! picking lists and starts the delivery rounds, and the test plays the locker's controller,
//! dropping some door events and replaying others. Meanwhile: a worker is killed with
//! SIGKILL 20 times, the fake WeChat turns slow, answers "system busy" and then too slowly
//! for the sender's 10 s timeout, the fake courier refuses bookings and then answers too
//! late, Redis is
//! stopped for 30 s, and PostgreSQL is restarted (the API answers 503 UNAVAILABLE while it
//! is down, then recovers by itself). Afterwards the invariants hold: every request the
//! readers were answered exists once, in a legal state; every loan the desk was answered
//! exists once, one per lent request; no copy is reserved twice; no job
//! is lost, stuck or dead; every message went out exactly once; the locker's doors match
//! its parcels; the budget equals the sum of its movements.

use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hongyan_tests::fake_courier::{self, FakeCourier};
use hongyan_tests::fake_wechat::{FakeWechat, OA_APPID, OA_SECRET};
use hongyan_tests::postgres_server::PostgresServer;
use hongyan_tests::redis_server::RedisServer;
use hongyan_tests::wait::eventually;
use hongyan_tests::{hongyan_bin, JWT_SECRET};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, FromQueryResult, Statement};
use serde_json::{json, Value};

const READERS: usize = 24;
const TITLES: usize = 8;
const REQUESTS_PER_READER: usize = 3;
const WORKER_KILLS: usize = 20;
const REDIS_OUTAGE: Duration = Duration::from_secs(30);
const DATABASE_OUTAGE: Duration = Duration::from_secs(5);
/// Time between two requests of the load (72 of them span the faults' 45 s or so).
const SPACING: Duration = Duration::from_millis(600);
/// The demo locker (served by the central library) and its controller's token.
const LOCKER_TOKEN: &str = "demo-locker-L-ZJG-01";

/// The `hongyan` processes and what they share.
struct Platform {
    env: Vec<(String, String)>,
    apis: Vec<String>,
    servers: Vec<Child>,
    workers: Vec<Child>,
}

impl Platform {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(hongyan_bin());
        c.args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn cli(&self, args: &[&str]) {
        let out = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("hongyan");
        assert!(out.status.success(), "hongyan {args:?}: {out:?}");
    }

    fn worker(&self) -> Child {
        self.command(&["worker"]).spawn().expect("hongyan worker")
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        for c in self.servers.iter_mut().chain(self.workers.iter_mut()) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

/// One GraphQL call: the HTTP status and the body (status 0 when no answer came).
async fn call(
    http: &reqwest::Client,
    api: &str,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> (u16, Value) {
    let mut req = http
        .post(format!("{api}/graphql"))
        .timeout(Duration::from_secs(15))
        .json(&json!({"query": query, "variables": vars}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

async fn wait_ready(http: &reqwest::Client, api: &str) {
    let what = format!("{api} to become ready");
    eventually(Duration::from_secs(60), &what, || async {
        http.get(format!("{api}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
            .then_some(())
    })
    .await;
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    Count::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await
        .expect("count")
        .map_or(0, |c| c.n)
}

#[derive(FromQueryResult)]
struct Id {
    id: uuid::Uuid,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_jobs_and_messages_survive_killed_workers_a_redis_outage_a_database_restart_and_a_flaky_wechat(
) {
    let started = Instant::now();
    let pg = PostgresServer::start();
    let redis = RedisServer::start();
    let wechat = FakeWechat::start().await;
    let courier = FakeCourier::start().await;
    let templates = hongyan_domain::notify::Kind::ALL
        .iter()
        .map(|k| format!("{0}=TPL-{0}", k.as_str()))
        .collect::<Vec<_>>()
        .join(",");
    let mut env: Vec<(String, String)> = [
        ("HONGYAN_DATABASE_URL", pg.url.clone()),
        ("HONGYAN_REDIS_URL", redis.url.clone()),
        ("HONGYAN_REDIS_PREFIX", "faults:".into()),
        ("HONGYAN_JWT_SECRET", JWT_SECRET.into()),
        ("HONGYAN_WECHAT_API_BASE", wechat.base_url.clone()),
        ("HONGYAN_WECHAT_OA_APPID", OA_APPID.into()),
        ("HONGYAN_WECHAT_OA_SECRET", OA_SECRET.into()),
        ("HONGYAN_WECHAT_TEMPLATE_IDS", templates),
        ("HONGYAN_COURIER_API_BASE", courier.base_url.clone()),
        ("HONGYAN_COURIER_SECRET", fake_courier::SECRET.into()),
        ("HONGYAN_INDEX_DIR", ":memory:".into()),
        ("HONGYAN_RATE_LIMIT_READER", "off".into()),
        ("HONGYAN_RATE_LIMIT_IP", "off".into()),
        ("HONGYAN_JOB_POLL_INTERVAL_MS", "200".into()),
        ("HONGYAN_JOB_LEASE_SECS", "5".into()),
        ("HONGYAN_JOB_BACKOFF_BASE_MS", "200".into()),
        ("HONGYAN_NOTIFY_LEASE_SECS", "5".into()),
        ("HONGYAN_NOTIFY_MAX_ATTEMPTS", "30".into()),
        ("RUST_LOG", "warn".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut platform = Platform {
        env: env.clone(),
        apis: vec![],
        servers: vec![],
        workers: vec![],
    };
    platform.cli(&["migrate"]);
    // The bare demo library: the invariants below count every request, loan and proposal.
    platform.cli(&["demo", "--no-history"]);
    let pin_file = std::env::temp_dir().join(format!("pin-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&pin_file, "123456\n").expect("pin file");
    for i in 0..READERS {
        let card = format!("{}", 90_000_001 + i);
        platform.cli(&[
            "user",
            "add-reader",
            "--card",
            &card,
            "--pin-file",
            pin_file.to_str().expect("path"),
            "--name",
            "读者",
        ]);
    }
    let _ = std::fs::remove_file(&pin_file);
    for _ in 0..2 {
        let port = free_port();
        env.push(("HONGYAN_HTTP_ADDR".into(), format!("127.0.0.1:{port}")));
        platform.env = env.clone();
        platform.servers.push(
            platform
                .command(&["serve", "--no-worker", "--no-demo"])
                .spawn()
                .expect("hongyan serve"),
        );
        env.pop();
        platform.apis.push(format!("http://127.0.0.1:{port}"));
    }
    platform.env = env.clone();
    platform.workers = vec![platform.worker(), platform.worker()];
    let http = hongyan_tests::http_client();
    for api in &platform.apis {
        wait_ready(&http, api).await;
    }
    let db = Database::connect(pg.url.as_str()).await.expect("connect");

    // Readers log in by card and link the library's official account.
    let mut readers = vec![];
    for i in 0..READERS {
        let api = &platform.apis[i % 2];
        let card = format!("{}", 90_000_001 + i);
        let (_, r) = call(
            &http,
            api,
            None,
            "mutation($c: String!) { loginWithCard(cardNumber: $c, pin: \"123456\") { accessToken } }",
            json!({"c": card}),
        )
        .await;
        let token = r["data"]["loginWithCard"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned();
        let openid = format!("oa-fault-{i}");
        let code = wechat.issue_oauth_code(&openid, None);
        let (_, r) = call(
            &http,
            api,
            Some(&token),
            "mutation($c: String!) { linkWechatOfficialAccount(code: $c) }",
            json!({"c": code}),
        )
        .await;
        assert_eq!(r["data"]["linkWechatOfficialAccount"], true, "{r}");
        wechat.follow(&openid);
        let (_, a) = call(
            &http,
            api,
            Some(&token),
            "mutation { addAddress(input: {label: \"家\", recipient: \"读者\", phone: \"13900000000\", address: \"人民路 1 号\", latitude: 31.87, longitude: 120.55}) { id } }",
            json!({}),
        )
        .await;
        let address = a["data"]["addAddress"]["id"].clone();
        assert!(address.is_string(), "{a}");
        readers.push((token, address));
    }
    let (_, admin) = call(
        &http,
        &platform.apis[0],
        None,
        "mutation { staffLogin(username: \"admin\", password: \"hongyan-admin\") { accessToken } }",
        json!({}),
    )
    .await;
    let admin = admin["data"]["staffLogin"]["accessToken"]
        .as_str()
        .expect("admin")
        .to_owned();
    let titles: Vec<String> = Id::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        format!(
            "SELECT title_id AS id FROM item WHERE net_lending GROUP BY title_id \
             HAVING count(*) BETWEEN 2 AND 3 ORDER BY title_id LIMIT {TITLES}"
        ),
    ))
    .all(&db)
    .await
    .expect("titles")
    .into_iter()
    .map(|t| t.id.to_string())
    .collect();
    assert_eq!(titles.len(), TITLES);
    let branch = platform.apis[0].clone();
    let (_, b) = call(&http, &branch, None, "{ branches { id code } }", json!({})).await;
    let branches = b["data"]["branches"].as_array().cloned().expect("branches");
    let central = branches
        .iter()
        .find(|x| x["code"] == "ZJG")
        .map(|x| x["id"].clone())
        .expect("the central library");

    let (_, l) = call(&http, &branch, None, "{ lockers { id code } }", json!({})).await;
    let locker_id = l["data"]["lockers"]
        .as_array()
        .expect("lockers")
        .iter()
        .find(|x| x["code"] == "L-ZJG-01")
        .map(|x| x["id"].clone())
        .expect("the demo locker");
    let year = chrono::Datelike::year(&(chrono::Utc::now() + chrono::Duration::hours(8)));
    let (_, r) = call(
        &http,
        &branch,
        Some(&admin),
        "mutation($y: Int!) { allocateBudget(fiscalYear: $y, totalCents: 100000000) { totalCents } }",
        json!({"y": year}),
    )
    .await;
    assert!(r["data"]["allocateBudget"].is_object(), "{r}");

    // The load: every reader asks for three books, retrying with the same idempotency key
    // until an answer comes back; the admin works every picking list meanwhile.
    let stop = Arc::new(AtomicBool::new(false));
    let retries = Arc::new(AtomicUsize::new(0));
    let unavailable = Arc::new(AtomicUsize::new(0));
    let mut load = vec![];
    let load_start = Instant::now();
    for (i, (token, address)) in readers.iter().enumerate() {
        let (http, apis, titles, token, central, address) = (
            http.clone(),
            platform.apis.clone(),
            titles.clone(),
            token.clone(),
            central.clone(),
            address.clone(),
        );
        let (retries, unavailable) = (Arc::clone(&retries), Arc::clone(&unavailable));
        // Every third reader has books brought to the locker, some by courier, the rest
        // collect them at the desk.
        let delivery = match i % 6 {
            0 | 3 => json!({"method": "LOCKER", "lockerId": locker_id.clone()}),
            1 => json!({"method": "HOME", "addressId": address}),
            _ => json!({"method": "BRANCH", "branchId": central}),
        };
        load.push(tokio::spawn(async move {
            let mut answered = vec![];
            for k in 0..REQUESTS_PER_READER {
                let title = &titles[(i + k * 3) % titles.len()];
                let key = format!("fault-{i}-{k}");
                // Requests are spread over the whole run, so some meet each fault.
                let slot = (k * READERS + i) as u64;
                let at = load_start + SPACING * u32::try_from(slot).unwrap_or(0);
                tokio::time::sleep_until(at.into()).await;
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    let api = &apis[(i + k + answered.len()) % 2];
                    let (status, r) = call(
                        &http,
                        api,
                        Some(&token),
                        "mutation($i: RequestBookInput!) { requestBook(input: $i) { id status } }",
                        json!({"i": {"bookId": title, "idempotencyKey": key,
                                     "delivery": delivery.clone()}}),
                    )
                    .await;
                    if let Some(id) = r["data"]["requestBook"]["id"].as_str() {
                        answered.push(id.to_owned());
                        break;
                    }
                    let code = r["errors"][0]["extensions"]["code"].as_str().unwrap_or("");
                    if status == 503 && code == "UNAVAILABLE" {
                        unavailable.fetch_add(1, Ordering::Relaxed);
                    }
                    assert!(
                        status == 0 || status == 503 || code == "UNAVAILABLE",
                        "requestBook answered {status}: {r}"
                    );
                    assert!(Instant::now() < deadline, "reader {i} never got an answer");
                    retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            if i % 4 == 0 {
                propose(&http, &apis, &token, i).await;
            }
            answered
        }));
    }
    let desk = tokio::spawn(lend_from_hold_shelf(
        http.clone(),
        platform.apis.clone(),
        admin.clone(),
        pg.url.clone(),
        Arc::clone(&stop),
    ));
    let picker = {
        let (http, apis, admin, stop, branches) = (
            http.clone(),
            platform.apis.clone(),
            admin.clone(),
            Arc::clone(&stop),
            branches.clone(),
        );
        tokio::spawn(async move {
            let mut picked = 0usize;
            while !stop.load(Ordering::Relaxed) {
                for branch in &branches {
                    let (_, list) = call(
                        &http,
                        &apis[picked % 2],
                        Some(&admin),
                        "query($b: ID!) { pickingList(branchId: $b) { id item { barcode } } }",
                        json!({"b": branch["id"]}),
                    )
                    .await;
                    for task in list["data"]["pickingList"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                    {
                        let (_, r) = call(
                            &http,
                            &apis[picked % 2],
                            Some(&admin),
                            "mutation($t: ID!, $b: String!) { confirmPick(pickTaskId: $t, barcode: $b) { id } }",
                            json!({"t": task["id"], "b": task["item"]["barcode"]}),
                        )
                        .await;
                        if r["data"]["confirmPick"]["id"].is_string() {
                            picked += 1;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            picked
        })
    };

    let rounds = tokio::spawn(start_rounds(
        http.clone(),
        platform.apis.clone(),
        admin.clone(),
        branches.clone(),
        Arc::clone(&stop),
    ));
    let controller = tokio::spawn(play_locker(
        http.clone(),
        platform.apis.clone(),
        Arc::clone(&stop),
    ));

    // Fault 1: kill a worker with SIGKILL 20 times (and start it again), WeChat slow then busy,
    // the courier refusing bookings.
    wechat.set_delay(Duration::from_millis(400));
    courier.fail_next(5);
    for kill in 0..WORKER_KILLS {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let fresh = platform.worker();
        let mut old = std::mem::replace(&mut platform.workers[kill % 2], fresh);
        old.kill().expect("SIGKILL");
        old.wait().expect("reaped");
        if kill == WORKER_KILLS / 2 {
            wechat.set_delay(Duration::ZERO);
            wechat.fail_next(-1, 6);
        }
    }
    // Fault 2: Redis goes away for 30 s; meanwhile WeChat and the courier answer only after
    // their callers have given up (10 s), for 12 s.
    redis.stop();
    wechat.set_delay(Duration::from_secs(11));
    courier.set_delay(Duration::from_secs(11));
    tokio::time::sleep(Duration::from_secs(12)).await;
    wechat.set_delay(Duration::ZERO);
    courier.set_delay(Duration::ZERO);
    tokio::time::sleep(REDIS_OUTAGE - Duration::from_secs(12)).await;
    redis.resume();
    // Fault 3: PostgreSQL restarts; while it is down the API says so with 503 UNAVAILABLE.
    pg.stop();
    let (status, body) = call(
        &http,
        &platform.apis[1],
        Some(&readers[0].0),
        "{ myRequests { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{body}"
    );
    let ready = http
        .get(format!("{}/readyz", platform.apis[0]))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 503);
    tokio::time::sleep(DATABASE_OUTAGE).await;
    pg.resume();
    for api in &platform.apis {
        wait_ready(&http, api).await;
    }

    // Every reader got every answer; then the platform settles.
    let mut answered = vec![];
    for l in load {
        answered.extend(l.await.expect("load task"));
    }
    eventually(
        Duration::from_secs(90),
        "every job, message and pick to settle",
        || async {
            let open = count(&db, "SELECT count(*) AS n FROM job WHERE state <> 'DEAD'").await
                + count(
                    &db,
                    "SELECT count(*) AS n FROM notification WHERE status = 'PENDING'",
                )
                .await
                + count(
                    &db,
                    "SELECT count(*) AS n FROM pick_task WHERE status = 'OPEN'",
                )
                .await;
            (open == 0).then_some(())
        },
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    let picked = picker.await.expect("picker");
    let lent = desk.await.expect("desk");
    let started_rounds = rounds.await.expect("rounds");
    let (events, dropped, replayed) = controller.await.expect("controller");

    // Invariants.
    let expected = READERS * REQUESTS_PER_READER;
    assert_eq!(answered.len(), expected);
    let distinct: HashSet<&String> = answered.iter().collect();
    assert_eq!(
        distinct.len(),
        expected,
        "two keys answered with one request"
    );
    let stored = count(&db, "SELECT count(*) AS n FROM loan_request").await;
    assert_eq!(stored, expected as i64, "requests lost or doubled");
    let by_status: BTreeMap<String, i64> = {
        #[derive(FromQueryResult)]
        struct S {
            status: String,
            n: i64,
        }
        S::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            "SELECT status, count(*) AS n FROM loan_request GROUP BY status",
        ))
        .all(&db)
        .await
        .expect("statuses")
        .into_iter()
        .map(|s| (s.status, s.n))
        .collect()
    };
    // Picked books travel to the central library (IN_TRANSIT), wait on its hold shelf or in
    // the locker, or were lent at the desk; the rest wait for a copy. Nothing is left
    // half-way (PENDING, ROUTED, PICKED).
    for status in by_status.keys() {
        assert!(
            ["WAITLISTED", "IN_TRANSIT", "READY_FOR_PICKUP", "FULFILLED"]
                .contains(&status.as_str()),
            "a request left in {status}: {by_status:?}"
        );
    }
    let inconsistent = count(
        &db,
        "SELECT count(*) AS n FROM loan_request \
          WHERE (status = 'WAITLISTED') <> (item_id IS NULL)",
    )
    .await;
    assert_eq!(
        inconsistent, 0,
        "a waitlisted request with a copy, or an open one without"
    );
    let double = count(
        &db,
        "SELECT count(*) AS n FROM (SELECT item_id FROM loan_request \
          WHERE item_id IS NOT NULL AND status NOT IN ('FULFILLED','CANCELLED','EXPIRED','FAILED') \
          GROUP BY item_id HAVING count(*) > 1) d",
    )
    .await;
    assert_eq!(double, 0, "a copy reserved for two requests");
    // Every loan the desk was answered exists, and each lent request has exactly one loan.
    let loans = count(&db, "SELECT count(*) AS n FROM loan").await;
    let answered_loans = count(
        &db,
        &format!(
            "SELECT count(*) AS n FROM loan WHERE id IN ({})",
            lent.iter()
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .await;
    assert!(!lent.is_empty(), "the desk lent nothing");
    assert_eq!(
        answered_loans,
        lent.len() as i64,
        "an answered loan was lost"
    );
    let fulfilled = by_status.get("FULFILLED").copied().unwrap_or(0);
    assert_eq!(
        loans, fulfilled,
        "a lent request without its loan, or the other way"
    );
    let unpaired = count(
        &db,
        "SELECT count(*) AS n FROM loan_request r WHERE r.status = 'FULFILLED' \
          AND (SELECT count(*) FROM loan l WHERE l.request_id = r.id) <> 1",
    )
    .await;
    assert_eq!(unpaired, 0, "a fulfilled request with no loan or two");
    let dead_jobs = count(&db, "SELECT count(*) AS n FROM job WHERE state = 'DEAD'").await;
    assert_eq!(dead_jobs, 0, "jobs died");
    let sent = count(
        &db,
        "SELECT count(*) AS n FROM notification WHERE status = 'SENT'",
    )
    .await;
    let not_sent = count(
        &db,
        "SELECT count(*) AS n FROM notification WHERE status <> 'SENT'",
    )
    .await;
    assert_eq!(not_sent, 0, "messages not sent");
    let messages = wechat.messages();
    let ids: Vec<String> = messages
        .iter()
        .filter_map(|m| m.client_msg_id.clone())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a message reached a reader twice");
    assert_eq!(ids.len() as i64, sent, "every sent message arrived, once");
    let mismatched = count(
        &db,
        "SELECT count(*) AS n FROM compartment c WHERE (c.state IN ('OCCUPIED', 'RESERVED')) <> \
          EXISTS (SELECT 1 FROM loan_request r WHERE r.compartment_id = c.id \
                   AND r.status IN ('PICKED', 'IN_TRANSIT', 'READY_FOR_PICKUP'))",
    )
    .await;
    assert_eq!(mismatched, 0, "a door's state does not match its parcel");
    let shared = count(
        &db,
        "SELECT count(*) AS n FROM (SELECT compartment_id FROM loan_request \
          WHERE compartment_id IS NOT NULL AND status IN ('PICKED', 'IN_TRANSIT', 'READY_FOR_PICKUP') \
          GROUP BY compartment_id HAVING count(*) > 1) d",
    )
    .await;
    assert_eq!(shared, 0, "two parcels in one door");
    let in_lockers = count(
        &db,
        "SELECT count(*) AS n FROM loan_request WHERE compartment_id IS NOT NULL AND status = 'READY_FOR_PICKUP'",
    )
    .await;
    let budget_off = count(
        &db,
        "SELECT count(*) AS n FROM budget b WHERE b.committed_cents <> COALESCE((SELECT \
           sum(CASE m.kind WHEN 'COMMIT' THEN m.amount_cents ELSE -m.amount_cents END) \
           FROM budget_movement m WHERE m.budget_id = b.id AND m.kind <> 'ADJUST'), 0) \
          OR b.spent_cents <> COALESCE((SELECT sum(m.amount_cents) FROM budget_movement m \
           WHERE m.budget_id = b.id AND m.kind = 'SPEND'), 0) \
          OR b.total_cents <> COALESCE((SELECT sum(m.amount_cents) FROM budget_movement m \
           WHERE m.budget_id = b.id AND m.kind = 'ADJUST'), 0)",
    )
    .await;
    assert_eq!(
        budget_off, 0,
        "a budget differs from the sum of its movements"
    );
    let proposals = count(&db, "SELECT count(*) AS n FROM purchase_proposal").await;
    let booked = count(
        &db,
        "SELECT count(*) AS n FROM shipment WHERE kind = 'HOME' AND waybill_no IS NOT NULL",
    )
    .await;
    let home_picked = count(
        &db,
        "SELECT count(*) AS n FROM loan_request WHERE delivery_method = 'HOME' AND item_id IS NOT NULL",
    )
    .await;
    assert_eq!(
        booked, home_picked,
        "a picked home delivery without its waybill"
    );
    let orders: HashSet<String> = courier
        .orders()
        .iter()
        .filter_map(|o| o["orderId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(orders.len() as i64, booked, "one waybill per shipment");
    println!(
        "locker: {started_rounds} rounds started, {events} door events sent ({dropped} dropped \
         then sent late, {replayed} answered `replayed`), {in_lockers} parcels in doors; \
         {proposals} proposals, budget = sum of movements; {booked} home deliveries booked \
         once each ({} booking attempts)",
        courier.attempts()
    );
    println!(
        "fault suite: {expected} requests ({by_status:?}), {} retried by readers, {} answers 503 UNAVAILABLE, \
         {picked} picks, {loans} loans at the desk ({} answered); {WORKER_KILLS} worker kills, Redis down {}s, PostgreSQL restarted; \
         {sent} messages, each once ({} re-sends suppressed by client_msg_id); {:.0?} in all",
        retries.load(Ordering::Relaxed),
        unavailable.load(Ordering::Relaxed),
        lent.len(),
        REDIS_OUTAGE.as_secs(),
        wechat.duplicates_suppressed(),
        started.elapsed()
    );
}

/// A purchase proposal (answered once, whatever the faults: a retry after a lost answer
/// meets CONFLICT, "already proposed").
async fn propose(http: &reqwest::Client, apis: &[String], token: &str, i: usize) {
    let isbn = hongyan_tests::isbn13(&format!("9787100{i:05}"));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, r) = call(
            http,
            &apis[i % 2],
            Some(token),
            "mutation($i: ProposePurchaseInput!) { proposePurchase(input: $i) { status } }",
            json!({"i": {"isbn": isbn, "title": format!("荐购 {i}"), "priceCents": 4500,
                         "pubYear": 2026, "clcClass": "I247.5"}}),
        )
        .await;
        let code = r["errors"][0]["extensions"]["code"].as_str().unwrap_or("");
        if r["data"]["proposePurchase"].is_object() || code == "CONFLICT" {
            return;
        }
        assert!(
            code.is_empty() || code == "UNAVAILABLE",
            "proposePurchase: {r}"
        );
        assert!(Instant::now() < deadline, "proposal {i} never answered");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The dispatcher's part: starts every open round with parcels; returns how many.
async fn start_rounds(
    http: reqwest::Client,
    apis: Vec<String>,
    admin: String,
    branches: Vec<Value>,
    stop: Arc<AtomicBool>,
) -> usize {
    let mut started = 0;
    while !stop.load(Ordering::Relaxed) {
        let api = &apis[started % 2];
        for branch in &branches {
            let (_, r) = call(
                &http,
                api,
                Some(&admin),
                "query($b: ID!) { deliveryRounds(branchId: $b) { id status parcels { compartment } } }",
                json!({"b": branch["id"]}),
            )
            .await;
            for round in r["data"]["deliveryRounds"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let ready = round["status"] == "OPEN"
                    && round["parcels"].as_array().is_some_and(|p| !p.is_empty());
                if ready {
                    let (_, s) = call(
                        &http,
                        api,
                        Some(&admin),
                        "mutation($id: ID!) { startDeliveryRound(id: $id) { id } }",
                        json!({"id": round["id"]}),
                    )
                    .await;
                    if s["data"]["startDeliveryRound"].is_object() {
                        started += 1;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    started
}

/// The demo locker's controller, unreliable on purpose: heartbeats, polls for deposits and
/// reports each one, but loses every third report the first time (sent again later) and
/// sends the whole history again now and then (each answered `replayed`). Returns the
/// events sent, the ones dropped at first, and the `replayed` answers.
async fn play_locker(
    http: reqwest::Client,
    apis: Vec<String>,
    stop: Arc<AtomicBool>,
) -> (usize, usize, usize) {
    let mut cursor = "0".to_owned();
    let mut history: Vec<Value> = vec![];
    let mut dropped: Vec<Value> = vec![];
    let (mut dropped_total, mut replayed) = (0, 0);
    let mut round = 0usize;
    let post = |api: &str, path: &str, body: Value| {
        http.post(format!("{api}/locker/v1{path}"))
            .bearer_auth(LOCKER_TOKEN)
            .timeout(Duration::from_secs(10))
            .json(&body)
            .send()
    };
    loop {
        let finishing = stop.load(Ordering::Relaxed);
        round += 1;
        let api = &apis[round % 2];
        let _ = post(api, "/heartbeat", json!({})).await;
        let polled = http
            .get(format!("{api}/locker/v1/commands?cursor={cursor}&wait=0"))
            .bearer_auth(LOCKER_TOKEN)
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        let body: Value = match polled {
            Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let mut fresh = vec![];
        for c in body["commands"].as_array().cloned().unwrap_or_default() {
            if c["kind"] == "deposit" {
                let event = json!({"eventId": format!("dep-{}", c["id"].as_str().unwrap_or("")),
                                   "kind": "deposited", "compartment": c["compartment"],
                                   "parcel": c["parcel"], "at": chrono::Utc::now()});
                history.push(event.clone());
                if history.len() % 3 == 0 {
                    dropped.push(event);
                    dropped_total += 1;
                } else {
                    fresh.push(event);
                }
            }
        }
        if let Some(next) = body["cursor"].as_str() {
            cursor = next.to_owned();
        }
        // Every fifth round, or at the end, the lost ones go too, with everything again.
        let batch = if round % 5 == 0 || finishing {
            dropped.clear();
            history.clone()
        } else {
            fresh
        };
        if !batch.is_empty() {
            if let Ok(r) = post(api, "/events", json!({"events": batch})).await {
                let answer: Value = r.json().await.unwrap_or(Value::Null);
                replayed += answer["results"].as_array().map_or(0, |rs| {
                    rs.iter().filter(|x| x["status"] == "replayed").count()
                });
            }
        }
        if finishing {
            return (history.len(), dropped_total, replayed);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The desk: lends each book waiting on the central hold shelf to its reader. Returns the
/// ids of the loans whose check-out was answered (a check-out whose answer was lost is tried
/// again and then meets CONFLICT, the copy being lent already).
async fn lend_from_hold_shelf(
    http: reqwest::Client,
    apis: Vec<String>,
    admin: String,
    url: String,
    stop: Arc<AtomicBool>,
) -> Vec<String> {
    #[derive(FromQueryResult)]
    struct Waiting {
        barcode: String,
        card: String,
    }
    let mut round = 0usize;
    let mut lent = vec![];
    loop {
        let finishing = stop.load(Ordering::Relaxed);
        round += 1;
        // A connection per round: the database restarts in the middle of the run.
        if let Ok(db) = Database::connect(url.as_str()).await {
            let waiting = Waiting::find_by_statement(Statement::from_string(
                db.get_database_backend(),
                "SELECT i.barcode, rd.card_number AS card FROM loan_request r \
                  JOIN item i ON i.id = r.item_id JOIN reader rd ON rd.id = r.reader_id \
                  WHERE r.status = 'READY_FOR_PICKUP' AND r.delivery_method = 'BRANCH' LIMIT 20",
            ))
            .all(&db)
            .await
            .unwrap_or_default();
            for w in waiting {
                let (_, r) = call(
                    &http,
                    &apis[round % 2],
                    Some(&admin),
                    "mutation($b: String!, $c: String!) { checkOut(barcode: $b, cardNumber: $c) { id } }",
                    json!({"b": w.barcode, "c": w.card}),
                )
                .await;
                if let Some(id) = r["data"]["checkOut"]["id"].as_str() {
                    lent.push(id.to_owned());
                }
            }
            if finishing {
                return lent;
            }
            let _ = db.close().await;
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
}
