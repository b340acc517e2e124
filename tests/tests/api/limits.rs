//! Abuse limits: depth and complexity stop hostile queries (and aliases, which count), the
//! standard introspection query still works, every error has a code, batches are refused,
//! and readers and addresses are rate limited across API processes.

use hongyan_domain::people;
use hongyan_tests::{TestApp, TestOptions};
use serde_json::json;

/// graphql-core's `get_introspection_query()` (descriptions on), as GraphiQL and codegen
/// tools send it.
const INTROSPECTION: &str = r"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_passes_the_limits() {
    let app = TestApp::spawn().await;
    let r = app.gql(INTROSPECTION, json!({})).await;
    let types = r.data()["__schema"]["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["name"] == "Locker"));
    assert_eq!(r.data()["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_deep_and_too_complex_queries_are_refused_with_a_code() {
    let app = TestApp::spawn().await;
    let mut deep = String::from("kind");
    for _ in 0..20 {
        deep = format!("ofType {{ {deep} }}");
    }
    let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}");
    assert_eq!(app.gql(&deep, json!({})).await.code(), "VALIDATION");

    let wide: String = (0..1100)
        .map(|i| format!("a{i}: branches {{ id }} "))
        .collect();
    let r = app.gql(&format!("{{ {wide} }}"), json!({})).await;
    assert_eq!(r.code(), "VALIDATION");
    assert!(r.0["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("超过上限"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_carries_a_code() {
    let app = TestApp::spawn().await;
    for bad in [
        "{ branches { id ",
        "{ noSuchField }",
        "mutation { loginWithCard(cardNumber: 1) { accessToken } }",
        "",
    ] {
        let r = app.gql(bad, json!({})).await;
        assert!(!r.codes().is_empty(), "{bad:?} gave no error");
        assert!(
            r.codes().iter().all(|c| c == "VALIDATION"),
            "{bad:?}: {:?}",
            r.codes()
        );
    }
}

/// Posts `{ branches { id } }` as `token`; returns the HTTP status, `Retry-After` and body.
async fn ask(app: &TestApp, token: Option<&str>) -> (u16, Option<String>, serde_json::Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&json!({"query": "{ branches { id } }"}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry, resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_are_rate_limited_across_api_processes_and_told_when_to_retry() {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![
            ("HONGYAN_RATE_LIMIT_READER", "5".into()),
            ("HONGYAN_RATE_LIMIT_IP", "off".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    let other_process = app.sibling(&[]).await;
    for card in ["50000001", "50000002"] {
        people::add_reader(&app.ctx.db, card, "123456", "读者", app.ctx.now())
            .await
            .expect("reader");
    }
    let me = app.reader_token("50000001", "123456").await;
    let neighbour = app.reader_token("50000002", "123456").await;
    // Five requests a minute, wherever they land.
    for i in 0..5 {
        let on = if i % 2 == 0 { &app } else { &other_process };
        assert_eq!(ask(on, Some(&me)).await.0, 200, "request {i}");
    }
    for on in [&app, &other_process] {
        let (status, retry, body) = ask(on, Some(&me)).await;
        assert_eq!(status, 429);
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        let after = body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .expect("retryAfter");
        assert!((1..=60).contains(&after), "{after}");
        assert_eq!(retry, Some(after.to_string()));
        assert_eq!(body["data"], serde_json::Value::Null);
    }
    // Another reader is not held back by the first.
    assert_eq!(ask(&app, Some(&neighbour)).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_is_rate_limited_and_batches_are_refused() {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("HONGYAN_RATE_LIMIT_IP", "8".into())],
        ..TestOptions::default()
    })
    .await;
    let batch = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&json!([{"query": "{ branches { id } }"}, {"query": "{ branches { id } }"}]))
        .send()
        .await
        .expect("batch");
    assert_eq!(batch.status().as_u16(), 400);
    let body: serde_json::Value = batch.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("批量"), "{message}");
    // Eight a minute from one address (the refused batch never ran); the ninth is refused.
    for i in 0..8 {
        assert_eq!(ask(&app, None).await.0, 200, "request {i}");
    }
    let (status, _, body) = ask(&app, None).await;
    assert_eq!(status, 429);
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_are_refused_as_validation_wherever_they_hide() {
    let app = TestApp::spawn().await;
    const LOGIN: &str =
        "mutation($c: String!) { loginWithCard(cardNumber: $c, pin: \"1234\") { expiresIn } }";
    let r = app.gql(LOGIN, json!({"c": "1\u{0}2"})).await;
    assert_eq!(r.code(), "VALIDATION");
    for inline in [
        "mutation { loginWithCard(cardNumber: \"\\u0000~\", pin: \"1\") { expiresIn } }",
        "{ searchBooks(query: \"a\\u0000\") { totalCount } }",
    ] {
        let r = app.gql(inline, json!({})).await;
        assert_eq!(r.code(), "VALIDATION", "{inline}");
        assert!(r.0["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("NUL"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_256_kib_are_refused_with_a_code_on_every_endpoint() {
    let app = TestApp::spawn().await;
    let padding = " ".repeat(300 * 1024);
    let query = json!({"query": format!("{{ branches {{ id }} }}{padding}")});
    let resp = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&query)
        .send()
        .await
        .expect("graphql");
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("256 KiB"));
    for path in ["/locker/v1/heartbeat", "/webhooks/courier"] {
        let resp = app
            .http
            .post(format!("{}{path}", app.address))
            .bearer_auth("whatever")
            .json(&query)
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 400, "{path}");
        let body: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(body["code"], "VALIDATION", "{path}: {body}");
    }
    // Just under the limit still works.
    let fits = json!({"query": format!("{{ branches {{ id }} }}{}", " ".repeat(200 * 1024))});
    let resp = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&fits)
        .send()
        .await
        .expect("graphql");
    assert_eq!(resp.status().as_u16(), 200);
}
