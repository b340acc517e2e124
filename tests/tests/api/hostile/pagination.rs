//! Every list of the API takes hostile paging arguments without aborting, answering 5xx or
//! INTERNAL: a cursor is opaque and checked, `first` is bounded, and a search never ranks
//! more than its maximum depth (a raw offset once reached the index and aborted the
//! process allocating 16 TB). The lists are found by introspection, so a new one without a
//! case here fails the test instead of going unchecked.

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hongyan_domain::auth::StaffRole;
use hongyan_domain::people;
use hongyan_tests::{TestApp, TestOptions};
use serde_json::{json, Value};

/// Arguments that page a list.
const PAGING: &[&str] = &["first", "after", "last", "before", "offset", "limit"];

/// Who asks for a list.
#[derive(Clone, Copy)]
enum As {
    Anyone,
    Reader,
    Admin,
}

/// Each paging field (`Type.field`), who may read it, and a query that pages it with
/// `$first` (and `$after` where the field takes a cursor).
const CASES: &[(&str, As, &str)] = &[
    (
        "Query.searchBooks",
        As::Anyone,
        r#"query($first: Int, $after: String) { searchBooks(query: "中国", first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"#,
    ),
    (
        "Query.myRequests",
        As::Reader,
        "query($first: Int, $after: String) { myRequests(first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }",
    ),
    (
        "Query.myLoans",
        As::Reader,
        "query($first: Int, $after: String) { myLoans(first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }",
    ),
    (
        "Query.myProposals",
        As::Reader,
        "query($first: Int, $after: String) { myProposals(first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }",
    ),
    (
        "Query.proposals",
        As::Admin,
        "query($first: Int, $after: String) { proposals(first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }",
    ),
    (
        "Query.orders",
        As::Admin,
        "query($first: Int!) { orders(first: $first) { id } }",
    ),
    (
        "Query.deadJobs",
        As::Admin,
        "query($first: Int!) { deadJobs(first: $first) { id } }",
    ),
    (
        "Query.myNotifications",
        As::Reader,
        "query($first: Int!) { myNotifications(first: $first) { id } }",
    ),
    (
        "Query.readerNotifications",
        As::Admin,
        "query($first: Int!, $reader: ID!) { readerNotifications(readerId: $reader, first: $first) { id } }",
    ),
    (
        "Query.deadNotifications",
        As::Admin,
        "query($first: Int!) { deadNotifications(first: $first) { id } }",
    ),
    (
        "Query.findReaders",
        As::Admin,
        r#"query($first: Int!) { findReaders(query: "读者", first: $first) { id } }"#,
    ),
    (
        "DeskReader.notifications",
        As::Admin,
        r#"query($first: Int!) { readerByCard(cardNumber: "20250001") { notifications(first: $first) { id } } }"#,
    ),
];

/// Every `Type.field` of the schema that takes a paging argument.
async fn paging_fields(app: &TestApp) -> BTreeSet<String> {
    let r = app
        .gql(
            "{ __schema { types { name fields { name args { name } } } } }",
            json!({}),
        )
        .await;
    let mut found = BTreeSet::new();
    for t in r.data()["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().unwrap_or_default();
        if name.starts_with("__") {
            continue;
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            let pages = f["args"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| PAGING.contains(&a["name"].as_str().unwrap_or_default()));
            if pages {
                found.insert(format!("{name}.{}", f["name"].as_str().unwrap_or_default()));
            }
        }
    }
    found
}

/// Cursors no server handed out: raw offsets, overflowing numbers, other lists' cursors,
/// garbage, and a huge string.
fn hostile_cursors() -> Vec<String> {
    let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
    vec![
        "999999999999".into(),
        "-1".into(),
        String::new(),
        "%%%not base64%%%".into(),
        "A".repeat(100_000),
        b64("search:999999999999"),
        b64("search:18446744073709551615"),
        b64("search:1001"),
        b64("search:-5"),
        b64("requests:999999999999"),
        b64("requests:not-a-uuid"),
        b64("proposals:0"),
        URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00, 0x3a]),
    ]
}

/// Sizes outside every list's range, and the edges of Int.
const HOSTILE_FIRSTS: &[i64] = &[0, -1, 101, 501, 100_000, 2_147_483_647, -2_147_483_648];

