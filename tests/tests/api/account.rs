//! A reader's own account: saved delivery addresses, private to their owner.

use hongyan_domain::people;
use hongyan_tests::TestApp;
use serde_json::json;

const ADD: &str = "mutation($i: AddressInput!) { addAddress(input: $i) { id label recipient phone address latitude } }";
const LIST: &str = "{ myAddresses { id label phone } }";
const REMOVE: &str = "mutation($id: ID!) { removeAddress(id: $id) }";

fn home() -> serde_json::Value {
    json!({"label": "家", "recipient": "张小雨", "phone": "+86 138-1234-5678", "address": "江苏省张家港市杨舍镇梁丰二村12幢301", "latitude": 31.8835, "longitude": 120.565})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_keep_their_own_delivery_addresses() {
    let app = TestApp::spawn().await;
    people::add_reader(&app.ctx.db, "20250001", "123456", "张小雨", app.ctx.now())
        .await
        .expect("reader");
    people::add_reader(&app.ctx.db, "20250002", "123456", "李明", app.ctx.now())
        .await
        .expect("reader");
    let me = app.reader_token("20250001", "123456").await;
    let other = app.reader_token("20250002", "123456").await;

    let added = app
        .gql_as(Some(&me), ADD, json!({"i": home()}))
        .await
        .data()["addAddress"]
        .clone();
    assert_eq!(added["phone"], "13812345678", "stored normalised");
    assert_eq!(added["latitude"], 31.8835);
    let mine = app.gql_as(Some(&me), LIST, json!({})).await.data()["myAddresses"].clone();
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.gql_as(Some(&other), LIST, json!({})).await.data()["myAddresses"],
        json!([])
    );

    // Another reader can neither see nor remove it; the owner can.
    assert_eq!(
        app.gql_as(Some(&other), REMOVE, json!({"id": added["id"]}))
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql_as(Some(&me), REMOVE, json!({"id": added["id"]}))
            .await
            .data()["removeAddress"],
        true
    );
    assert_eq!(
        app.gql_as(Some(&me), REMOVE, json!({"id": added["id"]}))
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(app.gql(LIST, json!({})).await.code(), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    people::add_reader(&app.ctx.db, "20250001", "123456", "张小雨", app.ctx.now())
        .await
        .expect("reader");
    let me = app.reader_token("20250001", "123456").await;
    let with = |k: &str, v: serde_json::Value| {
        let mut a = home();
        a[k] = v;
        json!({"i": a})
    };
    for vars in [
        with("phone", json!("12345")),
        with("recipient", json!("  ")),
        with("address", json!("地".repeat(201))),
        with("latitude", json!(91.0)),
    ] {
        assert_eq!(
            app.gql_as(Some(&me), ADD, vars.clone()).await.code(),
            "VALIDATION",
            "{vars}"
        );
    }
    assert_eq!(
        app.gql_as(Some(&me), LIST, json!({})).await.data()["myAddresses"],
        json!([])
    );
    for _ in 0..10 {
        app.gql_as(Some(&me), ADD, json!({"i": home()}))
            .await
            .data();
    }
    assert_eq!(
        app.gql_as(Some(&me), ADD, json!({"i": home()}))
            .await
            .code(),
        "QUOTA_EXCEEDED"
    );
    hongyan_domain::people::add_staff(
        &app.ctx.db,
        "admin",
        "correct horse",
        hongyan_domain::auth::StaffRole::Admin,
        &[],
        app.ctx.now(),
    )
    .await
    .expect("staff");
    let admin = app.staff_token("admin", "correct horse").await;
    assert_eq!(
        app.gql_as(Some(&admin), LIST, json!({})).await.code(),
        "FORBIDDEN",
        "staff have no addresses"
    );
}
