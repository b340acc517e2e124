//! The job queue: outbox semantics, retries to death, exclusivity, crash recovery, and
//! Redis as an accelerator only.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use async_trait::async_trait;
use hongyan_domain::audit::{self, Actor};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::job;
use hongyan_domain::jobs::{self, Job};
use hongyan_domain::{people, Ctx};
use hongyan_tests::wait::eventually;
use hongyan_tests::{TestApp, TestOptions};
use hongyan_worker::{Registry, Worker};
use sea_orm::{DatabaseTransaction, EntityTrait, PaginatorTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{watch, Notify};

/// Leaves a mark in the audit log, inside the job's transaction: it survives only if the
/// attempt commits.
async fn mark(txn: &DatabaseTransaction, what: &str) -> anyhow::Result<()> {
    audit::record(
        txn,
        Actor::System,
        "test.mark",
        Some(what),
        None,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// Every committed mark.
async fn marks(ctx: &Ctx) -> Vec<String> {
    audit::entries(&ctx.db, "test.mark")
        .await
        .expect("audit entries")
        .into_iter()
        .filter_map(|e| e.subject)
        .collect()
}

async fn count(ctx: &Ctx, what: &str) -> usize {
    marks(ctx).await.iter().filter(|m| *m == what).count()
}

/// Records that it ran, in the job's own transaction.
#[derive(Serialize, Deserialize)]
struct Mark {
    n: u32,
}

#[async_trait]
impl Job for Mark {
    const KIND: &'static str = "test_mark";
    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_millis(u64::from(self.n % 7))).await;
        mark(txn, &format!("mark-{}", self.n)).await?;
        Ok(())
    }
}

/// Always fails.
#[derive(Serialize, Deserialize)]
struct Broken;

#[async_trait]
impl Job for Broken {
    const KIND: &'static str = "test_broken";
    const MAX_ATTEMPTS: i32 = 3;
    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        mark(txn, "broken-attempt").await?;
        anyhow::bail!("printer on fire")
    }
}

/// Always panics.
#[derive(Serialize, Deserialize)]
struct Panics;

#[async_trait]
impl Job for Panics {
    const KIND: &'static str = "test_panics";
    const MAX_ATTEMPTS: i32 = 2;
    async fn perform(self, _ctx: &Ctx, _txn: &DatabaseTransaction) -> anyhow::Result<()> {
        panic!("handler bug")
    }
}

fn start(ctx: &Ctx, registry: Registry) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = watch::channel(false);
    (
        stop,
        tokio::spawn(Worker::new(ctx.clone(), registry).run(stopped)),
    )
}

async fn enqueue<J: Job>(ctx: &Ctx, job: &J) {
    jobs::enqueue(&ctx.db, job, ctx.now())
        .await
        .expect("enqueue");
    ctx.wake_workers();
}

async fn queued(ctx: &Ctx) -> u64 {
    job::Entity::find()
        .count(&ctx.db)
        .await
        .expect("count jobs")
}

