//! The report reads counts kept with each loan and each request's milestones instead of the
//! history tables; over a scripted week it must equal a straight recount of the raw rows,
//! for the library and each branch, with the things that tempt double counting in it: locker
//! events a controller sends twice, two accounts of one person merged, a proposal withdrawn.
//! Runs on SQLite too (the `sqlite` profile).

use std::collections::BTreeMap;
use std::time::Duration as Wait;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::china_time::date_of;
use hongyan_domain::entity::{item, loan, loan_request, purchase_proposal, reader, request_event};
use hongyan_domain::lending::{DeliveryMethod, RequestStatus};
use hongyan_tests::wait::eventually;
use hongyan_tests::TestOptions;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::identity::{self, REGISTER};
use crate::library::{self, to_branch, Library};
use crate::purchases;

const STATS: &str = "query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) { registeredReaders newReaders newCreditCards newReadersPerMonth { month count } returns returnsPerMonth { month count } loans loansPerDay { day count } requestsByDelivery { key count } deliveriesByMethod { key count } medianHoursToReady readyTimesByMethod { method medianHours p90Hours } lockerHolds lockerHoldsExpired proposalsByStatus { key count } newBooksOnDemand { items lent loans } newBooksOther { items lent loans } } }";

const ME: &str = "{ me { id } }";

/// The raw rows a recount reads.
struct Rows {
    loans: Vec<loan::Model>,
    items: BTreeMap<Uuid, item::Model>,
    requests: BTreeMap<Uuid, loan_request::Model>,
    events: Vec<request_event::Model>,
    readers: Vec<reader::Model>,
    proposals: Vec<purchase_proposal::Model>,
}

impl Rows {
    async fn read(db: &DatabaseConnection) -> Self {
        Rows {
            loans: loan::Entity::find().all(db).await.expect("loans"),
            items: by_id(item::Entity::find().all(db).await.expect("items"), |i| i.id),
            requests: by_id(
                loan_request::Entity::find()
                    .all(db)
                    .await
                    .expect("requests"),
                |r| r.id,
            ),
            events: request_event::Entity::find().all(db).await.expect("events"),
            readers: reader::Entity::find().all(db).await.expect("readers"),
            proposals: purchase_proposal::Entity::find()
                .all(db)
                .await
                .expect("proposals"),
        }
    }

