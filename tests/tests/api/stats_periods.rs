//! A report asked for by a named period (`2026`, `2026-H1`, `2026-Q3`, `2026-03`), in GraphQL
//! or for the workbook, is the report of its first to its last day; anything else, or a period and dates both, is
//! refused. Runs on SQLite too (the `sqlite` profile).

use chrono::{Datelike, Duration};
use hongyan_domain::auth::StaffRole;
use hongyan_tests::TestOptions;
use serde_json::json;

use crate::library::Library;

const BY_DATES: &str = "query($f: String, $t: String, $p: String) { stats(from: $f, to: $t, period: $p) { from to loans loansPerMonth { month count } requestsPerMonth { month count } netLendingStock } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_period_is_the_report_of_its_days() {
    let lib = Library::open(TestOptions::default()).await;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    lib.reader("40000002").await;
    lib.title("围城", &[("A", "P0001", "I246.57/1")]).await;
    lib.check_out(&desk, "P0001", "40000002").await;
    let today = (lib.app.ctx.now() + Duration::hours(8)).date_naive();
    let year = today.year();
    let quarter = (today.month() - 1) / 3 + 1;
    let app = &lib.app;
    let ask = |vars| {
        let admin = admin.clone();
        async move { app.gql_as(Some(&admin), BY_DATES, vars).await }
    };

    for (period, from, to) in [
        (
            format!("{year}"),
            format!("{year}-01-01"),
            format!("{year}-12-31"),
        ),
        (
            format!("{year}-Q{quarter}"),
            format!("{year}-{:02}-01", quarter * 3 - 2),
            today
                .with_day(1)
                .and_then(|d| d.with_month(quarter * 3))
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt())
                .expect("quarter end")
                .to_string(),
        ),
        (
            today.format("%Y-%m").to_string(),
            today.format("%Y-%m-01").to_string(),
            today
                .with_day(1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt())
                .expect("month end")
                .to_string(),
        ),
    ] {
        let named = ask(json!({"p": period})).await;
        let dated = ask(json!({"f": from, "t": to})).await;
        assert_eq!(named.data()["stats"], dated.data()["stats"], "{period}");
        assert_eq!(named.data()["stats"]["from"], json!(from));
        assert_eq!(named.data()["stats"]["loans"], 1, "{period}");
        // The one copy is in the net-lending stock (on loan, it is still the library's).
        assert_eq!(named.data()["stats"]["netLendingStock"], 1, "{period}");
    }

    // The workbook takes a named period too.
    let xlsx = |query: String| {
        let admin = admin.clone();
        async move {
            let url = format!("{}/staff/stats.xlsx?{query}", app.address);
            app.http
                .get(&url)
                .bearer_auth(admin)
                .send()
                .await
                .expect("download")
        }
    };
    let r = xlsx(format!("period={year}")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .contains(&format!("{year}-01-01-{year}-12-31")),
        "{:?}",
        r.headers()
    );
    let r = xlsx(format!("period={year}-Q5")).await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["code"], "VALIDATION", "{body}");

    for vars in [
        json!({"p": format!("{year}-Q5")}),
        json!({"p": "去年"}),
        json!({"p": format!("{year}"), "f": format!("{year}-01-01"), "t": format!("{year}-01-31")}),
        json!({"f": format!("{year}-01-01")}),
        json!({}),
    ] {
        let r = ask(vars.clone()).await;
        assert_eq!(r.code(), "VALIDATION", "{vars}: {}", r.0);
        r.assert_errors_speak_chinese();
    }
}