/// Posts one query and checks the answer: no 5xx, every error coded and none INTERNAL.
/// Returns the codes.
async fn probe(app: &TestApp, token: Option<&str>, query: &str, vars: Value) -> Vec<String> {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&json!({"query": query, "variables": vars}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("a JSON answer");
    assert!(status < 500, "{status} for {vars}: {body}");
    let codes: Vec<String> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or_else(|| panic!("uncoded error for {vars}: {e}"))
                .to_owned()
        })
        .collect();
    assert!(
        !codes.iter().any(|c| c == "INTERNAL"),
        "INTERNAL for {vars}: {body}"
    );
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_refuses_hostile_paging_arguments_and_the_server_stays_up() {
    let app = TestApp::spawn_with(TestOptions {
        demo: true,
        env: vec![
            ("HONGYAN_RATE_LIMIT_IP", "off".into()),
            ("HONGYAN_RATE_LIMIT_READER", "off".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    people::add_staff(
        &app.ctx.db,
        "root",
        "paging-admin-pass",
        StaffRole::Admin,
        &[],
        app.ctx.now(),
    )
    .await
    .expect("admin");
    let admin = app.staff_token("root", "paging-admin-pass").await;
    let reader = app.reader_token("20250001", "123456").await;
    let reader_id = app
        .gql_as(Some(&reader), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .clone();

    // Every paging field has a case, and every case is a paging field.
    let found = paging_fields(&app).await;
    let covered: BTreeSet<String> = CASES.iter().map(|(f, ..)| (*f).to_owned()).collect();
    assert_eq!(
        found, covered,
        "paging fields without a case (or cases without a field)"
    );

    // The request that aborted the server.
    let crash = app
        .gql(
            r#"{ searchBooks(query: "a", after: "999999999999") { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(crash.code(), "VALIDATION");

    for (field, who, query) in CASES {
        let token = match who {
            As::Anyone => None,
            As::Reader => Some(reader.as_str()),
            As::Admin => Some(admin.as_str()),
        };
        let with = |mut vars: Value| {
            vars["reader"] = reader_id.clone();
            vars
        };
        let takes_cursor = query.contains("$after");
        // A fair first page works.
        let ok = probe(&app, token, query, with(json!({"first": 2}))).await;
        assert!(ok.is_empty(), "{field}: {ok:?}");
        for first in HOSTILE_FIRSTS {
            let codes = probe(&app, token, query, with(json!({"first": first}))).await;
            assert_eq!(codes, ["VALIDATION"], "{field} first={first}");
        }
        if !takes_cursor {
            continue;
        }
        for cursor in hostile_cursors() {
            let codes = probe(
                &app,
                token,
                query,
                with(json!({"first": 5, "after": cursor})),
            )
            .await;
            assert_eq!(codes, ["VALIDATION"], "{field} after={:.60}", cursor);
        }
        // A list's own cursor pages on; a cursor of another list does not.
        let search_cursor = URL_SAFE_NO_PAD.encode("search:3");
        let foreign = if *field == "Query.searchBooks" {
            URL_SAFE_NO_PAD.encode(format!("requests:{}", uuid::Uuid::now_v7()))
        } else {
            search_cursor
        };
        let codes = probe(
            &app,
            token,
            query,
            with(json!({"first": 5, "after": foreign})),
        )
        .await;
        assert_eq!(codes, ["VALIDATION"], "{field}: a foreign cursor");
    }

    // Search pages through its own cursors up to the maximum depth, and past the last
    // match answers an empty page rather than an error.
    let search = CASES[0].2;
    let page = app.gql(search, json!({"first": 100})).await;
    let total = page.data()["searchBooks"]["totalCount"]
        .as_u64()
        .expect("total");
    assert!(
        total > 100,
        "the demo catalogue has many 中国 titles: {total}"
    );
    let end = page.data()["searchBooks"]["pageInfo"]["endCursor"].clone();
    let next = app.gql(search, json!({"first": 100, "after": end})).await;
    assert_eq!(
        next.data()["searchBooks"]["edges"].as_array().map(Vec::len),
        Some(usize::try_from(total.min(200) - 100).expect("small"))
    );
    let deepest = URL_SAFE_NO_PAD.encode("search:999");
    let r = app
        .gql(search, json!({"first": 100, "after": deepest}))
        .await;
    assert!(r.data()["searchBooks"]["edges"].is_array());

    // Still up.
    assert_eq!(
        app.http
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("healthz")
            .status(),
        200
    );
}
