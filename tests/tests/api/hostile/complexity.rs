//! The complexity limit weighs a page by its size and counts every field: a hundred
//! aliases of a 100-row search, or thousands of `__typename` aliases, are refused before
//! anything runs, while a full page of a reader's search still fits.

use hongyan_tests::{TestApp, TestOptions};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_weigh_their_rows_and_typename_counts() {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("HONGYAN_RATE_LIMIT_IP", "off".into())],
        ..TestOptions::default()
    })
    .await;
    let fair = r#"{ searchBooks(query: "中国", first: 100) { totalCount edges { cursor node { id title authors isbn publisher pubYear clcClass availableCopies } } pageInfo { hasNextPage endCursor } } }"#;
    let r = app.gql(fair, json!({})).await;
    assert!(r.data()["searchBooks"]["edges"].is_array(), "{}", r.0);

    let searches: String = (0..99)
        .map(|i| {
            format!(r#"s{i}: searchBooks(query: "a", first: 100) {{ edges {{ node {{ id }} }} }} "#)
        })
        .collect();
    let r = app.gql(&format!("{{ {searches} }}"), json!({})).await;
    assert_eq!(r.code(), "VALIDATION", "{}", r.0);
    assert!(r.0["data"].is_null());

    let typenames: String = (0..2500).map(|i| format!("t{i}: __typename ")).collect();
    let r = app.gql(&format!("{{ {typenames} }}"), json!({})).await;
    assert_eq!(r.code(), "VALIDATION", "{}", r.0);

    // Fragments count each time they are spread, without the counting itself exploding.
    let mut doc = String::from("query { ...F0 }\n");
    for i in 0..40 {
        doc.push_str(&format!(
            "fragment F{i} on Query {{ a{i}: branches {{ id }} ...F{} }}\n",
            i + 1
        ));
    }
    doc.push_str("fragment F40 on Query { __typename }\n");
    let r = app.gql(&doc, json!({})).await;
    assert!(
        r.0["errors"].is_null() || r.code() == "VALIDATION",
        "{}",
        r.0
    );
}
