//! "You read, we pay" through GraphQL: proposals decided at once by each rule and the
//! budget, librarians' reviews, duplicates joining, bad input refused without writes, the
//! budget never overdrawn under concurrent approvals, and every decision told to the reader.

// Prices read as yuan_fen (59_00 = ¥59.00).
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::Datelike;
use futures::future::join_all;
use hongyan_domain::auth::StaffRole;
use hongyan_domain::people;
use hongyan_tests::TestOptions;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::library::{Library, CHECK_OUT};

const PROPOSE: &str = "mutation($i: ProposePurchaseInput!) { proposePurchase(input: $i) { id status isbn priceCents decisionReason ruleResults { rule outcome reason } heldBook { id } } }";
const REVIEW: &str = "mutation($id: ID!, $a: Boolean!, $r: String) { reviewProposal(id: $id, approve: $a, reason: $r) { id status decisionReason ruleResults { rule outcome } } }";
pub const ALLOCATE: &str = "mutation($y: Int!, $t: Int!) { allocateBudget(fiscalYear: $y, totalCents: $t) { totalCents } }";
const BUDGET: &str = "query($y: Int!) { budget(fiscalYear: $y) { totalCents committedCents spentCents availableCents } }";
const MINE: &str = "{ myProposals(first: 50) { edges { node { id status title } } } }";
const QUEUE: &str = "query($s: ProposalStatus) { proposals(status: $s, first: 50) { edges { node { id status } } } }";

pub fn year() -> i64 {
    i64::from(chrono::Utc::now().year())
}

/// Valid ISBN-13s: 978-7-0000-NNNN-C with the check digit computed.
pub fn isbn(n: u32) -> String {
    hongyan_tests::isbn13(&format!("9787000{n:05}"))
}

pub fn proposal(n: u32, price: i64) -> Value {
    json!({"isbn": isbn(n), "title": format!("新书 {n}"), "author": "作者", "publisher": "出版社",
           "pubYear": year(), "clcClass": "I247.5", "priceCents": price})
}

