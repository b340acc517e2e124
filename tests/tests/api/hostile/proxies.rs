//! Behind a reverse proxy the client address is the `X-Forwarded-For` entry the trusted
//! proxy appended (counted from the right), never the left-most one the client wrote: a
//! client that forges a new address per request is still counted as itself.

use hongyan_tests::{TestApp, TestOptions};
use serde_json::json;

async fn status(app: &TestApp, forwarded: &str) -> u16 {
    app.http
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", forwarded)
        .json(&json!({"query": "{ branches { id } }"}))
        .send()
        .await
        .expect("graphql")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_counts_the_address_the_proxy_saw() {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![
            ("HONGYAN_TRUST_PROXY", "true".into()),
            ("HONGYAN_TRUSTED_PROXY_HOPS", "2".into()),
            ("HONGYAN_RATE_LIMIT_IP", "3".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    // Two proxies: the outer one appended 203.0.113.7, the inner one 10.0.0.2.
    let forged = |i: u32| format!("198.51.100.{i}, 203.0.113.7, 10.0.0.2");
    let statuses: Vec<u16> = futures::future::join_all((0..5).map(|i| {
        let app = &app;
        async move { status(app, &forged(i)).await }
    }))
    .await;
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [200, 200, 200, 429, 429], "{statuses:?}");
    // Another client behind the same proxies has its own budget.
    assert_eq!(status(&app, "203.0.113.8, 10.0.0.2").await, 200);
    // Fewer entries than trusted hops: the peer's address, whatever was written.
    assert_eq!(status(&app, "203.0.113.7").await, 200);
}