    /// The report's figures counted afresh, as the history tables have them.
    fn recount(&self, days: (NaiveDate, NaiveDate), branch: Option<Uuid>) -> Value {
        let within = |at: DateTime<Utc>| (days.0..=days.1).contains(&date_of(at));
        let mine = |r: &loan_request::Model| {
            branch.is_none() || r.pickup_branch_id == branch || r.source_branch_id == branch
        };
        let mut per_day = BTreeMap::<String, i64>::new();
        for l in self.loans.iter().filter(|l| within(l.checked_out_at)) {
            if branch.is_none_or(|b| self.items[&l.item_id].home_branch_id == b) {
                *per_day
                    .entry(date_of(l.checked_out_at).to_string())
                    .or_default() += 1;
            }
        }
        let mut returned = BTreeMap::<String, i64>::new();
        for l in &self.loans {
            let back = l.returned_at.filter(|at| within(*at));
            if let Some(at) = back.filter(|_| branch.is_none() || l.return_branch_id == branch) {
                *returned
                    .entry(date_of(at).format("%Y-%m").to_string())
                    .or_default() += 1;
            }
        }
        let by_method = |ids: Vec<Uuid>| {
            let mut n = BTreeMap::<String, i64>::new();
            for id in ids {
                *n.entry(method(&self.requests[&id])).or_default() += 1;
            }
            n
        };
        let requested = self
            .requests
            .values()
            .filter(|r| within(r.created_at) && mine(r))
            .map(|r| r.id)
            .collect();
        // The first time each request reached `to` (ready: a hold, or delivered at home).
        let first = |to: &dyn Fn(&request_event::Model, &loan_request::Model) -> bool| {
            let mut at = BTreeMap::<Uuid, DateTime<Utc>>::new();
            for e in &self.events {
                let r = &self.requests[&e.request_id];
                if to(e, r) {
                    let t = at.entry(r.id).or_insert(e.at);
                    *t = (*t).min(e.at);
                }
            }
            at.into_iter()
                .filter(|(id, t)| within(*t) && mine(&self.requests[id]))
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        let fulfilled = first(&|e, _| e.to_status == RequestStatus::Fulfilled);
        let ready_first = |e: &request_event::Model, r: &loan_request::Model| {
            e.to_status == RequestStatus::ReadyForPickup
                || (e.to_status == RequestStatus::Fulfilled
                    && r.delivery_method == DeliveryMethod::Home)
        };
        let ready = first(&ready_first);
        let hours: Vec<(String, f64)> = ready
            .iter()
            .map(|id| {
                let r = &self.requests[id];
                let at = self
                    .events
                    .iter()
                    .filter(|e| e.request_id == *id && ready_first(e, r))
                    .map(|e| e.at)
                    .min()
                    .expect("ready");
                (method(r), secs(at - r.created_at) / 3600.0)
            })
            .collect();
        let lockers = |to: RequestStatus| {
            first(&|e, r| e.to_status == to && r.delivery_method == DeliveryMethod::Locker).len()
        };
        let end = days.1.succ_opt().expect("a next day");
        let readers = self
            .readers
            .iter()
            .filter(|r| r.merged_into.is_none() && date_of(r.created_at) < end);
        let mut joined = BTreeMap::<String, i64>::new();
        for r in readers.clone().filter(|r| within(r.created_at)) {
            *joined
                .entry(date_of(r.created_at).format("%Y-%m").to_string())
                .or_default() += 1;
        }
        let credit = self
            .readers
            .iter()
            .filter(|r| r.merged_into.is_none() && r.credit_card_at.is_some_and(within))
            .count();
        let bought: Vec<Uuid> = self.proposals.iter().filter_map(|p| p.item_id).collect();
        let circulation = |on_demand: bool| {
            let copies: Vec<&item::Model> = self
                .items
                .values()
                .filter(|i| within(i.created_at) && branch.is_none_or(|b| i.home_branch_id == b))
                .filter(|i| bought.contains(&i.id) == on_demand)
                .collect();
            let loans = |i: &item::Model| self.loans.iter().filter(|l| l.item_id == i.id).count();
            json!({
                "items": copies.len(),
                "lent": copies.iter().filter(|i| loans(i) > 0).count(),
                "loans": copies.iter().map(|i| loans(i)).sum::<usize>(),
            })
        };
        let mut proposals = BTreeMap::<String, i64>::new();
        for p in self.proposals.iter().filter(|p| within(p.created_at)) {
            *proposals.entry(p.status.as_str().to_owned()).or_default() += 1;
        }
        let by_method_hours: BTreeMap<String, Value> = ["LOCKER", "BRANCH", "HOME"]
            .iter()
            .map(|m| {
                let of: Vec<f64> = hours.iter().filter(|h| h.0 == *m).map(|h| h.1).collect();
                ((*m).to_owned(), json!([median(of.clone()), p90(of)]))
            })
            .collect();
        json!({
            "registeredReaders": branch.map_or_else(|| readers.clone().count(), |_| 0),
            "newReaders": branch.map_or_else(|| readers.filter(|r| within(r.created_at)).count(), |_| 0),
            "newCreditCards": branch.map_or(credit, |_| 0),
            "newReadersPerMonth": branch.map_or(joined, |_| BTreeMap::new()),
            "loans": per_day.values().sum::<i64>(),
            "returns": returned.values().sum::<i64>(),
            "returnsPerMonth": returned,
            "loansPerDay": per_day,
            "requestsByDelivery": by_method(requested),
            "deliveriesByMethod": by_method(fulfilled),
            "medianHoursToReady": median(hours.iter().map(|h| h.1).collect()),
            "readyTimesByMethod": by_method_hours,
            "lockerHolds": lockers(RequestStatus::ReadyForPickup),
            "lockerHoldsExpired": lockers(RequestStatus::Expired),
            "proposalsByStatus": proposals,
            "newBooksOnDemand": circulation(true),
            "newBooksOther": circulation(false),
        })
    }
}

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> BTreeMap<Uuid, T> {
    rows.into_iter().map(|r| (id(&r), r)).collect()
}

fn method(r: &loan_request::Model) -> String {
    r.delivery_method.as_str().to_owned()
}

#[allow(clippy::cast_precision_loss)]
fn secs(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (n > 0).then(|| (v[(n - 1) / 2] + v[n / 2]) / 2.0)
}

fn p90(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (n > 0).then(|| v[(n * 9).div_ceil(10) - 1])
}

/// The report's answer in the recount's shape (lists as maps, hours rounded away).
fn reported(stats: &Value) -> Value {
    let map = |list: &Value, key: &str, n: &str| {
        list.as_array()
            .expect("a list")
            .iter()
            .filter(|x| x[n].as_i64() != Some(0))
            .map(|x| (x[key].as_str().expect("key").to_owned(), x[n].clone()))
            .collect::<BTreeMap<_, _>>()
    };
    json!({
        "registeredReaders": stats["registeredReaders"],
        "newReaders": stats["newReaders"],
        "newCreditCards": stats["newCreditCards"],
        "newReadersPerMonth": map(&stats["newReadersPerMonth"], "month", "count"),
        "loans": stats["loans"],
        "returns": stats["returns"],
        "returnsPerMonth": map(&stats["returnsPerMonth"], "month", "count"),
        "loansPerDay": map(&stats["loansPerDay"], "day", "count"),
        "requestsByDelivery": map(&stats["requestsByDelivery"], "key", "count"),
        "deliveriesByMethod": map(&stats["deliveriesByMethod"], "key", "count"),
        "medianHoursToReady": stats["medianHoursToReady"],
        "readyTimesByMethod": stats["readyTimesByMethod"].as_array().expect("methods").iter()
            .map(|m| (m["method"].as_str().expect("method").to_owned(),
                      json!([m["medianHours"], m["p90Hours"]])))
            .collect::<BTreeMap<_, _>>(),
        "lockerHolds": stats["lockerHolds"],
        "lockerHoldsExpired": stats["lockerHoldsExpired"],
        "proposalsByStatus": map(&stats["proposalsByStatus"], "key", "count"),
        "newBooksOnDemand": stats["newBooksOnDemand"],
        "newBooksOther": stats["newBooksOther"],
    })
}

/// `a` and `b` equal, numbers within a millionth (hours are floats).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)).abs() < 1e-6
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

async fn id_of(lib: &Library, token: &str) -> Value {
    lib.app.gql_as(Some(token), ME, json!({})).await.data()["me"]["id"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_equals_a_straight_recount_of_a_scripted_week() {
    let lib = Library::open(TestOptions {
        env: vec![
            ("HONGYAN_SWEEP_INTERVAL_SECS", "1".into()),
            ("HONGYAN_CARD_POLICY", "credit".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let desk_a = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    let desk_b = lib.staff("desk-b", StaffRole::Librarian, &["B"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let first_day = date_of(app.ctx.now());
    let mut readers = Vec::new();
    for card in [
        "50000001", "50000002", "50000003", "50000004", "50000005", "50000006",
    ] {
        readers.push(lib.reader(card).await);
    }
    let book = lib
        .title(
            "统计重算",
            &[
                ("A", "S0001", "C8/9"),
                ("A", "S0002", "C8/9"),
                ("A", "S0003", "C8/9"),
            ],
        )
        .await;
    let second = lib.title("统计重算二", &[("A", "S0004", "C8/7")]).await;
    lib.title(
        "分馆重算",
        &[("B", "S0101", "C8/8"), ("B", "S0102", "C8/8")],
    )
    .await;
    let (locker, door) = library::locker(&lib, "L9", "S=4,M=2", (31.88, 120.55)).await;

    // Day one: a locker hold collected, both of its door events sent twice; a hold at
    // branch A's desk collected; a loan over branch B's counter.
    let (held, parcel) = lib
        .parcel_in_locker(&readers[0], &book, &locker, &door)
        .await;
    let (code, body) = door.deposited(&parcel).await;
    assert_eq!(
        (code, body["results"][0]["status"].clone()),
        (200, json!("replayed")),
        "{body}"
    );
    for _ in 0..2 {
        let (code, body) = door
            .event("pick-1", "picked_up", &parcel.door, &parcel.barcode)
            .await;
        assert_eq!(code, 200, "{body}");
    }
    assert_eq!(lib.status(&readers[0], &held).await["status"], "FULFILLED");
    lib.advance(Duration::hours(3));
    let at_desk = lib.request(&readers[1], &book, to_branch(&lib, "A")).await;
    let copy = lib.pick_first(&picker, "A").await;
    assert_eq!(
        lib.status(&readers[1], &at_desk).await["status"],
        "READY_FOR_PICKUP"
    );
    lib.check_out(&desk_a, &copy, "50000002").await;
    lib.check_out(&desk_b, "S0101", "50000003").await;
    lib.advance(Duration::hours(2));
    let back = app
        .gql_as(
            Some(&desk_b),
            library::CHECK_IN,
            json!({"b": "S0101", "br": lib.id("B")}),
        )
        .await;
    assert_eq!(
        back.data()["checkIn"]["loan"]["status"],
        "RETURNED",
        "{back:?}"
    );

    // Day two: a locker hold never collected expires after the hold days.
    lib.advance(Duration::days(1));
    assert_eq!(door.post("/heartbeat", json!({})).await.0, 200);
    let (uncollected, _) = lib
        .parcel_in_locker(&readers[3], &second, &locker, &door)
        .await;
    lib.pass_pickup_deadlines();
    eventually(
        Wait::from_secs(10),
        "the sweep to expire the hold",
        || async {
            (lib.status(&readers[3], &uncollected).await["status"] == "EXPIRED").then_some(())
        },
    )
    .await;

    // Then: one person's two cards merged after a loan on the second; a proposal made and
    // withdrawn, another approved.
    lib.check_out(&desk_b, "S0102", "50000006").await;
    let (keep, close) = (
        id_of(&lib, &readers[4]).await,
        id_of(&lib, &readers[5]).await,
    );
    let merged = app
        .gql_as(
            Some(&desk_a),
            "mutation($k: ID!, $m: ID!) { mergeReaders(keepId: $k, mergeId: $m) { id } }",
            json!({"k": keep, "m": close}),
        )
        .await;
    assert_eq!(merged.data()["mergeReaders"]["id"], keep, "{merged:?}");
    let r = app
        .gql_as(
            Some(&admin),
            purchases::ALLOCATE,
            json!({"y": purchases::year(), "t": 1_000_000}),
        )
        .await;
    assert_eq!(r.data()["allocateBudget"]["totalCents"], 1_000_000, "{r:?}");
    let withdrawn = purchases::propose(&lib, &readers[2], purchases::proposal(71, 45_00)).await;
    let r = app
        .gql_as(
            Some(&readers[2]),
            purchases::CANCEL,
            json!({"id": withdrawn["id"]}),
        )
        .await;
    assert_eq!(r.data()["cancelProposal"]["status"], "CANCELLED", "{r:?}");
    let kept = purchases::propose(&lib, &readers[2], purchases::proposal(72, 39_00)).await;
    assert_eq!(kept["status"], "APPROVED", "{kept}");
    // A card applied for online, issued on credit.
    let id = identity::id_number("11010519491231002");
    let r = app
        .gql(
            REGISTER,
            identity::application("韩梅梅", &id, Some("2468"), &lib.id("A")),
        )
        .await;
    assert_eq!(r.data()["registerReader"]["status"], "ACTIVE", "{r:?}");

    let last_day = date_of(app.ctx.now());
    let rows = Rows::read(&app.ctx.db).await;
    for branch in [None, Some("A"), Some("B")] {
        let id = branch.map(|b| lib.id(b));
        let r = app
            .gql_as(
                Some(&admin),
                STATS,
                json!({"f": first_day.to_string(), "t": last_day.to_string(), "b": id}),
            )
            .await;
        let got = reported(&r.data()["stats"]);
        let mut want = rows.recount(
            (first_day, last_day),
            id.map(|b| b.parse().expect("a branch id")),
        );
        if branch.is_some() {
            // Branch readers are attributed by their home branch or first loan: checked by
            // `stats::`; here only the library's.
            want["registeredReaders"] = got["registeredReaders"].clone();
            for figure in ["newReaders", "newCreditCards", "newReadersPerMonth"] {
                want[figure] = got[figure].clone();
            }
        }
        assert!(
            same(&got, &want),
            "{branch:?}:\nreport  {got}\nrecount {want}"
        );
    }

    // And what the script did, so the recount itself is checked: four loans (the replayed
    // pickup lent once) on two days of four of the six new copies, three requests, two locker holds of which one expired,
    // six readers (the merged card counted once) of whom one got a card on credit, one
    // proposal of each outcome.
    let library = reported(
        &app.gql_as(
            Some(&admin),
            STATS,
            json!({"f": first_day.to_string(), "t": last_day.to_string()}),
        )
        .await
        .data()["stats"],
    );
    assert_eq!(library["loans"], 4, "{library}");
    assert_eq!(library["returns"], 1, "{library}");
    assert_eq!(
        library["newBooksOther"],
        json!({"items": 6, "lent": 4, "loans": 4})
    );
    assert_eq!(
        library["deliveriesByMethod"],
        json!({"BRANCH": 1, "LOCKER": 1})
    );
    assert_eq!(
        library["requestsByDelivery"],
        json!({"BRANCH": 1, "LOCKER": 2})
    );
    assert_eq!(
        (
            library["lockerHolds"].clone(),
            library["lockerHoldsExpired"].clone()
        ),
        (json!(2), json!(1))
    );
    assert_eq!(library["registeredReaders"], 6, "{library}");
    assert_eq!(library["newCreditCards"], 1, "{library}");
    assert_eq!(
        library["proposalsByStatus"],
        json!({"APPROVED": 1, "CANCELLED": 1})
    );
}
