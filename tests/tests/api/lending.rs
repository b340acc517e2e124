//! Online lending through GraphQL: request → routing → picking list → pick → transfer →
//! hold shelf → check-out → renew → return anywhere → the waitlist is served; and every
//! refusal on the way.

use hongyan_domain::auth::{Principal, StaffRole};
use hongyan_domain::jobs;
use hongyan_domain::lending::backlog::RoutePending;
use hongyan_domain::lending::RequestStatus;
use hongyan_domain::people;
use hongyan_tests::socket::{Incoming, Socket};
use hongyan_tests::wait::eventually;
use hongyan_tests::{TestApp, TestOptions};

use crate::library::{
    request_row, to_branch, Library, CHECK_IN, CHECK_OUT, CONFIRM, PICKING, RENEW, REQUEST,
    REQUEST_BY_ID,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::{json, Value};
use uuid::Uuid;

const MY_REQUESTS: &str = "{ myRequests(first: 50) { edges { node { id status waitlistPosition history { from to actor } } } pageInfo { hasNextPage } } }";
const CANCEL: &str = "mutation($id: ID!) { cancelRequest(id: $id) { id status } }";
const NOT_ON_SHELF: &str = "mutation($t: ID!) { reportNotOnShelf(pickTaskId: $t) { id status } }";
const MY_LOANS: &str =
    "{ myLoans { edges { node { id status dueAt renewals overdue book { title } } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_travels_from_shelf_to_reader_and_the_return_serves_the_waitlist() {
    let lib = Library::open(TestOptions {
        env: vec![("HONGYAN_MAX_RENEWALS", "2".into())],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    // 围城 has one copy at A and one at B; C (the pickup branch) is 2 km from A.
    let book = lib
        .title(
            "围城",
            &[("A", "A0001", "I246.5/12"), ("B", "B0001", "I246.5/12")],
        )
        .await;
    let other = lib.title("边城", &[("A", "A0002", "I246.5/9")]).await;
    let third = lib.title("呐喊", &[("A", "A0003", "I210.4/1")]).await;
    let me = lib.reader("20250001").await;
    let next = lib.reader("20250002").await;
    let picker_a = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let picker_b = lib.staff("picker-b", StaffRole::Picker, &["B"]).await;
    let desk_c = lib.staff("desk-c", StaffRole::Librarian, &["C"]).await;
    let desk_b = lib.staff("desk-b", StaffRole::Librarian, &["B"]).await;

    // Routed to the nearest branch holding a copy, onto its picking list.
    let req = lib.request(&me, &book, to_branch(&lib, "C")).await;
    assert_eq!(req["status"], "ROUTED", "{req}");
    assert_eq!(req["deliveryMethod"], "BRANCH");
    assert_eq!(
        req["sourceBranch"]["code"], "A",
        "A is 2 km from C, B 60 km"
    );
    assert_eq!(req["pickupBranch"]["code"], "C");
    assert_eq!(req["book"]["title"], "围城");
    // Two more requests at A, to see the list in shelf order (I210.4 < I246.5/9 < I246.5/12).
    lib.request(&next, &other, to_branch(&lib, "A")).await;
    lib.request(&next, &third, to_branch(&lib, "A")).await;
    let list = lib.picking(&picker_a, "A").await;
    let shelf: Vec<&str> = list
        .iter()
        .map(|t| t["callNumber"].as_str().unwrap())
        .collect();
    assert_eq!(shelf, vec!["I210.4/1", "I246.5/9", "I246.5/12"]);
    let task = list[2].clone();
    assert_eq!(task["item"]["barcode"], "A0001");
    assert_eq!(task["request"]["id"], req["id"]);
    assert_eq!(task["deliveryMethod"], "BRANCH");
    assert_eq!(task["status"], "OPEN");
    // Pickers of another branch neither see nor pick it; readers never.
    let r = app
        .gql_as(Some(&picker_b), PICKING, json!({"b": lib.id("A")}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(
        app.gql_as(Some(&me), PICKING, json!({"b": lib.id("A")}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let r = app
        .gql_as(
            Some(&picker_b),
            CONFIRM,
            json!({"t": task["id"], "b": "A0001"}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");

    // A wrong barcode is refused (B0001 is 围城 too, but on another branch's shelf).
    for wrong in ["A0002", "B0001", "NOPE"] {
        let r = app
            .gql_as(
                Some(&picker_a),
                CONFIRM,
                json!({"t": task["id"], "b": wrong}),
            )
            .await;
        assert_eq!(r.code(), "VALIDATION", "{wrong}");
    }
    let picked = app
        .gql_as(
            Some(&picker_a),
            CONFIRM,
            json!({"t": task["id"], "b": "A0001"}),
        )
        .await;
    assert_eq!(picked.data()["confirmPick"]["status"], "PICKED");
    let again = app
        .gql_as(
            Some(&picker_a),
            CONFIRM,
            json!({"t": task["id"], "b": "A0001"}),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(lib.picking(&picker_a, "A").await.len(), 2, "off the list");

    // Picked at A for pickup at C: a transfer. The reader can no longer cancel.
    assert_eq!(lib.status(&me, &req).await["status"], "IN_TRANSIT");
    let r = app
        .gql_as(Some(&me), CANCEL, json!({"id": req["id"]}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(r.0["errors"][0]["extensions"]["currentState"], "IN_TRANSIT");

    // C's desk scans the arriving copy: hold shelf, with a pickup deadline.
    let r = app
        .gql_as(
            Some(&desk_c),
            CHECK_IN,
            json!({"b": "A0001", "br": lib.id("C")}),
        )
        .await;
    assert_eq!(r.data()["checkIn"]["action"], "HOLD_SHELF", "{:?}", r.0);
    assert_eq!(r.data()["checkIn"]["request"]["id"], req["id"]);
    let ready = lib.status(&me, &req).await;
    assert_eq!(ready["status"], "READY_FOR_PICKUP");
    assert!(ready["pickupDeadline"].is_string());
    // Held for me, not for another reader.
    let r = app
        .gql_as(
            Some(&desk_c),
            CHECK_OUT,
            json!({"b": "A0001", "c": "20250002"}),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT");
    let loan = app
        .gql_as(
            Some(&desk_c),
            CHECK_OUT,
            json!({"b": "A0001", "c": "20250001"}),
        )
        .await;
    let loan = loan.data()["checkOut"].clone();
    assert_eq!(loan["status"], "ACTIVE");
    assert_eq!(loan["book"]["title"], "围城");
    let done = lib.status(&me, &req).await;
    assert_eq!(done["status"], "FULFILLED");
    let steps: Vec<(Value, Value)> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("PENDING")),
            (json!("PENDING"), json!("ROUTED")),
            (json!("ROUTED"), json!("PICKED")),
            (json!("PICKED"), json!("IN_TRANSIT")),
            (json!("IN_TRANSIT"), json!("READY_FOR_PICKUP")),
            (json!("READY_FOR_PICKUP"), json!("FULFILLED")),
        ]
    );

    // Renewed while nobody waits.
    let renewed = app
        .gql_as(Some(&me), RENEW, json!({"id": loan["id"]}))
        .await;
    let renewed = renewed.data()["renewLoan"].clone();
    assert_eq!(renewed["renewals"], 1);
    assert!(renewed["dueAt"].as_str() > loan["dueAt"].as_str());
    // Another reader may not renew it, nor see it.
    assert_eq!(
        app.gql_as(Some(&next), RENEW, json!({"id": loan["id"]}))
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql_as(Some(&next), MY_LOANS, json!({})).await.data()["myLoans"]["edges"],
        json!([])
    );

    // The copy at B goes to a third reader; the next one waits.
    let third_reader = lib.reader("20250003").await;
    let r = lib
        .request(&third_reader, &book, to_branch(&lib, "B"))
        .await;
    assert_eq!(r["sourceBranch"]["code"], "B", "same branch first");
    let waiting = lib.request(&next, &book, to_branch(&lib, "C")).await;
    assert_eq!(waiting["status"], "WAITLISTED");
    assert_eq!(waiting["waitlistPosition"], 1);
    // Someone waits: no renewal.
    let r = app
        .gql_as(Some(&me), RENEW, json!({"id": loan["id"]}))
        .await;
    assert_eq!(r.code(), "CONFLICT");

    // Returned at B (通借通还): the copy serves the waitlist from B's picking list.
    let r = app
        .gql_as(
            Some(&desk_b),
            CHECK_IN,
            json!({"b": "A0001", "br": lib.id("B")}),
        )
        .await;
    let result = r.data()["checkIn"].clone();
    assert_eq!(result["action"], "SERVES_WAITLIST", "{result}");
    assert_eq!(result["loan"]["status"], "RETURNED");
    assert_eq!(result["request"]["id"], waiting["id"]);
    assert_eq!(result["pickTask"]["branch"]["code"], "B");
    assert_eq!(result["item"]["status"], "RESERVED");
    let served = lib.status(&next, &waiting).await;
    assert_eq!(served["status"], "ROUTED");
    assert_eq!(served["waitlistPosition"], Value::Null);
    let at_b: Vec<Value> = lib.picking(&picker_b, "B").await;
    assert!(at_b
        .iter()
        .any(|t| t["request"]["id"] == waiting["id"] && t["item"]["barcode"] == "A0001"));
    let mine = app.gql_as(Some(&me), MY_LOANS, json!({})).await;
    assert_eq!(
        mine.data()["myLoans"]["edges"][0]["node"]["status"],
        "RETURNED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_codes_and_change_nothing() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let none = lib.title("无书", &[]).await;
    let me = lib.reader("20250001").await;
    let other = lib.reader("20250002").await;
    let staff = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let ask = |token: String, input: Value| async move {
        app.gql_as(Some(&token), REQUEST, json!({ "i": input }))
            .await
    };
    let at_a = to_branch(&lib, "A");

    assert_eq!(
        app.gql(REQUEST, json!({"i": {"bookId": book, "delivery": at_a}}))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    let a = lib.id("A");
    for (token, input, code) in [
        (
            &staff,
            json!({"bookId": book, "delivery": at_a}),
            "FORBIDDEN",
        ),
        (
            &me,
            json!({"bookId": Uuid::now_v7(), "delivery": at_a}),
            "NOT_FOUND",
        ),
        (
            &me,
            json!({"bookId": "nonsense", "delivery": at_a}),
            "NOT_FOUND",
        ),
        (
            &me,
            json!({"bookId": none, "delivery": at_a}),
            "NO_COPY_AVAILABLE",
        ),
        (
            &me,
            json!({"bookId": book, "delivery": {"method": "BRANCH"}}),
            "VALIDATION",
        ),
        (
            &me,
            json!({"bookId": book, "delivery": {"method": "BRANCH", "branchId": a, "lockerId": a}}),
            "VALIDATION",
        ),
        (
            &me,
            json!({"bookId": book, "delivery": to_branch(&lib, "SHOP")}),
            "VALIDATION",
        ),
        (
            &me,
            json!({"bookId": book, "delivery": {"method": "LOCKER", "lockerId": Uuid::now_v7()}}),
            "NOT_FOUND",
        ),
    ] {
        assert_eq!(
            ask(token.clone(), input.clone()).await.code(),
            code,
            "{input}"
        );
    }
    // Another reader's address is simply not found.
    let addr = app
        .gql_as(Some(&other), "mutation { addAddress(input: {label: \"家\", recipient: \"李\", phone: \"13812345678\", address: \"杨舍镇\"}) { id } }", json!({}))
        .await
        .data()["addAddress"]["id"]
        .clone();
    assert_eq!(
        ask(
            me.clone(),
            json!({"bookId": book, "delivery": {"method": "HOME", "addressId": addr}})
        )
        .await
        .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql_as(Some(&me), MY_REQUESTS, json!({})).await.data()["myRequests"]["edges"],
        json!([]),
        "nothing was written"
    );

    // Idempotency: same key and input → the first result; other input → CONFLICT.
    let keyed = json!({"bookId": book, "delivery": at_a, "idempotencyKey": "k-1"});
    let first = ask(me.clone(), keyed.clone()).await.data()["requestBook"].clone();
    let replay = ask(me.clone(), keyed.clone()).await.data()["requestBook"].clone();
    assert_eq!(first["id"], replay["id"]);
    let r = ask(
        me.clone(),
        json!({"bookId": book, "delivery": to_branch(&lib, "C"), "idempotencyKey": "k-1"}),
    )
    .await;
    assert_eq!(r.code(), "CONFLICT");
    // Keys are per reader: another reader's k-1 is theirs.
    let theirs = ask(
        other.clone(),
        json!({"bookId": book, "delivery": at_a, "idempotencyKey": "k-1"}),
    )
    .await;
    assert_eq!(theirs.data()["requestBook"]["status"], "WAITLISTED");
    // Without a key, asking twice for one book is a conflict.
    assert_eq!(
        ask(me.clone(), json!({"bookId": book, "delivery": at_a}))
            .await
            .code(),
        "CONFLICT"
    );

    // Another reader cannot see or cancel my request.
    let r = app
        .gql_as(Some(&other), CANCEL, json!({"id": first["id"]}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app
        .gql_as(Some(&other), REQUEST_BY_ID, json!({"id": first["id"]}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    // A request that delivers to an address keeps it: removing it is a CONFLICT.
    let book2 = lib.title("边城", &[("A", "A0002", "I246.5/9")]).await;
    let home = ask(
        other.clone(),
        json!({"bookId": book2, "delivery": {"method": "HOME", "addressId": addr}}),
    )
    .await;
    assert_eq!(home.data()["requestBook"]["deliveryMethod"], "HOME");
    let r = app
        .gql_as(
            Some(&other),
            "mutation($id: ID!) { removeAddress(id: $id) }",
            json!({"id": addr}),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT");

    // Cancelling frees the copy for the next in line.
    let cancelled = app
        .gql_as(Some(&me), CANCEL, json!({"id": first["id"]}))
        .await;
    assert_eq!(cancelled.data()["cancelRequest"]["status"], "CANCELLED");
    let r = app
        .gql_as(Some(&me), CANCEL, json!({"id": first["id"]}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(r.0["errors"][0]["extensions"]["currentState"], "CANCELLED");
    let theirs = lib.status(&other, &theirs.data()["requestBook"]).await;
    assert_eq!(theirs["status"], "ROUTED", "the waitlist was served");

    // Limits: blocked readers and readers at their limit.
    let limited = lib.reader("20250003").await;
    let book3 = lib.title("呐喊", &[("A", "A0003", "I210.4/1")]).await;
    app.ctx
        .db
        .execute_unprepared(
            "UPDATE reader SET max_open_requests = 0 WHERE card_number = '20250003'",
        )
        .await
        .unwrap();
    assert_eq!(
        ask(limited.clone(), json!({"bookId": book3, "delivery": at_a}))
            .await
            .code(),
        "QUOTA_EXCEEDED"
    );
    app.ctx
        .db
        .execute_unprepared("UPDATE reader SET max_open_requests = 5, blocked = true WHERE card_number = '20250003'")
        .await
        .unwrap();
    assert_eq!(
        ask(limited.clone(), json!({"bookId": book3, "delivery": at_a}))
            .await
            .code(),
        "FORBIDDEN"
    );
    // A reader who owes an overdue book borrows nothing more until it is back.
    let walk_in = app
        .gql_as(
            Some(&staff),
            CHECK_OUT,
            json!({"b": "A0003", "c": "20250002"}),
        )
        .await;
    assert_eq!(
        walk_in.data()["checkOut"]["status"],
        "ACTIVE",
        "walk-in loan at the desk"
    );
    lib.make_loans_overdue(chrono::Duration::days(1));
    let book4 = lib.title("朝花夕拾", &[("A", "A0004", "I210.4/2")]).await;
    let r = ask(other.clone(), json!({"bookId": book4, "delivery": at_a})).await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(
        app.gql_as(Some(&other), MY_LOANS, json!({})).await.data()["myLoans"]["edges"][0]["node"]
            ["overdue"],
        true
    );
    // Staff-only mutations refuse readers; staff act in their own branches only.
    for (token, barcode, branch, code) in [
        (&me, "A0001", "A", "FORBIDDEN"),
        (&staff, "NOPE", "A", "NOT_FOUND"),
        (&staff, "A0003", "C", "FORBIDDEN"),
    ] {
        let r = app
            .gql_as(
                Some(token),
                CHECK_IN,
                json!({"b": barcode, "br": lib.id(branch)}),
            )
            .await;
        assert_eq!(r.code(), code, "{barcode} at {branch}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_on_shelf_reroutes_then_waitlists_and_two_pickers_one_wins() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib
        .title(
            "围城",
            &[("A", "A0001", "I246.5/12"), ("B", "B0001", "I246.5/12")],
        )
        .await;
    let me = lib.reader("20250001").await;
    let picker_a = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let picker_b = lib.staff("picker-b", StaffRole::Picker, &["B"]).await;
    let req = lib.request(&me, &book, to_branch(&lib, "A")).await;
    assert_eq!(req["sourceBranch"]["code"], "A");
    let task = lib.picking(&picker_a, "A").await[0].clone();
    let r = app
        .gql_as(Some(&picker_a), NOT_ON_SHELF, json!({"t": task["id"]}))
        .await;
    assert_eq!(r.data()["reportNotOnShelf"]["status"], "NOT_ON_SHELF");
    let now = lib.status(&me, &req).await;
    assert_eq!(now["status"], "ROUTED", "re-routed to B's copy");
    let at_b = lib.picking(&picker_b, "B").await;
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0]["item"]["barcode"], "B0001");

    // Two pickers scan the same task at once: exactly one wins.
    let picker_b2 = lib.staff("picker-b2", StaffRole::Picker, &["B"]).await;
    let vars = json!({"t": at_b[0]["id"], "b": "B0001"});
    let (x, y) = tokio::join!(
        app.gql_as(Some(&picker_b), CONFIRM, vars.clone()),
        app.gql_as(Some(&picker_b2), CONFIRM, vars.clone())
    );
    let wins = [&x, &y].iter().filter(|r| r.0["errors"].is_null()).count();
    assert_eq!(wins, 1, "{:?} {:?}", x.0, y.0);
    assert!([x.codes(), y.codes()]
        .concat()
        .contains(&"CONFLICT".to_owned()));

    // Another reader's request, with every copy gone missing, ends on the waitlist.
    let other = lib.reader("20250002").await;
    let book2 = lib.title("边城", &[("A", "A0002", "I246.5/9")]).await;
    let r2 = lib.request(&other, &book2, to_branch(&lib, "A")).await;
    let task = lib.picking(&picker_a, "A").await[0].clone();
    app.gql_as(Some(&picker_a), NOT_ON_SHELF, json!({"t": task["id"]}))
        .await;
    let now = lib.status(&other, &r2).await;
    assert_eq!(now["status"], "WAITLISTED");
    assert_eq!(now["waitlistPosition"], 1);
    // The missing copy turns up at the desk: it serves the waitlist.
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let r = app
        .gql_as(
            Some(&desk),
            CHECK_IN,
            json!({"b": "A0002", "br": lib.id("A")}),
        )
        .await;
    assert_eq!(r.data()["checkIn"]["action"], "SERVES_WAITLIST");
    assert_eq!(lib.status(&other, &r2).await["status"], "ROUTED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_readers_three_copies_exactly_three_routed_the_rest_in_fifo_order() {
    let lib = Library::open(TestOptions::default()).await;
    let book = lib
        .title(
            "三体",
            &[
                ("A", "A1", "I247.5/1"),
                ("B", "B1", "I247.5/1"),
                ("C", "C1", "I247.5/1"),
            ],
        )
        .await;
    let mut tokens = Vec::new();
    for n in 0..200 {
        let mut row =
            people::new_reader(&format!("读者{n}"), chrono::Utc::now()).expect("new reader");
        row.card_number = Set(Some(format!("3000{n:04}")));
        let r = row.insert(&lib.app.ctx.db).await.expect("reader");
        tokens.push(
            lib.app
                .ctx
                .tokens
                .issue(&Principal::Reader { id: r.id })
                .expect("token"),
        );
    }
    let delivery = to_branch(&lib, "C");
    let (lib_ref, book_ref, delivery_ref) = (&lib, &book, &delivery);
    let mut all: Vec<(String, Value)> =
        futures::future::join_all(tokens.iter().map(|t| async move {
            (
                t.clone(),
                lib_ref.request(t, book_ref, delivery_ref.clone()).await,
            )
        }))
        .await;
    assert!(
        all.iter().all(|(_, r)| r["id"].is_string()),
        "every request accepted"
    );
    all.sort_by(|(_, a), (_, b)| a["id"].as_str().cmp(&b["id"].as_str()));
    let statuses: Vec<&str> = all
        .iter()
        .map(|(_, r)| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "ROUTED").count(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == "WAITLISTED").count(), 197);
    assert!(
        statuses[..3].iter().all(|s| *s == "ROUTED"),
        "the first three in line got the copies"
    );
    // Positions as the readers see them now: 1..=197 in the order the requests came.
    let mut positions = Vec::new();
    for (token, r) in all.iter().skip(3) {
        positions.push(
            lib.status(token, r).await["waitlistPosition"]
                .as_u64()
                .unwrap(),
        );
    }
    assert_eq!(positions, (1..=197).collect::<Vec<u64>>());
    let all: Vec<Value> = all.into_iter().map(|(_, r)| r).collect();
    let sources: Vec<&str> = all[..3]
        .iter()
        .map(|r| r["sourceBranch"]["code"].as_str().unwrap())
        .collect();
    let mut sorted = sources.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec!["A", "B", "C"], "three different copies");
}

/// One reader at their limit cannot pass it by asking many times at once: each request
/// counts the others (the counts are read after the reader's lock, never before it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_by_one_reader_stay_within_the_limit() {
    let lib = Library::open(TestOptions::default()).await;
    let token = lib.reader("20259001").await;
    lib.app
        .ctx
        .db
        .execute_unprepared(
            "UPDATE reader SET max_open_requests = 2 WHERE card_number = '20259001'",
        )
        .await
        .unwrap();
    let mut books = Vec::new();
    for n in 0..12 {
        let barcode = format!("L{n:04}");
        books.push(
            lib.title(&format!("书{n}"), &[("A", &barcode, "I247.5/9")])
                .await,
        );
    }
    let delivery = to_branch(&lib, "A");
    let replies = futures::future::join_all(books.iter().map(|book| {
        lib.app.gql_as(
            Some(&token),
            REQUEST,
            json!({"i": {"bookId": book, "delivery": delivery}}),
        )
    }))
    .await;
    let codes: Vec<String> = replies
        .iter()
        .map(|r| match r.0.get("errors") {
            Some(_) => r.code().to_owned(),
            None => r.data()["requestBook"]["status"]
                .as_str()
                .unwrap()
                .to_owned(),
        })
        .collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "ROUTED").count(),
        2,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "QUOTA_EXCEEDED").count(),
        10,
        "{codes:?}"
    );
    let r = lib.app.gql_as(Some(&token), MY_REQUESTS, json!({})).await;
    assert_eq!(
        r.data()["myRequests"]["edges"].as_array().unwrap().len(),
        2,
        "the refused requests left nothing behind"
    );
}

/// A graphql-transport-ws subscription to `requestUpdated` as a reader.
async fn subscribe(app: &TestApp, token: &str) -> Socket {
    let mut ws = Socket::connect(&app.address, Some(token)).await;
    ws.subscribe("1", "subscription { requestUpdated { id status } }")
        .await;
    ws
}

/// Reads updates until `request` shows `status`.
async fn wait_update(ws: &mut Socket, request: &Value, status: &str) {
    loop {
        let m = ws.message().await;
        assert_eq!(m["type"], "next", "{m}");
        let update = &m["payload"]["data"]["requestUpdated"];
        assert_eq!(
            update["id"], request["id"],
            "only the reader's own requests"
        );
        if update["status"] == status {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_see_their_own_requests_change_live_on_another_api_process() {
    let lib = Library::open(TestOptions::default()).await;
    let sibling = lib.app.sibling(&[]).await;
    let book = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let me = lib.reader("20250001").await;
    let other = lib.reader("20250002").await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    // Both subscribe on the second process; the changes happen through the first.
    let mut mine = subscribe(&sibling, &me).await;
    let mut theirs = subscribe(&sibling, &other).await;
    let req = lib.request(&me, &book, to_branch(&lib, "A")).await;
    wait_update(&mut mine, &req, "ROUTED").await;
    let task = lib.picking(&picker, "A").await[0].clone();
    lib.app
        .gql_as(
            Some(&picker),
            CONFIRM,
            json!({"t": task["id"], "b": "A0001"}),
        )
        .await;
    wait_update(&mut mine, &req, "READY_FOR_PICKUP").await;
    // The other reader heard nothing of it.
    let quiet = theirs
        .next_within(std::time::Duration::from_millis(1500))
        .await;
    assert_eq!(quiet, Incoming::Silence, "another reader's request leaked");
    sibling.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncollected_holds_expire_and_the_copy_serves_the_next_reader() {
    let lib = Library::open(TestOptions {
        env: vec![("HONGYAN_SWEEP_INTERVAL_SECS", "1".into())],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let book = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let me = lib.reader("20250001").await;
    let next = lib.reader("20250002").await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let req = lib.request(&me, &book, to_branch(&lib, "A")).await;
    let waiting = lib.request(&next, &book, to_branch(&lib, "A")).await;
    assert_eq!(waiting["status"], "WAITLISTED");
    let task = lib.picking(&picker, "A").await[0].clone();
    app.gql_as(
        Some(&picker),
        CONFIRM,
        json!({"t": task["id"], "b": "A0001"}),
    )
    .await;
    assert_eq!(lib.status(&me, &req).await["status"], "READY_FOR_PICKUP");
    // The deadline passes (moved back in time rather than waiting 72 hours).
    lib.pass_pickup_deadlines();
    let expired = eventually(
        std::time::Duration::from_secs(10),
        "the sweep to expire the hold",
        || async {
            let now = lib.status(&me, &req).await;
            (now["status"] == "EXPIRED").then_some(now)
        },
    )
    .await;
    let last = expired["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["actor"], "SYSTEM");
    assert_eq!(
        lib.status(&next, &waiting).await["status"],
        "ROUTED",
        "the next reader got the copy"
    );
    let list = lib.picking(&picker, "A").await;
    assert_eq!(list[0]["request"]["id"], waiting["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pickers_print_their_branch_list_in_shelf_order_with_code_128_barcodes() {
    let lib = Library::open(TestOptions::default()).await;
    let me = lib.reader("20250001").await;
    for (name, barcode, call) in [
        ("围城", "A0001", "I247.57/2"),
        ("边城", "A0002", "I247.5/123"),
        ("<呐喊>", "A0003", "B0/1"),
    ] {
        let book = lib.title(name, &[("A", barcode, call)]).await;
        lib.request(&me, &book, to_branch(&lib, "A")).await;
    }
    let picker_a = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let picker_b = lib.staff("picker-b", StaffRole::Picker, &["B"]).await;
    let url = format!(
        "{}/staff/branches/{}/picking-list",
        lib.app.address,
        lib.id("A")
    );
    let get = |token: Option<String>| {
        let mut r = lib.app.http.get(&url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let page = get(Some(picker_a)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(
        at("B0/1") < at("I247.5/123") && at("I247.5/123") < at("I247.57/2"),
        "shelf order"
    );
    assert_eq!(html.matches("<svg").count(), 3, "a barcode per line");
    assert_eq!(
        html.matches("class=\"tick\"").count(),
        3,
        "a tick box per line"
    );
    assert_eq!(html.matches("预约架").count(), 3, "where each request goes");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d");
    assert!(html.contains(&today.to_string()), "dated");
    assert!(html.contains("counter(pages)"), "numbered pages");
    assert!(
        html.contains("&lt;呐喊&gt;") && !html.contains("<呐喊>"),
        "escaped"
    );
    let other = get(Some(picker_b)).await.unwrap();
    assert_eq!(other.status(), 403);
    assert_eq!(other.json::<Value>().await.unwrap()["code"], "FORBIDDEN");
    assert_eq!(get(Some(me)).await.unwrap().status(), 403);
    assert_eq!(get(None).await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_routing_worker_routes_pending_requests_oldest_first() {
    let lib = Library::open(TestOptions::default()).await;
    // 老人与海: one copy at A (2 km from C), one at B (60 km).
    let book = lib
        .title(
            "老人与海",
            &[("A", "A0100", "I712.4/7"), ("B", "B0100", "I712.4/7")],
        )
        .await;
    let book_id: Uuid = book.parse().unwrap();
    let db = &lib.app.ctx.db;
    // Three readers' requests left PENDING, as the purchase flow makes them: the worker
    // routes them, oldest first, by the same rules as `requestBook`.
    let mut readers = Vec::new();
    for n in 0..3 {
        let card = format!("4000000{n}");
        let reader = people::add_reader(db, &card, "123456", "读者", chrono::Utc::now())
            .await
            .unwrap();
        let token = lib.app.reader_token(&card, "123456").await;
        let req = request_row(reader.id, book_id, lib.branch["C"], RequestStatus::Pending)
            .insert(db)
            .await
            .unwrap();
        readers.push((token, json!({"id": req.id.to_string()})));
    }
    jobs::enqueue(db, &RoutePending, chrono::Utc::now())
        .await
        .unwrap();
    lib.app.ctx.wake_workers();

    let mut seen = Vec::new();
    for (token, req) in &readers {
        let status = eventually(
            std::time::Duration::from_secs(5),
            "the pending request to be routed or waitlisted",
            || async {
                let status = lib.status(token, req).await;
                (status["status"] != "PENDING").then_some(status)
            },
        )
        .await;
        seen.push(status);
    }
    let statuses: Vec<&str> = seen.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["ROUTED", "ROUTED", "WAITLISTED"], "{seen:?}");
    assert_eq!(seen[2]["waitlistPosition"], 1);
    let last = seen[0]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["from"].as_str(), last["to"].as_str()),
        (Some("PENDING"), Some("ROUTED"))
    );
    assert_eq!(last["actor"], "SYSTEM");
    // The oldest got the nearest copy (A), the next the other (B): both on picking lists.
    let picker = lib.staff("picker", StaffRole::Picker, &["A", "B"]).await;
    for (branch, barcode, owner) in [("A", "A0100", 0), ("B", "B0100", 1)] {
        let list = lib.picking(&picker, branch).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["item"]["barcode"], barcode);
        assert_eq!(list[0]["request"]["id"], readers[owner].1["id"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_by_load_passes_a_busy_branch_for_an_idle_one_further_away() {
    let lib = Library::open(TestOptions {
        env: vec![("HONGYAN_ROUTING", "load".into())],
        ..TestOptions::default()
    })
    .await;
    // 围城 at A (2 km from C) and B (60 km); A already has two books to pick.
    let book = lib
        .title(
            "围城",
            &[("A", "A0001", "I246.5/12"), ("B", "B0001", "I246.5/12")],
        )
        .await;
    let other = lib.title("边城", &[("A", "A0002", "I246.5/9")]).await;
    let third = lib.title("呐喊", &[("A", "A0003", "I210.4/1")]).await;
    let busy = lib.reader("20250001").await;
    lib.request(&busy, &other, to_branch(&lib, "A")).await;
    lib.request(&busy, &third, to_branch(&lib, "A")).await;

    let me = lib.reader("20250002").await;
    let req = lib.request(&me, &book, to_branch(&lib, "C")).await;
    assert_eq!(req["status"], "ROUTED", "{req}");
    assert_eq!(
        req["sourceBranch"]["code"], "B",
        "A has two open picks, B none: by load B serves"
    );
    // With both idle, place decides again: the next copy of a title at A and B goes to A.
    let fourth = lib
        .title(
            "家",
            &[("A", "A0004", "I246.5/1"), ("B", "B0004", "I246.5/1")],
        )
        .await;
    let picker_a = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let picker_b = lib.staff("picker-b", StaffRole::Picker, &["B"]).await;
    for (picker, branch) in [(&picker_a, "A"), (&picker_b, "B")] {
        for task in lib.picking(picker, branch).await {
            let r = lib
                .app
                .gql_as(
                    Some(picker),
                    CONFIRM,
                    json!({"t": task["id"], "b": task["item"]["barcode"]}),
                )
                .await;
            assert_eq!(r.data()["confirmPick"]["status"], "PICKED");
        }
    }
    let req = lib.request(&me, &fourth, to_branch(&lib, "C")).await;
    assert_eq!(req["sourceBranch"]["code"], "A", "{req}");
}
