//! Production start-up: `hongyan serve` with `HONGYAN_ENV=production` never loads the demo
//! library (whose logins are public), refuses the demo's credentials even when someone
//! loaded it by name, and refuses placeholder and low-entropy JWT secrets, which would let
//! anyone forge an admin token. In production the schema is for staff, GraphiQL is off,
//! metrics live on the operators' address, and every answer carries security headers.

use hongyan_domain::auth::StaffRole;
use hongyan_domain::{infra::secrets, people};
use hongyan_tests::serve::ServeProcess;
use hongyan_tests::{TestApp, TestOptions};

use crate::startup::run_with_env;
use serde_json::json;

/// A production app on a fresh database, with a secret as `openssl rand` makes them.
async fn production() -> TestApp {
    TestApp::spawn_with(TestOptions {
        env: vec![
            ("HONGYAN_ENV", "production".into()),
            ("HONGYAN_JWT_SECRET", secrets::random_token()),
            ("HONGYAN_CLOCK", "system".into()),
        ],
        ..TestOptions::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_serves_no_demo_and_refuses_its_published_logins() {
    let app = production().await;

    // Plain `serve` into the empty database: no demo library, no demo logins printed.
    let served = ServeProcess::start(&app.env, &[]);
    let places = reqwest::Client::new()
        .post(format!("{}/graphql", served.address))
        .json(&json!({"query": "{ branches { id } }"}))
        .send()
        .await
        .expect("graphql")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(places["data"]["branches"], json!([]), "{places}");
    assert!(
        !served.banner.contains("hongyan-admin"),
        "{}",
        served.banner
    );
    drop(served);

    // Loaded by name, its credentials still open nothing.
    let out = app.cli(&["demo"]);
    assert!(out.status.success(), "{out:?}");
    for (query, vars) in [
        (
            "mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken } }",
            json!({"c": "20250001", "p": "123456"}),
        ),
        (
            "mutation($c: String!, $p: String!) { staffLogin(username: $c, password: $p) { accessToken } }",
            json!({"c": "admin", "p": "hongyan-admin"}),
        ),
        (
            "mutation($c: String!, $p: String!) { staffLogin(username: $c, password: $p) { accessToken } }",
            json!({"c": "librarian", "p": "hongyan-demo"}),
        ),
    ] {
        assert_eq!(app.gql(query, vars.clone()).await.code(), "UNAUTHENTICATED", "{vars}");
    }
    for path in ["/locker/v1/heartbeat", "/locker/v1/commands?wait=0"] {
        let req = if path.contains("heartbeat") {
            app.http.post(format!("{}{path}", app.address))
        } else {
            app.http.get(format!("{}{path}", app.address))
        };
        let resp = req
            .bearer_auth("demo-locker-L-ZJG-01")
            .send()
            .await
            .expect("locker");
        assert_eq!(resp.status(), 401, "{path}");
    }
}

/// `hongyan migrate` in production with `vars` besides; its exit code and standard error.
fn migrate_in_production(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut env = vec![
        ("HONGYAN_ENV", "production"),
        ("HONGYAN_DATABASE_URL", "sqlite::memory:"),
    ];
    env.extend_from_slice(vars);
    let out = run_with_env(&env, &["migrate"]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn production_refuses_a_placeholder_jwt_secret() {
    for secret in [
        "change-me-change-me-change-me-change-me",
        "0000000000000000000000000000000000000000",
    ] {
        let (code, stderr) = migrate_in_production(&[("HONGYAN_JWT_SECRET", secret)]);
        assert_eq!(code, Some(2), "{secret}: {stderr}");
        assert!(stderr.contains("HONGYAN_JWT_SECRET"), "{stderr}");
    }
}

#[test]
fn production_refuses_a_clock_that_can_be_moved() {
    let secret = secrets::random_token();
    let (code, stderr) = migrate_in_production(&[
        ("HONGYAN_JWT_SECRET", &secret),
        ("HONGYAN_CLOCK", "adjustable"),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("HONGYAN_CLOCK"), "{stderr}");
}

#[test]
fn the_compose_file_has_no_fallback_secret() {
    let compose = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docker-compose.yml"),
    )
    .expect("docker-compose.yml");
    let line = compose
        .lines()
        .find(|l| l.trim_start().starts_with("HONGYAN_JWT_SECRET:"))
        .expect("the compose file passes HONGYAN_JWT_SECRET");
    assert!(
        line.contains("${HONGYAN_JWT_SECRET:?"),
        "compose must stop when no secret is set, not fall back: {line}"
    );
}

const SCHEMA_TYPES: &str = "{ __schema { types { name } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_keeps_the_schema_graphiql_and_metrics_to_those_who_need_them() {
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let app = TestApp::spawn_with(TestOptions {
        env: vec![
            ("HONGYAN_ENV", "production".into()),
            ("HONGYAN_JWT_SECRET", secrets::random_token()),
            ("HONGYAN_CLOCK", "system".into()),
            ("HONGYAN_METRICS_ADDR", format!("127.0.0.1:{metrics_port}")),
        ],
        ..TestOptions::default()
    })
    .await;
    people::add_staff(
        &app.ctx.db,
        "root",
        "night-shelf-route-7351",
        StaffRole::Admin,
        &[],
        app.ctx.now(),
    )
    .await
    .expect("admin");
    people::add_reader(&app.ctx.db, "63000001", "246810", "读者", app.ctx.now())
        .await
        .expect("reader");
    let admin = app.staff_token("root", "night-shelf-route-7351").await;
    let reader = app.reader_token("63000001", "246810").await;

    // Introspection: staff only.
    let r = app.gql(SCHEMA_TYPES, json!({})).await;
    assert!(
        r.0["data"].is_null() || r.0["data"]["__schema"].is_null(),
        "{}",
        r.0
    );
    assert_eq!(r.code(), "VALIDATION");
    let r = app.gql_as(Some(&reader), SCHEMA_TYPES, json!({})).await;
    assert_eq!(r.code(), "VALIDATION");
    let r = app.gql_as(Some(&admin), SCHEMA_TYPES, json!({})).await;
    assert!(r.data()["__schema"]["types"].is_array());

    // No GraphiQL, no metrics on the API's address; metrics on the operators' one.
    let get = |url: String| {
        let http = app.http.clone();
        async move { http.get(url).send().await.expect("get") }
    };
    assert_eq!(get(format!("{}/graphql", app.address)).await.status(), 404);
    assert_eq!(get(format!("{}/metrics", app.address)).await.status(), 404);
    let metrics = get(format!("http://127.0.0.1:{metrics_port}/metrics")).await;
    assert_eq!(metrics.status(), 200);
    assert!(metrics
        .text()
        .await
        .expect("text")
        .contains("hongyan_job_queue_depth"));

    // Every answer says: no sniffing, no framing, and (JSON) nothing to load or run.
    for resp in [
        get(format!("{}/readyz", app.address)).await,
        get(format!("{}/metrics", app.address)).await,
        app.http
            .post(format!("{}/graphql", app.address))
            .json(&json!({"query": "{ branches { id } }"}))
            .send()
            .await
            .expect("post"),
    ] {
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("default-src 'none'"));
    }
}
