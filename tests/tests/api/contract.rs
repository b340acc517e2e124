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