fn outcome(p: &Value, rule: &str) -> String {
    p["ruleResults"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["rule"] == rule)
        .map(|r| r["outcome"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no {rule} in {p}"))
}

/// Proposes `input`, a book a vendor's feed lists as the reader describes it.
pub async fn propose(lib: &Library, token: &str, input: Value) -> Value {
    lib.vendor_lists(std::slice::from_ref(&input)).await;
    let r = lib
        .app
        .gql_as(Some(token), PROPOSE, json!({"i": input}))
        .await;
    r.data()["proposePurchase"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_passes_or_fails_and_librarians_review_the_borderline() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    let r = app
        .gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    assert_eq!(r.data()["allocateBudget"]["totalCents"], 1000_00);
    let me = lib.reader("30000001").await;

    // Everything passes: approved at once, the price committed.
    let ok = propose(&lib, &me, proposal(1, 59_00)).await;
    assert_eq!(ok["status"], "APPROVED", "{ok}");
    for rule in [
        "isbn",
        "price",
        "publication_year",
        "clc_class",
        "holdings",
        "monthly_quota",
        "budget",
    ] {
        assert_eq!(outcome(&ok, rule), "PASS", "{rule}: {ok}");
    }
    let b = app
        .gql_as(Some(&librarian), BUDGET, json!({"y": year()}))
        .await;
    assert_eq!(
        b.data()["budget"],
        json!({"totalCents": 1000_00, "committedCents": 59_00, "spentCents": 0, "availableCents": 941_00})
    );

    // Each failing rule rejects with its reason (fresh readers, so quotas do not mix).
    let old_year = json!(2001);
    let cases: Vec<(&str, Value)> = vec![
        ("price", json!({"priceCents": 250_00})),
        ("publication_year", json!({"pubYear": old_year})),
        ("clc_class", json!({"clcClass": "G634.6"})),
    ];
    for (i, (rule, change)) in cases.into_iter().enumerate() {
        let reader = lib.reader(&format!("3000010{i}")).await;
        let mut input = proposal(10 + i as u32, 39_00);
        for (k, v) in change.as_object().expect("object") {
            input[k] = v.clone();
        }
        let p = propose(&lib, &reader, input).await;
        assert_eq!(p["status"], "REJECTED", "{rule}: {p}");
        assert_eq!(outcome(&p, rule), "FAIL", "{rule}: {p}");
        assert!(p["decisionReason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    // Held already: rejected, with the book to request instead.
    let held = lib
        .title(
            "围城",
            &[("A", "A0001", "I246.5/12"), ("B", "B0001", "I246.5/12")],
        )
        .await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.ctx.db,
        &format!(
            "UPDATE title SET isbn = '{}' WHERE title = '围城'",
            isbn(20)
        ),
    )
    .await
    .expect("isbn");
    let p = propose(&lib, &me, proposal(20, 39_00)).await;
    assert_eq!(p["status"], "REJECTED");
    assert_eq!(outcome(&p, "holdings"), "FAIL");
    assert_eq!(p["heldBook"]["id"], held.as_str());

    // Monthly quota: three a month (the rejected one above does not count).
    assert_eq!(
        propose(&lib, &me, proposal(2, 39_00)).await["status"],
        "APPROVED"
    );
    assert_eq!(
        propose(&lib, &me, proposal(3, 39_00)).await["status"],
        "APPROVED"
    );
    let p = propose(&lib, &me, proposal(4, 39_00)).await;
    assert_eq!(
        (p["status"].clone(), outcome(&p, "monthly_quota")),
        (json!("REJECTED"), "FAIL".into())
    );
    // …and an amount per month.
    let spender = lib.reader("30000200").await;
    assert_eq!(
        propose(&lib, &spender, proposal(30, 99_00)).await["status"],
        "APPROVED"
    );
    assert_eq!(
        propose(&lib, &spender, proposal(31, 99_00)).await["status"],
        "APPROVED"
    );
    let p = propose(&lib, &spender, proposal(32, 199_00)).await;
    assert_eq!(outcome(&p, "monthly_quota"), "FAIL", "{p}");

    // Dearer than the review threshold: SUBMITTED for a librarian.
    let other = lib.reader("30000300").await;
    let dear = propose(&lib, &other, proposal(40, 150_00)).await;
    assert_eq!(dear["status"], "SUBMITTED");
    assert_eq!(outcome(&dear, "price"), "NEEDS_REVIEW");
    let waiting = app
        .gql_as(Some(&librarian), QUEUE, json!({"s": "SUBMITTED"}))
        .await;
    assert_eq!(
        waiting.data()["proposals"]["edges"][0]["node"]["id"],
        dear["id"]
    );
    // Readers can neither list all proposals nor review.
    assert_eq!(
        app.gql_as(Some(&me), QUEUE, json!({})).await.code(),
        "FORBIDDEN"
    );
    let r = app
        .gql_as(Some(&me), REVIEW, json!({"id": dear["id"], "a": true}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    // A rejection needs a reason; approval commits the price.
    let r = app
        .gql_as(
            Some(&librarian),
            REVIEW,
            json!({"id": dear["id"], "a": false}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    let r = app
        .gql_as(
            Some(&librarian),
            REVIEW,
            json!({"id": dear["id"], "a": true}),
        )
        .await;
    assert_eq!(r.data()["reviewProposal"]["status"], "APPROVED");
    let r = app
        .gql_as(
            Some(&librarian),
            REVIEW,
            json!({"id": dear["id"], "a": true}),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT", "reviewed twice");
    let b = app
        .gql_as(Some(&librarian), BUDGET, json!({"y": year()}))
        .await;
    let committed = 59_00 + 39_00 * 2 + 99_00 * 2 + 150_00;
    assert_eq!(b.data()["budget"]["committedCents"], committed);

    // The same book proposed again: CONFLICT for its proposer, JOINED for another reader.
    let r = app
        .gql_as(Some(&me), PROPOSE, json!({"i": proposal(1, 59_00)}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    let joined = propose(&lib, &other, proposal(1, 59_00)).await;
    assert_eq!(joined["status"], "JOINED");
    let b = app
        .gql_as(Some(&librarian), BUDGET, json!({"y": year()}))
        .await;
    assert_eq!(
        b.data()["budget"]["committedCents"],
        committed,
        "bought once"
    );

    // Out of budget: rejected, nothing committed.
    let r = app
        .gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": committed}))
        .await;
    assert_eq!(r.data()["allocateBudget"]["totalCents"], committed);
    let late = lib.reader("30000400").await;
    let p = propose(&lib, &late, proposal(50, 10_00)).await;
    assert_eq!(
        (p["status"].clone(), outcome(&p, "budget")),
        (json!("REJECTED"), "FAIL".into())
    );
    let r = app
        .gql_as(
            Some(&admin),
            ALLOCATE,
            json!({"y": year(), "t": committed - 1}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION", "below what is committed");

    // Every decision is told to its proposer (on WeChat first; this reader has none, so
    // each is also tried by email).
    let told = app
        .gql_as(
            Some(&me),
            "{ myNotifications(first: 100) { kind channel } }",
            json!({}),
        )
        .await;
    let kinds: Vec<&Value> = told.data()["myNotifications"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|n| n["channel"] == "WECHAT")
        .map(|n| &n["kind"])
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "proposal_decided").count(),
        5,
        "{kinds:?}"
    );
    let mine = app.gql_as(Some(&me), MINE, json!({})).await;
    assert_eq!(
        mine.data()["myProposals"]["edges"].as_array().map(Vec::len),
        Some(5)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_proposals_are_refused_and_write_nothing() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let me = lib.reader("30000001").await;
    let staff = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    let mut bad = Vec::new();
    for (field, value) in [
        ("isbn", json!("978-7-5442-1234-0")),
        ("isbn", json!("not an isbn")),
        ("priceCents", json!(-100)),
        ("priceCents", json!(0)),
        ("priceCents", json!(100_000_000)),
        ("title", json!("   ")),
        ("pubYear", json!(3020)),
    ] {
        let mut input = proposal(1, 59_00);
        input[field] = value.clone();
        bad.push((format!("{field}={value}"), input));
    }
    let mut far = proposal(1, 59_00);
    far["delivery"] = json!({"method": "BRANCH", "branchId": lib.id("SHOP")});
    bad.push(("a bookstore as pickup branch".into(), far));
    for (what, input) in bad {
        let r = app.gql_as(Some(&me), PROPOSE, json!({"i": input})).await;
        assert_eq!(r.code(), "VALIDATION", "{what}: {:?}", r.0);
    }
    let r = app
        .gql_as(Some(&staff), PROPOSE, json!({"i": proposal(1, 59_00)}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN", "staff do not propose as readers");
    let mine = app.gql_as(Some(&me), MINE, json!({})).await;
    assert_eq!(mine.data()["myProposals"]["edges"], json!([]));
    let all = app.gql_as(Some(&staff), QUEUE, json!({})).await;
    assert_eq!(
        all.data()["proposals"]["edges"],
        json!([]),
        "nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_proposals_never_overdraw_a_budget_for_ten() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(
        Some(&admin),
        ALLOCATE,
        json!({"y": year(), "t": 10 * 50_00}),
    )
    .await;
    let mut tokens = Vec::new();
    for i in 0..100 {
        let card = format!("4000{i:04}");
        people::add_reader(&app.ctx.db, &card, "123456", "读者", app.ctx.now())
            .await
            .expect("reader");
        tokens.push(app.reader_token(&card, "123456").await);
    }
    let books: Vec<Value> = (0..100).map(|i| proposal(100 + i, 50_00)).collect();
    lib.vendor_lists(&books).await;
    let decided = join_all(tokens.iter().enumerate().map(|(i, t)| {
        let input = proposal(100 + i as u32, 50_00);
        async move {
            let r = app.gql_as(Some(t), PROPOSE, json!({"i": input})).await;
            r.data()["proposePurchase"]["status"].clone()
        }
    }))
    .await;
    let approved = decided.iter().filter(|s| **s == "APPROVED").count();
    let rejected = decided.iter().filter(|s| **s == "REJECTED").count();
    assert_eq!((approved, rejected), (10, 90), "{decided:?}");
    let b = app.gql_as(Some(&admin), BUDGET, json!({"y": year()})).await;
    assert_eq!(
        b.data()["budget"],
        json!({"totalCents": 500_00, "committedCents": 500_00, "spentCents": 0, "availableCents": 0})
    );
    // The totals are the sum of the movements.
    let sum = sea_orm::ConnectionTrait::query_one(
        &app.ctx.db,
        sea_orm::Statement::from_string(
            app.ctx.db.get_database_backend(),
            "SELECT CAST(SUM(amount_cents) AS BIGINT) AS s FROM budget_movement WHERE kind = 'COMMIT'",
        ),
    )
    .await
    .expect("sum")
    .expect("row")
    .try_get::<i64>("", "s")
    .expect("s");
    assert_eq!(sum, 500_00);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordered_book_is_received_goes_to_its_proposer_first_then_joins_the_collection() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let desk_b = lib.staff("desk-b", StaffRole::Librarian, &["B"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    let me = lib.reader("30000001").await;
    let other = lib.reader("30000002").await;
    let mut input = proposal(1, 59_00);
    input["delivery"] = json!({"method": "BRANCH", "branchId": lib.id("A")});
    let p = propose(&lib, &me, input).await;
    assert_eq!(p["status"], "APPROVED");
    let refused = propose(&lib, &other, proposal(2, 250_00)).await;
    assert_eq!(refused["status"], "REJECTED");

    const RECEIVE: &str = "mutation($p: ID!, $b: String!, $c: String!, $br: ID!) { receivePurchase(proposalId: $p, barcode: $b, callNumber: $c, branchId: $br) { id status } }";
    let args = |id: &Value, barcode: &str, branch: &str| json!({"p": id, "b": barcode, "c": "I247.5/88", "br": lib.id(branch)});
    // Only the receiving branch's librarians; a rejected proposal cannot be received; a bad
    // call number is refused.
    let r = app
        .gql_as(Some(&desk_b), RECEIVE, args(&p["id"], "N0001", "A"))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(Some(&me), RECEIVE, args(&p["id"], "N0001", "A"))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(Some(&desk), RECEIVE, args(&refused["id"], "N0002", "A"))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    let mut bad = args(&p["id"], "N0001", "A");
    bad["c"] = json!("not a call number");
    let refused = app.gql_as(Some(&desk), RECEIVE, bad).await;
    assert_eq!(refused.code(), "VALIDATION");
    assert_eq!(refused.0["errors"][0]["extensions"]["field"], "callNumber");

    // Ordered from the library's supplier first: the vendor gets a CSV.
    let vendor = app
        .gql_as(
            Some(&admin),
            "mutation { addVendor(name: \"新华书店发行中心\") { id } }",
            json!({}),
        )
        .await;
    let vendor = vendor.data()["addVendor"]["id"].clone();
    const PLACE: &str = "mutation($v: ID!) { placePurchaseOrder(vendorId: $v) { id totalCents csv lines { id status } } }";
    let order = app.gql_as(Some(&desk), PLACE, json!({"v": vendor})).await;
    let order = order.data()["placePurchaseOrder"].clone();
    assert_eq!(
        order["lines"],
        json!([{"id": p["id"], "status": "ORDERED"}])
    );
    assert_eq!(order["totalCents"], 59_00);
    let csv = order["csv"].as_str().expect("csv");
    assert!(
        csv.starts_with("ISBN,题名,责任者,出版社,数量,单价（元）\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("{},新书 1,作者,出版社,1,59.00", isbn(1))),
        "{csv}"
    );
    let again = app.gql_as(Some(&desk), PLACE, json!({"v": vendor})).await;
    assert_eq!(again.code(), "CONFLICT", "nothing left to order");
    assert_eq!(
        app.gql_as(Some(&me), "{ orders { id } }", json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let listed = app
        .gql_as(Some(&desk), "{ orders { id } }", json!({}))
        .await;
    assert_eq!(listed.data()["orders"][0]["id"], order["id"]);

    let r = app
        .gql_as(Some(&desk), RECEIVE, args(&p["id"], "N0001", "A"))
        .await;
    assert_eq!(r.data()["receivePurchase"]["status"], "RECEIVED");
    let r = app
        .gql_as(Some(&desk), RECEIVE, args(&p["id"], "N0003", "A"))
        .await;
    assert_eq!(r.code(), "CONFLICT", "received twice");
    let b = app.gql_as(Some(&desk), BUDGET, json!({"y": year()})).await;
    assert_eq!(b.data()["budget"]["committedCents"], 0);
    assert_eq!(b.data()["budget"]["spentCents"], 59_00);

    // The proposer's request is on A's picking list with the new copy; nobody else can
    // take the copy meanwhile.
    let mine = app
        .gql_as(
            Some(&me),
            "{ myRequests { edges { node { id status book { id title } } } } }",
            json!({}),
        )
        .await;
    let req = mine.data()["myRequests"]["edges"][0]["node"].clone();
    assert_eq!(req["status"], "ROUTED");
    assert_eq!(req["book"]["title"], "新书 1");
    let book = req["book"]["id"].clone();
    let theirs = app
        .gql_as(
            Some(&other),
            crate::library::REQUEST,
            json!({"i": {"bookId": book, "delivery": {"method": "BRANCH", "branchId": lib.id("A")}}}),
        )
        .await;
    assert_eq!(theirs.data()["requestBook"]["status"], "WAITLISTED");
    assert_eq!(lib.pick_first(&picker, "A").await, "N0001");
    lib.check_out(&desk, "N0001", "30000001").await;
    // Returned: it serves the next reader — it is in the collection now.
    let back = app
        .gql_as(
            Some(&desk),
            crate::library::CHECK_IN,
            json!({"b": "N0001", "br": lib.id("A")}),
        )
        .await;
    assert_eq!(
        back.data()["checkIn"]["request"]["id"],
        theirs.data()["requestBook"]["id"]
    );

    let told = app
        .gql_as(
            Some(&me),
            "{ myNotifications(first: 100) { kind channel } }",
            json!({}),
        )
        .await;
    assert!(told.data()["myNotifications"]
        .as_array()
        .expect("list")
        .iter()
        .any(|n| n["kind"] == "proposal_arrived"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_bookstore_an_approved_book_leaves_as_a_loan_and_the_store_is_paid_monthly() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    let clerk = lib
        .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    let wrong = lib
        .staff("clerk-a", StaffRole::BookstoreClerk, &["A"])
        .await;
    let me = lib.reader("30000001").await;
    const SALE: &str = "mutation($i: InStorePurchaseInput!) { inStorePurchase(input: $i) { id status channel priceCents ruleResults { rule outcome } } }";
    let sale = |n: u32, price: i64| {
        let mut s = proposal(n, price);
        s["cardNumber"] = json!("30000001");
        s
    };
    // A reader is not a clerk; a clerk bound to a library branch is no bookstore's clerk.
    assert_eq!(
        app.gql_as(Some(&me), SALE, json!({"i": sale(1, 45_00)}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(Some(&wrong), SALE, json!({"i": sale(1, 45_00)}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let mut unknown = sale(1, 45_00);
    unknown["cardNumber"] = json!("99999999");
    assert_eq!(
        app.gql_as(Some(&clerk), SALE, json!({"i": unknown}))
            .await
            .code(),
        "NOT_FOUND"
    );

    let r = app
        .gql_as(Some(&clerk), SALE, json!({"i": sale(1, 45_00)}))
        .await;
    let bought = r.data()["inStorePurchase"].clone();
    assert_eq!(bought["status"], "LOANED", "{bought}");
    assert_eq!(bought["channel"], "IN_STORE");
    let loans = app
        .gql_as(
            Some(&me),
            "{ myLoans { edges { node { status book { title } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"],
        json!({"status": "ACTIVE", "book": {"title": "新书 1"}})
    );
    // A rule that fails refuses at the counter, with nothing lent.
    let r = app
        .gql_as(Some(&clerk), SALE, json!({"i": sale(2, 250_00)}))
        .await;
    assert_eq!(r.data()["inStorePurchase"]["status"], "REJECTED");
    let loans = app
        .gql_as(
            Some(&me),
            "{ myLoans { edges { node { status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        loans.data()["myLoans"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    let b = app.gql_as(Some(&admin), BUDGET, json!({"y": year()})).await;
    assert_eq!(
        b.data()["budget"]["committedCents"],
        45_00,
        "owed to the store until settled"
    );
    let mut with_label = sale(3, 30_00);
    with_label["barcode"] = json!("L0003");
    let r = app
        .gql_as(Some(&clerk), SALE, json!({"i": with_label}))
        .await;
    assert_eq!(r.data()["inStorePurchase"]["status"], "LOANED");

    // The month's statement for the store: two books, as GraphQL and CSV; the clerk sees
    // it, a reader does not; paying it moves the amounts to spent, once.
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    let vendors = app
        .gql_as(Some(&librarian), "{ vendors { id name } }", json!({}))
        .await;
    let vendor = vendors.data()["vendors"][0].clone();
    assert_eq!(vendor["name"], "SHOP 分馆");
    let month = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .format("%Y-%m")
        .to_string();
    const STATEMENT: &str = "query($v: ID!, $m: String!) { vendorStatement(vendorId: $v, month: $m) { month totalCents paid csv lines { title barcode priceCents } } }";
    const PAY: &str = "mutation($v: ID!, $m: String!) { payVendorStatement(vendorId: $v, month: $m) { paid totalCents } }";
    let vars = json!({"v": vendor["id"], "m": month});
    let st = app.gql_as(Some(&clerk), STATEMENT, vars.clone()).await;
    let st = st.data()["vendorStatement"].clone();
    assert_eq!(st["totalCents"], 75_00);
    assert_eq!(st["paid"], false);
    assert_eq!(st["lines"][1]["barcode"], "L0003");
    let csv = st["csv"].as_str().expect("csv");
    assert!(csv.starts_with("日期,ISBN,题名,条码,金额（元）\n"), "{csv}");
    assert!(
        csv.contains("新书 3,L0003,30.00") && csv.contains("合计,,75.00"),
        "{csv}"
    );
    assert_eq!(
        app.gql_as(Some(&me), STATEMENT, vars.clone()).await.code(),
        "FORBIDDEN"
    );
    let bad = json!({"v": vendor["id"], "m": "2026-13"});
    assert_eq!(
        app.gql_as(Some(&librarian), STATEMENT, bad).await.code(),
        "VALIDATION"
    );
    assert_eq!(
        app.gql_as(Some(&clerk), PAY, vars.clone()).await.code(),
        "FORBIDDEN"
    );
    let paid = app.gql_as(Some(&librarian), PAY, vars.clone()).await;
    assert_eq!(
        paid.data()["payVendorStatement"],
        json!({"paid": true, "totalCents": 75_00})
    );
    assert_eq!(
        app.gql_as(Some(&librarian), PAY, vars).await.code(),
        "CONFLICT"
    );
    let b = app.gql_as(Some(&admin), BUDGET, json!({"y": year()})).await;
    assert_eq!(
        (
            b.data()["budget"]["committedCents"].clone(),
            b.data()["budget"]["spentCents"].clone()
        ),
        (json!(0), json!(75_00))
    );
}

pub const CANCEL: &str = "mutation($id: ID!, $r: String) { cancelProposal(id: $id, reason: $r) { id status decisionReason } }";
const RECEIVE: &str = "mutation($p: ID!, $b: String!, $c: String!, $br: ID!) { receivePurchase(proposalId: $p, barcode: $b, callNumber: $c, branchId: $br) { id status } }";
const STATS: &str = "query($y: Int!) { purchaseStats(fiscalYear: $y) { fiscalYear proposals approved rejected byStatus { key count } byChannel { key count } rejectedByRule { key count } budget { totalCents committedCents spentCents } spentByChannel { key count } boughtOnDemand { items lent lentToOthers loans circulationRate } otherAcquisitions { items lent lentToOthers loans circulationRate } } }";

/// The caller's proposal statuses by id.
async fn statuses(lib: &Library, token: &str) -> std::collections::HashMap<String, String> {
    let r = lib.app.gql_as(Some(token), MINE, json!({})).await;
    r.data()["myProposals"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["id"].as_str().expect("id").to_owned(),
                n["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

async fn status_of(lib: &Library, token: &str, p: &Value) -> String {
    let id = p["id"].as_str().expect("id");
    statuses(lib, token).await.remove(id).unwrap_or_default()
}

/// Committed and spent as the budget row says, and as its movements add up.
async fn budget_and_movements(lib: &Library) -> ((i64, i64), (i64, i64)) {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        committed: i64,
        spent: i64,
        moved_committed: i64,
        moved_spent: i64,
    }
    let sql = "SELECT b.committed_cents AS committed, b.spent_cents AS spent, \
        CAST(COALESCE(SUM(CASE m.kind WHEN 'COMMIT' THEN m.amount_cents \
            WHEN 'RELEASE' THEN -m.amount_cents WHEN 'SPEND' THEN -m.amount_cents END), 0) AS BIGINT) AS moved_committed, \
        CAST(COALESCE(SUM(CASE m.kind WHEN 'SPEND' THEN m.amount_cents END), 0) AS BIGINT) AS moved_spent \
        FROM budget b LEFT JOIN budget_movement m ON m.budget_id = b.id GROUP BY b.id";
    let row = <Row as sea_orm::FromQueryResult>::find_by_statement(
        sea_orm::Statement::from_string(lib.app.ctx.db.get_database_backend(), sql),
    )
    .one(&lib.app.ctx.db)
    .await
    .expect("query")
    .expect("a budget");
    (
        (row.committed, row.spent),
        (row.moved_committed, row.moved_spent),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_proposals_give_back_their_budget_and_joined_readers_inherit_or_queue() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    let vendor = app
        .gql_as(
            Some(&admin),
            "mutation { addVendor(name: \"新华书店\") { id } }",
            json!({}),
        )
        .await
        .data()["addVendor"]["id"]
        .clone();
    const PLACE: &str = "mutation($v: ID!) { placePurchaseOrder(vendorId: $v) { id } }";
    let [ann, bo, cai, dai, eve] = ["31000001", "31000002", "31000003", "31000004", "31000005"];
    let ann = lib.reader(ann).await;
    let bo = lib.reader(bo).await;
    let cai = lib.reader(cai).await;
    let dai = lib.reader(dai).await;
    let eve = lib.reader(eve).await;

    // Ann proposes; Bo and Cai ask for the same book and join her proposal.
    let a = propose(&lib, &ann, proposal(1, 59_00)).await;
    assert_eq!(a["status"], "APPROVED");
    let mut bos = proposal(1, 58_00);
    bos["delivery"] = json!({"method": "BRANCH", "branchId": lib.id("B")});
    let b = propose(&lib, &bo, bos).await;
    assert_eq!(b["status"], "JOINED");
    let c = propose(&lib, &cai, proposal(1, 59_00)).await;
    assert_eq!(c["status"], "JOINED");

    // Nobody withdraws another reader's proposal; a reader cannot withdraw it twice.
    let r = app.gql_as(Some(&bo), CANCEL, json!({"id": a["id"]})).await;
    assert_eq!(r.code(), "NOT_FOUND");
    // Ann withdraws: Bo, who joined first, takes her place with the price held for him.
    let r = app.gql_as(Some(&ann), CANCEL, json!({"id": a["id"]})).await;
    assert_eq!(r.data()["cancelProposal"]["status"], "CANCELLED", "{r:?}");
    assert_eq!(
        app.gql_as(Some(&ann), CANCEL, json!({"id": a["id"]}))
            .await
            .code(),
        "CONFLICT"
    );
    assert_eq!(status_of(&lib, &bo, &b).await, "APPROVED");
    assert_eq!(status_of(&lib, &cai, &c).await, "JOINED");
    assert_eq!(budget_and_movements(&lib).await, ((59_00, 0), (59_00, 0)));

    // Dai's own proposal, withdrawn: its price is available again.
    let d = propose(&lib, &dai, proposal(2, 40_00)).await;
    assert_eq!(d["status"], "APPROVED");
    assert_eq!(budget_and_movements(&lib).await.0, (99_00, 0));
    app.gql_as(Some(&dai), CANCEL, json!({"id": d["id"]})).await;
    let budget = app.gql_as(Some(&desk), BUDGET, json!({"y": year()})).await;
    assert_eq!(budget.data()["budget"]["availableCents"], 941_00);

    // Once ordered, readers can no longer withdraw.
    app.gql_as(Some(&desk), PLACE, json!({"v": vendor})).await;
    assert_eq!(status_of(&lib, &bo, &b).await, "ORDERED");
    let r = app.gql_as(Some(&bo), CANCEL, json!({"id": b["id"]})).await;
    assert_eq!(r.code(), "CONFLICT");
    // Eve joins the ordered book too.
    let e = propose(&lib, &eve, proposal(1, 59_00)).await;
    assert_eq!(e["status"], "JOINED");

    // Received at A: Bo gets it first, at the branch he chose; Cai and Eve queue behind.
    let r = app
        .gql_as(
            Some(&desk),
            RECEIVE,
            json!({"p": b["id"], "b": "N1001", "c": "I247.5/88", "br": lib.id("A")}),
        )
        .await;
    assert_eq!(r.data()["receivePurchase"]["status"], "RECEIVED", "{r:?}");
    const MY_REQUESTS: &str =
        "{ myRequests { edges { node { id status waitlistPosition pickupBranch { code } } } } }";
    let first = |t: &str| {
        let t = t.to_owned();
        async move {
            app.gql_as(Some(&t), MY_REQUESTS, json!({})).await.data()["myRequests"]["edges"][0]
                ["node"]
                .clone()
        }
    };
    let bos_request = first(&bo).await;
    assert_eq!(bos_request["status"], "ROUTED");
    assert_eq!(bos_request["pickupBranch"]["code"], "B");
    let cais = first(&cai).await;
    assert_eq!(
        (cais["status"].as_str(), cais["waitlistPosition"].as_i64()),
        (Some("WAITLISTED"), Some(1))
    );
    let eves = first(&eve).await;
    assert_eq!(eves["waitlistPosition"], 2);
    assert_eq!(status_of(&lib, &cai, &c).await, "RECEIVED");

    // It travels to B, where Bo borrows it (his proposal is LOANED); returned, it serves
    // Cai next.
    assert_eq!(lib.pick_first(&picker, "A").await, "N1001");
    let desk_b = lib.staff("desk-b", StaffRole::Librarian, &["B"]).await;
    let at_b = json!({"b": "N1001", "br": lib.id("B")});
    let shelved = app
        .gql_as(Some(&desk_b), crate::library::CHECK_IN, at_b.clone())
        .await;
    assert_eq!(shelved.data()["checkIn"]["action"], "HOLD_SHELF");
    lib.check_out(&desk_b, "N1001", "31000002").await;
    assert_eq!(status_of(&lib, &bo, &b).await, "LOANED");
    let back = app
        .gql_as(Some(&desk_b), crate::library::CHECK_IN, at_b)
        .await;
    assert_eq!(back.data()["checkIn"]["request"]["id"], cais["id"]);

    // A librarian cancels an ordered book the vendor cannot supply (a reason is required);
    // the readers who joined it are told and end with it.
    let f = propose(&lib, &ann, proposal(3, 30_00)).await;
    let g = propose(&lib, &dai, proposal(3, 30_00)).await;
    assert_eq!(
        (f["status"].as_str(), g["status"].as_str()),
        (Some("APPROVED"), Some("JOINED"))
    );
    app.gql_as(Some(&desk), PLACE, json!({"v": vendor})).await;
    assert_eq!(
        app.gql_as(Some(&desk), CANCEL, json!({"id": f["id"]}))
            .await
            .code(),
        "VALIDATION"
    );
    assert_eq!(
        app.gql_as(Some(&picker), CANCEL, json!({"id": f["id"], "r": "x"}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let r = app
        .gql_as(
            Some(&desk),
            CANCEL,
            json!({"id": f["id"], "r": "供应商缺货"}),
        )
        .await;
    assert_eq!(
        r.data()["cancelProposal"],
        json!({"id": f["id"], "status": "CANCELLED", "decisionReason": "供应商缺货"})
    );
    assert_eq!(status_of(&lib, &dai, &g).await, "CANCELLED");
    // Dai was told of her approval, of joining, and of the library's cancellation (not of
    // her own withdrawal).
    let told = app
        .gql_as(
            Some(&dai),
            "{ myNotifications { kind channel } }",
            json!({}),
        )
        .await;
    // (Each may also have gone on to email, her next channel, as she has no WeChat.)
    let decided = told.data()["myNotifications"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|n| n["kind"] == "proposal_decided" && n["channel"] == "WECHAT")
        .count();
    assert_eq!(decided, 3, "{told:?}");
    // Everything withdrawn gave its price back; what Bo's book cost is spent.
    assert_eq!(budget_and_movements(&lib).await, ((0, 59_00), (0, 59_00)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_years_figures_count_outcomes_reasons_spending_and_circulation() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let clerk = lib
        .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 500_00}))
        .await;
    let cards: Vec<String> = (1..=5).map(|i| format!("3200000{i}")).collect();
    let readers: Vec<String> = join_all(cards.iter().map(|c| lib.reader(c))).await;

    // Online: one approved, two rejected by rules (one failing two of them), one rejected
    // by a librarian on review; in store: one approved.
    let approved = propose(&lib, &readers[0], proposal(1, 50_00)).await;
    assert_eq!(approved["status"], "APPROVED");
    let dear = propose(&lib, &readers[1], proposal(2, 250_00)).await;
    assert_eq!(dear["status"], "REJECTED");
    let mut old_textbook = proposal(3, 30_00);
    old_textbook["pubYear"] = json!(2001);
    old_textbook["clcClass"] = json!("G634.6");
    assert_eq!(
        propose(&lib, &readers[2], old_textbook).await["status"],
        "REJECTED"
    );
    let borderline = propose(&lib, &readers[3], proposal(4, 150_00)).await;
    assert_eq!(borderline["status"], "SUBMITTED");
    let r = app
        .gql_as(
            Some(&desk),
            REVIEW,
            json!({"id": borderline["id"], "a": false, "r": "馆藏已有同类图书"}),
        )
        .await;
    assert_eq!(r.data()["reviewProposal"]["status"], "REJECTED");
    let mut sale = proposal(5, 30_00);
    sale["cardNumber"] = json!("32000005");
    let r = app
        .gql_as(
            Some(&clerk),
            "mutation($i: InStorePurchaseInput!) { inStorePurchase(input: $i) { status } }",
            json!({"i": sale}),
        )
        .await;
    assert_eq!(r.data()["inStorePurchase"]["status"], "LOANED");

    // The online book arrives and goes to its proposer, then to another reader.
    app.gql_as(
        Some(&desk),
        RECEIVE,
        json!({"p": approved["id"], "b": "N2001", "c": "I247.5/90", "br": lib.id("A")}),
    )
    .await;
    assert_eq!(lib.pick_first(&picker, "A").await, "N2001");
    let (lib, desk) = (&lib, desk.as_str());
    let out = |barcode: &'static str, card: &'static str| async move {
        let r = app
            .gql_as(
                Some(desk),
                crate::library::CHECK_OUT,
                json!({"b": barcode, "c": card}),
            )
            .await;
        assert_eq!(r.data()["checkOut"]["status"], "ACTIVE", "{r:?}");
    };
    let back = |barcode: &'static str| async move {
        app.gql_as(
            Some(desk),
            crate::library::CHECK_IN,
            json!({"b": barcode, "br": lib.id("A")}),
        )
        .await;
    };
    out("N2001", "32000001").await;
    back("N2001").await;
    out("N2001", "32000002").await;
    // Two ordinary acquisitions of the year, one of them lent.
    lib.title(
        "普通采购",
        &[("A", "A0001", "I246.5/12"), ("A", "A0002", "I246.5/12")],
    )
    .await;
    out("A0001", "32000003").await;

    let r = app.gql_as(Some(desk), STATS, json!({"y": year()})).await;
    let s = &r.data()["purchaseStats"];
    assert_eq!(s["fiscalYear"], year());
    assert_eq!(
        (&s["proposals"], &s["approved"], &s["rejected"]),
        (&json!(5), &json!(2), &json!(3))
    );
    assert_eq!(
        s["byStatus"],
        json!([{"key": "REJECTED", "count": 3}, {"key": "LOANED", "count": 2}])
    );
    assert_eq!(
        s["byChannel"],
        json!([{"key": "ONLINE", "count": 4}, {"key": "IN_STORE", "count": 1}])
    );
    assert_eq!(
        s["rejectedByRule"],
        json!([
            {"key": "clc_class", "count": 1},
            {"key": "librarian", "count": 1},
            {"key": "price", "count": 1},
            {"key": "publication_year", "count": 1},
        ])
    );
    // The in-store book stays committed until the store's statement is paid.
    assert_eq!(
        s["budget"],
        json!({"totalCents": 500_00, "committedCents": 30_00, "spentCents": 50_00})
    );
    assert_eq!(
        s["spentByChannel"],
        json!([{"key": "ONLINE", "count": 50_00}])
    );
    assert_eq!(
        s["boughtOnDemand"],
        json!({"items": 2, "lent": 2, "lentToOthers": 1, "loans": 3, "circulationRate": 1.0})
    );
    assert_eq!(
        s["otherAcquisitions"],
        json!({"items": 2, "lent": 1, "lentToOthers": 1, "loans": 1, "circulationRate": 0.5})
    );
    // The report of the year says the same of the proposals, and whom they served.
    let period = app
        .gql_as(
            Some(desk),
            "query($p: String, $b: ID) { stats(period: $p, branchId: $b) { proposalsByChannel { key count } proposalsRejectedByRule { key count } spentByChannelCents { key count } readersServed } }",
            json!({"p": year().to_string(), "b": lib.id("A")}),
        )
        .await;
    let p = &period.data()["stats"];
    assert_eq!(p["proposalsByChannel"], s["byChannel"]);
    assert_eq!(p["proposalsRejectedByRule"], s["rejectedByRule"]);
    assert_eq!(p["spentByChannelCents"], s["spentByChannel"]);
    assert_eq!(
        p["readersServed"], 2,
        "the two proposers who read their books"
    );

    // Another year has nothing yet; readers see no figures; years are checked.
    let r = app
        .gql_as(Some(desk), STATS, json!({"y": year() - 1}))
        .await;
    assert_eq!(r.data()["purchaseStats"]["proposals"], 0);
    assert_eq!(r.data()["purchaseStats"]["budget"], Value::Null);
    assert_eq!(
        app.gql_as(Some(&readers[0]), STATS, json!({"y": year()}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(Some(desk), STATS, json!({"y": 1066}))
            .await
            .code(),
        "VALIDATION"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_come_from_a_file_on_the_command_line_and_a_bad_file_changes_nothing() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let me = lib.reader("33000001").await;
    const RULES: &str = "{ purchaseRules { priceCapCents reviewAboveCents maxAgeYears excludedClasses holdingsLimit monthlyCount monthlyAmountCents } }";
    let file = std::env::temp_dir().join(format!("rules-{}.toml", uuid::Uuid::now_v7()));
    std::fs::write(
        &file,
        "price_cap_cents = 8000\nreview_above_cents = 5000\nexcluded_classes = [\"G4\", \"H31\"]\nmonthly_count = 5\n",
    )
    .expect("write");
    let out = app.cli(&["purchases", "rules", "apply", file.to_str().expect("path")]);
    assert!(out.status.success(), "{out:?}");
    let r = app.gql_as(Some(&me), RULES, json!({})).await;
    assert_eq!(
        r.data()["purchaseRules"],
        json!({"priceCapCents": 8000, "reviewAboveCents": 5000, "maxAgeYears": 3,
               "excludedClasses": ["G4", "H31"], "holdingsLimit": 2, "monthlyCount": 5,
               "monthlyAmountCents": 30000})
    );
    // They decide: ¥90 is over the new cap.
    let p = propose(&lib, &me, proposal(1, 90_00)).await;
    assert_eq!(p["status"], "REJECTED");
    assert_eq!(outcome(&p, "price"), "FAIL");

    // `show` prints a file `apply` reads back.
    let shown = app.cli(&["purchases", "rules", "show"]);
    assert!(shown.status.success(), "{shown:?}");
    let text = String::from_utf8(shown.stdout).expect("utf-8");
    assert!(text.contains("price_cap_cents = 8000"), "{text}");

    // A misspelt key or a nonsensical limit: refused, named, nothing changed.
    for (bad, named) in [
        ("price_cap = 100\n", "price_cap"),
        ("price_cap_cents = -5\n", "positive"),
        ("price_cap_cents = \"lots\"\n", "price_cap_cents"),
    ] {
        std::fs::write(&file, bad).expect("write");
        let out = app.cli(&["purchases", "rules", "apply", file.to_str().expect("path")]);
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{bad}: {err}");
    }
    let missing = app.cli(&["purchases", "rules", "apply", "/nonexistent/rules.toml"]);
    assert!(!missing.status.success());
    let r = app.gql_as(Some(&me), RULES, json!({})).await;
    assert_eq!(r.data()["purchaseRules"]["priceCapCents"], 8000);
    let _ = std::fs::remove_file(&file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bookstore_counter_lends_only_to_readers_who_may_borrow() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 100_000}))
        .await;
    let clerk = lib
        .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    lib.reader("30000011").await;
    // The reader has a loan that is overdue.
    lib.title("呐喊", &[("A", "A0100", "I210/1")]).await;
    app.gql_as(
        Some(&desk),
        CHECK_OUT,
        json!({"b": "A0100", "c": "30000011"}),
    )
    .await
    .data();
    lib.make_loans_overdue(chrono::Duration::days(3));
    const SALE: &str =
        "mutation($i: InStorePurchaseInput!) { inStorePurchase(input: $i) { status } }";
    let mut sale = proposal(21, 45_00);
    sale["cardNumber"] = json!("30000011");
    let r = app.gql_as(Some(&clerk), SALE, json!({"i": sale})).await;
    assert_eq!(r.code(), "FORBIDDEN", "{}", r.0);
    // Nothing was decided, committed or lent.
    let (budget, _) = budget_and_movements(&lib).await;
    assert_eq!(budget, (0, 0), "no money committed or spent");
    let r = app.gql_as(Some(&admin), QUEUE, json!({"s": null})).await;
    assert_eq!(r.data()["proposals"]["edges"], json!([]));

    // A reader whose lending a librarian blocked is refused the same way.
    lib.reader("30000012").await;
    let found = app
        .gql_as(
            Some(&admin),
            "{ findReaders(query: \"30000012\") { id } }",
            json!({}),
        )
        .await;
    let blocked = found.data()["findReaders"][0]["id"].clone();
    app.gql_as(
        Some(&admin),
        "mutation($r: ID!) { setReaderBlocked(readerId: $r, blocked: true, reason: \"遗失图书未赔偿\") { blocked } }",
        json!({"r": blocked}),
    )
    .await
    .data();
    let mut sale = proposal(22, 45_00);
    sale["cardNumber"] = json!("30000012");
    let r = app.gql_as(Some(&clerk), SALE, json!({"i": sale})).await;
    assert_eq!(r.code(), "FORBIDDEN", "{}", r.0);
    assert_eq!(r.0["errors"][0]["extensions"]["reason"], "BLOCKED");
    assert!(
        r.0["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("遗失图书未赔偿")),
        "the clerk can tell the reader why: {}",
        r.0
    );
    let r = app.gql_as(Some(&admin), QUEUE, json!({"s": null})).await;
    assert_eq!(r.data()["proposals"]["edges"], json!([]), "nothing decided");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_purchase_left_to_a_librarian_is_urgent_and_lent_once_approved() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    let clerk = lib
        .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    let me = lib.reader("30000021").await;
    const SALE: &str =
        "mutation($i: InStorePurchaseInput!) { inStorePurchase(input: $i) { id status urgent } }";
    const COUNTER: &str = "{ counterProposals { id status urgent title } }";
    const LEND: &str = "mutation($p: ID!, $b: String) { lendInStorePurchase(proposalId: $p, barcode: $b) { id status } }";
    const URGENT: &str =
        "{ proposals(status: SUBMITTED, first: 10) { edges { node { id urgent channel } } } }";
    // A dear book: the rules leave it to a librarian while the reader waits.
    let mut sale = proposal(31, 150_00);
    sale["cardNumber"] = json!("30000021");
    let r = app.gql_as(Some(&clerk), SALE, json!({"i": sale})).await;
    let waiting = r.data()["inStorePurchase"].clone();
    assert_eq!(waiting["status"], "SUBMITTED", "{waiting}");
    assert_eq!(waiting["urgent"], true);
    let id = waiting["id"].clone();
    let counter = app.gql_as(Some(&clerk), COUNTER, json!({})).await;
    assert_eq!(counter.data()["counterProposals"][0]["id"], id);
    assert_eq!(counter.data()["counterProposals"][0]["urgent"], true);
    let queue = app.gql_as(Some(&librarian), URGENT, json!({})).await;
    assert_eq!(
        queue.data()["proposals"]["edges"][0]["node"],
        json!({"id": id, "urgent": true, "channel": "IN_STORE"})
    );
    // Not approved yet: nothing to lend; a reader may not lend.
    let r = app.gql_as(Some(&clerk), LEND, json!({"p": id})).await;
    assert_eq!(r.code(), "CONFLICT");
    let r = app.gql_as(Some(&me), LEND, json!({"p": id})).await;
    assert_eq!(r.code(), "FORBIDDEN");

    // Approved: the clerk lends it with the store's label, once.
    let r = app
        .gql_as(Some(&librarian), REVIEW, json!({"id": id, "a": true}))
        .await;
    assert_eq!(r.data()["reviewProposal"]["status"], "APPROVED");
    let counter = app.gql_as(Some(&clerk), COUNTER, json!({})).await;
    assert_eq!(counter.data()["counterProposals"][0]["status"], "APPROVED");
    assert_eq!(counter.data()["counterProposals"][0]["urgent"], false);
    let r = app
        .gql_as(Some(&clerk), LEND, json!({"p": id, "b": "L0031"}))
        .await;
    assert_eq!(r.data()["lendInStorePurchase"]["status"], "LOANED");
    let r = app.gql_as(Some(&clerk), LEND, json!({"p": id})).await;
    assert_eq!(r.code(), "CONFLICT");
    let loans = app
        .gql_as(
            Some(&me),
            "{ myLoans { edges { node { status book { title } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"],
        json!({"status": "ACTIVE", "book": {"title": "新书 31"}})
    );
    let counter = app.gql_as(Some(&clerk), COUNTER, json!({})).await;
    assert_eq!(counter.data()["counterProposals"], json!([]));
}

const CHECK_IN_AT: &str = "mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) { action toBranch { code } item { barcode callNumber branch { code } homeBranch { code } } } }";
const CATALOGUE: &str = "mutation($b: String!, $n: String!, $c: String!, $br: ID!) { catalogueCopy(barcode: $b, newBarcode: $n, callNumber: $c, netLending: true, branchId: $br) { action toBranch { code } item { barcode callNumber } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_bought_at_the_counter_belongs_to_the_library_and_is_catalogued_on_its_return() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 100_000}))
        .await;
    let clerk = lib
        .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    let desk_b = lib.staff("desk-b", StaffRole::Librarian, &["B"]).await;
    let desk_c = lib.staff("desk-c", StaffRole::Librarian, &["C"]).await;
    lib.reader("30000021").await;

    // Only admins name a store's partner branch, and only a store has one.
    const PARTNER: &str = "mutation($s: ID!, $b: ID!) { setBookstorePartner(bookstoreId: $s, branchId: $b) { code partnerBranch { code } } }";
    let r = app
        .gql_as(
            Some(&desk_b),
            PARTNER,
            json!({"s": lib.id("SHOP"), "b": lib.id("B")}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(
            Some(&admin),
            PARTNER,
            json!({"s": lib.id("A"), "b": lib.id("B")}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    let r = app
        .gql_as(
            Some(&admin),
            PARTNER,
            json!({"s": lib.id("SHOP"), "b": lib.id("B")}),
        )
        .await;
    assert_eq!(
        r.data()["setBookstorePartner"],
        json!({"code": "SHOP", "partnerBranch": {"code": "B"}})
    );

    // Sold at the counter: the copy belongs to B, not to the shop.
    let mut sale = proposal(31, 38_00);
    sale["cardNumber"] = json!("30000021");
    let r = app
        .gql_as(
            Some(&clerk),
            "mutation($i: InStorePurchaseInput!) { inStorePurchase(input: $i) { id status } }",
            json!({"i": sale}),
        )
        .await;
    let sold = r.data()["inStorePurchase"].clone();
    assert_eq!(sold["status"], "LOANED");
    let temp = format!("TMP-{}", sold["id"].as_str().expect("id").replace('-', ""));

    // Returned at C: nothing leaves for the shop; the desk is asked to catalogue it.
    let r = app
        .gql_as(
            Some(&desk_c),
            CHECK_IN_AT,
            json!({"b": temp, "br": lib.id("C")}),
        )
        .await;
    let back = r.data()["checkIn"].clone();
    assert_eq!(back["action"], "CATALOGUE", "{back}");
    assert_eq!(back["toBranch"], Value::Null);
    assert_eq!(back["item"]["branch"]["code"], "C");
    assert_eq!(back["item"]["homeBranch"]["code"], "B");

    // Cataloguing: another branch's staff may not; a bad call number is the field's error;
    // then the copy has the library's barcode and goes home to B.
    let vars = |call: &str| json!({"b": temp, "n": "C9001", "c": call, "br": lib.id("C")});
    let r = app.gql_as(Some(&desk_b), CATALOGUE, vars("I247.5/9")).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(Some(&desk_c), CATALOGUE, vars("not a call number"))
        .await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.0["errors"][0]["extensions"]["field"], "callNumber");
    let r = app.gql_as(Some(&desk_c), CATALOGUE, vars("I247.5/9")).await;
    let done = r.data()["catalogueCopy"].clone();
    assert_eq!(
        done,
        json!({"action": "SEND_HOME", "toBranch": {"code": "B"},
               "item": {"barcode": "C9001", "callNumber": "I247.5/9"}})
    );
    let again = app
        .gql_as(
            Some(&desk_c),
            CATALOGUE,
            json!({"b": "C9001", "n": "C9002", "c": "I247.5/9", "br": lib.id("C")}),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(
        again.0["errors"][0]["extensions"]["reason"],
        "ALREADY_CATALOGUED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarians_order_the_proposals_they_choose_from_each_vendor() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    let mut approved = Vec::new();
    for (n, card) in [(41, "30000041"), (42, "30000042"), (43, "30000043")] {
        let reader = lib.reader(card).await;
        let p = propose(&lib, &reader, proposal(n, 59_00)).await;
        assert_eq!(p["status"], "APPROVED", "{p}");
        approved.push(p["id"].clone());
    }
    let vendor = |name: &'static str| {
        let admin = admin.clone();
        async move {
            let r = app
                .gql_as(
                    Some(&admin),
                    "mutation($n: String!) { addVendor(name: $n) { id } }",
                    json!({"n": name}),
                )
                .await;
            r.data()["addVendor"]["id"].clone()
        }
    };
    let (xinhua, fenghuang) = (vendor("新华书店").await, vendor("凤凰书城").await);
    const PLACE: &str = "mutation($v: ID!, $p: [ID!]) { placePurchaseOrder(vendorId: $v, proposalIds: $p) { totalCents lines { id status } } }";
    let statuses = || async {
        let q = app
            .gql_as(Some(&desk), QUEUE, json!({"s": "APPROVED"}))
            .await;
        q.data()["proposals"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].clone())
            .collect::<Vec<_>>()
    };

    // Bad choices change nothing.
    for (ids, code) in [
        (json!([]), "VALIDATION"),
        (
            json!(vec!["0190f0e0-0000-7000-8000-000000000000"; 501]),
            "VALIDATION",
        ),
        (json!(["not-an-id"]), "NOT_FOUND"),
    ] {
        let r = app
            .gql_as(Some(&desk), PLACE, json!({"v": xinhua, "p": ids}))
            .await;
        assert_eq!(r.code(), code, "{ids}");
    }
    assert_eq!(statuses().await.len(), 3);

    // Two to one vendor, the third to another.
    let r = app
        .gql_as(
            Some(&desk),
            PLACE,
            json!({"v": xinhua, "p": [approved[0], approved[1]]}),
        )
        .await;
    let order = r.data()["placePurchaseOrder"].clone();
    assert_eq!(order["totalCents"], 118_00);
    assert_eq!(order["lines"].as_array().expect("lines").len(), 2);
    assert_eq!(statuses().await, vec![approved[2].clone()]);
    // An already ordered one in the choice: nothing is ordered, the third stays approved.
    let r = app
        .gql_as(
            Some(&desk),
            PLACE,
            json!({"v": fenghuang, "p": [approved[0], approved[2]]}),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(statuses().await, vec![approved[2].clone()]);
    let r = app
        .gql_as(
            Some(&desk),
            PLACE,
            json!({"v": fenghuang, "p": [approved[2]]}),
        )
        .await;
    assert_eq!(
        r.data()["placePurchaseOrder"]["lines"],
        json!([{"id": approved[2], "status": "ORDERED"}])
    );
    assert!(statuses().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_the_rules_and_a_bad_limit_names_its_field_and_changes_nothing() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await;
    const UPDATE: &str = "mutation($i: PurchaseRulesInput!) { updatePurchaseRules(input: $i) { priceCapCents reviewAboveCents excludedClasses monthlyCount } }";
    const CURRENT: &str =
        "{ purchaseRules { priceCapCents reviewAboveCents excludedClasses monthlyCount } }";
    let rules = |cap: i64, review: Option<i64>, count: i64, classes: Value| {
        json!({"i": {"priceCapCents": cap, "reviewAboveCents": review, "maxAgeYears": 3,
                     "excludedClasses": classes, "holdingsLimit": 2, "monthlyCount": count,
                     "monthlyAmountCents": 300_00}})
    };
    let before = app.gql_as(Some(&admin), CURRENT, json!({})).await;
    for (bad, field) in [
        (rules(0, None, 3, json!([])), "priceCapCents"),
        (rules(100_00, Some(-1), 3, json!([])), "reviewAboveCents"),
        (rules(100_00, None, 0, json!([])), "monthlyCount"),
        (
            rules(100_00, None, 3, json!(["G4", " "])),
            "excludedClasses",
        ),
    ] {
        let r = app.gql_as(Some(&admin), UPDATE, bad).await;
        assert_eq!(r.code(), "VALIDATION");
        assert_eq!(r.0["errors"][0]["extensions"]["field"], field);
    }
    let after = app.gql_as(Some(&admin), CURRENT, json!({})).await;
    assert_eq!(
        after.data(),
        before.data(),
        "a refused update changes nothing"
    );

    // A review threshold at or over the cap means "never review".
    let r = app
        .gql_as(
            Some(&admin),
            UPDATE,
            rules(50_00, Some(60_00), 1, json!(["I2"])),
        )
        .await;
    assert_eq!(
        r.data()["updatePurchaseRules"],
        json!({"priceCapCents": 50_00, "reviewAboveCents": null,
               "excludedClasses": ["I2"], "monthlyCount": 1})
    );
    // In force at once: a 59-yuan book is now over the cap.
    let me = lib.reader("30000051").await;
    let p = propose(&lib, &me, proposal(51, 59_00)).await;
    assert_eq!(p["status"], "REJECTED", "{p}");
    assert_eq!(outcome(&p, "price"), "FAIL");
}

const IMPORT_OFFERS: &str = "mutation($v: ID!, $csv: String!) { importVendorOffers(vendorId: $v, csv: $csv) { stored rejected { line reason } } }";
const LOOKUP: &str = "query($i: String!) { isbnLookup(isbn: $i) { isbn book { id } otherEdition { id title } offer { title author priceCents clcClass pubYear stock } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_are_judged_on_the_vendors_data_not_on_the_readers_word() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await
        .data();
    let vendor = app
        .gql_as(
            Some(&admin),
            "mutation { addVendor(name: \"凤凰书城\") { id } }",
            json!({}),
        )
        .await
        .data()["addVendor"]["id"]
        .clone();

    // A wholesaler's feed: two good rows, three bad ones reported by line and reason.
    let y = year();
    let feed = format!(
        "isbn,title,author,publisher,year,price,clc_class,stock\n\
         {},五年高考三年模拟,曲一线,首都师范大学出版社,{y},29.00,g634.6,40\n\
         {},好读的书,作者,出版社,{y},39.00,I247.5,3\n\
         978-0-00-000000-1,坏书号,某,某,{y},10.00,I247,1\n\
         {},坏价格,某,某,{y},十元,I247,1\n\
         {},,某,某,{y},10.00,I247,1\n",
        isbn(300),
        isbn(301),
        isbn(304),
        isbn(305)
    );
    let r = app
        .gql_as(
            Some(&librarian),
            IMPORT_OFFERS,
            json!({"v": vendor, "csv": feed}),
        )
        .await;
    let done = &r.data()["importVendorOffers"];
    assert_eq!(done["stored"], 2, "{done}");
    let lines: Vec<i64> = done["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|x| x["line"].as_i64().expect("line"))
        .collect();
    assert_eq!(lines, [4, 5, 6], "{done}");
    for x in done["rejected"].as_array().expect("rejected") {
        assert!(
            hongyan_tests::chinese::not_chinese(x["reason"].as_str().expect("reason")).is_none(),
            "{x}"
        );
    }
    let looked = app.gql(LOOKUP, json!({"i": isbn(300)})).await;
    assert_eq!(
        looked.data()["isbnLookup"]["offer"],
        json!({"title": "五年高考三年模拟", "author": "曲一线", "priceCents": 29_00,
               "clcClass": "G634.6", "pubYear": y, "stock": 40})
    );
    assert_eq!(looked.data()["isbnLookup"]["book"], Value::Null);

    // The excluded class left blank, and a lower price typed: the feed's class and price
    // decide, and are what the proposal records.
    let me = lib.reader("30000301").await;
    let mut input = proposal(300, 10_00);
    input["clcClass"] = Value::Null;
    let r = app.gql_as(Some(&me), PROPOSE, json!({"i": input})).await;
    let p = &r.data()["proposePurchase"];
    assert_eq!(p["status"], "REJECTED", "{p}");
    assert_eq!(outcome(p, "clc_class"), "FAIL", "{p}");
    assert_eq!(p["priceCents"], 29_00, "{p}");

    // A book no vendor lists: its class and price are the reader's word, so a librarian
    // decides, whether a class is given or not.
    for (n, class) in [(302, Value::Null), (303, json!("I247.5"))] {
        let reader = lib.reader(&format!("30000{n}")).await;
        let mut input = proposal(n, 39_00);
        input["clcClass"] = class;
        let r = app
            .gql_as(Some(&reader), PROPOSE, json!({"i": input}))
            .await;
        let p = &r.data()["proposePurchase"];
        assert_eq!(p["status"], "SUBMITTED", "{p}");
        assert_eq!(outcome(p, "clc_class"), "NEEDS_REVIEW", "{p}");
        assert_eq!(outcome(p, "price"), "NEEDS_REVIEW", "{p}");
    }

    // A listed book is approved at once on the feed's data.
    let reader = lib.reader("30000311").await;
    let r = app
        .gql_as(Some(&reader), PROPOSE, json!({"i": proposal(301, 1_00)}))
        .await;
    let p = &r.data()["proposePurchase"];
    assert_eq!(p["status"], "APPROVED", "{p}");
    assert_eq!(p["priceCents"], 39_00, "{p}");

    // The next feed replaces the vendor's rows; a feed without the needed columns changes
    // nothing; readers cannot import.
    let again = format!("isbn,title,price\n{},好读的书,45.00\n", isbn(301));
    let r = app
        .gql_as(
            Some(&librarian),
            IMPORT_OFFERS,
            json!({"v": vendor, "csv": again}),
        )
        .await;
    assert_eq!(r.data()["importVendorOffers"]["stored"], 1);
    let looked = app.gql(LOOKUP, json!({"i": isbn(301)})).await;
    assert_eq!(looked.data()["isbnLookup"]["offer"]["priceCents"], 45_00);
    let bad = format!("isbn,title\n{},好读的书\n", isbn(301));
    let r = app
        .gql_as(
            Some(&librarian),
            IMPORT_OFFERS,
            json!({"v": vendor, "csv": bad}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.0["errors"][0]["extensions"]["field"], "csv");
    let r = app
        .gql_as(Some(&me), IMPORT_OFFERS, json!({"v": vendor, "csv": again}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let looked = app.gql(LOOKUP, json!({"i": isbn(301)})).await;
    assert_eq!(looked.data()["isbnLookup"]["offer"]["priceCents"], 45_00);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_edition_of_a_held_book_is_offered_instead_of_bought() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 1000_00}))
        .await
        .data();
    // Three copies of 《围城》 by 钱锺书; a vendor sells another edition under another ISBN.
    let held = lib
        .title(
            "围城",
            &[
                ("A", "A0001", "I246.5/12"),
                ("A", "A0002", "I246.5/12"),
                ("B", "B0001", "I246.5/12"),
            ],
        )
        .await;
    let edition = json!({"isbn": isbn(310), "title": "围城（第2版）", "author": "钱锺书 著",
                         "publisher": "另一家出版社", "pubYear": year(), "clcClass": "I246.5",
                         "priceCents": 36_00});
    lib.vendor_lists(std::slice::from_ref(&edition)).await;

    let looked = app.gql(LOOKUP, json!({"i": isbn(310)})).await;
    let l = &looked.data()["isbnLookup"];
    assert_eq!(l["book"], Value::Null, "{l}");
    assert_eq!(l["otherEdition"]["id"], held.as_str(), "{l}");

    let me = lib.reader("30000310").await;
    let r = app.gql_as(Some(&me), PROPOSE, json!({"i": edition})).await;
    let p = &r.data()["proposePurchase"];
    assert_eq!(p["status"], "REJECTED", "{p}");
    assert_eq!(outcome(p, "holdings"), "FAIL", "{p}");
    assert_eq!(p["heldBook"]["id"], held.as_str(), "{p}");
}

/// A wholesaler's MARC feed, loaded from the command line (`hongyan purchases offers`): the
/// records' ISBN, title, first name, publisher, year, price and CLC class become offers the
/// app's ISBN lookup fills a proposal from; bad records are reported by number and reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendors_marc_feed_is_loaded_from_the_command_line() {
    use hongyan_tests::marc_writer::{record, Field};
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    app.gql_as(
        Some(&admin),
        "mutation { addVendor(name: \"新华书店批发中心\") { id } }",
        json!({}),
    )
    .await
    .data();
    let y = year().to_string();
    let book = |isbn: &str, price: &str, title: &str| {
        let mut numbers = vec![('a', isbn)];
        if !price.is_empty() {
            numbers.push(('c', price));
        }
        let mut fields = vec![Field::Data(
            "084",
            *b"  ",
            vec![('a', "i247.5"), ('2', "clc")],
        )];
        if !isbn.is_empty() {
            fields.insert(0, Field::Data("020", *b"  ", numbers));
        }
        fields.extend([
            Field::Data("100", *b"0 ", vec![('a', "余华")]),
            Field::Data("245", *b"10", vec![('a', title)]),
            Field::Data("264", *b" 1", vec![('b', "作家出版社"), ('c', &y)]),
        ]);
        record(&fields, b'a')
    };
    let good = isbn(320);
    let other = isbn(321);
    let mut feed = book(&good, "CNY45.00", "文城");
    feed.extend(book(&other, "CNY38.00", "兄弟"));
    feed.extend(book("", "CNY20.00", "没有书号的书"));
    feed.extend(book(&isbn(322), "", "没有定价的书"));
    let path = std::env::temp_dir().join(format!("hongyan-feed-{}.mrc", uuid::Uuid::new_v4()));
    std::fs::write(&path, feed).expect("feed");
    let file = path.to_str().expect("path");

    let out = app.cli(&["purchases", "offers", "新华书店批发中心", file]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "第 3 行（条）：ISBN「」无效",
        "第 4 行（条）：定价「」无效",
        "书目已更新 2 条，未导入 2 条",
    ] {
        assert!(said.contains(line), "{line}: {said}");
    }
    let looked = app.gql(LOOKUP, json!({"i": good})).await;
    assert_eq!(
        looked.data()["isbnLookup"]["offer"],
        json!({"title": "文城", "author": "余华", "priceCents": 45_00,
               "clcClass": "I247.5", "pubYear": year(), "stock": 0})
    );

    // An unknown vendor, or a file whose format cannot be told, changes nothing.
    let out = app.cli(&["purchases", "offers", "没有这家", file]);
    assert!(!out.status.success());
    let txt = path.with_extension("dat");
    std::fs::copy(&path, &txt).expect("copy");
    let out = app.cli(&[
        "purchases",
        "offers",
        "新华书店批发中心",
        txt.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--format csv 或 --format marc"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&txt);
}
