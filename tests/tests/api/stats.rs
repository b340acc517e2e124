//! `stats(from, to, branchId)` against a known data set: every figure checked, per branch
//! and library-wide, with the scope rules and bad periods refused; and its exports, the CSV
//! and the Excel workbook (`GET /staff/stats.xlsx`), holding the same figures in Chinese.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{Duration, Utc};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::budget_movement::{self, MovementKind};
use hongyan_domain::entity::request_event::ActorKind;
use hongyan_domain::entity::{budget, loan_request, request_event};
use hongyan_domain::lending::{DeliveryMethod, RequestStatus};
use hongyan_tests::TestOptions;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::library::{self, Library, CHECK_OUT};
use crate::purchases;

const STATS: &str = "query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) { from to branchId registeredReaders newReaders loans loansPerDay { day count } requestsByDelivery { key count } deliveriesByMethod { key count } medianHoursToReady lockers { code compartments inUse deposits turnsPerDoorDay } proposalsByStatus { key count } budgetSpentCents newBooksOnDemand { items lent } newBooksOther { items lent loans circulationRate } loansPerMonth { month count } readyTimesByMethod { method medianHours p90Hours } topTitles { title requests } topClasses { key count } lockerHolds lockerHoldsExpired lockerExpiryRate lastYear { from to loans registeredReaders } csv } }";

/// The locker figures only.
const LOCKER_STATS: &str = "query($f: String!, $b: ID) { stats(from: $f, to: $f, branchId: $b) { lockerHolds lockerHoldsExpired lockerExpiryRate readyTimesByMethod { method medianHours p90Hours } } }";

/// A locker hold made from `template` (a request row), asked for `ago` before now and
/// ready now; `expired` if it was never collected. Written straight to the tables the
/// figures read (the request with its milestones, and its history), outside the period's
/// other requests.
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
        ready_at: Set(Some(now)),
        fulfilled_at: Set((!expired).then_some(now)),
        expired_at: Set(expired.then_some(now)),
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

/// Who acts in the scripted period, and the first request.
struct Scripted {
    admin: String,
    desk_a: String,
    desk_b: String,
    r1: String,
    q1: Value,
}

