//! `hongyan simulate city`: a small city's simulated day through the CLI against PostgreSQL
//! keeps every invariant of the lending chain and reports its figures; production refuses
//! the simulation.

use std::collections::{HashMap, HashSet};

use hongyan_domain::entity::item::ItemStatus;
use hongyan_domain::entity::job::JobState;
use hongyan_domain::entity::loan::LoanStatus;
use hongyan_domain::entity::loan_request::RequestStatus;
use hongyan_domain::entity::{item, job, loan, loan_request, notification, request_event};
use hongyan_domain::lifecycle::Lifecycle;
use hongyan_tests::databases::{Backend, TestDatabase};
use hongyan_tests::{hongyan_bin, redis_url, smtp_sink};
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};
use serde_json::Value;

/// One day of a small, busy city: few readers asking often, short holds so some expire,
/// and some readers who never come.
const SMALL_CITY: &str = r#"
seed = 7
drain_hours = 12
readers = 60
step_minutes = 10
hold_hours = 6

[requests]
per_reader_per_day = 1.2

[rounds]
times = ["09:30", "11:30", "14:00", "16:30"]

[collect]
never_share = 0.25

[collect.delay]
median_hours = 2.0
p90_hours = 8.0
hours = [7, 22]
"#;

/// Runs `hongyan simulate city` with `args` and only PATH, Redis and `vars` set.
fn simulate(args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(hongyan_bin())
        .args(["simulate", "city"])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HONGYAN_REDIS_URL", redis_url())
        .envs(vars.iter().copied())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run hongyan")
}

