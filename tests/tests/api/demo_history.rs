//! The demo library's generated year: a fresh demo's statistics show a year of real-looking
//! figures at once (every delivery method, lockers, proposals and the budget, busier
//! weekends), the same on every load, and the year ends in the demo's present state (copies
//! lent are ON_LOAN with an ACTIVE loan, no request left open, nothing queued to tell
//! readers about the past).

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, Weekday};
use hongyan_domain::entity::item::ItemStatus;
use hongyan_domain::entity::loan::LoanStatus;
use hongyan_domain::entity::{item, job, loan, loan_request};
use hongyan_domain::lending::RequestStatus;
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::collections::HashSet;

const STATS: &str = "query($f: String!, $t: String!) { stats(from: $f, to: $t) { registeredReaders newReaders loans loansPerDay { day count } requestsByDelivery { key count } deliveriesByMethod { key count } medianHoursToReady readyTimesByMethod { method medianHours p90Hours } lockers { code deposits } lockerHolds lockerHoldsExpired proposalsByStatus { key count } budgetSpentCents topTitles { title requests }  requestsPerMonth { month count } netLendingStock readersServed spentByChannelCents { key count } proposalsRejectedByRule { key count } } }";

/// A fresh demo library (no worker: nothing runs behind the figures).
async fn demo() -> TestApp {
    TestApp::spawn_with(TestOptions {
        demo: true,
        worker: false,
        ..TestOptions::default()
    })
    .await
}

/// Today's date in China time, by the app's clock.
fn today(app: &TestApp) -> NaiveDate {
    app.ctx
        .now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .date_naive()
}

/// The demo admin's figures for the 365 days up to today (China time).
async fn last_year(app: &TestApp) -> Value {
    let today = today(app);
    let from = today - Duration::days(364);
    let admin = app.staff_token("admin", "hongyan-admin").await;
    let r = app
        .gql_as(
            Some(&admin),
            STATS,
            json!({"f": from.to_string(), "t": today.to_string()}),
        )
        .await;
    r.data()["stats"].clone()
}

fn count(list: &Value, key: &str) -> i64 {
    list.as_array()
        .expect("list")
        .iter()
        .find(|c| c["key"] == key)
        .map_or(0, |c| c["count"].as_i64().expect("count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_demo_shows_a_year_of_figures_the_same_on_every_load() {
    let app = demo().await;
    let stats = last_year(&app).await;
    let n = |field: &str| stats[field].as_i64().unwrap_or_else(|| panic!("{field}"));
    assert!(n("registeredReaders") > 1_000, "{stats}");
    assert!(n("newReaders") > 1_000, "{stats}");
    assert!(n("loans") > 5_000, "{stats}");
    for method in ["LOCKER", "BRANCH", "HOME"] {
        assert!(count(&stats["requestsByDelivery"], method) > 0, "{method}");
        assert!(count(&stats["deliveriesByMethod"], method) > 0, "{method}");
    }
    assert!(n("lockerHolds") > 0, "{stats}");
    assert!(n("lockerHoldsExpired") > 0, "{stats}");
    assert!(n("lockerHoldsExpired") < n("lockerHolds"), "{stats}");
    assert!(
        stats["lockers"]
            .as_array()
            .expect("lockers")
            .iter()
            .any(|l| l["deposits"].as_i64() > Some(0)),
        "{stats}"
    );
    let proposals: i64 = stats["proposalsByStatus"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["count"].as_i64().expect("count"))
        .sum();
    assert!(proposals > 0, "{stats}");
    for status in ["LOANED", "REJECTED"] {
        assert!(count(&stats["proposalsByStatus"], status) > 0, "{status}");
    }
    assert!(n("budgetSpentCents") > 0, "{stats}");
    // The period's purchase figures: whom the proposals served, spending, rejections.
    assert!(n("readersServed") > 0, "{stats}");
    assert!(
        count(&stats["spentByChannelCents"], "ONLINE") > 0,
        "{stats}"
    );
    assert!(!stats["proposalsRejectedByRule"]
        .as_array()
        .expect("list")
        .is_empty());
    assert!(n("netLendingStock") > 0, "{stats}");
    // The monthly requests add up to the requests of the period.
    let monthly: i64 = stats["requestsPerMonth"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["count"].as_i64().expect("count"))
        .sum();
    let by_method: i64 = stats["requestsByDelivery"]
        .as_array()
        .expect("methods")
        .iter()
        .map(|m| m["count"].as_i64().expect("count"))
        .sum();
    assert_eq!(monthly, by_method);
    // Requests take hours to be ready, not seconds or weeks.
    for m in stats["readyTimesByMethod"].as_array().expect("list") {
        let median = m["medianHours"].as_f64().unwrap_or_else(|| panic!("{m}"));
        assert!((1.0..72.0).contains(&median), "{m}");
    }
    assert!(!stats["topTitles"].as_array().expect("list").is_empty());
    // Busier on weekends.
    let (mut weekend, mut weekday) = ((0, 0), (0, 0));
    for d in stats["loansPerDay"].as_array().expect("days") {
        let day: NaiveDate = d["day"].as_str().expect("day").parse().expect("date");
        let c = d["count"].as_i64().expect("count");
        let tally = if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            &mut weekend
        } else {
            &mut weekday
        };
        *tally = (tally.0 + c, tally.1 + 1);
    }
    assert!(
        weekend.0 * weekday.1 > weekday.0 * weekend.1,
        "weekends {weekend:?}, weekdays {weekday:?}"
    );
    // Another fresh load writes the same year (the history follows the date: unless China's
    // midnight fell between the two loads).
    let again = demo().await;
    let figures = last_year(&again).await;
    if today(&again) == today(&app) {
        assert_eq!(figures, stats);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_year_ends_in_the_present_state_of_the_library() {
    let app = demo().await;
    let db = &app.ctx.db;
    let active: Vec<loan::Model> = loan::Entity::find()
        .filter(loan::Column::Status.eq(LoanStatus::Active))
        .all(db)
        .await
        .expect("loans");
    assert!(!active.is_empty(), "some books are still out");
    assert!(
        active.iter().any(|l| l.due_at < app.ctx.now()),
        "a few are overdue"
    );
    let lent: HashSet<_> = active.iter().map(|l| l.item_id).collect();
    assert_eq!(lent.len(), active.len(), "one active loan per copy");
    let on_loan: HashSet<_> = item::Entity::find()
        .filter(item::Column::Status.eq(ItemStatus::OnLoan))
        .all(db)
        .await
        .expect("copies")
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(on_loan, lent, "ON_LOAN exactly where a loan is ACTIVE");
    let returned = loan::Entity::find()
        .filter(loan::Column::Status.eq(LoanStatus::Returned))
        .count(db)
        .await
        .expect("count");
    assert!(returned > u64::try_from(active.len()).expect("len"));
    let open = loan_request::Entity::find()
        .filter(loan_request::Column::Status.is_in(RequestStatus::OPEN))
        .count(db)
        .await
        .expect("count");
    assert_eq!(open, 0, "no request of the past left open");
    let jobs = job::Entity::find().count(db).await.expect("count");
    assert_eq!(jobs, 0, "nothing queued about the past");
}