/// A known period of activity, all today: two readers ask for a book at branch A's desk,
/// both copies are picked and wait on the hold shelf (made 2 and 4 hours before they were
/// ready), one is collected; a third reader borrows branch B's book over the counter. A
/// locker serves branch A and holds nothing.
async fn scripted(lib: &Library) -> Scripted {
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
    library::locker(lib, "L1", "S=4,M=2", (31.88, 120.55)).await;

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
    Scripted {
        admin,
        desk_a,
        desk_b,
        r1,
        q1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_a_known_day_per_branch_and_for_the_library() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let Scripted {
        admin,
        desk_a,
        desk_b,
        r1,
        q1,
    } = scripted(&lib).await;

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

/// A budget spend of `cents` now, in this year's budget (allocated first).
async fn spend(lib: &Library, admin: &str, cents: i64) {
    let r = lib
        .app
        .gql_as(
            Some(admin),
            purchases::ALLOCATE,
            json!({"y": purchases::year(), "t": 1_000_000}),
        )
        .await;
    assert_eq!(r.data()["allocateBudget"]["totalCents"], 1_000_000, "{r:?}");
    let year = i32::try_from(purchases::year()).expect("year");
    let budget = budget::Entity::find()
        .filter(budget::Column::FiscalYear.eq(year))
        .one(&lib.app.ctx.db)
        .await
        .expect("budget")
        .expect("allocated");
    budget_movement::ActiveModel {
        id: Set(Uuid::now_v7()),
        budget_id: Set(budget.id),
        proposal_id: Set(None),
        kind: Set(MovementKind::Spend),
        amount_cents: Set(cents),
        actor_id: Set(None),
        at: Set(Utc::now()),
    }
    .insert(&lib.app.ctx.db)
    .await
    .expect("spend");
}

/// `GET /staff/stats.xlsx?{query}` with `token`.
async fn download(lib: &Library, token: Option<&str>, query: &str) -> reqwest::Response {
    let url = format!("{}/staff/stats.xlsx?{query}", lib.app.address);
    let mut r = lib.app.http.get(&url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.expect("download")
}

/// The sheets of a downloaded workbook, by name, as rows of cells.
async fn sheets(resp: reqwest::Response) -> Vec<(String, Vec<Vec<Data>>)> {
    let bytes = resp.bytes().await.expect("body");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// The rows of the sheet `name`.
fn sheet<'a>(book: &'a [(String, Vec<Vec<Data>>)], name: &str) -> &'a [Vec<Data>] {
    book.iter()
        .find(|(n, _)| n == name)
        .map(|(_, rows)| rows.as_slice())
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// The text cells of a row.
fn texts(row: &[Data]) -> Vec<&str> {
    row.iter().filter_map(DataType::get_string).collect()
}

/// The number in column `col` of the row whose first cell is `label`.
fn number_at(rows: &[Vec<Data>], label: &str, col: usize) -> f64 {
    rows.iter()
        .find(|r| r.first().and_then(DataType::get_string) == Some(label))
        .and_then(|r| r.get(col))
        .and_then(DataType::as_f64)
        .unwrap_or_else(|| panic!("no number for {label} in column {col}: {rows:?}"))
}

/// A figure of the `stats` answer as a float.
fn figure(stats: &Value, key: &str) -> f64 {
    stats[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key}: {stats}"))
}

/// The count under `key` in a `{key, count}` list, 0 if absent.
fn key_count(list: &Value, key: &str) -> f64 {
    list.as_array()
        .and_then(|l| l.iter().find(|c| c["key"] == key))
        .and_then(|c| c["count"].as_f64())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workbook_and_the_csv_hold_the_figures_in_chinese_and_yuan() {
    let lib = Library::open(TestOptions::default()).await;
    let who = scripted(&lib).await;
    spend(&lib, &who.admin, 123_450).await;
    let (from, to) = (day(2), day(0));
    let query = format!("from={from}&to={to}");
    let r = lib
        .app
        .gql_as(Some(&who.admin), STATS, json!({"f": from, "t": to}))
        .await;
    let stats = &r.data()["stats"];
    assert_eq!(stats["budgetSpentCents"], 123_450);
    let csv = stats["csv"].as_str().expect("csv");
    assert!(csv.starts_with("指标,项目,数值\n"), "{csv}");
    assert!(csv.contains("\n购书经费支出（元）,,1234.50\n"), "{csv}");
    assert!(csv.contains("\n年度预算（元）,,10000.00\n"), "{csv}");

    let resp = download(&lib, Some(&who.admin), &query).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        resp.headers()["content-disposition"],
        format!("attachment; filename=\"hongyan-stats-{from}-{to}.xlsx\"").as_str()
    );
    let book = sheets(resp).await;
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "概览",
            "月度趋势",
            "每日借阅",
            "配送",
            "热门",
            "书柜",
            "荐购"
        ]
    );
    let loans = figure(stats, "loans");
    assert!((loans - 2.0).abs() < f64::EPSILON, "{stats}");

    // 概览: this period against last year, every figure as GraphQL says.
    let summary = sheet(&book, "概览");
    let title = summary[0][0].get_string().expect("title");
    assert!(title.contains("全馆") && title.contains(&from), "{title}");
    assert_eq!(
        texts(&summary[2]),
        ["指标", "本期", "去年同期", "增减", "同比"]
    );
    assert_eq!(number_at(summary, "借阅量", 1), loans);
    assert_eq!(number_at(summary, "借阅量", 2), 0.0);
    assert_eq!(
        number_at(summary, "注册读者", 1),
        figure(stats, "registeredReaders")
    );
    assert_eq!(number_at(summary, "购书经费支出（元）", 1), 1234.5);

    // 月度趋势: the months add up to the loans, as GraphQL's months do.
    let monthly = sheet(&book, "月度趋势");
    assert_eq!(texts(&monthly[2]), ["月份", "本期", "去年同期"]);
    let months: Vec<&Vec<Data>> = monthly[3..]
        .iter()
        .filter(|r| r.first().and_then(DataType::get_string) != Some("合计"))
        .collect();
    let gql_months = stats["loansPerMonth"].as_array().expect("months");
    assert_eq!(months.len(), gql_months.len());
    for (row, m) in months.iter().zip(gql_months) {
        assert_eq!(row[0].get_string(), m["month"].as_str());
        assert_eq!(row[1].as_f64(), m["count"].as_f64());
    }
    let per_month: f64 = months.iter().filter_map(|r| r[1].as_f64()).sum();
    assert_eq!(per_month, loans);
    assert_eq!(number_at(monthly, "合计", 1), loans);

    // 配送: requests and loans by delivery method, named in Chinese.
    let delivery = sheet(&book, "配送");
    assert_eq!(
        texts(&delivery[2]),
        [
            "配送方式",
            "借阅申请",
            "已借出",
            "中位时长（小时）",
            "第90百分位时长（小时）"
        ]
    );
    for (key, name) in [
        ("LOCKER", "智能书柜"),
        ("BRANCH", "到馆自取"),
        ("HOME", "快递到家"),
    ] {
        assert_eq!(
            number_at(delivery, name, 1),
            key_count(&stats["requestsByDelivery"], key),
            "{name}"
        );
        assert_eq!(
            number_at(delivery, name, 2),
            key_count(&stats["deliveriesByMethod"], key),
            "{name}"
        );
    }
    assert_eq!(number_at(delivery, "到馆自取", 1), 2.0);
    assert!((number_at(delivery, "到馆自取", 3) - 3.0).abs() < 0.01);
    assert_eq!(number_at(delivery, "合计", 1), 2.0);

    // 热门, 书柜 and 荐购.
    let top = sheet(&book, "热门");
    assert_eq!(texts(&top[3]), ["统计之书", "I", "文学"]);
    assert_eq!(number_at(sheet(&book, "书柜"), "L1", 2), 6.0);
    let bought = sheet(&book, "荐购");
    assert_eq!(number_at(bought, "购书经费支出（元）", 1), 1234.5);
    assert_eq!(number_at(bought, "年度预算（元）", 1), 10_000.0);
    assert_eq!(number_at(bought, "其他新书", 1), 3.0);

    // A branch's librarian gets the branch's workbook, as `stats` gives it.
    let at_a = format!("{query}&branchId={}", lib.id("A"));
    let r = lib
        .app
        .gql_as(
            Some(&who.desk_a),
            STATS,
            json!({"f": from, "t": to, "b": lib.id("A")}),
        )
        .await;
    let of_a = &r.data()["stats"];
    let resp = download(&lib, Some(&who.desk_a), &at_a).await;
    assert_eq!(resp.status(), 200);
    let book = sheets(resp).await;
    let summary = sheet(&book, "概览");
    assert_eq!(number_at(summary, "借阅量", 1), figure(of_a, "loans"));
    assert_eq!(
        number_at(summary, "借阅申请", 1),
        key_count(&of_a["requestsByDelivery"], "BRANCH")
    );

    // Refusals are the usual JSON errors.
    let no_branch = format!("{query}&branchId=nowhere");
    for (token, query, status, code) in [
        (Some(who.r1.as_str()), at_a.as_str(), 403, "FORBIDDEN"),
        (Some(who.desk_a.as_str()), query.as_str(), 403, "FORBIDDEN"),
        (Some(who.desk_b.as_str()), at_a.as_str(), 403, "FORBIDDEN"),
        (None, query.as_str(), 401, "UNAUTHENTICATED"),
        (
            Some(who.admin.as_str()),
            "from=2026-13-01&to=2026-12-31",
            400,
            "VALIDATION",
        ),
        (Some(who.admin.as_str()), "to=2026-12-31", 400, "VALIDATION"),
        (
            Some(who.admin.as_str()),
            no_branch.as_str(),
            404,
            "NOT_FOUND",
        ),
    ] {
        let resp = download(&lib, token, query).await;
        assert_eq!(resp.status(), status, "{query}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .is_ok_and(|t| t.starts_with("application/json")),
            "{query}"
        );
        let body: Value = resp.json().await.expect("json error");
        assert_eq!(body["code"], code, "{query}: {body}");
    }
}

/// The printable A4 summary holds the same headline figures as `stats`, beside last year's,
/// with the monthly chart and the figures entered from other systems marked as such; only
/// the report's callers get it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printable_summary_holds_the_headline_figures() {
    let lib = Library::open(TestOptions::default()).await;
    let who = scripted(&lib).await;
    spend(&lib, &who.admin, 123_450).await;
    let (from, to) = (day(2), day(0));
    let r = lib
        .app
        .gql_as(Some(&who.admin), STATS, json!({"f": from, "t": to}))
        .await;
    let loans = r.data()["stats"]["loans"].as_i64().expect("loans");
    let app = &lib.app;
    let get = |token: &str, query: String| {
        let token = token.to_owned();
        let url = format!("{}/staff/stats/summary?{query}", app.address);
        async move {
            app.http
                .get(&url)
                .bearer_auth(token)
                .send()
                .await
                .expect("summary")
        }
    };
    let resp = get(&who.admin, format!("from={from}&to={to}")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/html")));
    let page = resp.text().await.expect("html");
    for said in [
        "主要指标",
        "去年同期",
        &format!("<tr><td>借阅量</td><td class=\"n\">{loans}</td>"),
        "<tr><td>购书经费支出（元）</td><td class=\"n\">¥1,234.50</td>",
        "<svg",
        "全网借阅量（0/",
        "标“录入”的数字由馆员从馆内其他系统按月录入",
    ] {
        assert!(
            page.contains(said),
            "the summary should say {said}:\n{page}"
        );
    }
    let refused = get(&who.r1, format!("from={from}&to={to}")).await;
    assert_eq!(refused.status(), 403);
    let bad = get(&who.admin, "period=2026-Q9".into()).await;
    assert_eq!(bad.status(), 400);
}
