//! `/graphql/ws`: every operation on a socket passes the same admission as a POST (rate
//! limits, one login per operation), so a socket is no way around them.

use hongyan_tests::socket::Socket;
use hongyan_tests::{TestApp, TestOptions};
use serde_json::Value;

/// The codes of an operation's `error` message, or `OK` for `next`.
fn outcome(m: &Value) -> String {
    match m["type"].as_str() {
        Some("next") => m["payload"]["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("OK")
            .to_owned(),
        Some("error") => m["payload"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("UNCODED")
            .to_owned(),
        _ => panic!("unexpected {m}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_on_a_socket_are_rate_limited_and_log_in_once() {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![
            ("HONGYAN_RATE_LIMIT_IP", "3".into()),
            ("HONGYAN_RATE_LIMIT_READER", "off".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    let mut ws = Socket::connect(&app.address, None).await;
    let mut outcomes = Vec::new();
    for i in 0..5 {
        ws.subscribe(&i.to_string(), "{ branches { id } }").await;
        let m = ws.message().await;
        outcomes.push(outcome(&m));
        if m["type"] == "next" {
            assert_eq!(ws.message().await["type"], "complete");
        }
    }
    assert_eq!(outcomes, ["OK", "OK", "OK", "RATE_LIMITED", "RATE_LIMITED"]);

    let app = TestApp::spawn().await;
    let mut ws = Socket::connect(&app.address, None).await;
    let aliased: String = (0..50)
        .map(|i| {
            format!(r#"a{i}: loginWithCard(cardNumber: "1", pin: "{i:06}") {{ accessToken }} "#)
        })
        .collect();
    ws.subscribe("x", &format!("mutation {{ {aliased} }}"))
        .await;
    assert_eq!(outcome(&ws.message().await), "VALIDATION");
}
