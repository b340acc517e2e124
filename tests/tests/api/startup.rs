//! Start-up, configuration, the command line, operations endpoints and the locker
//! heartbeat.

use std::collections::HashMap;

use hongyan_api::{Application, Options};
use hongyan_domain::Config;
use hongyan_tests::wait::eventually;
use hongyan_tests::{hongyan_bin, TestApp, TestOptions};
use serde_json::{json, Value};

/// Runs the `hongyan` binary with only `vars` (and PATH) set, in a fresh temporary directory.
pub(crate) fn run_with_env(vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("hongyan-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = std::process::Command::new(hongyan_bin())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .current_dir(&dir)
        .output()
        .expect("run hongyan");
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn bad_configuration_stops_start_up_naming_the_variable() {
    let cases: &[(&str, &str)] = &[
        ("HONGYAN_DATABASE_URL", "mysql://localhost/x"),
        (
            "HONGYAN_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        ),
        ("HONGYAN_HTTP_ADDR", "not-an-address"),
        ("HONGYAN_JWT_SECRET", "too-short"),
        ("HONGYAN_REDIS_URL", "http://127.0.0.1:6379"),
        ("HONGYAN_WECHAT_API_BASE", "::not a url::"),
        ("HONGYAN_JOB_POLL_INTERVAL_MS", "soon"),
    ];
    for (var, value) in cases {
        let out = run_with_env(&[(var, value)], &["migrate"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}={value}: {stderr}");
        assert!(
            stderr.lines().any(|l| l.contains(var)),
            "{var}={value}: {stderr}"
        );
    }
    let out = run_with_env(&[("HONGYAN_ENV", "production")], &["migrate"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("HONGYAN_JWT_SECRET"));
}

/// A GraphQL call to `base` (as the bearer of `token`, if any); the JSON answer.
async fn graphql(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut req = http
        .post(format!("{base}/graphql"))
        .json(&json!({"query": query, "variables": variables}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("post").json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_default_runs_on_sqlite_with_the_demo_library() {
    let dir =
        std::env::temp_dir().join(format!("hongyan-sqlite-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}/hongyan.db?mode=rwc", dir.display());
    let env: HashMap<&str, String> = [
        ("HONGYAN_DATABASE_URL", url),
        ("HONGYAN_HTTP_ADDR", "127.0.0.1:0".into()),
    ]
    .into();
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("config");
    assert!(
        config.redis_url.is_none(),
        "the embedded default needs no Redis"
    );
    let app = Application::build(
        config,
        Options {
            http_workers: Some(1),
            ..Options::default()
        },
    )
    .await
    .expect("start");
    assert!(app.demo_loaded());
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let http = hongyan_tests::http_client();
    let places = graphql(
        &http,
        &base,
        None,
        "{ branches { id code kind } lockers { code branch { code } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        places["data"]["branches"].as_array().map(Vec::len),
        Some(12)
    );
    assert_eq!(places["data"]["lockers"].as_array().map(Vec::len), Some(12));
    assert!(places["data"]["branches"]
        .as_array()
        .expect("list")
        .iter()
        .any(|b| b["kind"] == "BOOKSTORE"));
    let login = graphql(
        &http,
        &base,
        None,
        r#"mutation { loginWithCard(cardNumber: "20250001", pin: "123456") { accessToken } }"#,
        json!({}),
    )
    .await;
    let token = login["data"]["loginWithCard"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    // The lending flow works on SQLite too: a request is routed, a second one refused.
    let as_reader = |q: &'static str, vars: Value| graphql(&http, &base, Some(&token), q, vars);
    // The index follows the freshly loaded demo library within a moment.
    let book = eventually(
        std::time::Duration::from_secs(5),
        "活着 (in the demo catalogue) to become searchable",
        || async {
            let found = as_reader(
                "{ searchBooks(query: \"活着\", first: 1) { edges { node { id } } } }",
                json!({}),
            )
            .await;
            let book = found["data"]["searchBooks"]["edges"][0]["node"]["id"].clone();
            book.is_string().then_some(book)
        },
    )
    .await;
    let branch = places["data"]["branches"]
        .as_array()
        .expect("list")
        .iter()
        .find(|b| b["kind"] != "BOOKSTORE")
        .expect("a branch")["id"]
        .clone();
    let ask = "mutation($i: RequestBookInput!) { requestBook(input: $i) { id status } }";
    let input =
        json!({"i": {"bookId": book, "delivery": {"method": "BRANCH", "branchId": branch}}});
    let mut keyed = input.clone();
    keyed["i"]["idempotencyKey"] = json!("sqlite-first");
    let first = as_reader(ask, keyed.clone()).await;
    let status = first["data"]["requestBook"]["status"]
        .as_str()
        .unwrap_or_default();
    assert!(["ROUTED", "WAITLISTED"].contains(&status), "{first}");
    // The request and its result under the key were written one after the other (SQLite
    // has no data-modifying CTEs): the key replays the first answer.
    let replayed = as_reader(ask, keyed).await;
    assert_eq!(replayed["data"], first["data"], "{replayed}");
    let again = as_reader(ask, input).await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "CONFLICT",
        "{again}"
    );
    // The demo's wholesaler lists new books and the year has a budget: a listed book is
    // approved at once on the feed's price, an excluded class refused, and another edition
    // of a held book comes with the held one offered as a loan.
    let propose = "mutation($i: ProposePurchaseInput!) { proposePurchase(input: $i) { status priceCents heldBook { title } } }";
    for (isbn, status, price, held) in [
        ("9787999000013", "APPROVED", 4_900, Value::Null),
        ("9787999000075", "REJECTED", 3_900, Value::Null),
        ("9787999000082", "APPROVED", 9_800, json!({"title": "三体"})),
    ] {
        let p = as_reader(
            propose,
            json!({"i": {"isbn": isbn, "title": "读者写的书名", "priceCents": 100}}),
        )
        .await;
        assert_eq!(
            p["data"]["proposePurchase"],
            json!({"status": status, "priceCents": price, "heldBook": held}),
            "{isbn}: {p}"
        );
    }
    let ready = http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    handle.stop(true).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_creates_staff_and_lockers_whose_controllers_can_check_in() {
    let app = TestApp::spawn_with(TestOptions {
        demo: true,
        ..TestOptions::default()
    })
    .await;
    // The password comes on standard input (or a prompt, or a file), never as an argument.
    let add_picker = [
        "user",
        "add-staff",
        "--username",
        "wang.picker",
        "--role",
        "picker",
        "--branch",
        "ZJG-JG",
    ];
    let out = app.cli_with_input(&add_picker, "shelf-walker-2468\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.staff_token("wang.picker", "shelf-walker-2468").await;

    // Weak passwords are refused (at creation and at reset), and so is an unknown branch.
    for weak in ["short", "12345678", "password1234", "li.admin.2026!"] {
        let refused = app.cli_with_input(
            &[
                "user",
                "add-staff",
                "--username",
                "li.admin",
                "--role",
                "admin",
            ],
            &format!("{weak}\n"),
        );
        assert_eq!(refused.status.code(), Some(1), "{weak}");
    }
    let unknown_branch = app.cli_with_input(
        &[
            "user",
            "add-staff",
            "--username",
            "li.picker",
            "--role",
            "picker",
            "--branch",
            "NOPE",
        ],
        "shelf-walker-2468\n",
    );
    assert!(String::from_utf8_lossy(&unknown_branch.stderr).contains("branch not found"));
    let file = std::env::temp_dir().join(format!("pw-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, "new-shelf-route-1357\nignored second line\n").expect("write");
    let changed = app.cli(&[
        "user",
        "set-password",
        "--username",
        "wang.picker",
        "--password-file",
        file.to_str().expect("path"),
    ]);
    let _ = std::fs::remove_file(&file);
    assert!(changed.status.success(), "{changed:?}");
    app.staff_token("wang.picker", "new-shelf-route-1357").await;
    let weak_reset = app.cli_with_input(
        &["user", "set-password", "--username", "wang.picker"],
        "qwertyuiop\n",
    );
    assert_eq!(weak_reset.status.code(), Some(1));
    // The old flag still works for old scripts, with a warning.
    let flagged = app.cli(&[
        "user",
        "add-reader",
        "--card",
        "30300001",
        "--pin",
        "246810",
        "--name",
        "读者",
    ]);
    assert!(flagged.status.success(), "{flagged:?}");
    assert!(String::from_utf8_lossy(&flagged.stderr).contains("visible to ps"));

    let out = app.cli(&[
        "locker",
        "register",
        "--code",
        "L-TEST-01",
        "--branch",
        "ZJG",
        "--compartments",
        "S=4,M=2,L=1",
        "--name",
        "测试书柜",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = stdout
        .lines()
        .last()
        .expect("token printed")
        .trim()
        .to_owned();

    let heartbeat = |t: String| {
        app.http
            .post(format!("{}/locker/v1/heartbeat", app.address))
            .bearer_auth(t)
            .send()
    };
    let bad = heartbeat("wrong-token".into()).await.expect("heartbeat");
    assert_eq!(bad.status(), 401);
    assert_eq!(
        bad.json::<Value>().await.expect("json")["code"],
        "UNAUTHENTICATED"
    );
    let ok = heartbeat(token).await.expect("heartbeat");
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<Value>().await.expect("json")["locker"],
        "L-TEST-01"
    );

    let lockers = app.gql("{ lockers { code online } }", json!({})).await;
    let list = lockers.data()["lockers"].as_array().expect("list").clone();
    assert_eq!(
        list.iter()
            .find(|l| l["code"] == "L-TEST-01")
            .expect("registered")["online"],
        true
    );
    assert_eq!(
        list.iter()
            .find(|l| l["code"] == "L-ZJG-02")
            .expect("demo locker")["online"],
        false
    );

    let dup = app.cli(&[
        "locker",
        "register",
        "--code",
        "L-TEST-01",
        "--branch",
        "ZJG",
        "--compartments",
        "S:1",
    ]);
    assert_eq!(dup.status.code(), Some(1));
    let bad_spec = app.cli(&[
        "locker",
        "register",
        "--code",
        "L-TEST-02",
        "--branch",
        "ZJG",
        "--compartments",
        "XL:3",
    ]);
    assert!(String::from_utf8_lossy(&bad_spec.stderr).contains("compartments"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_endpoints_report_health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let health = app
        .http
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    let ready: Value = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(ready, json!({"database": "ok", "migrations": "ok"}));
    app.gql("{ branches { id } }", json!({})).await;
    let metrics = app.get_text("/metrics").await;
    for needle in [
        "hongyan_http_request_duration_seconds_bucket",
        "route=\"/graphql\"",
        "hongyan_graphql_operation_duration_seconds_count{operation=\"query\",field=\"branches\",outcome=\"ok\"} 1",
        // The worker queues its timed sweep at start, so "ready" may be 0 or 1 here.
        "hongyan_job_queue_depth{state=\"ready\"}",
        "hongyan_job_queue_depth{state=\"dead\"} 0",
    ] {
        assert!(metrics.contains(needle), "{needle} missing from:\n{metrics}");
    }
    let nowhere = app
        .http
        .get(format!("{}/no/such/page", app.address))
        .send()
        .await
        .expect("404");
    assert_eq!(nowhere.status(), 404);
    let body: Value = nowhere.json().await.expect("a JSON error");
    assert_eq!(body["code"], "NOT_FOUND");
    let gui = app
        .http
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .expect("graphiql");
    // GraphiQL comes from the binary: nothing from another host.
    let html = gui.text().await.expect("html");
    assert!(html.contains("graphiql") && !html.contains("https://") && !html.contains("http://"));
    for src in html.split('"').filter(|s| s.starts_with("/graphiql/v/")) {
        let file = app
            .http
            .get(format!("{}{src}", app.address))
            .send()
            .await
            .expect("a GraphiQL file");
        assert_eq!(file.status(), 200, "{src}");
    }
}

/// Writes one masked WebSocket text frame (clients must mask, RFC 6455 §5.3).
fn ws_text_frame(payload: &[u8]) -> Vec<u8> {
    let mask = [0x12u8, 0x34, 0x56, 0x78];
    let mut frame = vec![0x81];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | u8::try_from(n).expect("short")),
        n => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(n).expect("medium").to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_speak_graphql_transport_ws() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let handshake = format!(
        "GET /graphql/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
    );
    stream
        .write_all(handshake.as_bytes())
        .await
        .expect("handshake");
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.expect("response");
    let response = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(response.starts_with("HTTP/1.1 101"), "{response}");
    assert!(
        response
            .to_lowercase()
            .contains("sec-websocket-protocol: graphql-transport-ws"),
        "{response}"
    );
    let init = ws_text_frame(br#"{"type":"connection_init","payload":{}}"#);
    stream.write_all(&init).await.expect("connection_init");
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer")
        .expect("read");
    let text = String::from_utf8_lossy(&buf[2..n]).to_string();
    assert!(text.contains("connection_ack"), "{text}");
}
