//! Figures only the library's other systems know (the whole network's loans, visits), entered
//! per month by a branch's librarians or the admins, or imported from CSV, then summed over a
//! report's whole months beside what the platform measured, marked as entered. Runs on
//! SQLite too (the `sqlite` profile).

use chrono::{Datelike, Duration, Months, NaiveDate};
use hongyan_domain::auth::StaffRole;
use hongyan_tests::TestOptions;
use serde_json::{json, Value};

use crate::library::Library;

const ENTER: &str = "mutation($m: String!, $b: ID, $n: Int, $v: Int) { enterMonthlyFigures(month: $m, branchId: $b, networkLoans: $n, visits: $v) { month branchId kind value } }";
const IMPORT: &str = "mutation($csv: String!) { importMonthlyFigures(csv: $csv) { stored rejected { line reason } } }";
const LIST: &str =
    "query($y: Int!, $b: ID) { monthlyFigures(year: $y, branchId: $b) { month kind value } }";
const STATS: &str = "query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) { loans enteredFigures { kind value months monthsEntered } platformShareOfNetworkLoans } }";

/// The first day of the China-time month `back` months before the app's today.
fn month_start(lib: &Library, back: u32) -> NaiveDate {
    let today = (lib.app.ctx.now() + Duration::hours(8)).date_naive();
    today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(back)))
        .expect("month")
}

fn ym(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

fn last_day(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .expect("last day")
}

fn figure(stats: &Value, kind: &str) -> Value {
    stats["enteredFigures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["kind"] == kind)
        .cloned()
        .expect("kind")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_from_other_systems_complete_the_report_marked_as_entered() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("lib-a", StaffRole::Librarian, &["A"]).await;
    let reader = lib.reader("40000001").await;
    let a = lib.id("A");
    let (m0, m1, m2) = (
        month_start(&lib, 0),
        month_start(&lib, 1),
        month_start(&lib, 2),
    );

    // A librarian enters two months of branch A; entering one again replaces it.
    let enter = |token: &str, month: NaiveDate, branch: Option<&str>, n: Value, v: Value| {
        let vars = json!({"m": ym(month), "b": branch, "n": n, "v": v});
        let token = token.to_owned();
        async move { app.gql_as(Some(&token), ENTER, vars).await }
    };
    let r = enter(&librarian, m2, Some(&a), json!(12_000), json!(30_000)).await;
    assert_eq!(
        r.data()["enterMonthlyFigures"]
            .as_array()
            .expect("list")
            .len(),
        2
    );
    enter(&librarian, m2, Some(&a), json!(12_500), Value::Null)
        .await
        .data();

    // Outside their scope, or bad figures: refused with a code, nothing stored.
    for (token, branch) in [
        (&librarian, Some(lib.id("B"))),
        (&librarian, None),
        (&reader, Some(a.clone())),
    ] {
        let r = enter(token, m1, branch.as_deref(), json!(1), json!(1)).await;
        assert_eq!(r.code(), "FORBIDDEN", "{}", r.0);
    }
    for (month, n, v) in [
        ("2026-13", json!(1), json!(1)),
        (&ym(m1)[..], json!(-5), Value::Null),
        (&ym(m1)[..], Value::Null, Value::Null),
    ] {
        let r = app
            .gql_as(
                Some(&librarian),
                ENTER,
                json!({"m": month, "b": a, "n": n, "v": v}),
            )
            .await;
        assert_eq!(r.code(), "VALIDATION", "{}", r.0);
        r.assert_errors_speak_chinese();
    }

    // The admins import the rest from the other system's export, Chinese headers and all.
    let csv = format!(
        "月份,分馆代码,全网借阅,到馆人次\n\
         {},A,\"13,500\",31000\n\
         {},A,14000,\n\
         {},,50000,\n\
         {},NOPE,1,1\n\
         2026-13,A,1,1\n",
        ym(m1),
        ym(m0),
        ym(m0),
        ym(m0)
    );
    let r = app.gql_as(Some(&admin), IMPORT, json!({"csv": csv})).await;
    let done = &r.data()["importMonthlyFigures"];
    assert_eq!(done["stored"], 4, "{done}");
    let lines: Vec<i64> = done["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|x| x["line"].as_i64().expect("line"))
        .collect();
    assert_eq!(lines, [5, 6]);
    let r = app
        .gql_as(Some(&librarian), IMPORT, json!({"csv": csv}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");

    // One loan this month at A: the platform's share of the network's loans.
    lib.title("围城", &[("A", "F0001", "I246.57/1")]).await;
    lib.check_out(&librarian, "F0001", "40000001").await;

    let stats = |from: NaiveDate, to: NaiveDate, branch: Option<String>| {
        let vars = json!({"f": from.to_string(), "t": to.to_string(), "b": branch});
        let admin = admin.clone();
        async move { app.gql_as(Some(&admin), STATS, vars).await.data()["stats"].clone() }
    };
    let quarter = stats(m2, last_day(m0), Some(a.clone())).await;
    assert_eq!(
        figure(&quarter, "NETWORK_LOANS"),
        json!({"kind": "NETWORK_LOANS", "value": 40_000, "months": 3, "monthsEntered": 3})
    );
    assert_eq!(
        figure(&quarter, "VISITS"),
        json!({"kind": "VISITS", "value": 61_000, "months": 3, "monthsEntered": 2})
    );
    assert_eq!(quarter["loans"], 1);
    let share = quarter["platformShareOfNetworkLoans"]
        .as_f64()
        .expect("share");
    assert!((share - 1.0 / 40_000.0).abs() < 1e-12, "{share}");

    // A period cutting a month counts its whole months only, and gives no share.
    let cut = stats(m2 + Duration::days(1), last_day(m0), Some(a.clone())).await;
    assert_eq!(figure(&cut, "NETWORK_LOANS")["months"], 2);
    assert_eq!(cut["platformShareOfNetworkLoans"], Value::Null);

    // The whole library's figures are its own scope.
    let library = stats(m2, last_day(m0), None).await;
    assert_eq!(
        figure(&library, "NETWORK_LOANS"),
        json!({"kind": "NETWORK_LOANS", "value": 50_000, "months": 3, "monthsEntered": 1})
    );
    assert_eq!(
        library["platformShareOfNetworkLoans"],
        Value::Null,
        "incomplete months"
    );

    // The branch's librarians read back what was entered for the year.
    let year = m2.year();
    let listed = app
        .gql_as(Some(&librarian), LIST, json!({"y": year, "b": a}))
        .await;
    let rows = listed.data()["monthlyFigures"]
        .as_array()
        .expect("rows")
        .clone();
    assert!(
        rows.contains(&json!({"month": ym(m2), "kind": "NETWORK_LOANS", "value": 12_500})),
        "{rows:?}"
    );
    assert!(
        rows.contains(&json!({"month": ym(m2), "kind": "VISITS", "value": 30_000})),
        "{rows:?}"
    );
    let r = app
        .gql_as(Some(&reader), LIST, json!({"y": year, "b": a}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
}
