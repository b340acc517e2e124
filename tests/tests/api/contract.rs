//! The contract clients build against: the GraphQL schema committed as `schema.graphql` (a
//! change to the API shows in review as a change to that file), and the server's front door.

use hongyan_tests::browser::workspace;
use hongyan_tests::{TestApp, TestOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committed_schema_is_the_one_the_server_serves() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let out = app.cli(&["schema", "print"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("UTF-8");
    let committed =
        std::fs::read_to_string(workspace().join("schema.graphql")).expect("schema.graphql");
    assert!(
        printed == committed,
        "schema.graphql differs from the code's schema: run \
         `cargo run -p hongyan-api -- schema print > schema.graphql` and review the change"
    );
    // The file is the schema in use: a field added in the code is in it.
    assert!(committed.contains("findReaders("), "{committed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_door_leads_to_the_app_the_console_and_graphiql() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let resp = app
        .http
        .get(format!("{}/", app.address))
        .send()
        .await
        .expect("GET /");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let body = resp.text().await.expect("body");
    for link in ["href=\"/app/\"", "href=\"/console\"", "href=\"/graphql\""] {
        assert!(body.contains(link), "{link}: {body}");
    }
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "nothing from elsewhere"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persisted_query_runs_by_its_hash_once_taught() {
    use sha2::{Digest, Sha256};
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    const QUERY: &str = "query Branches { branches { code name } }";
    let hash: String = Sha256::digest(QUERY.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let post = |body: serde_json::Value| {
        let http = app.http.clone();
        let url = format!("{}/graphql", app.address);
        async move {
            let resp = http.post(url).json(&body).send().await.expect("POST");
            assert_eq!(resp.status(), 200);
            resp.json::<serde_json::Value>().await.expect("JSON")
        }
    };
    let persisted = serde_json::json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    // Not yet known: the client is told to send the query.
    let r = post(serde_json::json!({"query": "", "extensions": persisted})).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{r}"
    );
    assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound");
    // Taught with the query and its hash; a wrong hash is refused and teaches nothing.
    let wrong = serde_json::json!({"persistedQuery": {"version": 1, "sha256Hash": "0".repeat(64)}});
    let r = post(serde_json::json!({"query": QUERY, "extensions": wrong})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "VALIDATION", "{r}");
    let r = post(serde_json::json!({"query": QUERY, "extensions": persisted})).await;
    let taught = r["data"]["branches"].clone();
    assert!(taught.is_array(), "{r}");
    // Then the hash alone runs it.
    let r = post(serde_json::json!({"query": "", "extensions": persisted})).await;
    assert_eq!(r["data"]["branches"], taught, "{r}");
    for bad in [
        serde_json::json!({"persistedQuery": {"version": 2, "sha256Hash": hash}}),
        serde_json::json!({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}),
        serde_json::json!({"persistedQuery": "yes"}),
    ] {
        let r = post(serde_json::json!({"query": "", "extensions": bad})).await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"], "VALIDATION",
            "{bad}: {r}"
        );
    }

    // What a phone saves on `requestBook`: the request body with the whole document and with
    // its hash alone (the variables are the same either way).
    let document = crate::library::REQUEST;
    let variables = serde_json::json!({"i": {"bookId": "0190f0e0-0000-7000-8000-000000000000",
        "delivery": {"method": "LOCKER", "lockerId": "0190f0e0-0000-7000-8000-000000000001"}}});
    let full = serde_json::json!({"query": document, "variables": variables}).to_string();
    let hashed = serde_json::json!({"query": "", "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0".repeat(64)}}})
    .to_string();
    println!(
        "requestBook body: {} bytes with the document, {} with its hash ({:.0} %)",
        full.len(),
        hashed.len(),
        100.0 * hashed.len() as f64 / full.len() as f64
    );
    assert!(hashed.len() < full.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_speak_chinese_by_default_and_english_when_asked() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let ask = |language: Option<&'static str>, body: serde_json::Value, path: &'static str| {
        let http = app.http.clone();
        let url = format!("{}{path}", app.address);
        async move {
            let mut req = http.post(url).json(&body);
            if let Some(l) = language {
                req = req.header("accept-language", l);
            }
            req.send()
                .await
                .expect("POST")
                .json::<serde_json::Value>()
                .await
                .expect("JSON")
        }
    };
    // A domain error, an engine error and a transport error, in both languages.
    let cases = [
        serde_json::json!({"query": "{ book(id: \"nope\") { title } }"}),
        serde_json::json!({"query": "{ noSuchField }"}),
        serde_json::json!({"query": "query { me { name } }"}),
    ];
    for body in cases {
        let zh = ask(None, body.clone(), "/graphql").await;
        let en = ask(Some("en-GB,en;q=0.9"), body.clone(), "/graphql").await;
        let (zh, en) = (&zh["errors"][0], &en["errors"][0]);
        let said = zh["message"].as_str().unwrap_or_default();
        assert!(hongyan_tests::chinese::not_chinese(said).is_none(), "{zh}");
        let english = en["message"].as_str().unwrap_or_default();
        assert!(
            !english.chars().any(hongyan_tests::chinese::is_cjk) && !english.is_empty(),
            "{en}"
        );
        assert_eq!(zh["extensions"], en["extensions"], "only the words differ");
    }
    // The locker REST API answers the same way.
    let zh = ask(None, serde_json::json!({}), "/locker/v1/heartbeat").await;
    let en = ask(Some("en"), serde_json::json!({}), "/locker/v1/heartbeat").await;
    assert_eq!(zh["code"], "UNAUTHENTICATED", "{zh}");
    assert_eq!(zh["code"], en["code"]);
    assert!(
        hongyan_tests::chinese::not_chinese(zh["message"].as_str().unwrap_or("")).is_none(),
        "{zh}"
    );
    assert!(
        en["message"].as_str().unwrap_or("").contains("Bearer"),
        "{en}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_loads_and_runs_with_the_network_switched_off() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let (passed, printed) = hongyan_tests::browser::run_node(
        "graphiql.test.mjs",
        vec![("HONGYAN_GRAPHIQL_URL", app.address.clone())],
    )
    .await;
    assert!(passed, "the browser test failed:\n{printed}");
}
