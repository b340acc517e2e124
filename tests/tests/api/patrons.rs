//! Readers as staff look after them, through GraphQL: finding one by card, name or mobile
//! number, blocking with a reason, limits, a new PIN, verifying an online application, and
//! merging two accounts of one person (refused when it would lose data).

use hongyan_domain::auth::StaffRole;
use hongyan_domain::people;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::identity::{application, id_number, library, web_login, REGISTER};
use crate::library::{to_branch, Library, CHECK_OUT, REQUEST};

const FIND: &str = "query($q: String, $s: ReaderStatus, $n: Int = 20) { findReaders(query: $q, status: $s, first: $n) { id name cardNumber status mobileMasked idNumberMasked blocked } }";
const DESK: &str = "query($id: ID!) { deskReader(id: $id) { id cardNumber status blocked blockedReason maxLoans maxOpenRequests activeLoans { book { title } } openRequests { book { title } } } }";
const BLOCK: &str = "mutation($r: ID!, $b: Boolean!, $why: String) { setReaderBlocked(readerId: $r, blocked: $b, reason: $why) { blocked blockedReason } }";
const LIMITS: &str = "mutation($r: ID!, $l: Int!, $q: Int!) { setReaderLimits(readerId: $r, maxLoans: $l, maxOpenRequests: $q) { maxLoans maxOpenRequests } }";
const RESET: &str =
    "mutation($r: ID!) { resetReaderPin(readerId: $r) { pin reader { cardNumber } } }";
const MERGE: &str = "mutation($k: ID!, $m: ID!) { mergeReaders(keepId: $k, mergeId: $m) { id cardNumber status activeLoans { book { title } } openRequests { book { title } } } }";
const LOGIN: &str =
    "mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken } }";

/// The reader holding `card`, as the desk finds them.
async fn found(lib: &Library, staff: &str, card: &str) -> Value {
    let r = lib.app.gql_as(Some(staff), FIND, json!({"q": card})).await;
    let all = r.data()["findReaders"].as_array().expect("list").clone();
    assert_eq!(all.len(), 1, "{card}: {all:?}");
    all[0].clone()
}

fn reason(r: &hongyan_tests::graphql::Gql) -> &Value {
    &r.0["errors"][0]["extensions"]["reason"]
}

