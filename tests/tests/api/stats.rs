//! `stats(from, to, branchId)` against a known data set: every figure checked, per branch
//! and library-wide, with the scope rules and bad periods refused.

use chrono::{Duration, Utc};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::request_event::ActorKind;
use hongyan_domain::entity::{loan_request, request_event};
use hongyan_domain::lending::{DeliveryMethod, RequestStatus};
use hongyan_tests::TestOptions;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::library::{self, Library, CHECK_OUT};

const STATS: &str = "query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) { from to branchId registeredReaders newReaders loans loansPerDay { day count } requestsByDelivery { key count } deliveriesByMethod { key count } medianHoursToReady lockers { code compartments inUse deposits turnsPerDoorDay } proposalsByStatus { key count } budgetSpentCents newBooksOnDemand { items lent } newBooksOther { items lent loans circulationRate } loansPerMonth { month count } readyTimesByMethod { method medianHours p90Hours } topTitles { title requests } topClasses { key count } lockerHolds lockerHoldsExpired lockerExpiryRate lastYear { from to loans registeredReaders } csv } }";

/// The locker figures only.
const LOCKER_STATS: &str = "query($f: String!, $b: ID) { stats(from: $f, to: $f, branchId: $b) { lockerHolds lockerHoldsExpired lockerExpiryRate readyTimesByMethod { method medianHours p90Hours } } }";

/// A locker hold made from `template` (a request row), asked for `ago` before now and
/// ready now; `expired` if it was never collected. Written straight to the tables the
/// figures read, outside the period's other requests.
async fn locker_hold(db: &DatabaseConnection, template: &str, ago: Duration, expired: bool) {
    let id: Uuid = template.parse().expect("id");
    let now = Utc::now();
    let row = loan_request::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("request")
        .expect("row");
    let hold = loan_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        item_id: Set(None),
        compartment_id: Set(None),
        idempotency_key: Set(None),
        delivery_method: Set(DeliveryMethod::Locker),
        status: Set(if expired {
            RequestStatus::Expired
        } else {
            RequestStatus::Fulfilled
        }),
        created_at: Set(now - ago),
        ..row.into()
    }
    .insert(db)
    .await
    .expect("hold");
    let last = if expired {
        RequestStatus::Expired
    } else {
        RequestStatus::Fulfilled
    };
    for (from, to) in [
        (RequestStatus::InTransit, RequestStatus::ReadyForPickup),
        (RequestStatus::ReadyForPickup, last),
    ] {
        request_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            request_id: Set(hold.id),
            from_status: Set(Some(from)),
            to_status: Set(to),
            actor_kind: Set(ActorKind::System),
            actor_id: Set(None),
            note: Set(None),
            at: Set(now),
        }
        .insert(db)
        .await
        .expect("event");
    }
}

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
    // Monthly trend: every month the three days touch, today's holding both loans.
    let months = s["loansPerMonth"].as_array().expect("months");
    let this_month = &day(0)[..7];
    assert_eq!(
        months.last(),
        Some(&json!({"month": this_month, "count": 2}))
    );
    assert_eq!(
        months.first().map(|m| &m["month"]),
        Some(&json!(&day(2)[..7]))
    );
    assert_eq!(
        months
            .iter()
            .filter_map(|m| m["count"].as_i64())
            .sum::<i64>(),
        2
    );
    // Waits of 2 and 4 hours at the branch: median 3, p90 (nearest rank) 4.
    let times = s["readyTimesByMethod"].as_array().expect("times");
    let keys: Vec<&Value> = times.iter().map(|t| &t["method"]).collect();
    assert_eq!(keys, [&json!("LOCKER"), &json!("BRANCH"), &json!("HOME")]);
    let branch = &times[1];
    assert!(
        (branch["medianHours"].as_f64().expect("median") - 3.0).abs() < 0.01,
        "{branch}"
    );
    assert!(
        (branch["p90Hours"].as_f64().expect("p90") - 4.0).abs() < 0.01,
        "{branch}"
    );
    assert_eq!(
        (&times[0]["p90Hours"], &times[2]["medianHours"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(
        s["topTitles"],
        json!([{"title": "统计之书", "requests": 2}])
    );
    assert_eq!(s["topClasses"], json!([{"key": "I", "count": 2}]));
    assert_eq!(
        (&s["lockerHolds"], &s["lockerHoldsExpired"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(s["lockerExpiryRate"], Value::Null);
    // Last year: the same days a year earlier, before any of this happened.
    let year_ago = |d: String| {
        d.parse::<chrono::NaiveDate>()
            .ok()
            .and_then(|d| d.checked_sub_months(chrono::Months::new(12)))
            .map(|d| d.to_string())
    };
    assert_eq!(
        s["lastYear"],
        json!({"from": year_ago(day(2)), "to": year_ago(day(0)), "loans": 0, "registeredReaders": 0})
    );
    let csv = s["csv"].as_str().expect("csv");
    assert!(csv.starts_with("指标,项目,数值\n"), "{csv}");
    assert!(csv.contains("\n借阅量,,2\n"), "{csv}");
    assert!(
        csv.contains("\n申请至可取中位时长（小时）,,3.00\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\n借阅申请（按配送方式）,到馆自取,2\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\n热门中图法大类（申请次数）,I 文学,2\n"),
        "{csv}"
    );
    assert!(csv.contains("\n购书经费支出（元）,,0.00\n"), "{csv}");

    // Branch B sees its own copy's loan and nothing of A's requests or lockers.
    let b = app.gql_as(Some(&desk_b), STATS, period(Some("B"))).await;
    let s = &b.data()["stats"];
    assert_eq!(s["branchId"], lib.id("B").as_str());
    // Readers have no home branch: r3 counts at B (its first loan's copy), r1 at A (its
    // loan), r2 at A (its request's pickup branch).
    assert_eq!(
        (&s["registeredReaders"], &s["newReaders"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(s["loans"], 1);
    assert_eq!(s["requestsByDelivery"], json!([]));
    assert_eq!(s["medianHoursToReady"], Value::Null);
    assert_eq!(s["lockers"], json!([]));
    assert_eq!(s["newBooksOther"]["items"], 1);

    let a = app.gql_as(Some(&desk_a), STATS, period(Some("A"))).await;
    let s = &a.data()["stats"];
    assert_eq!(
        (&s["registeredReaders"], &s["newReaders"]),
        (&json!(2), &json!(2))
    );

    // Three locker holds from branch A ready today, asked for 1, 2 and 10 hours earlier;
    // one expired uncollected.
    for (hours, expired) in [(1, false), (2, true), (10, false)] {
        let template = q1["id"].as_str().expect("id");
        locker_hold(&app.ctx.db, template, Duration::hours(hours), expired).await;
    }
    let r = app
        .gql_as(
            Some(&desk_a),
            LOCKER_STATS,
            json!({"f": day(0), "b": lib.id("A")}),
        )
        .await;
    let s = &r.data()["stats"];
    assert_eq!(
        (&s["lockerHolds"], &s["lockerHoldsExpired"]),
        (&json!(3), &json!(1))
    );
    let rate = s["lockerExpiryRate"].as_f64().expect("rate");
    assert!((rate - 1.0 / 3.0).abs() < 1e-9, "{rate}");
    let locker = &s["readyTimesByMethod"][0];
    assert!(
        (locker["medianHours"].as_f64().expect("median") - 2.0).abs() < 0.01,
        "{locker}"
    );
    assert!(
        (locker["p90Hours"].as_f64().expect("p90") - 10.0).abs() < 0.01,
        "{locker}"
    );

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
