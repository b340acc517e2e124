//! Login guessing: one login per operation (aliases once tried 200 PINs in one request),
//! failed logins counted per account and per client address with growing locks that even
//! the right PIN does not pass, counted atomically, staff able to unlock, and unknown
//! accounts answering like known ones (same lock, same password-hash cost).

use std::time::{Duration, Instant};

use hongyan_domain::auth::StaffRole;
use hongyan_domain::branches::{self, BranchKind, NewBranch};
use hongyan_domain::people;
use hongyan_tests::{TestApp, TestOptions};
use serde_json::{json, Value};

const CARD_LOGIN: &str =
    "mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken } }";
const STAFF_LOGIN: &str =
    "mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { accessToken } }";
const UNLOCK_CARD: &str = "mutation($c: String) { unlockLogin(cardNumber: $c) }";

async fn app() -> TestApp {
    TestApp::spawn_with(TestOptions {
        env: vec![
            ("HONGYAN_RATE_LIMIT_IP", "off".into()),
            ("HONGYAN_RATE_LIMIT_READER", "off".into()),
        ],
        ..TestOptions::default()
    })
    .await
}

async fn card_login(app: &TestApp, card: &str, pin: &str) -> Value {
    app.gql(CARD_LOGIN, json!({"c": card, "p": pin})).await.0
}

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("OK")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_logs_in_once_however_it_is_written() {
    let app = app().await;
    people::add_reader(&app.ctx.db, "60000001", "246810", "读者", app.ctx.now())
        .await
        .expect("reader");
    let aliased: String = (0..200)
        .map(|i| {
            format!(
                r#"a{i}: loginWithCard(cardNumber: "60000001", pin: "{i:06}") {{ accessToken }} "#
            )
        })
        .collect();
    let r = app
        .gql(&format!("mutation {{ {aliased} }}"), json!({}))
        .await;
    assert_eq!(r.code(), "VALIDATION", "{}", r.0);
    assert!(r.0["data"].is_null());
    for mixed in [
        r#"mutation { a: staffLogin(username: "x", password: "y") { accessToken } b: loginWithCard(cardNumber: "60000001", pin: "1") { accessToken } }"#,
        r#"mutation { ...A ...B } fragment A on Mutation { a: loginWithCard(cardNumber: "60000001", pin: "1") { accessToken } } fragment B on Mutation { b: loginWithCard(cardNumber: "60000001", pin: "2") { accessToken } }"#,
        r#"mutation { ... on Mutation { a: refreshToken(refreshToken: "x") { accessToken } } b: refreshToken(refreshToken: "y") { accessToken } }"#,
    ] {
        assert_eq!(
            app.gql(mixed, json!({})).await.code(),
            "VALIDATION",
            "{mixed}"
        );
    }
    // None of those guesses counted: the account is not locked.
    let ok = card_login(&app, "60000001", "246810").await;
    assert!(
        ok["data"]["loginWithCard"]["accessToken"].is_string(),
        "{ok}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_lock_the_account_until_staff_unlock_it() {
    let app = app().await;
    people::add_reader(&app.ctx.db, "60000002", "135790", "读者", app.ctx.now())
        .await
        .expect("reader");
    for guess in ["000001", "000002", "000003", "000004", "000005"] {
        assert_eq!(
            code(&card_login(&app, "60000002", guess).await),
            "UNAUTHENTICATED"
        );
    }
    // Locked: the right PIN is refused too, and told when to come back.
    let locked = card_login(&app, "60000002", "135790").await;
    assert_eq!(code(&locked), "RATE_LIMITED", "{locked}");
    let wait = locked["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .expect("retryAfter");
    assert!((1..=60).contains(&wait), "{wait}");

    // A reader cannot lift it; desk staff can.
    let reader = {
        people::add_reader(
            &app.ctx.db,
            "60000003",
            "112233",
            "另一位读者",
            app.ctx.now(),
        )
        .await
        .expect("reader");
        app.reader_token("60000003", "112233").await
    };
    let r = app
        .gql_as(Some(&reader), UNLOCK_CARD, json!({"c": "60000002"}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    branches::create(
        &app.ctx.db,
        vec![NewBranch {
            code: "A".into(),
            name: "总馆".into(),
            kind: BranchKind::Central,
            address: "张家港".into(),
            position: None,
        }],
        app.ctx.now(),
    )
    .await
    .expect("branch");
    people::add_staff(
        &app.ctx.db,
        "desk",
        "front-counter-2468",
        StaffRole::Librarian,
        &["A".into()],
        app.ctx.now(),
    )
    .await
    .expect("staff");
    let librarian = app.staff_token("desk", "front-counter-2468").await;
    let r = app
        .gql_as(Some(&librarian), UNLOCK_CARD, json!({"c": "60000002"}))
        .await;
    assert_eq!(r.data()["unlockLogin"], true);
    let ok = card_login(&app, "60000002", "135790").await;
    assert!(
        ok["data"]["loginWithCard"]["accessToken"].is_string(),
        "{ok}"
    );

    // Staff accounts lock the same way; only an admin unlocks them.
    for _ in 0..5 {
        let r = app
            .gql(STAFF_LOGIN, json!({"u": "desk", "p": "wrong-pass-1"}))
            .await;
        assert_eq!(r.code(), "UNAUTHENTICATED");
    }
    let r = app
        .gql(STAFF_LOGIN, json!({"u": "desk", "p": "front-counter-2468"}))
        .await;
    assert_eq!(r.code(), "RATE_LIMITED");
    let r = app
        .gql_as(
            Some(&librarian),
            "mutation { unlockLogin(username: \"desk\") }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.code(),
        "FORBIDDEN",
        "librarians unlock readers, admins staff"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_guesses_at_once_check_no_more_than_the_free_tries() {
    let app = app().await;
    people::add_reader(&app.ctx.db, "60000004", "975310", "读者", app.ctx.now())
        .await
        .expect("reader");
    let guesses = (0..50).map(|i| {
        let app = &app;
        async move {
            code(&card_login(app, "60000004", &format!("{:06}", 100_000 + i)).await).to_owned()
        }
    });
    let codes = futures::future::join_all(guesses).await;
    let checked = codes.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    let refused = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!(checked + refused, 50, "{codes:?}");
    assert!(checked <= 5, "{checked} PINs were checked: {codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pin_across_many_cards_locks_the_client_address() {
    let app = app().await;
    // Cards nobody holds answer exactly as held ones do, and count per address.
    let mut first_refusal = None;
    for i in 0..40 {
        let r = card_login(&app, &format!("7000{i:04}"), "123456").await;
        match code(&r) {
            "UNAUTHENTICATED" => {}
            "RATE_LIMITED" => {
                first_refusal = Some(i);
                break;
            }
            other => panic!("{other}: {r}"),
        }
    }
    assert_eq!(
        first_refusal,
        Some(30),
        "thirty failures per address, then a lock"
    );
}

/// How long one failed login of `card` took (`attempt` picks a distinct wrong PIN).
async fn failure_time(app: &TestApp, card: &str, attempt: usize) -> Duration {
    let t = Instant::now();
    let r = card_login(app, card, &format!("9{attempt:05}")).await;
    let took = t.elapsed();
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    took
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_known_cards_cost_the_same_to_refuse() {
    let app = app().await;
    let known_cards = ["60000005", "60000006", "60000007"];
    for card in known_cards {
        people::add_reader(&app.ctx.db, card, "864200", "读者", app.ctx.now())
            .await
            .expect("reader");
    }
    let unknown_cards = ["69991001", "69991002", "69991003"];
    // Nine failures a side (three per card, under the card lock and, with the six below,
    // under the address's thirty), interleaved so machine noise hits both sides alike;
    // medians, so one slow moment cannot decide.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for attempt in 0..3 {
        for (k, u) in known_cards.iter().zip(unknown_cards) {
            known.push(failure_time(&app, k, attempt).await);
            unknown.push(failure_time(&app, u, attempt).await);
        }
    }
    let (k, u) = (median(known), median(unknown));
    assert!(
        u * 2 >= k && k * 2 >= u,
        "refusing an unknown card took {u:?}, a known one {k:?}: the difference tells who exists"
    );
    // An unknown card locks like a known one, so a lock tells nothing about who exists.
    for i in 0..5 {
        let r = card_login(&app, "69990009", &format!("00000{i}")).await;
        assert_eq!(code(&r), "UNAUTHENTICATED");
    }
    assert_eq!(
        code(&card_login(&app, "69990009", "000009").await),
        "RATE_LIMITED"
    );
}
