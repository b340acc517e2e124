//! `stats(from, to, branchId)` against a known data set: every figure checked, per branch
//! and library-wide, with the scope rules and bad periods refused.

use chrono::{Duration, Utc};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::{loan_request, request_event};
use hongyan_domain::lending::RequestStatus;
use hongyan_tests::TestOptions;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::library::{self, Library, CHECK_OUT};

const STATS: &str = "query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) { from to branchId registeredReaders newReaders loans loansPerDay { day count } requestsByDelivery { key count } deliveriesByMethod { key count } medianHoursToReady lockers { code compartments inUse deposits turnsPerDoorDay } proposalsByStatus { key count } budgetSpentCents newBooksOnDemand { items lent } newBooksOther { items lent loans circulationRate } csv } }";

/// A China-time date `days_ago` days before today.
fn day(days_ago: i64) -> String {
    (Utc::now() + Duration::hours(8) - Duration::days(days_ago))
        .date_naive()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_a_known_day_per_branch_and_for_the_library() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk_a = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let desk_b = lib.staff("desk-b", StaffRole::Librarian, &["B"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let (r1, r2, _r3) = (
        lib.reader("40000001").await,
        lib.reader("40000002").await,
        lib.reader("40000003").await,
    );
    let book = lib
        .title(
            "统计之书",
            &[("A", "A0001", "C8/1"), ("A", "A0002", "C8/1")],
        )
        .await;
    lib.title("分馆之书", &[("B", "B0001", "C8/2")]).await;
    library::locker(&lib, "L1", "S=4,M=2", (31.88, 120.55)).await;

    // Two readers ask for the book at branch A's desk; both are picked and wait on the
    // hold shelf; one collects it. A third borrows branch B's book over the counter.
    let at_a = json!({"method": "BRANCH", "branchId": lib.id("A")});
    let q1 = lib.request(&r1, &book, at_a.clone()).await;
    let q2 = lib.request(&r2, &book, at_a).await;
    let tasks = lib.picking(&picker, "A").await;
    let for_r1 = tasks
        .iter()
        .find(|t| t["request"]["id"] == q1["id"])
        .and_then(|t| t["item"]["barcode"].as_str())
        .expect("r1's copy on the list")
        .to_owned();
    lib.pick_first(&picker, "A").await;
    lib.pick_first(&picker, "A").await;
    for (token, q) in [(&r1, &q1), (&r2, &q2)] {
        assert_eq!(lib.status(token, q).await["status"], "READY_FOR_PICKUP");
    }
    for (desk, barcode, card) in [
        (&desk_a, for_r1.as_str(), "40000001"),
        (&desk_b, "B0001", "40000003"),
    ] {
        let r = app
            .gql_as(Some(desk), CHECK_OUT, json!({"b": barcode, "c": card}))
            .await;
        assert_eq!(r.data()["checkOut"]["status"], "ACTIVE", "{r:?}");
    }

    // Known waits: the two requests were made 2 and 4 hours before they were ready.
    for (q, hours) in [(&q1, 2), (&q2, 4)] {
        let id: Uuid = q["id"].as_str().and_then(|s| s.parse().ok()).expect("id");
        let ready = request_event::Entity::find()
            .filter(request_event::Column::RequestId.eq(id))
            .filter(request_event::Column::ToStatus.eq(RequestStatus::ReadyForPickup))
            .order_by_asc(request_event::Column::At)
            .one(&app.ctx.db)
            .await
            .expect("history")
            .expect("ready");
        loan_request::Entity::update_many()
            .col_expr(
                loan_request::Column::CreatedAt,
                Expr::value(ready.at - Duration::hours(hours)),
            )
            .filter(loan_request::Column::Id.eq(id))
            .exec(&app.ctx.db)
            .await
            .expect("backdate");
    }

    let period = |b: Option<&str>| json!({"f": day(2), "t": day(0), "b": b.map(|c| lib.id(c))});
    let whole = app.gql_as(Some(&admin), STATS, period(None)).await;
    let s = &whole.data()["stats"];
    assert_eq!((&s["from"], &s["to"]), (&json!(day(2)), &json!(day(0))));
    assert_eq!(s["registeredReaders"], 3);
    assert_eq!(s["newReaders"], 3);
    assert_eq!(s["loans"], 2);
    assert_eq!(
        s["loansPerDay"],
        json!([{"day": day(2), "count": 0}, {"day": day(1), "count": 0}, {"day": day(0), "count": 2}])
    );
    assert_eq!(
        s["requestsByDelivery"],
        json!([{"key": "BRANCH", "count": 2}])
    );
    assert_eq!(
        s["deliveriesByMethod"],
        json!([{"key": "BRANCH", "count": 1}])
    );
    let median = s["medianHoursToReady"].as_f64().expect("median");
    assert!((median - 3.0).abs() < 0.01, "{median}");
    assert_eq!(
        s["lockers"],
        json!([{"code": "L1", "compartments": 6, "inUse": 0, "deposits": 0, "turnsPerDoorDay": 0.0}])
    );
    assert_eq!(s["proposalsByStatus"], json!([]));
    assert_eq!(s["budgetSpentCents"], 0);
    assert_eq!(s["newBooksOnDemand"], json!({"items": 0, "lent": 0}));
    assert_eq!(
        s["newBooksOther"],
        json!({"items": 3, "lent": 2, "loans": 2, "circulationRate": 2.0 / 3.0})
    );
    let csv = s["csv"].as_str().expect("csv");
    assert!(csv.starts_with("figure,key,value\n"), "{csv}");
    assert!(csv.contains("\nloans,,2\n"), "{csv}");
    assert!(csv.contains("\nmedian_hours_to_ready,,3.00\n"), "{csv}");

    // Branch B sees its own copy's loan and nothing of A's requests or lockers.
    let b = app.gql_as(Some(&desk_b), STATS, period(Some("B"))).await;
    let s = &b.data()["stats"];
    assert_eq!(s["branchId"], lib.id("B").as_str());
    assert_eq!(s["loans"], 1);
    assert_eq!(s["requestsByDelivery"], json!([]));
    assert_eq!(s["medianHoursToReady"], Value::Null);
    assert_eq!(s["lockers"], json!([]));
    assert_eq!(s["newBooksOther"]["items"], 1);

    // Scope: a branch's librarians see their branch only; the library is for admins.
    for (token, branch) in [(&desk_a, Some("B")), (&desk_a, None), (&r1, Some("A"))] {
        let r = app.gql_as(Some(token), STATS, period(branch)).await;
        assert_eq!(r.code(), "FORBIDDEN", "{branch:?}");
    }
    for (f, t) in [("2026-13-01", "2026-12-31"), ("yesterday", "today")] {
        let r = app
            .gql_as(Some(&admin), STATS, json!({"f": f, "t": t}))
            .await;
        assert_eq!(r.code(), "VALIDATION", "{f}");
    }
    let backwards = app
        .gql_as(Some(&admin), STATS, json!({"f": day(0), "t": day(1)}))
        .await;
    assert_eq!(backwards.code(), "VALIDATION");
}