/// Runs `hongyan simulate city` for `days` of `scenario` on `database` (and `vars` in its
/// environment) with a JSON and an HTML report; fails unless it succeeds. Returns its output, the JSON and the page.
fn run_city(
    scenario: &str,
    days: &str,
    database: &TestDatabase,
    vars: &[(&str, &str)],
) -> (String, Value, String) {
    let dir = std::env::temp_dir().join(format!("hongyan-sim-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (file, json, html) = (
        dir.join("city.toml"),
        dir.join("report.json"),
        dir.join("report.html"),
    );
    std::fs::write(&file, scenario).expect("scenario");
    let path = |p: &std::path::PathBuf| p.to_str().expect("path").to_owned();
    let out = simulate(
        &[
            "--days",
            days,
            "--scenario",
            &path(&file),
            "--json",
            &path(&json),
            "--html",
            &path(&html),
            "--database-url",
            &database.url(),
        ],
        vars,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = std::fs::read(&json)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    let page = std::fs::read_to_string(&html).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, report, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_city_day_keeps_every_invariant_and_reports_its_figures() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let (stdout, report, page) = run_city(SMALL_CITY, "1", &database, &[]);
    assert!(stdout.contains("从请求到可取书"), "{stdout}");
    assert!(
        page.contains("<svg") && page.contains("从请求到可取书"),
        "{page}"
    );

    // The report has its figures.
    let made = report["requests"]["made"].as_u64().expect("made");
    assert!(made >= 30, "{report:#}");
    assert!(
        report["toReady"]["ready"].as_u64().expect("ready") > 0,
        "{report:#}"
    );
    for method in ["LOCKER", "BRANCH", "HOME"] {
        let spread = &report["toReadyByMethod"][method];
        assert!(
            spread["p50Hours"].as_f64().is_some(),
            "{method}: {report:#}"
        );
        assert!(spread["p90Hours"].as_f64() >= spread["p50Hours"].as_f64());
    }
    assert!(
        report["toReadyByBranch"]["ZJG"]["ready"].as_u64() > Some(0),
        "{report:#}"
    );
    let central = &report["pickers"]["ZJG"];
    assert!(central["utilisation"].as_f64() > Some(0.0), "{report:#}");
    assert!(report["rounds"]["count"].as_u64() > Some(0), "{report:#}");
    assert!(
        report["lockers"]["deposited"].as_u64() > Some(0),
        "{report:#}"
    );
    assert!(
        report["lockers"]["expired"].as_u64() > Some(0),
        "short holds expire: {report:#}"
    );
    // An hourly reading through the day and the 12 hours after it.
    assert_eq!(report["hourly"].as_array().map(Vec::len), Some(36));
    assert_eq!(report["problems"], serde_json::json!({}), "{report:#}");
    assert_consistent(&report);

    // The server's database agrees with the lending chain's rules.
    let db = Database::connect(database.url()).await.expect("database");
    let requests = loan_request::Entity::find()
        .all(&db)
        .await
        .expect("requests");
    assert_eq!(requests.len() as u64, made);
    let events = request_event::Entity::find()
        .all(&db)
        .await
        .expect("events");
    let mut last: HashMap<_, RequestStatus> = HashMap::new();
    let mut ordered = events.clone();
    ordered.sort_by_key(|e| (e.at, e.id));
    for e in &ordered {
        match e.from_status {
            None => assert!(RequestStatus::BEGINS.contains(&e.to_status), "{e:?}"),
            Some(from) => assert!(from.may_move(e.to_status), "a move the model lacks: {e:?}"),
        }
        last.insert(e.request_id, e.to_status);
    }
    for r in &requests {
        assert_ne!(r.status, RequestStatus::Pending, "left pending: {r:?}");
        assert_eq!(
            last.get(&r.id),
            Some(&r.status),
            "history ends elsewhere: {r:?}"
        );
    }
    let jobs = job::Entity::find()
        .filter(job::Column::State.eq(JobState::Dead))
        .all(&db)
        .await
        .expect("jobs");
    assert!(jobs.is_empty(), "dead jobs: {jobs:?}");
    let messages = notification::Entity::find()
        .all(&db)
        .await
        .expect("notifications");
    let mut seen = HashSet::new();
    for m in &messages {
        assert!(
            seen.insert((m.reader_id, m.channel, m.dedup_key.clone())),
            "a message twice: {m:?}"
        );
    }
    // Every copy is where its loans and requests say.
    let items: HashMap<_, _> = item::Entity::find()
        .all(&db)
        .await
        .expect("items")
        .into_iter()
        .map(|i| (i.id, i.status))
        .collect();
    let active: HashSet<_> = loan::Entity::find()
        .filter(loan::Column::Status.eq(LoanStatus::Active))
        .all(&db)
        .await
        .expect("loans")
        .into_iter()
        .map(|l| l.item_id)
        .collect();
    for (id, status) in &items {
        assert_eq!(
            *status == ItemStatus::OnLoan,
            active.contains(id),
            "copy {id} is {status:?}"
        );
    }
    for r in &requests {
        let want = match r.status {
            RequestStatus::Routed | RequestStatus::Picked => ItemStatus::Reserved,
            RequestStatus::ReadyForPickup => ItemStatus::OnHold,
            RequestStatus::Fulfilled => continue,
            RequestStatus::InTransit => ItemStatus::InTransit,
            _ => continue,
        };
        let item = r.item_id.expect("a copy");
        let is = items[&item];
        // A picked copy is RESERVED until it leaves; a LOCKER one deposited early is ON_HOLD.
        assert!(
            is == want || (r.status == RequestStatus::Picked && is == ItemStatus::OnHold),
            "request {:?} {:?}: copy is {is:?}",
            r.id,
            r.status
        );
    }
}

/// The report's consistency check ran every rule and found nothing, and the books are where
/// the database says.
fn assert_consistent(report: &Value) {
    let rules = report["consistency"].as_array().expect("consistency");
    assert_eq!(rules.len(), 12, "{report:#}");
    for rule in rules {
        assert_eq!(rule["count"], 0, "{rule}");
    }
    // The books the simulated readers hold and the parcels in lockers are the database's.
    let w = &report["whereabouts"];
    assert_eq!(w["disagreements"], serde_json::json!([]), "{w}");
    assert!(w["withReaders"].as_u64() > Some(0), "{w}");
    assert_eq!(w["withReaders"], w["lentInDatabase"], "{w}");
    assert_eq!(w["lockerParcels"], w["occupiedDoors"], "{w}");
}

/// A month of a small city, loans running out and coming back: the soak. Fewer readers and
/// longer steps than a real month, so it fits in CI; `hongyan simulate city --days 30` is the
/// demo city's month (docs/simulation.md).
const SMALL_MONTH: &str = r#"
seed = 30
drain_hours = 24
readers = 40
step_minutes = 30
hold_hours = 48

[requests]
per_reader_per_day = 0.5

[loan]
median_days = 5.0
p90_days = 12.0
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_city_month_loses_nothing() {
    let database = TestDatabase::create(Backend::Postgres).await;
    // Readers get their messages by email, into a catcher that keeps them.
    let mail = smtp_sink::start().await;
    let (_, report, _) = run_city(
        SMALL_MONTH,
        "30",
        &database,
        &[("HONGYAN_SMTP_URL", &mail.url)],
    );
    assert!(
        report["requests"]["made"].as_u64() > Some(300),
        "{report:#}"
    );
    // Books went out, came back and went out again.
    assert!(
        report["flows"]["checkedIn"].as_u64() > Some(100),
        "{report:#}"
    );
    assert_eq!(report["problems"], serde_json::json!({}), "{report:#}");
    assert_consistent(&report);
    // Every request ended its month in a state the report counts.
    let counted: u64 = report["statuses"]
        .as_object()
        .expect("statuses")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(Some(counted), report["requests"]["made"].as_u64());
    assert!(report["statuses"].get("PENDING").is_none(), "{report:#}");
    // No message was sent twice: each notification (its id is the Message-ID) arrived once.
    // (Two messages may read alike: a reader queued twice for one title, a month apart.)
    let messages = mail.messages();
    assert!(messages.len() > 100, "{} messages", messages.len());
    let mut seen = HashSet::new();
    for m in &messages {
        let id = m.message_id.clone().expect("a Message-ID");
        assert!(
            seen.insert(id),
            "sent twice: {:?} {} {:?}\n{}",
            m.to,
            m.subject,
            m.message_id,
            m.text
        );
    }
}

#[test]
fn production_refuses_the_simulation() {
    let out = simulate(
        &["--days", "1"],
        &[
            ("HONGYAN_ENV", "production"),
            (
                "HONGYAN_JWT_SECRET",
                "Zr8v1Kq3pX0mWb6tYc2nHs9dLf4gJa7eUo5iQw1xTz3yBk8rNv0mCs6hPd2jFl4a",
            ),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("simulate city refuses to run when HONGYAN_ENV=production"),
        "{stderr}"
    );
}