fn field(r: &hongyan_tests::graphql::Gql) -> &Value {
    &r.0["errors"][0]["extensions"]["field"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_finds_readers_by_card_name_or_mobile_and_applications_to_verify() {
    let lib = library("verify").await;
    let app = &lib.app;
    let desk = lib.staff("desk", StaffRole::Picker, &["A"]).await;
    for (card, name) in [
        ("61000001", "张三丰"),
        ("61000002", "张无忌"),
        ("61000003", "百分之百_读者"),
    ] {
        people::add_reader(&app.ctx.db, card, "123456", name, app.ctx.now())
            .await
            .expect("reader");
    }
    let applied = app
        .gql(
            REGISTER,
            application(
                "李寻欢",
                &id_number("32058219900307123"),
                Some("246810"),
                &lib.id("A"),
            ),
        )
        .await;
    let applied = applied.data()["registerReader"].clone();
    assert_eq!(applied["status"], "PENDING");

    let names = |r: &hongyan_tests::graphql::Gql| -> Vec<String> {
        r.data()["findReaders"]
            .as_array()
            .expect("list")
            .iter()
            .map(|x| x["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let by = |q: &str| app.gql_as(Some(&desk), FIND, json!({"q": q}));
    assert_eq!(names(&by("61000002").await), ["张无忌"]);
    assert_eq!(names(&by("张").await), ["张三丰", "张无忌"]);
    // Wildcards are taken as typed.
    assert_eq!(names(&by("%").await), Vec::<String>::new());
    assert_eq!(names(&by("_").await), ["百分之百_读者"]);
    // The full mobile number finds the applicant; the desk sees it masked.
    let r = by("13912345678").await;
    let hit = &r.data()["findReaders"][0];
    assert_eq!(hit["name"], "李寻欢");
    assert_eq!(hit["mobileMasked"], "139****5678");
    assert_eq!(hit["idNumberMasked"], applied["idNumberMasked"]);
    // The queue of applications to verify; verifying takes it off.
    let pending = app.gql_as(Some(&desk), FIND, json!({"s": "PENDING"})).await;
    assert_eq!(names(&pending), ["李寻欢"]);
    let v = app
        .gql_as(
            Some(&desk),
            "mutation($r: ID!) { verifyReader(readerId: $r) { status } }",
            json!({"r": applied["id"]}),
        )
        .await;
    assert_eq!(v.data()["verifyReader"]["status"], "ACTIVE");
    let pending = app.gql_as(Some(&desk), FIND, json!({"s": "PENDING"})).await;
    assert!(names(&pending).is_empty());

    // Bad searches are refused; readers may not search.
    for (vars, f) in [
        (json!({}), "query"),
        (json!({"q": "  "}), "query"),
        (json!({"q": "张".repeat(51)}), "query"),
        (json!({"q": "张", "n": 0}), "first"),
        (json!({"q": "张", "n": 101}), "first"),
    ] {
        let r = app.gql_as(Some(&desk), FIND, vars.clone()).await;
        assert_eq!(r.code(), "VALIDATION", "{vars}");
        assert_eq!(field(&r), f, "{vars}");
    }
    let reader = app.reader_token("61000001", "123456").await;
    let r = app.gql_as(Some(&reader), FIND, json!({"q": "张"})).await;
    assert_eq!(r.code(), "FORBIDDEN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarians_block_with_a_reason_set_limits_and_the_desk_issues_a_new_pin() {
    let lib = Library::open(hongyan_tests::TestOptions::default()).await;
    let app = &lib.app;
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let reader = lib.reader("62000001").await;
    let book = lib.title("边城", &[("A", "A0001", "I246.5/3")]).await;
    lib.title("呐喊", &[("A", "A0002", "I210.4/2")]).await;
    let id = found(&lib, &picker, "62000001").await["id"].clone();

    // Blocking: librarians only, with a reason; a refusal changes nothing.
    let r = app
        .gql_as(
            Some(&picker),
            BLOCK,
            json!({"r": id, "b": true, "why": "x"}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    for why in [Value::Null, json!("   "), json!("长".repeat(201))] {
        let r = app
            .gql_as(
                Some(&librarian),
                BLOCK,
                json!({"r": id, "b": true, "why": why}),
            )
            .await;
        assert_eq!(r.code(), "VALIDATION");
        assert_eq!(field(&r), "reason");
    }
    let desk = app.gql_as(Some(&picker), DESK, json!({"id": id})).await;
    assert_eq!(desk.data()["deskReader"]["blocked"], false);
    let r = app
        .gql_as(
            Some(&librarian),
            BLOCK,
            json!({"r": id, "b": true, "why": "遗失图书未赔偿"}),
        )
        .await;
    assert_eq!(
        r.data()["setReaderBlocked"],
        json!({"blocked": true, "blockedReason": "遗失图书未赔偿"})
    );
    let mine = app
        .gql_as(
            Some(&reader),
            "{ me { blocked blockedReason canBorrow } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["me"],
        json!({"blocked": true, "blockedReason": "遗失图书未赔偿", "canBorrow": false})
    );
    let r = lib
        .app
        .gql_as(
            Some(&reader),
            REQUEST,
            json!({"i": {"bookId": book, "delivery": to_branch(&lib, "A")}}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(
            Some(&picker),
            CHECK_OUT,
            json!({"b": "A0002", "c": "62000001"}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(Some(&librarian), BLOCK, json!({"r": id, "b": false}))
        .await;
    assert_eq!(
        r.data()["setReaderBlocked"],
        json!({"blocked": false, "blockedReason": null})
    );

    // Limits: 0–99 each; 0 loans stops the next one.
    for (l, q, f) in [
        (-1, 5, "maxLoans"),
        (100, 5, "maxLoans"),
        (5, 100, "maxOpenRequests"),
    ] {
        let r = app
            .gql_as(Some(&librarian), LIMITS, json!({"r": id, "l": l, "q": q}))
            .await;
        assert_eq!(r.code(), "VALIDATION");
        assert_eq!(field(&r), f);
    }
    let r = app
        .gql_as(Some(&librarian), LIMITS, json!({"r": id, "l": 0, "q": 3}))
        .await;
    assert_eq!(
        r.data()["setReaderLimits"],
        json!({"maxLoans": 0, "maxOpenRequests": 3})
    );
    let r = app
        .gql_as(
            Some(&picker),
            CHECK_OUT,
            json!({"b": "A0002", "c": "62000001"}),
        )
        .await;
    assert_eq!(r.code(), "QUOTA_EXCEEDED");

    // A forgotten PIN: the card was locked by guesses; a new one works at once, the old one
    // no more.
    for _ in 0..6 {
        app.gql(LOGIN, json!({"c": "62000001", "p": "000000"}))
            .await;
    }
    let r = app
        .gql(LOGIN, json!({"c": "62000001", "p": "123456"}))
        .await;
    assert_eq!(r.code(), "RATE_LIMITED", "locked");
    let r = app.gql_as(Some(&picker), RESET, json!({"r": id})).await;
    let pin = r.data()["resetReaderPin"]["pin"]
        .as_str()
        .expect("pin")
        .to_owned();
    assert_eq!(pin.len(), 6);
    assert!(pin.bytes().all(|b| b.is_ascii_digit()));
    let r = app.gql(LOGIN, json!({"c": "62000001", "p": pin})).await;
    r.data();
    let r = app
        .gql(LOGIN, json!({"c": "62000001", "p": "123456"}))
        .await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    let r = app.gql_as(Some(&reader), RESET, json!({"r": id})).await;
    assert_eq!(r.code(), "FORBIDDEN");

    // Every change is in the audit log, without the PIN.
    let logged: Vec<String> = hongyan_domain::entity::audit_log::Entity::find()
        .all(&app.ctx.db)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.subject.as_deref() == id.as_str())
        .map(|e| {
            assert!(
                !format!("{:?}", e.detail).contains(&pin),
                "the PIN is never written"
            );
            e.action
        })
        .collect();
    for action in [
        "reader.block",
        "reader.unblock",
        "reader.limits",
        "reader.reset_pin",
    ] {
        assert!(logged.iter().any(|a| a == action), "{action}: {logged:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_of_one_person_merge_and_a_merge_that_would_lose_data_is_refused() {
    let lib = library("verify").await;
    let app = &lib.app;
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let wanted = lib.title("活着", &[("B", "B0001", "I247.57/5")]).await;
    // One person, two cards: a loan on the first, a request on the second.
    let first = lib.reader("63000001").await;
    let second = lib.reader("63000002").await;
    app.gql_as(
        Some(&picker),
        CHECK_OUT,
        json!({"b": "A0001", "c": "63000001"}),
    )
    .await
    .data();
    lib.request(&second, &wanted, to_branch(&lib, "A")).await;
    let keep = found(&lib, &picker, "63000001").await["id"].clone();
    let close = found(&lib, &picker, "63000002").await["id"].clone();

    let r = app
        .gql_as(Some(&picker), MERGE, json!({"k": keep, "m": close}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(Some(&librarian), MERGE, json!({"k": keep, "m": keep}))
        .await;
    assert_eq!(r.code(), "VALIDATION");
    let r = app
        .gql_as(Some(&librarian), MERGE, json!({"k": keep, "m": close}))
        .await;
    let merged = r.data()["mergeReaders"].clone();
    assert_eq!(merged["cardNumber"], "63000001");
    assert_eq!(merged["activeLoans"], json!([{"book": {"title": "围城"}}]));
    assert_eq!(merged["openRequests"], json!([{"book": {"title": "活着"}}]));
    let closed = app.gql_as(Some(&picker), DESK, json!({"id": close})).await;
    assert_eq!(closed.data()["deskReader"]["status"], "CLOSED");
    // The second card's session has ended; the first still works.
    let r = app.gql_as(Some(&second), "{ me { id } }", json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    let r = app.gql_as(Some(&first), "{ me { id } }", json!({})).await;
    assert_eq!(r.data()["me"]["id"], keep);
    let r = app
        .gql_as(Some(&librarian), MERGE, json!({"k": keep, "m": close}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(reason(&r), "ACCOUNT_CLOSED");

    // Two applications with different ID numbers are two people.
    let mut ids = Vec::new();
    for (name, body) in [("周一", "32058219900307123"), ("周二", "11010519491231002")] {
        let r = app
            .gql(
                REGISTER,
                application(name, &id_number(body), Some("246810"), &lib.id("A")),
            )
            .await;
        ids.push(r.data()["registerReader"]["id"].clone());
    }
    let r = app
        .gql_as(Some(&librarian), MERGE, json!({"k": ids[0], "m": ids[1]}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(reason(&r), "DIFFERENT_PEOPLE");

    // Two accounts bound to different WeChat users: one binding would be lost.
    let (a, _) = web_login(app, "oa-openid-one").await;
    let (b, _) = web_login(app, "oa-openid-two").await;
    let me = |t: String| async move {
        app.gql_as(Some(&t), "{ me { id } }", json!({}))
            .await
            .data()["me"]["id"]
            .clone()
    };
    let (a, b) = (me(a).await, me(b).await);
    let r = app
        .gql_as(Some(&librarian), MERGE, json!({"k": a, "m": b}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(reason(&r), "WECHAT_CLASH");
    for id in [&a, &b, &ids[0], &ids[1]] {
        let r = app.gql_as(Some(&picker), DESK, json!({"id": id})).await;
        assert_ne!(r.data()["deskReader"]["status"], "CLOSED", "nothing merged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_categories_give_limits_loan_periods_and_renewals_and_import_from_csv() {
    let lib = Library::open(hongyan_tests::TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib", StaffRole::Librarian, &["A"]).await;
    const SAVE: &str = "mutation($i: PatronCategoryInput!) { savePatronCategory(input: $i) { code name maxLoans loanDays maxRenewals isDefault } }";
    const SET: &str = "mutation($r: ID!, $c: String) { setReaderCategory(readerId: $r, categoryCode: $c) { maxLoans maxOpenRequests hasOwnCategory category { code } } }";
    const IMPORT: &str = "mutation($csv: String!) { importReaderCategories(csv: $csv) { assigned rejected { line reason } } }";
    let category = |code: &str, name: &str, loans: i32, days: i32, renewals: i32, default: bool| {
        json!({"i": {"code": code, "name": name, "maxLoans": loans, "maxOpenRequests": 2,
                     "loanDays": days, "maxRenewals": renewals, "isDefault": default}})
    };
    // Admins only; each field checked.
    let r = app
        .gql_as(
            Some(&librarian),
            SAVE,
            category("ADULT", "成人证", 10, 30, 1, true),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    for (bad, f) in [
        (category("成人", "成人证", 10, 30, 1, true), "code"),
        (category("ADULT", "", 10, 30, 1, true), "name"),
        (category("ADULT", "成人证", 100, 30, 1, true), "maxLoans"),
        (category("ADULT", "成人证", 10, 0, 1, true), "loanDays"),
        (category("ADULT", "成人证", 10, 30, 11, true), "maxRenewals"),
    ] {
        let r = app.gql_as(Some(&admin), SAVE, bad).await;
        assert_eq!(r.code(), "VALIDATION");
        assert_eq!(field(&r), f);
    }
    for (code, name, loans, days, renewals, default) in [
        ("adult", "成人证", 10, 30, 1, true),
        ("CHILD", "少儿证", 3, 14, 0, false),
        ("STUDENT", "馆校联盟学生证", 5, 60, 2, false),
    ] {
        let r = app
            .gql_as(
                Some(&admin),
                SAVE,
                category(code, name, loans, days, renewals, default),
            )
            .await;
        assert_eq!(r.data()["savePatronCategory"]["code"], code.to_uppercase());
    }
    let listed = app
        .gql_as(
            Some(&librarian),
            "{ patronCategories { code isDefault } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data()["patronCategories"],
        json!([{"code": "ADULT", "isDefault": true}, {"code": "CHILD", "isDefault": false},
               {"code": "STUDENT", "isDefault": false}])
    );

    // A child's card: three loans, fourteen days, no renewal.
    let child = lib.reader("64000001").await;
    let id = found(&lib, &librarian, "64000001").await["id"].clone();
    let r = app
        .gql_as(Some(&librarian), SET, json!({"r": id, "c": "child"}))
        .await;
    assert_eq!(
        r.data()["setReaderCategory"],
        json!({"maxLoans": 3, "maxOpenRequests": 2, "hasOwnCategory": true, "category": {"code": "CHILD"}})
    );
    lib.title("小王子", &[("A", "A0001", "I565.88/1")]).await;
    let lent = app
        .gql_as(
            Some(&librarian),
            CHECK_OUT,
            json!({"b": "A0001", "c": "64000001"}),
        )
        .await;
    let loan = lent.data()["checkOut"].clone();
    let days = |loan: &Value| {
        let due = chrono::DateTime::parse_from_rfc3339(loan["dueAt"].as_str().expect("due"))
            .expect("date");
        (due.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours() / 24
    };
    assert_eq!(
        days(&loan),
        13,
        "fourteen days from now, less the seconds gone"
    );
    let r = app
        .gql_as(
            Some(&child),
            "mutation($id: ID!) { renewLoan(id: $id) { id } }",
            json!({"id": loan["id"]}),
        )
        .await;
    assert_eq!(r.code(), "QUOTA_EXCEEDED", "a child's loan is not renewed");
    // Back to the default: an adult's terms.
    let r = app.gql_as(Some(&librarian), SET, json!({"r": id})).await;
    assert_eq!(
        r.data()["setReaderCategory"],
        json!({"maxLoans": 10, "maxOpenRequests": 2, "hasOwnCategory": false, "category": {"code": "ADULT"}})
    );
    let r = app
        .gql_as(Some(&librarian), SET, json!({"r": id, "c": "NOPE"}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND");

    // A school's list of student cards: good rows applied, bad ones named by line.
    lib.reader("64000002").await;
    lib.reader("64000003").await;
    let csv = "card_number,category\n64000002,student\n99999999,student\n64000003,teacher\n";
    let r = app
        .gql_as(Some(&librarian), IMPORT, json!({"csv": csv}))
        .await;
    let done = r.data()["importReaderCategories"].clone();
    assert_eq!(done["assigned"], 1);
    let lines: Vec<u64> = done["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|x| x["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [3, 4]);
    let student = found(&lib, &librarian, "64000002").await["id"].clone();
    let r = app
        .gql_as(
            Some(&librarian),
            "query($id: ID!) { deskReader(id: $id) { maxLoans category { code loanDays } } }",
            json!({"id": student}),
        )
        .await;
    assert_eq!(
        r.data()["deskReader"],
        json!({"maxLoans": 5, "category": {"code": "STUDENT", "loanDays": 60}})
    );
    for (csv, what) in [
        ("card,kind\n1,2\n".to_owned(), "header"),
        (
            format!(
                "card_number,category\n{}",
                "64000002,STUDENT\n".repeat(10_001)
            ),
            "rows",
        ),
    ] {
        let r = app
            .gql_as(Some(&librarian), IMPORT, json!({"csv": csv}))
            .await;
        assert_eq!(r.code(), "VALIDATION", "{what}");
    }
    // A category changed: its readers follow.
    app.gql_as(
        Some(&admin),
        SAVE,
        category("STUDENT", "馆校联盟学生证", 6, 60, 2, false),
    )
    .await
    .data();
    let r = app
        .gql_as(
            Some(&librarian),
            "query($id: ID!) { deskReader(id: $id) { maxLoans } }",
            json!({"id": student}),
        )
        .await;
    assert_eq!(r.data()["deskReader"]["maxLoans"], 6);
}