fn no_embedded_worker() -> TestOptions {
    TestOptions {
        worker: false,
        ..TestOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_dies_after_its_attempts_and_admins_see_why() {
    let app = TestApp::spawn_with(no_embedded_worker()).await;
    let (stop, handle) = start(
        &app.ctx,
        Registry::default().with::<Broken>().with::<Panics>(),
    );
    enqueue(&app.ctx, &Broken).await;
    enqueue(&app.ctx, &Panics).await;
    people::add_staff(
        &app.ctx.db,
        "admin",
        "correct horse",
        StaffRole::Admin,
        &[],
        app.ctx.now(),
    )
    .await
    .expect("admin");
    let admin = app.staff_token("admin", "correct horse").await;
    let q = "{ deadJobs { id kind attempts lastError } }";
    eventually(Duration::from_secs(20), "two dead jobs", || async {
        let dead = app.gql_as(Some(&admin), q, json!({})).await.data()["deadJobs"]
            .as_array()
            .map_or(0, Vec::len);
        (dead == 2).then_some(())
    })
    .await;
    let dead = app.gql_as(Some(&admin), q, json!({})).await.data()["deadJobs"].clone();
    let broken = dead
        .as_array()
        .expect("list")
        .iter()
        .find(|j| j["kind"] == "test_broken")
        .expect("broken");
    assert_eq!(broken["attempts"], 3);
    assert!(broken["lastError"]
        .as_str()
        .expect("error")
        .contains("printer on fire"));
    let panics = dead
        .as_array()
        .expect("list")
        .iter()
        .find(|j| j["kind"] == "test_panics")
        .expect("panics");
    assert_eq!(panics["attempts"], 2);
    assert!(panics["lastError"]
        .as_str()
        .expect("error")
        .contains("handler bug"));
    // Each failed attempt rolled back its own writes.
    assert_eq!(count(&app.ctx, "broken-attempt").await, 0);

    // An admin can put a dead job back; it runs (and fails) again.
    let id = broken["id"].as_str().expect("id");
    let retry = app
        .gql_as(
            Some(&admin),
            "mutation($id: ID!) { retryDeadJob(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(retry.data()["retryDeadJob"], true);
    let again = app
        .gql_as(
            Some(&admin),
            "mutation($id: ID!) { retryDeadJob(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(again.code(), "NOT_FOUND", "it is queued now, not dead");
    let _ = stop.send(true);
    handle.await.expect("worker stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_never_run_the_same_job() {
    let app = TestApp::spawn_with(no_embedded_worker()).await;
    const N: u32 = 200;
    for n in 0..N {
        jobs::enqueue(&app.ctx.db, &Mark { n }, app.ctx.now())
            .await
            .expect("enqueue");
    }
    let a = start(&app.ctx, Registry::default().with::<Mark>());
    let b = start(&app.ctx, Registry::default().with::<Mark>());
    app.ctx.wake_workers();
    eventually(Duration::from_secs(60), "all jobs done", || async {
        (queued(&app.ctx).await == 0).then_some(())
    })
    .await;
    let marks = marks(&app.ctx).await;
    assert_eq!(marks.len(), N as usize, "every job ran exactly once");
    let distinct: std::collections::HashSet<_> = marks.iter().collect();
    assert_eq!(distinct.len(), N as usize);
    for (stop, handle) in [a, b] {
        let _ = stop.send(true);
        handle.await.expect("worker stops");
    }
}

/// Blocks mid-job (inside its transaction) until the test kills the worker.
#[derive(Serialize, Deserialize)]
struct Hangs;

static STARTED: Notify = Notify::const_new();

#[async_trait]
impl Job for Hangs {
    const KIND: &'static str = "test_crash";
    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        mark(txn, "crash-first-attempt").await?;
        STARTED.notify_one();
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// The same kind, as a healthy worker runs it.
#[derive(Serialize, Deserialize)]
struct Completes;

#[async_trait]
impl Job for Completes {
    const KIND: &'static str = "test_crash";
    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        mark(txn, "crash-retried").await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_job_leaves_it_to_be_retried() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        env: vec![("HONGYAN_JOB_LEASE_SECS", "1".into())],
        ..TestOptions::default()
    })
    .await;
    let (_stop, doomed) = start(&app.ctx, Registry::default().with::<Hangs>());
    enqueue(&app.ctx, &Hangs).await;
    tokio::time::timeout(Duration::from_secs(10), STARTED.notified())
        .await
        .expect("job started");
    doomed.abort(); // the process dies: no commit, no release
    let _ = doomed.await;

    let (stop, healthy) = start(&app.ctx, Registry::default().with::<Completes>());
    eventually(Duration::from_secs(20), "the job to be retried", || async {
        (queued(&app.ctx).await == 0).then_some(())
    })
    .await;
    assert_eq!(
        count(&app.ctx, "crash-first-attempt").await,
        0,
        "rolled back"
    );
    assert_eq!(count(&app.ctx, "crash-retried").await, 1);
    let _ = stop.send(true);
    healthy.await.expect("worker stops");
}

/// A private redis-server, so the test can kill it without disturbing other tests.
struct PrivateRedis {
    child: Child,
    url: String,
}

impl PrivateRedis {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (see .ci/run)");
        PrivateRedis {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_still_run_by_polling_when_redis_is_down() {
    let mut redis = PrivateRedis::start();
    eventually(
        Duration::from_secs(10),
        "the private redis-server to accept connections",
        || {
            let url = redis.url.clone();
            async move {
                let up = match redis::Client::open(url.as_str()) {
                    Ok(c) => c.get_multiplexed_async_connection().await.is_ok(),
                    Err(_) => false,
                };
                up.then_some(())
            }
        },
    )
    .await;
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        redis_url: Some(redis.url.clone()),
        env: vec![("HONGYAN_JOB_POLL_INTERVAL_MS", "500".into())],
        ..TestOptions::default()
    })
    .await;
    let (stop, handle) = start(&app.ctx, Registry::default().with::<Mark>());
    enqueue(&app.ctx, &Mark { n: 1 }).await;
    eventually(
        Duration::from_secs(10),
        "the job to run with redis up",
        || async { (queued(&app.ctx).await == 0).then_some(()) },
    )
    .await;

    let _ = redis.child.kill();
    let _ = redis.child.wait();
    enqueue(&app.ctx, &Mark { n: 2 }).await; // the wake-up is lost; polling finds it
    eventually(
        Duration::from_secs(10),
        "the job to run with redis down",
        || async { (queued(&app.ctx).await == 0).then_some(()) },
    )
    .await;
    assert_eq!(marks(&app.ctx).await.len(), 2);
    let _ = stop.send(true);
    handle.await.expect("worker stops");
}

/// Takes a moment, so a shutdown arrives while it runs.
#[derive(Serialize, Deserialize)]
struct Slow;

static SLOW_STARTED: Notify = Notify::const_new();

#[async_trait]
impl Job for Slow {
    const KIND: &'static str = "test_slow";
    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        SLOW_STARTED.notify_one();
        tokio::time::sleep(Duration::from_millis(500)).await;
        mark(txn, "slow-finished").await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_worker_finishes_the_job_in_hand() {
    let app = TestApp::spawn_with(no_embedded_worker()).await;
    let (stop, handle) = start(&app.ctx, Registry::default().with::<Slow>());
    enqueue(&app.ctx, &Slow).await;
    tokio::time::timeout(Duration::from_secs(10), SLOW_STARTED.notified())
        .await
        .expect("job started");
    let _ = stop.send(true);
    handle.await.expect("worker stops");
    assert_eq!(count(&app.ctx, "slow-finished").await, 1);
    assert_eq!(queued(&app.ctx).await, 0);
}

/// Never finishes on its own.
#[derive(Serialize, Deserialize)]
struct Stuck;

static STUCK_STARTED: Notify = Notify::const_new();

#[async_trait]
impl Job for Stuck {
    const KIND: &'static str = "test_stuck";
    async fn perform(self, _ctx: &Ctx, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        mark(txn, "stuck-started").await?;
        STUCK_STARTED.notify_one();
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_worker_releases_a_job_that_outlives_the_grace_period() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        env: vec![("HONGYAN_JOB_SHUTDOWN_GRACE_SECS", "1".into())],
        ..TestOptions::default()
    })
    .await;
    let (stop, handle) = start(&app.ctx, Registry::default().with::<Stuck>());
    enqueue(&app.ctx, &Stuck).await;
    tokio::time::timeout(Duration::from_secs(10), STUCK_STARTED.notified())
        .await
        .expect("job started");
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(10), handle)
        .await
        .expect("stops after the grace period")
        .expect("join");
    let jobs = job::Entity::find().all(&app.ctx.db).await.expect("jobs");
    assert_eq!(jobs.len(), 1, "the job is still there");
    let j = &jobs[0];
    assert_eq!(j.attempts, 0, "the interrupted attempt does not count");
    assert!(
        j.locked_until.is_none() && j.lock_token.is_none(),
        "released: due again at once"
    );
    assert_eq!(
        count(&app.ctx, "stuck-started").await,
        0,
        "its writes were rolled back"
    );
}
