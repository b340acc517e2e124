//! `/graphql/ws`: every operation on a socket passes the same admission as a POST (rate
//! limits, one login per operation), so a socket is no way around them; a socket must
//! initialise in time, closes when its token expires or its account is switched off, and
//! sockets per reader and operations per socket are capped.

use std::time::Duration;

use hongyan_api::sockets::{MAX_OPERATIONS, MAX_SOCKETS_PER_READER, RECHECK};
use hongyan_domain::auth::StaffRole;
use hongyan_tests::socket::{Incoming, Socket};
use hongyan_tests::{TestApp, TestOptions};
use serde_json::{json, Value};

use crate::library::{to_branch, Library};

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

const STAFF_ME: &str = "{ staffMe { id } }";
const UPDATES: &str = "subscription { requestUpdated { id status } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_must_initialise_in_time() {
    let app = TestApp::spawn().await;
    let mut ws = Socket::open(&app.address).await;
    let closed = ws.next_within(Duration::from_secs(15)).await;
    assert_eq!(
        closed,
        Incoming::Closed(4408, "Connection initialisation timeout".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_closes_when_its_token_expires() {
    let lib = Library::open(TestOptions {
        env: vec![("HONGYAN_ACCESS_TOKEN_TTL_SECS", "2".into())],
        ..TestOptions::default()
    })
    .await;
    let reader = lib.reader("61000001").await;
    let mut ws = Socket::connect(&lib.app.address, Some(&reader)).await;
    ws.subscribe("1", UPDATES).await;
    let closed = ws.next_within(Duration::from_secs(10)).await;
    assert_eq!(
        closed,
        Incoming::Closed(4401, "Unauthorized: access token expired".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switched_off_account_stops_at_once_on_every_transport() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("root", StaffRole::Admin, &[]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let mut ws = Socket::connect(&app.address, Some(&picker)).await;
    ws.subscribe("1", STAFF_ME).await;
    assert_eq!(outcome(&ws.message().await), "OK");
    assert_eq!(ws.message().await["type"], "complete");
    let id = app.gql_as(Some(&picker), STAFF_ME, json!({})).await.data()["staffMe"]["id"].clone();
    app.gql_as(
        Some(&admin),
        "mutation($id: ID!) { setStaffAccountDisabled(id: $id, disabled: true) { id } }",
        json!({"id": id}),
    )
    .await
    .data();
    // Over HTTP and on the open socket, the very next operation is refused...
    let r = app.gql_as(Some(&picker), STAFF_ME, json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    ws.subscribe("2", STAFF_ME).await;
    assert_eq!(outcome(&ws.message().await), "UNAUTHENTICATED");
    assert_eq!(ws.message().await["type"], "complete");
    // ...and the socket is closed within the re-check period.
    let closed = ws.next_within(RECHECK + Duration::from_secs(5)).await;
    assert_eq!(
        closed,
        Incoming::Closed(4403, "Forbidden: account switched off".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_and_subscriptions_are_capped_and_every_one_hears_each_change() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let reader = lib.reader("61000002").await;
    let mut sockets = Vec::new();
    for _ in 0..MAX_SOCKETS_PER_READER {
        let mut ws = Socket::connect(&app.address, Some(&reader)).await;
        for i in 0..MAX_OPERATIONS {
            ws.subscribe(&i.to_string(), UPDATES).await;
        }
        sockets.push(ws);
    }
    // One more subscription on a full socket, one more socket for the reader: refused.
    sockets[0].subscribe("extra", UPDATES).await;
    let refused = sockets[0].message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "extra");
    assert_eq!(outcome(&refused), "RATE_LIMITED");
    let mut extra = Socket::open(&app.address).await;
    let answer = extra.init(Some(&reader)).await;
    assert_eq!(
        answer,
        Incoming::Closed(4429, "Too many connections".into())
    );
    // Every one of the 50 subscriptions hears the request change.
    let req = lib.request(&reader, &book, to_branch(&lib, "A")).await;
    for ws in &mut sockets {
        let mut heard = std::collections::BTreeSet::new();
        while heard.len() < MAX_OPERATIONS {
            let m = ws.message().await;
            assert_eq!(m["type"], "next", "{m}");
            assert_eq!(m["payload"]["data"]["requestUpdated"]["id"], req["id"]);
            heard.insert(m["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    // A socket closed gives its seat back.
    drop(sockets.pop());
    tokio::time::sleep(Duration::from_millis(500)).await;
    Socket::connect(&app.address, Some(&reader)).await;
}
