//! The GraphQL the staff console needs beyond the contract: `staffMe` (role and branches of
//! the signed-in staff member), `readerByCard` (a reader with open requests, loans and
//! messages, for the desk) and `Locker.freeCompartments` (room per door size).

use std::time::Duration;

use hongyan_domain::auth::StaffRole;
use hongyan_tests::wait::eventually;
use hongyan_tests::TestOptions;
use serde_json::{json, Value};

use crate::library::{locker, to_branch, Library};

const STAFF_ME: &str =
    "{ staffMe { id username displayName role branches { id code name kind } } }";
const READER_BY_CARD: &str =
    "query($c: String!) { readerByCard(cardNumber: $c) { id name cardNumber blocked \
     openRequests { id status deliveryMethod book { title } } \
     activeLoans { id status dueAt book { title } } \
     notifications(first: 10) { kind status readerId } } }";
const FREE: &str = "{ lockers { code freeCompartments { size free total } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_me_tells_the_role_and_branches_and_refuses_readers() {
    let lib = Library::open(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["C", "A"]).await;
    let admin = lib.staff("boss", StaffRole::Admin, &[]).await;
    let reader = lib.reader("60000001").await;

    let me = app.gql_as(Some(&picker), STAFF_ME, json!({})).await;
    let me = &me.data()["staffMe"];
    assert_eq!(me["username"], "picker-a");
    assert_eq!(me["role"], "PICKER");
    let codes: Vec<&str> = me["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["A", "C"], "their branches only, by code");
    assert_eq!(me["branches"][0]["id"], lib.id("A").as_str());
    assert_eq!(me["branches"][0]["name"], "A 分馆");

    // Admins act everywhere: every branch.
    let all = app.gql_as(Some(&admin), STAFF_ME, json!({})).await;
    assert_eq!(all.data()["staffMe"]["role"], "ADMIN");
    assert_eq!(
        all.data()["staffMe"]["branches"].as_array().unwrap().len(),
        4
    );

    let r = app.gql_as(Some(&reader), STAFF_ME, json!({})).await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(app.gql(STAFF_ME, json!({})).await.code(), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_looks_a_reader_up_by_card_with_requests_loans_and_messages() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let librarian = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let clerk = lib
        .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    let me = lib.reader("60000010").await;
    let other = lib.reader("60000011").await;
    let wanted = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    lib.title("活着", &[("A", "A0002", "I247.57/5")]).await;
    let asked = lib.request(&me, &wanted, to_branch(&lib, "A")).await;
    assert_eq!(asked["status"], "ROUTED");
    lib.check_out(&librarian, "A0002", "60000010").await;

    // The request's "accepted" message is written by a worker job: wait for it.
    let found = eventually(
        Duration::from_secs(15),
        "the reader's first message",
        || async {
            let r = app
                .gql_as(Some(&librarian), READER_BY_CARD, json!({"c": " 60000010 "}))
                .await;
            let found = r.data()["readerByCard"].clone();
            let told = found["notifications"]
                .as_array()
                .is_some_and(|n| !n.is_empty());
            told.then_some(found)
        },
    )
    .await;
    assert_eq!(found["name"], "读者");
    assert_eq!(found["cardNumber"], "60000010");
    assert_eq!(found["blocked"], false);
    assert_eq!(
        found["openRequests"],
        json!([{"id": asked["id"], "status": "ROUTED", "deliveryMethod": "BRANCH",
                "book": {"title": "围城"}}])
    );
    let loans = found["activeLoans"].as_array().unwrap();
    assert_eq!(loans.len(), 1, "{found}");
    assert_eq!(loans[0]["book"]["title"], "活着");
    assert_eq!(loans[0]["status"], "ACTIVE");
    let messages = found["notifications"].as_array().unwrap();
    assert!(
        messages.iter().any(|n| n["kind"] == "request_accepted"),
        "{found}"
    );
    assert!(messages.iter().all(|n| n["readerId"] == found["id"]));

    // Readers may not look anyone up, not even themselves; nor may a bookstore clerk.
    for token in [&me, &other, &clerk] {
        let r = app
            .gql_as(Some(token), READER_BY_CARD, json!({"c": "60000010"}))
            .await;
        assert_eq!(r.code(), "FORBIDDEN");
    }
    let r = app
        .gql_as(Some(&librarian), READER_BY_CARD, json!({"c": "99999999"}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND", "a card nobody holds");
    let r = app
        .gql_as(Some(&librarian), READER_BY_CARD, json!({"c": "no!"}))
        .await;
    assert_eq!(r.code(), "VALIDATION", "not a card number");
}

fn counts(lockers: &Value, code: &str) -> Value {
    lockers["lockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .unwrap_or_else(|| panic!("no locker {code} in {lockers}"))["freeCompartments"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockers_show_staff_their_free_doors_per_size() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let (l1, _door) = locker(&lib, "L-01", "S=2,M=1", (31.8810, 120.5510)).await;
    locker(&lib, "L-02", "L=3", (31.8900, 120.5700)).await;
    let dispatcher = lib.staff("driver", StaffRole::Dispatcher, &["B"]).await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let reader = lib.reader("60000020").await;
    let book = lib.title("边城", &[("A", "A0004", "I246.5/3")]).await;

    let before = app.gql_as(Some(&dispatcher), FREE, json!({})).await;
    assert_eq!(
        counts(before.data(), "L-01"),
        json!([{"size": "S", "free": 2, "total": 2}, {"size": "M", "free": 1, "total": 1}])
    );
    assert_eq!(
        counts(before.data(), "L-02"),
        json!([{"size": "L", "free": 3, "total": 3}])
    );

    // A picked LOCKER request takes the smallest free door.
    let req = lib
        .request(&reader, &book, json!({"method": "LOCKER", "lockerId": l1}))
        .await;
    assert_eq!(req["status"], "ROUTED", "{req}");
    lib.pick_first(&picker, "A").await;
    let after = app.gql_as(Some(&dispatcher), FREE, json!({})).await;
    assert_eq!(
        counts(after.data(), "L-01"),
        json!([{"size": "S", "free": 1, "total": 2}, {"size": "M", "free": 1, "total": 1}])
    );

    // Staff only: the public locker list stays as it was for readers.
    let r = app.gql_as(Some(&reader), FREE, json!({})).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let public = app.gql("{ lockers { code online } }", json!({})).await;
    assert_eq!(public.data()["lockers"].as_array().unwrap().len(), 2);
}

const ACCOUNTS: &str = "{ staffAccounts { id username role disabled branches { code } } }";
const CREATE_ACCOUNT: &str = "mutation($i: StaffAccountInput!) { createStaffAccount(input: $i) { id username role disabled branches { code } } }";
const DISABLE: &str = "mutation($id: ID!, $d: Boolean!) { setStaffAccountDisabled(id: $id, disabled: $d) { id disabled } }";
const LOGIN: &str =
    "mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { accessToken } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_create_and_switch_off_staff_accounts_and_nobody_else_can() {
    let lib = Library::open(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib-a", StaffRole::Librarian, &["A"]).await;
    let input = |username: &str, password: &str, branches: Value| json!({"i": {"username": username, "password": password, "role": "PICKER", "branchCodes": branches}});
    let r = app
        .gql_as(
            Some(&librarian),
            CREATE_ACCOUNT,
            input("new-picker", "shelf-keeper-2468", json!(["A"])),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    for (bad, code) in [
        (input("x", "shelf-keeper-2468", json!(["A"])), "VALIDATION"),
        (input("new-picker", "short", json!(["A"])), "VALIDATION"),
        (
            input("new-picker", "shelf-keeper-2468", json!([])),
            "VALIDATION",
        ),
        (
            input("new-picker", "shelf-keeper-2468", json!(["NOPE"])),
            "NOT_FOUND",
        ),
        (
            input("lib-a", "shelf-keeper-2468", json!(["A"])),
            "CONFLICT",
        ),
    ] {
        let r = app.gql_as(Some(&admin), CREATE_ACCOUNT, bad.clone()).await;
        assert_eq!(r.code(), code, "{bad}");
    }
    let made = app
        .gql_as(
            Some(&admin),
            CREATE_ACCOUNT,
            input("new-picker", "shelf-keeper-2468", json!(["C", "A"])),
        )
        .await;
    let made = made.data()["createStaffAccount"].clone();
    assert_eq!(
        (&made["role"], &made["disabled"], &made["branches"]),
        (
            &json!("PICKER"),
            &json!(false),
            &json!([{"code": "A"}, {"code": "C"}])
        )
    );
    let login = |u: &'static str| app.gql(LOGIN, json!({"u": u, "p": "shelf-keeper-2468"}));
    assert!(login("new-picker").await.0["data"]["staffLogin"]["accessToken"].is_string());
    let listed = app.gql_as(Some(&admin), ACCOUNTS, json!({})).await;
    let names: Vec<&str> = listed.data()["staffAccounts"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["username"].as_str())
        .collect();
    assert_eq!(names, ["admin", "lib-a", "new-picker"]);
    assert_eq!(
        app.gql_as(Some(&librarian), ACCOUNTS, json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );

    // Switched off: no more logins, until switched on again. An admin cannot lock themself out.
    let off = app
        .gql_as(Some(&admin), DISABLE, json!({"id": made["id"], "d": true}))
        .await;
    assert_eq!(off.data()["setStaffAccountDisabled"]["disabled"], true);
    assert_eq!(login("new-picker").await.code(), "UNAUTHENTICATED");
    app.gql_as(Some(&admin), DISABLE, json!({"id": made["id"], "d": false}))
        .await;
    assert!(login("new-picker").await.0["data"]["staffLogin"]["accessToken"].is_string());
    let me = app.gql_as(Some(&admin), STAFF_ME, json!({})).await;
    let own = app
        .gql_as(
            Some(&admin),
            DISABLE,
            json!({"id": me.data()["staffMe"]["id"], "d": true}),
        )
        .await;
    assert_eq!(own.code(), "FORBIDDEN");
    let audited =
        <CountRow as sea_orm::FromQueryResult>::find_by_statement(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS count FROM audit_log WHERE action LIKE 'staff.%'",
        ))
        .one(&app.ctx.db)
        .await
        .expect("count")
        .expect("a row")
        .count;
    assert_eq!(audited, 3, "create, disable, enable");
}

#[derive(sea_orm::FromQueryResult)]
struct CountRow {
    count: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_sees_its_waitlists_and_the_holds_that_expired_uncollected() {
    let lib = Library::open(TestOptions {
        env: vec![("HONGYAN_SWEEP_INTERVAL_SECS", "1".into())],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let desk_a = lib.staff("lib-a", StaffRole::Librarian, &["A"]).await;
    let desk_b = lib.staff("lib-b", StaffRole::Librarian, &["B"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let book = lib.title("只有一本", &[("A", "A0001", "I247/9")]).await;
    let mut readers = vec![];
    for card in ["61000001", "61000002", "61000003"] {
        let token = lib.reader(card).await;
        let r = lib.request(&token, &book, to_branch(&lib, "A")).await;
        readers.push((token, r));
    }
    const WAITLISTS: &str =
        "query($b: ID!) { waitlists(branchId: $b) { book { title } waiting oldestSince } }";
    const EXPIRED: &str =
        "query($b: ID!) { expiredPickups(branchId: $b) { id status book { title } } }";
    let a = json!({"b": lib.id("A")});
    let w = app.gql_as(Some(&desk_a), WAITLISTS, a.clone()).await;
    assert_eq!(w.data()["waitlists"][0]["book"]["title"], "只有一本");
    assert_eq!(w.data()["waitlists"][0]["waiting"], 2);
    for q in [WAITLISTS, EXPIRED] {
        assert_eq!(
            app.gql_as(Some(&desk_b), q, a.clone()).await.code(),
            "FORBIDDEN"
        );
        assert_eq!(
            app.gql_as(Some(&picker), q, a.clone()).await.code(),
            "FORBIDDEN"
        );
    }
    // The first reader's copy waits on the hold shelf and nobody collects it.
    lib.pick_first(&picker, "A").await;
    // The pickup deadline passes: the clock moves on rather than waiting 72 hours.
    let hold = i64::from(app.ctx.config.lending.hold_hours);
    app.ctx
        .clock
        .advance(chrono::Duration::hours(hold) + chrono::Duration::minutes(1))
        .expect("the test clock moves");
    let expired = eventually(
        Duration::from_secs(20),
        "the expired hold in the list",
        || async {
            let r = app.gql_as(Some(&desk_a), EXPIRED, a.clone()).await;
            let list = r.data()["expiredPickups"].clone();
            list.as_array()
                .is_some_and(|l| !l.is_empty())
                .then_some(list)
        },
    )
    .await;
    assert_eq!(
        expired,
        json!([{"id": readers[0].1["id"], "status": "EXPIRED", "book": {"title": "只有一本"}}])
    );
    // Its copy went to the next reader in the queue: one left waiting.
    let w = app.gql_as(Some(&desk_a), WAITLISTS, a).await;
    assert_eq!(w.data()["waitlists"][0]["waiting"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_change_a_role_and_the_old_session_stops_at_once() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib-a", StaffRole::Librarian, &["A"]).await;
    let picker = lib.staff("night-picker", StaffRole::Picker, &["A"]).await;
    let me = app.gql_as(Some(&picker), STAFF_ME, json!({})).await;
    let id = me.data()["staffMe"]["id"].clone();
    let own = app.gql_as(Some(&admin), STAFF_ME, json!({})).await;
    let own = own.data()["staffMe"]["id"].clone();
    const ROLE: &str = "mutation($id: ID!, $r: StaffRole!, $b: [String!]!) { setStaffRole(id: $id, role: $r, branchCodes: $b) { role branches { code } } }";

    for (who, vars, code) in [
        (
            &librarian,
            json!({"id": id, "r": "LIBRARIAN", "b": ["B"]}),
            "FORBIDDEN",
        ),
        (
            &admin,
            json!({"id": own, "r": "PICKER", "b": ["A"]}),
            "FORBIDDEN",
        ),
        (
            &admin,
            json!({"id": id, "r": "LIBRARIAN", "b": []}),
            "VALIDATION",
        ),
        (
            &admin,
            json!({"id": id, "r": "LIBRARIAN", "b": ["NOPE"]}),
            "NOT_FOUND",
        ),
    ] {
        let r = app.gql_as(Some(who), ROLE, vars.clone()).await;
        assert_eq!(r.code(), code, "{vars}");
    }
    // Nothing changed: the picker still works as one.
    let r = app.gql_as(Some(&picker), STAFF_ME, json!({})).await;
    assert_eq!(r.data()["staffMe"]["role"], "PICKER");

    let r = app
        .gql_as(
            Some(&admin),
            ROLE,
            json!({"id": id, "r": "LIBRARIAN", "b": ["B"]}),
        )
        .await;
    assert_eq!(
        r.data()["setStaffRole"],
        json!({"role": "LIBRARIAN", "branches": [{"code": "B"}]})
    );
    // The picker's token stops at once; signing in again gives the new role.
    let r = app.gql_as(Some(&picker), STAFF_ME, json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    let again = app.staff_token("night-picker", "s3cret-pass-2468").await;
    let r = app.gql_as(Some(&again), STAFF_ME, json!({})).await;
    assert_eq!(r.data()["staffMe"]["role"], "LIBRARIAN");
    assert_eq!(r.data()["staffMe"]["branches"][0]["code"], "B");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_which_message_channels_lack_their_settings() {
    const CHANNELS: &str = "{ messageChannels { channel configured missingSettings } }";
    let lib = Library::open(TestOptions::default()).await;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib-a", StaffRole::Librarian, &["A"]).await;
    let r = lib.app.gql_as(Some(&librarian), CHANNELS, json!({})).await;
    assert_eq!(r.code(), "FORBIDDEN");
    // The test server has a mini-program without subscribe templates, no official account
    // and no SMTP server: nothing can go out.
    let r = lib.app.gql_as(Some(&admin), CHANNELS, json!({})).await;
    assert_eq!(
        r.data()["messageChannels"],
        json!([
            {"channel": "WECHAT", "configured": false, "missingSettings":
                ["HONGYAN_WECHAT_OA_APPID", "HONGYAN_WECHAT_OA_SECRET", "HONGYAN_WECHAT_TEMPLATE_IDS"]},
            {"channel": "EMAIL", "configured": false, "missingSettings": ["HONGYAN_SMTP_URL"]},
        ])
    );
    let lib = Library::open(TestOptions {
        env: vec![
            ("HONGYAN_WECHAT_OA_APPID", "wx-oa".to_owned()),
            ("HONGYAN_WECHAT_OA_SECRET", "oa-secret".to_owned()),
            (
                "HONGYAN_WECHAT_TEMPLATE_IDS",
                "ready_at_locker=T1".to_owned(),
            ),
        ],
        ..TestOptions::default()
    })
    .await;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let r = lib.app.gql_as(Some(&admin), CHANNELS, json!({})).await;
    assert_eq!(
        r.data()["messageChannels"][0],
        json!({"channel": "WECHAT", "configured": true, "missingSettings": []})
    );
}
