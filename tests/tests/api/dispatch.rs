//! Locker dispatch through the public surface: a LOCKER request is picked, joins a delivery
//! round, the round starts and the locker's long poll gets its `deposit` command at once;
//! door events (replayed, out of order, for unknown doors) and pickup codes (with the
//! lockout) drive the request to a loan.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::job;
use hongyan_domain::lockers::{self, CompartmentSpec, NewLocker};
use hongyan_tests::fake_courier::{self, FakeCourier};
use hongyan_tests::wait::eventually;
use hongyan_tests::TestOptions;
use sea_orm::sea_query::Expr;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::library::{locker, webhook, Controller, Library};

/// How long a background step (a worker job, a simulated device) may take.
const TEN_SECONDS: Duration = Duration::from_secs(10);

const ROUNDS: &str = "query($b: ID!) { deliveryRounds(branchId: $b) { id status locker { id code } parcels { request { id } item { barcode } compartment } } }";
const START: &str =
    "mutation($id: ID!) { startDeliveryRound(id: $id) { id status parcels { compartment } } }";
const STATUS: &str = "query($id: ID!) { request(id: $id) { status deliveryMethod failureReason pickupCode pickupDeadline locker { code } history { to note } } }";
const MY_LOANS: &str = "{ myLoans { edges { node { status book { title } } } } }";
const HOME_PARCELS: &str = "query($b: ID!) { homeParcels(branchId: $b) { readerName recipient phoneMasked address shipment { id status carrier waybillNo } request { id } books { title copy { barcode callNumber } } } }";
const MARK_DELIVERED: &str = "mutation($s: ID!, $by: String) { markShipmentDelivered(shipmentId: $s, receivedBy: $by) { id status } }";
const MARK_FAILED: &str =
    "mutation($s: ID!, $r: String!) { markShipmentFailed(shipmentId: $s, reason: $r) { id status } }";

async fn status(lib: &Library, token: &str, id: &Value) -> Value {
    lib.app
        .gql_as(Some(token), STATUS, json!({"id": id}))
        .await
        .data()["request"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locker_parcel_goes_from_pick_to_loan_through_the_controller_protocol() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib
        .title(
            "活着",
            &[("A", "A0500", "I247.57/5"), ("A", "A0501", "I247.57/5")],
        )
        .await;
    let (l1, door) = locker(&lib, "L-01", "S=1,M=1", (31.8810, 120.5510)).await;
    let (_, other) = locker(&lib, "L-02", "S=1", (31.8900, 120.5700)).await;
    let me = lib.reader("50000001").await;
    let someone = lib.reader("50000002").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let dispatcher = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;
    let dispatcher_b = lib.staff("driver-b", StaffRole::Dispatcher, &["B"]).await;

    let req = lib
        .request(&me, &book, json!({"method": "LOCKER", "lockerId": l1}))
        .await;
    assert_eq!(req["status"], "ROUTED", "{req}");
    let barcode = lib.pick_first(&picker, "A").await;
    assert_eq!(status(&lib, &me, &req["id"]).await["status"], "PICKED");

    // The dispatcher sees one round to L-01 with the parcel and its compartment (the
    // smallest free door); staff of another branch do not.
    let rounds = app
        .gql_as(Some(&dispatcher), ROUNDS, json!({"b": lib.id("A")}))
        .await;
    let round = rounds.data()["deliveryRounds"][0].clone();
    assert_eq!(round["status"], "OPEN");
    assert_eq!(round["locker"]["code"], "L-01");
    let parcel = round["parcels"][0].clone();
    assert_eq!(parcel["request"]["id"], req["id"]);
    assert_eq!(parcel["item"]["barcode"], barcode.as_str());
    let compartment = parcel["compartment"].as_str().unwrap().to_owned();
    assert_eq!(compartment, "001", "the S door");
    let r = app
        .gql_as(Some(&dispatcher_b), ROUNDS, json!({"b": lib.id("A")}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");

    // Nothing to do yet: a short poll answers at once with no commands.
    let idle = door.poll("0", 0).await;
    assert_eq!(idle["commands"], json!([]));
    assert_eq!(idle["cursor"], "0");
    // The locker waits in a long poll; starting the round wakes it.
    let waiting = tokio::spawn({
        let c = Controller {
            base: door.base.clone(),
            token: door.token.clone(),
            http: hongyan_tests::http_client(),
        };
        async move {
            let t = Instant::now();
            (c.poll("0", 20).await, t.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = app
        .gql_as(Some(&dispatcher), START, json!({"id": round["id"]}))
        .await;
    assert_eq!(started.data()["startDeliveryRound"]["status"], "STARTED");
    let (woke, waited) = waiting.await.unwrap();
    assert!(
        waited < Duration::from_secs(5),
        "woken at once, not at the timeout: {waited:?}"
    );
    let command = woke["commands"][0].clone();
    assert_eq!(command["kind"], "deposit");
    assert_eq!(command["compartment"], compartment.as_str());
    assert_eq!(command["parcel"], barcode.as_str());
    assert_eq!(command["requestId"], req["id"]);
    let cursor = woke["cursor"].as_str().unwrap().to_owned();
    assert_eq!(door.poll(&cursor, 0).await["commands"], json!([]));
    assert_eq!(status(&lib, &me, &req["id"]).await["status"], "IN_TRANSIT");
    let again = app
        .gql_as(Some(&dispatcher), START, json!({"id": round["id"]}))
        .await;
    assert_eq!(again.code(), "CONFLICT");

    // Another locker cannot report this parcel (its own door 001 holds nothing of ours).
    let (code, body) = other.event("x-1", "deposited", "001", &barcode).await;
    assert_eq!(code, 422, "{body}");
    // Deposited: ready, with a pickup code only its reader sees.
    let (code, body) = door
        .event("ev-1", "deposited", &compartment, &barcode)
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["results"][0]["status"], "applied");
    let ready = status(&lib, &me, &req["id"]).await;
    assert_eq!(ready["status"], "READY_FOR_PICKUP");
    assert!(ready["pickupDeadline"].is_string());
    let pickup = ready["pickupCode"].as_str().unwrap().to_owned();
    assert!(
        pickup.len() == 6 && pickup.bytes().all(|b| b.is_ascii_digit()),
        "{pickup}"
    );
    let r = app
        .gql_as(Some(&someone), STATUS, json!({"id": req["id"]}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND", "another reader never sees it");
    // A replay changes nothing; in a batch, an unknown door is rejected and the rest applied.
    let (code, body) = door
        .event("ev-1", "deposited", &compartment, &barcode)
        .await;
    assert_eq!(
        (code, body["results"][0]["status"].clone()),
        (200, json!("replayed"))
    );
    // A door that reports the same deposit twice (under a new id) is still one parcel in
    // the statistics.
    let (code, _) = door
        .event("ev-1-again", "deposited", &compartment, &barcode)
        .await;
    assert_eq!(code, 200);
    let admin = lib.staff("root", StaffRole::Admin, &[]).await;
    // (The test controller dates its events 2026-11-26.)
    let today = (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string();
    let stats = app
        .gql_as(
            Some(&admin),
            "query($f: String!, $t: String!) { stats(from: $f, to: $t) { lockers { code deposits } } }",
            json!({"f": "2026-11-26", "t": today}),
        )
        .await;
    assert_eq!(
        stats.data()["stats"]["lockers"][0],
        json!({"code": "L-01", "deposits": 1})
    );
    let (code, body) = door
        .post(
            "/events",
            json!({"events": [
                {"eventId": "ev-2", "kind": "door_fault", "compartment": "999", "at": "2026-11-26T08:01:00Z"},
                {"eventId": "ev-3", "kind": "teleported", "compartment": "001"},
            ]}),
        )
        .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["results"][0]["status"], "rejected");
    assert_eq!(body["results"][0]["reason"], "unknown compartment");
    assert_eq!(body["results"][1]["status"], "rejected");

    // A wrong code is 404; the right one names the door.
    let wrong = if pickup == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (code, body) = door.post("/pickups/verify", json!({"code": wrong})).await;
    assert_eq!((code, body["code"].clone()), (404, json!("NOT_FOUND")));
    let (code, body) = door.post("/pickups/verify", json!({"code": pickup})).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["compartment"], compartment.as_str());
    assert_eq!(body["parcel"], barcode.as_str());
    // The same code means nothing at another locker.
    assert_eq!(
        other
            .post("/pickups/verify", json!({"code": pickup}))
            .await
            .0,
        404
    );

    // Picked up: the loan starts and the door is free again.
    let (code, _) = door
        .event("ev-4", "picked_up", &compartment, &barcode)
        .await;
    assert_eq!(code, 200);
    let done = status(&lib, &me, &req["id"]).await;
    assert_eq!(done["status"], "FULFILLED");
    assert!(done["pickupCode"].is_null());
    let loans = app.gql_as(Some(&me), MY_LOANS, json!({})).await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"]["status"],
        "ACTIVE"
    );
    assert_eq!(
        door.post("/pickups/verify", json!({"code": pickup}))
            .await
            .0,
        404
    );

    // Guessing: the same code five times locks that code; ten wrong codes at one keypad
    // make it wait (two were wrong above).
    for _ in 0..5 {
        let (code, _) = door
            .post("/pickups/verify", json!({"code": "123456"}))
            .await;
        assert_eq!(code, 404);
    }
    let (code, _) = door
        .post("/pickups/verify", json!({"code": "123456"}))
        .await;
    assert_eq!(code, 429, "a code tried five times is locked");
    for guess in ["200001", "200002", "200003"] {
        let (code, body) = door.post("/pickups/verify", json!({"code": guess})).await;
        assert_eq!(code, 404, "{guess}: {body}");
    }
    let (code, body) = door
        .post("/pickups/verify", json!({"code": "654321"}))
        .await;
    assert_eq!(code, 429, "{body}");
    assert_eq!(body["code"], "RATE_LIMITED");
    assert!(body["retryAfter"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_events_still_end_right_and_a_full_locker_sends_the_parcel_elsewhere() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib
        .title(
            "围城",
            &[("A", "A0600", "I246.5/1"), ("A", "A0601", "I246.5/1")],
        )
        .await;
    // L-01 has one door; L-02 stands 2 km away.
    let (l1, door) = locker(&lib, "L-01", "S=1", (31.8810, 120.5510)).await;
    let (_, near) = locker(&lib, "L-02", "M=1", (31.8900, 120.5700)).await;
    let first = lib.reader("50000011").await;
    let second = lib.reader("50000012").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let dispatcher = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;

    let mut parcels = Vec::new();
    for reader in [&first, &second] {
        let req = lib
            .request(reader, &book, json!({"method": "LOCKER", "lockerId": l1}))
            .await;
        let barcode = lib.pick_first(&picker, "A").await;
        parcels.push((reader.to_owned(), req, barcode));
    }
    // The second found L-01 full: it goes to L-02, and its reader is told why.
    let moved = status(&lib, &second, &parcels[1].1["id"]).await;
    assert_eq!(moved["locker"]["code"], "L-02", "{moved}");
    let note = moved["history"].as_array().unwrap().last().unwrap()["note"].clone();
    assert!(note.as_str().unwrap().contains("没有空格口"), "{note}");
    let rounds = app
        .gql_as(Some(&dispatcher), ROUNDS, json!({"b": lib.id("A")}))
        .await;
    let rounds = rounds.data()["deliveryRounds"].as_array().unwrap().clone();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["locker"]["code"], "L-01", "nearest to A first");
    for round in &rounds {
        app.gql_as(Some(&dispatcher), START, json!({"id": round["id"]}))
            .await
            .data();
    }
    // After an outage L-01 sends `picked_up` before `deposited`: the loan still starts, and
    // the late `deposited` is only recorded.
    let (reader, req, barcode) = &parcels[0];
    let (code, body) = door
        .post(
            "/events",
            json!({"events": [
                {"eventId": "e-9", "kind": "picked_up", "compartment": "001", "parcel": barcode, "at": "2026-11-26T09:00:00Z"},
                {"eventId": "e-8", "kind": "deposited", "compartment": "001", "parcel": barcode, "at": "2026-11-26T08:00:00Z"},
            ]}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let done = status(&lib, reader, &req["id"]).await;
    assert_eq!(done["status"], "FULFILLED", "{done}");
    let loans = app.gql_as(Some(reader), MY_LOANS, json!({})).await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"]["status"],
        "ACTIVE"
    );
    // The other parcel is ready at L-02 with its own code.
    let (reader, req, barcode) = &parcels[1];
    assert_eq!(near.event("n-1", "deposited", "001", barcode).await.0, 200);
    let ready = status(&lib, reader, &req["id"]).await;
    assert_eq!(ready["status"], "READY_FOR_PICKUP");
    let code = ready["pickupCode"].as_str().unwrap().to_owned();
    // A resend gives a new code; the old one stops working.
    let resent = app
        .gql_as(
            Some(reader),
            "mutation($id: ID!) { resendPickupCode(requestId: $id) { pickupCode } }",
            json!({"id": req["id"]}),
        )
        .await;
    let fresh = resent.data()["resendPickupCode"]["pickupCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, code);
    assert_eq!(
        near.post("/pickups/verify", json!({"code": code})).await.0,
        404
    );
    assert_eq!(
        near.post("/pickups/verify", json!({"code": fresh})).await.0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncollected_locker_parcel_is_taken_back_and_serves_the_next_reader() {
    let lib = Library::open(TestOptions {
        env: vec![("HONGYAN_SWEEP_INTERVAL_SECS", "1".into())],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let book = lib.title("边城", &[("A", "A0700", "I246.5/9")]).await;
    let (l1, door) = locker(&lib, "L-01", "S=1", (31.8810, 120.5510)).await;
    let me = lib.reader("50000021").await;
    let next = lib.reader("50000022").await;
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let (req, parcel) = lib.parcel_in_locker(&me, &book, &l1, &door).await;
    let (barcode, compartment) = (parcel.barcode, parcel.door);
    let code = status(&lib, &me, &req["id"]).await["pickupCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let waiting = lib
        .request(
            &next,
            &book,
            json!({"method": "BRANCH", "branchId": lib.id("A")}),
        )
        .await;
    assert_eq!(waiting["status"], "WAITLISTED");
    let cursor = door.poll("0", 0).await["cursor"]
        .as_str()
        .unwrap()
        .to_owned();

    // The deadline passes (the clock moves on rather than waiting 72 hours): EXPIRED, the code stops
    // working, and the locker is told to open the door for staff.
    lib.pass_pickup_deadlines();
    let polled = door.poll(&cursor, 20).await;
    let command = polled["commands"][0].clone();
    assert_eq!(command["kind"], "collect_return", "{polled}");
    assert_eq!(command["compartment"], compartment.as_str());
    assert_eq!(command["parcel"], barcode.as_str());
    assert_eq!(status(&lib, &me, &req["id"]).await["status"], "EXPIRED");
    assert_eq!(
        door.post("/pickups/verify", json!({"code": code})).await.0,
        404
    );

    // Staff take it out and check it in at the branch: it serves the reader waiting.
    let (status_code, body) = door
        .event("col-1", "collected", &compartment, &barcode)
        .await;
    assert_eq!(status_code, 200, "{body}");
    let checked = app
        .gql_as(
            Some(&desk),
            "mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) { action } }",
            json!({"b": barcode, "br": lib.id("A")}),
        )
        .await;
    assert_eq!(checked.data()["checkIn"]["action"], "SERVES_WAITLIST");
    assert_eq!(
        status(&lib, &next, &waiting["id"]).await["status"],
        "ROUTED"
    );
    // The door is free for the next parcel (the controller, as every 30 s, says it is
    // there: the clock moved 72 hours since it last did).
    assert_eq!(door.post("/heartbeat", json!({})).await.0, 200);
    let again = lib.reader("50000023").await;
    let other = lib.title("呐喊", &[("A", "A0701", "I210.4/1")]).await;
    let (_, reused) = lib.parcel_in_locker(&again, &other, &l1, &door).await;
    assert_eq!(reused.door, compartment);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_locker_protocol_is_described_by_an_openapi_document() {
    let lib = Library::open(TestOptions::default()).await;
    let doc: Value = lib
        .app
        .http
        .get(format!("{}/locker/v1/openapi.json", lib.app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    for path in [
        "/locker/v1/commands",
        "/locker/v1/events",
        "/locker/v1/pickups/verify",
        "/locker/v1/heartbeat",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let poll = &doc["paths"]["/locker/v1/commands"]["get"];
    let params: Vec<&str> = poll["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["wait", "cursor"]);
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["CommandsOut"]["properties"]["commands"].is_object());
    assert!(schemas["EventIn"]["properties"]["eventId"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["device_token"]["scheme"],
        "bearer"
    );
}

/// Kills a child process when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_controller_deposits_and_its_reader_picks_up() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let out = app.cli(&[
        "locker",
        "register",
        "--code",
        "L-SIM",
        "--branch",
        "A",
        "--compartments",
        "S=2",
        "--lat",
        "31.881",
        "--lng",
        "120.551",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let token = stdout.lines().last().unwrap().trim().to_owned();
    let state = std::env::temp_dir().join(format!("hongyan-sim-{}.cursor", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let simulator = || {
        std::process::Command::new(hongyan_tests::hongyan_bin())
            .args([
                "locker",
                "simulate",
                "--server",
                &app.address,
                "--token",
                &token,
            ])
            .args(["--auto-pickup-secs", "1"])
            .arg("--state-file")
            .arg(&state)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(std::env::temp_dir())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the simulator")
    };
    let first_line = |child: &mut std::process::Child| {
        use std::io::BufRead;
        let out = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(out)
            .read_line(&mut line)
            .expect("a line");
        line.trim().to_owned()
    };
    let mut sim = Running(simulator());
    assert_eq!(first_line(&mut sim.0), "resuming from cursor 0");
    // Its heartbeat brings the locker online.
    let locker = eventually(TEN_SECONDS, "the simulated locker online", || async {
        let r = app.gql("{ lockers { id code online } }", json!({})).await;
        let locker = r.data()["lockers"][0].clone();
        (locker["online"] == true).then_some(locker)
    })
    .await;
    let book = lib.title("红楼梦", &[("A", "A0800", "I242.4/1")]).await;
    let me = lib.reader("50000031").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let dispatcher = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;
    let req = lib
        .request(
            &me,
            &book,
            json!({"method": "LOCKER", "lockerId": locker["id"]}),
        )
        .await;
    assert_eq!(lib.pick_first(&picker, "A").await, "A0800");
    let rounds = app
        .gql_as(Some(&dispatcher), ROUNDS, json!({"b": lib.id("A")}))
        .await;
    let round = rounds.data()["deliveryRounds"][0]["id"].clone();
    app.gql_as(Some(&dispatcher), START, json!({"id": round}))
        .await
        .data();
    // The simulator deposits at once and "its reader" collects a second later.
    let seen = RefCell::new(Vec::new());
    eventually(TEN_SECONDS, "the locker request fulfilled", || async {
        let s = status(&lib, &me, &req["id"]).await["status"].clone();
        let mut seen = seen.borrow_mut();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        (s == "FULFILLED").then_some(())
    })
    .await;
    let seen = seen.into_inner();
    assert_eq!(seen.last(), Some(&json!("FULFILLED")), "{seen:?}");
    let history = status(&lib, &me, &req["id"]).await["history"].clone();
    let steps: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert!(
        steps.ends_with(&["IN_TRANSIT", "READY_FOR_PICKUP", "FULFILLED"]),
        "{steps:?}"
    );
    // Restarted, the controller resumes after the deposit it carried out: no old door opens.
    let saved = std::fs::read_to_string(&state).expect("the cursor is kept");
    assert!(
        saved.trim().parse::<u64>().expect("a number") > 0,
        "{saved}"
    );
    drop(sim);
    let mut again = Running(simulator());
    assert_eq!(
        first_line(&mut again.0),
        format!("resuming from cursor {}", saved.trim())
    );
    drop(again);
    let _ = std::fs::remove_file(&state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_returned_into_a_locker_ends_the_loan_at_once_and_is_collected() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib.title("平凡的世界", &[("A", "A0900", "I247.5/3")]).await;
    let (l1, door) = locker(&lib, "L-01", "S=1,M=1", (31.8810, 120.5510)).await;
    let me = lib.reader("50000041").await;
    let someone = lib.reader("50000042").await;
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let loan = app
        .gql_as(
            Some(&desk),
            "mutation { checkOut(barcode: \"A0900\", cardNumber: \"50000041\") { id } }",
            json!({}),
        )
        .await;
    let loan_id = loan.data()["checkOut"]["id"].clone();
    let waiting = lib
        .request(
            &someone,
            &book,
            json!({"method": "BRANCH", "branchId": lib.id("A")}),
        )
        .await;
    assert_eq!(waiting["status"], "WAITLISTED");

    const START_RETURN: &str = "mutation($l: ID!, $m: ReturnMethod!, $k: ID) { startReturn(loanId: $l, method: $m, lockerId: $k) { id code method status locker { code } } }";
    // Not someone else's loan; a locker return needs the locker.
    let r = app
        .gql_as(
            Some(&someone),
            START_RETURN,
            json!({"l": loan_id, "m": "LOCKER", "k": l1}),
        )
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app
        .gql_as(
            Some(&me),
            START_RETURN,
            json!({"l": loan_id, "m": "LOCKER"}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    let ticket = app
        .gql_as(
            Some(&me),
            START_RETURN,
            json!({"l": loan_id, "m": "LOCKER", "k": l1}),
        )
        .await;
    let ticket = ticket.data()["startReturn"].clone();
    assert_eq!(ticket["locker"]["code"], "L-01");
    assert_eq!(ticket["status"], "OPEN");
    let code = ticket["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);

    // At the locker: a wrong code is refused, the right one opens a door for this book.
    let (status_code, _) = door
        .post("/returns/verify", json!({"code": "00000000"}))
        .await;
    assert_eq!(status_code, 404);
    let (status_code, opened) = door.post("/returns/verify", json!({"code": code})).await;
    assert_eq!(status_code, 200, "{opened}");
    assert_eq!(opened["parcel"], "A0900");
    let compartment = opened["compartment"].as_str().unwrap().to_owned();
    // Dropping another book there is refused; this one ends the loan at once.
    let (status_code, _) = door
        .event("r-0", "return_dropped", &compartment, "B9999")
        .await;
    assert_eq!(status_code, 422);
    let cursor = door.poll("0", 0).await["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status_code, body) = door
        .event("r-1", "return_dropped", &compartment, "A0900")
        .await;
    assert_eq!(status_code, 200, "{body}");
    let loans = app.gql_as(Some(&me), MY_LOANS, json!({})).await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"]["status"],
        "RETURNED"
    );
    // Staff are sent to collect it; the door is free again after, and check-in at the
    // branch gives the book to the reader waiting.
    let polled = door.poll(&cursor, 10).await;
    assert_eq!(polled["commands"][0]["kind"], "collect_return", "{polled}");
    assert_eq!(polled["commands"][0]["compartment"], compartment.as_str());
    let (status_code, _) = door.event("r-2", "collected", &compartment, "A0900").await;
    assert_eq!(status_code, 200);
    let checked = app
        .gql_as(
            Some(&desk),
            "mutation($br: ID!) { checkIn(barcode: \"A0900\", branchId: $br) { action } }",
            json!({"br": lib.id("A")}),
        )
        .await;
    assert_eq!(checked.data()["checkIn"]["action"], "SERVES_WAITLIST");
    assert_eq!(
        status(&lib, &someone, &waiting["id"]).await["status"],
        "ROUTED"
    );
    // The code was one-time.
    let (status_code, _) = door.post("/returns/verify", json!({"code": code})).await;
    assert_eq!(status_code, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_report_faulty_doors_and_parcels_get_another() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let book = lib
        .title(
            "家",
            &[("A", "A1000", "I246.5/7"), ("A", "A1001", "I246.5/7")],
        )
        .await;
    let (l1, door) = locker(&lib, "L-01", "S=1,M=1", (31.8810, 120.5510)).await;
    let me = lib.reader("50000051").await;
    let other = lib.reader("50000052").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let dispatcher = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;
    let pick = |reader: String| {
        let (lib, picker, book, l1) = (&lib, picker.clone(), book.clone(), l1.clone());
        async move {
            let req = lib
                .request(&reader, &book, json!({"method": "LOCKER", "lockerId": l1}))
                .await;
            lib.pick_first(&picker, "A").await;
            req
        }
    };
    let doors_of_round = || async {
        let r = app
            .gql_as(Some(&dispatcher), ROUNDS, json!({"b": lib.id("A")}))
            .await;
        r.data()["deliveryRounds"][0]["parcels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["compartment"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let req = pick(me.clone()).await;
    assert_eq!(doors_of_round().await, ["001"], "the small door first");

    // The controller reports door 001 jammed: the parcel gets the other door, the reader
    // is told; unknown doors are named back; a malformed report is refused.
    let (code, body) = door
        .post(
            "/heartbeat",
            json!({"compartments": [{"compartment": "001", "fault": true}, {"compartment": "999"}]}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["unknownCompartments"], json!(["999"]));
    assert_eq!(doors_of_round().await, ["002"]);
    let history = status(&lib, &me, &req["id"]).await["history"].clone();
    let note = history.as_array().unwrap().last().unwrap()["note"].clone();
    assert!(note.as_str().unwrap().contains("故障"), "{history}");
    let (code, _) = door
        .post("/heartbeat", json!({"compartments": "jammed"}))
        .await;
    assert_eq!(code, 400);
    // Staff of the branch see the jammed door; readers do not see doors at all.
    const DOORS: &str = "{ lockers { code compartments { label size state } } }";
    let doors = app.gql_as(Some(&dispatcher), DOORS, json!({})).await;
    assert_eq!(
        doors.data()["lockers"][0]["compartments"],
        json!([{"label": "001", "size": "S", "state": "FAULT"}, {"label": "002", "size": "M", "state": "RESERVED"}])
    );
    assert_eq!(
        app.gql_as(Some(&me), DOORS, json!({})).await.code(),
        "FORBIDDEN"
    );

    // Repaired and empty, it is used again.
    let (code, _) = door
        .post(
            "/heartbeat",
            json!({"compartments": [{"compartment": "001", "fault": false}]}),
        )
        .await;
    assert_eq!(code, 200);
    pick(other).await;
    let mut doors = doors_of_round().await;
    doors.sort();
    assert_eq!(doors, ["001", "002"]);

    // A locker that has sent no heartbeat is offline: dispatch skips it for the nearest
    // online one with room, or (none, L-01 being full) the hold shelf of its branch.
    let spec: CompartmentSpec = "S=2".parse().unwrap();
    let (silent, _) = lockers::register(
        &lib.app.ctx.db,
        NewLocker {
            code: "L-03".into(),
            name: "L-03 书柜".into(),
            branch_code: "A".into(),
            address: "张家港".into(),
            position: Some((31.9000, 120.6000)),
        },
        &spec,
        lib.app.ctx.now(),
    )
    .await
    .unwrap();
    let third = lib.reader("50000053").await;
    let more = lib.title("春", &[("A", "A1002", "I246.5/8")]).await;
    let req = lib
        .request(
            &third,
            &more,
            json!({"method": "LOCKER", "lockerId": silent.id.to_string()}),
        )
        .await;
    lib.pick_first(&picker, "A").await;
    let placed = status(&lib, &third, &req["id"]).await;
    let note = placed["history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find_map(|h| h["note"].as_str().map(str::to_owned))
        .unwrap_or_default();
    assert!(note.contains("预约书架"), "{placed}");
    assert_eq!(
        placed["status"], "READY_FOR_PICKUP",
        "picked at A, held at A: {placed}"
    );
}

/// Posts a courier webhook.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_delivery_books_a_signed_waybill_through_outages_and_tracking_ends_it() {
    let courier = FakeCourier::start().await;
    let lib = Library::open(TestOptions {
        env: vec![
            ("HONGYAN_COURIER_API_BASE", courier.base_url.clone()),
            ("HONGYAN_COURIER_SECRET", fake_courier::SECRET.into()),
        ],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let book = lib
        .title(
            "骆驼祥子",
            &[("A", "A1100", "I246.5/2"), ("A", "A1101", "I246.5/2")],
        )
        .await;
    let me = lib.reader("50000061").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let address = app
        .gql_as(
            Some(&me),
            "mutation { addAddress(input: {label: \"家\", recipient: \"张小雨\", phone: \"13800138000\", address: \"张家港市杨舍镇人民路 1 号\", latitude: 31.87, longitude: 120.55}) { id } }",
            json!({}),
        )
        .await;
    let address = address.data()["addAddress"]["id"].clone();
    // The courier is down for the first two bookings: the job retries.
    courier.fail_next(2);
    let req = lib
        .request(&me, &book, json!({"method": "HOME", "addressId": address}))
        .await;
    let barcode = lib.pick_first(&picker, "A").await;
    let shipped = shipped(&lib, &me, &req["id"]).await;
    assert!(courier.attempts() >= 3, "retried through the outage");
    let orders = courier.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["recipientPhone"], "13800138000");
    assert_eq!(orders[0]["parcel"], barcode.as_str());
    let note = shipped["history"].as_array().unwrap().last().unwrap()["note"]
        .as_str()
        .unwrap()
        .to_owned();
    let waybill = note.rsplit(' ').next().unwrap().to_owned();
    assert!(waybill.starts_with("SF"), "{note}");

    // Tracking: forged, stale and unsigned webhooks are refused and change nothing.
    let now = chrono::Utc::now().timestamp();
    let delivered = json!({"eventId": "t-1", "waybillNo": waybill, "status": "DELIVERED"});
    let (body, headers) = FakeCourier::webhook("not-the-secret", now, &delivered);
    assert_eq!(webhook(&lib, body, headers).await.0, 401);
    let (body, headers) = FakeCourier::webhook(fake_courier::SECRET, now - 3600, &delivered);
    assert_eq!(webhook(&lib, body, headers).await.0, 401);
    assert_eq!(status(&lib, &me, &req["id"]).await["status"], "IN_TRANSIT");
    // Delivered: the loan starts; a replay changes nothing.
    let (body, headers) = FakeCourier::webhook(fake_courier::SECRET, now, &delivered);
    let (code, answer) = webhook(&lib, body.clone(), headers.clone()).await;
    assert_eq!((code, answer["status"].clone()), (200, json!("applied")));
    assert_eq!(status(&lib, &me, &req["id"]).await["status"], "FULFILLED");
    let (code, answer) = webhook(&lib, body, headers).await;
    assert_eq!((code, answer["status"].clone()), (200, json!("replayed")));
    let loans = app.gql_as(Some(&me), MY_LOANS, json!({})).await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"]["status"],
        "ACTIVE"
    );

    // Returned by courier: a pickup at the reader's address is booked.
    let loan_id = app
        .gql_as(
            Some(&me),
            "{ myLoans { edges { node { id } } } }",
            json!({}),
        )
        .await
        .data()["myLoans"]["edges"][0]["node"]["id"]
        .clone();
    let ticket = app
        .gql_as(
            Some(&me),
            "mutation($l: ID!, $a: ID) { startReturn(loanId: $l, method: COURIER, addressId: $a) { method status } }",
            json!({"l": loan_id, "a": address}),
        )
        .await;
    assert_eq!(ticket.data()["startReturn"]["method"], "COURIER");
    let missing = app
        .gql_as(
            Some(&me),
            "mutation($l: ID!) { startReturn(loanId: $l, method: COURIER) { id } }",
            json!({"l": loan_id}),
        )
        .await;
    assert_eq!(missing.code(), "VALIDATION");
    let pickup = eventually(TEN_SECONDS, "the courier's second order", || async {
        courier.orders().get(1).cloned()
    })
    .await;
    assert_eq!(pickup["senderPhone"], "13800138000", "{pickup}");
    assert_eq!(pickup["parcel"], barcode.as_str());
    // The loan ends when the branch checks the book in.
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let checked = app
        .gql_as(
            Some(&desk),
            "mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) { action loan { status } } }",
            json!({"b": barcode, "br": lib.id("A")}),
        )
        .await;
    assert_eq!(checked.data()["checkIn"]["loan"]["status"], "RETURNED");

    // A failed delivery: FAILED with the courier's reason, the copy goes back to its branch.
    let other = lib.reader("50000062").await;
    let address = app
        .gql_as(
            Some(&other),
            "mutation { addAddress(input: {label: \"单位\", recipient: \"李雷\", phone: \"13900139000\", address: \"张家港市某路 2 号\"}) { id } }",
            json!({}),
        )
        .await;
    let address = address.data()["addAddress"]["id"].clone();
    let second = lib
        .request(
            &other,
            &book,
            json!({"method": "HOME", "addressId": address}),
        )
        .await;
    let barcode = lib.pick_first(&picker, "A").await;
    let note = eventually(TEN_SECONDS, "the home request in transit", || async {
        let s = status(&lib, &other, &second["id"]).await;
        (s["status"] == "IN_TRANSIT").then(|| {
            s["history"].as_array().unwrap().last().unwrap()["note"]
                .as_str()
                .unwrap()
                .to_owned()
        })
    })
    .await;
    let waybill = note.rsplit(' ').next().unwrap().to_owned();
    let failed =
        json!({"eventId": "t-2", "waybillNo": waybill, "status": "FAILED", "reason": "收件人拒收"});
    // The library's own staff cannot end a parcel the courier company tracks.
    let dispatcher = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;
    let parcels = app
        .gql_as(Some(&dispatcher), HOME_PARCELS, json!({"b": lib.id("A")}))
        .await;
    let parcel = parcels.data()["homeParcels"][0]["shipment"]["id"].clone();
    let r = app
        .gql_as(Some(&dispatcher), MARK_DELIVERED, json!({"s": parcel}))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(r.0["errors"][0]["extensions"]["reason"], "COURIER_TRACKS");
    let (body, headers) = FakeCourier::webhook(fake_courier::SECRET, now, &failed);
    assert_eq!(webhook(&lib, body, headers).await.0, 200);
    // Not delivered: the reader is told why and the book travels back to the sending
    // branch, whose check-in puts it on the hold shelf for them.
    let s = status(&lib, &other, &second["id"]).await;
    assert_eq!(s["status"], "IN_TRANSIT");
    let last = s["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["note"], "收件人拒收");
    let checked = app
        .gql_as(
            Some(&desk),
            "mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) { action } }",
            json!({"b": barcode, "br": lib.id("A")}),
        )
        .await;
    assert_eq!(checked.data()["checkIn"]["action"], "HOLD_SHELF");
    let s = status(&lib, &other, &second["id"]).await;
    assert_eq!(s["status"], "READY_FOR_PICKUP");

    // Dispatchers see the branch's courier shipments, and the failed one among the stuck.
    const SHIPMENTS: &str = "query($b: ID!, $s: Boolean) { shipments(branchId: $b, stuck: $s) { kind status carrier waybillNo feeCents request { id } } }";
    let all = app
        .gql_as(Some(&dispatcher), SHIPMENTS, json!({"b": lib.id("A")}))
        .await;
    let kinds: Vec<(String, String)> = all.data()["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().into(),
                s["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(
        kinds.contains(&("RETURN".into(), "IN_TRANSIT".into())),
        "{kinds:?}"
    );
    let stuck = app
        .gql_as(
            Some(&dispatcher),
            SHIPMENTS,
            json!({"b": lib.id("A"), "s": true}),
        )
        .await;
    let stuck = stuck.data()["shipments"].as_array().unwrap().clone();
    assert_eq!(stuck.len(), 1);
    assert_eq!(stuck[0]["status"], "FAILED");
    assert_eq!(stuck[0]["request"]["id"], second["id"]);
    assert_eq!(stuck[0]["feeCents"], 300);
    let r = app
        .gql_as(Some(&other), SHIPMENTS, json!({"b": lib.id("A")}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
}

/// Waits until the request is IN_TRANSIT (its waybill booked by the worker).
async fn shipped(lib: &Library, token: &str, id: &Value) -> Value {
    eventually(TEN_SECONDS, "the waybill booked", || async {
        let s = status(lib, token, id).await;
        (s["status"] == "IN_TRANSIT").then_some(s)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_librarys_own_couriers_pack_label_and_end_home_parcels() {
    // No courier API: the library's own staff deliver (the `manual` courier).
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let first = lib.title("骆驼祥子", &[("A", "A1100", "I246.5/2")]).await;
    let second = lib.title("茶馆", &[("A", "A1200", "I234/1")]).await;
    let me = lib.reader("50000071").await;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let driver = lib.staff("driver", StaffRole::Dispatcher, &["A"]).await;
    let elsewhere = lib.staff("driver-b", StaffRole::Dispatcher, &["B"]).await;
    let address = app
        .gql_as(
            Some(&me),
            "mutation { addAddress(input: {label: \"家\", recipient: \"张小雨\", phone: \"13800138000\", address: \"张家港市杨舍镇人民路 1 号\"}) { id } }",
            json!({}),
        )
        .await;
    let address = address.data()["addAddress"]["id"].clone();
    let home = json!({"method": "HOME", "addressId": address});
    let one = lib.request(&me, &first, home.clone()).await;
    lib.pick_first(&picker, "A").await;
    assert_eq!(shipped(&lib, &me, &one["id"]).await["status"], "IN_TRANSIT");

    // The packing list: recipient with the phone masked, address, the book.
    let list = app
        .gql_as(Some(&driver), HOME_PARCELS, json!({"b": lib.id("A")}))
        .await;
    let parcels = list.data()["homeParcels"].as_array().unwrap().clone();
    assert_eq!(parcels.len(), 1, "{parcels:?}");
    let parcel = &parcels[0];
    assert_eq!(parcel["recipient"], "张小雨");
    assert_eq!(parcel["phoneMasked"], "138****8000");
    assert_eq!(parcel["address"], "张家港市杨舍镇人民路 1 号");
    assert_eq!(parcel["books"][0]["copy"]["barcode"], "A1100");
    assert_eq!(parcel["shipment"]["carrier"], "manual");
    let waybill = parcel["shipment"]["waybillNo"].as_str().unwrap().to_owned();
    let shipment = parcel["shipment"]["id"].clone();
    let r = app
        .gql_as(Some(&elsewhere), HOME_PARCELS, json!({"b": lib.id("A")}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");

    // Its label: one A6 page, the waybill as Code 128 and QR, the phone masked.
    let url = format!("{}/staff/branches/{}/home-labels", app.address, lib.id("A"));
    let page = app
        .http
        .get(&url)
        .bearer_auth(&driver)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert_eq!(html.matches("class=\"label\"").count(), 1);
    assert!(html.contains("size:A6"), "A6 pages");
    assert!(html.contains(&waybill) && html.contains("138****8000"));
    assert!(!html.contains("13800138000"), "never the full phone");
    assert_eq!(html.matches("<svg").count(), 2, "Code 128 and QR");
    let other = app
        .http
        .get(&url)
        .bearer_auth(&elsewhere)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 403);

    // Refusals change nothing: another branch, a missing or blank reason, an overlong name.
    let r = app
        .gql_as(Some(&elsewhere), MARK_DELIVERED, json!({"s": shipment}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(
            Some(&driver),
            MARK_FAILED,
            json!({"s": shipment, "r": "  "}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.0["errors"][0]["extensions"]["field"], "reason");
    let r = app
        .gql_as(
            Some(&driver),
            MARK_DELIVERED,
            json!({"s": shipment, "by": "长".repeat(41)}),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    let r = app
        .gql_as(Some(&me), MARK_DELIVERED, json!({"s": shipment}))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(status(&lib, &me, &one["id"]).await["status"], "IN_TRANSIT");

    // Delivered: the loan starts; marking it again is a conflict.
    let r = app
        .gql_as(
            Some(&driver),
            MARK_DELIVERED,
            json!({"s": shipment, "by": "门卫"}),
        )
        .await;
    assert_eq!(r.data()["markShipmentDelivered"]["status"], "DELIVERED");
    let s = status(&lib, &me, &one["id"]).await;
    assert_eq!(s["status"], "FULFILLED");
    let note = s["history"].as_array().unwrap().last().unwrap()["note"].clone();
    assert!(note.as_str().unwrap().contains("门卫"), "{note}");
    let loans = app.gql_as(Some(&me), MY_LOANS, json!({})).await;
    assert_eq!(
        loans.data()["myLoans"]["edges"][0]["node"]["status"],
        "ACTIVE"
    );
    for again in [MARK_DELIVERED, MARK_FAILED] {
        let r = app
            .gql_as(Some(&driver), again, json!({"s": shipment, "r": "没人"}))
            .await;
        assert_eq!(r.code(), "CONFLICT");
        assert_eq!(r.0["errors"][0]["extensions"]["reason"], "ALREADY_ENDED");
    }

    // Not delivered: straight onto the sending branch's hold shelf, the reason kept.
    let two = lib.request(&me, &second, home).await;
    lib.pick_first(&picker, "A").await;
    assert_eq!(shipped(&lib, &me, &two["id"]).await["status"], "IN_TRANSIT");
    let list = app
        .gql_as(Some(&driver), HOME_PARCELS, json!({"b": lib.id("A")}))
        .await;
    let shipment = list.data()["homeParcels"][0]["shipment"]["id"].clone();
    let r = app
        .gql_as(
            Some(&driver),
            MARK_FAILED,
            json!({"s": shipment, "r": "电话无人接听"}),
        )
        .await;
    assert_eq!(r.data()["markShipmentFailed"]["status"], "FAILED");
    let s = status(&lib, &me, &two["id"]).await;
    assert_eq!(s["status"], "READY_FOR_PICKUP", "{s}");
    assert_eq!(s["deliveryMethod"], "BRANCH");
    assert_eq!(s["failureReason"], "电话无人接听");
    assert!(s["pickupDeadline"].is_string());
    let list = app
        .gql_as(Some(&driver), HOME_PARCELS, json!({"b": lib.id("A")}))
        .await;
    assert_eq!(list.data()["homeParcels"], json!([]));
    // The reader collects it at the desk.
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    lib.check_out(&desk, "A1200", "50000071").await;
    assert_eq!(status(&lib, &me, &two["id"]).await["status"], "FULFILLED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_backlog_and_unreachable_lockers() {
    let lib = Library::open(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    locker(&lib, "L-UP", "S=2", (31.88, 120.55)).await;
    lockers::register(
        &app.ctx.db,
        NewLocker {
            code: "L-SILENT".into(),
            name: "没有心跳的书柜".into(),
            branch_code: "A".into(),
            address: "张家港".into(),
            position: None,
        },
        &"S=2".parse::<CompartmentSpec>().expect("spec"),
        app.ctx.now(),
    )
    .await
    .expect("register");
    // A request's job that nobody ran for two minutes (no worker here).
    let reader = lib.reader("60000001").await;
    let book = lib.title("积压之书", &[("A", "A0001", "I247/1")]).await;
    lib.request(
        &reader,
        &book,
        json!({"method": "BRANCH", "branchId": lib.id("A")}),
    )
    .await;
    job::Entity::update_many()
        .col_expr(
            job::Column::RunAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(120)),
        )
        .exec(&app.ctx.db)
        .await
        .expect("backdate");
    let metrics = app.get_text("/metrics").await;
    for needle in [
        "hongyan_lockers{state=\"online\"} 1",
        "hongyan_lockers{state=\"offline\"} 1",
        "hongyan_notification_outbox{state=\"pending\"} 0",
        "hongyan_notification_outbox{state=\"dead\"} 0",
        "hongyan_notification_oldest_pending_age_seconds 0",
    ] {
        assert!(
            metrics.contains(needle),
            "{needle} missing from:\n{metrics}"
        );
    }
    let age: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("hongyan_job_oldest_ready_age_seconds "))
        .and_then(|v| v.trim().parse().ok())
        .expect("job age");
    assert!((120..180).contains(&age), "{age}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_in_locker_reports_are_refused_as_bad_input() {
    let lib = Library::open(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let (_, door) = locker(&lib, "L-NUL", "S=1", (31.88, 120.55)).await;
    for (path, body) in [
        (
            "/heartbeat",
            json!({"compartments": [{"compartment": "\u{0}", "fault": true}]}),
        ),
        (
            "/events",
            json!({"events": [{"eventId": "e\u{0}", "kind": "deposited", "compartment": "001", "parcel": "A0001"}]}),
        ),
        ("/pickups/verify", json!({"code": "12\u{0}456"})),
        ("/returns/verify", json!({"code": "1234\u{0}678"})),
    ] {
        let (status, answer) = door.post(path, body).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(answer["code"], "VALIDATION", "{path}: {answer}");
    }
    // A backslash followed by the letters u0000 is ordinary text.
    let (status, answer) = door
        .post("/pickups/verify", json!({"code": "\\u0000"}))
        .await;
    assert_eq!(status, 404, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picked_or_returned_copy_says_where_it_goes_next() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let desk_c = lib.staff("desk-c", StaffRole::Librarian, &["C"]).await;
    let (l1, _door) = locker(&lib, "L-01", "S=1", (31.8810, 120.5510)).await;
    let me = lib.reader("71000001").await;
    let address = app
        .gql_as(
            Some(&me),
            "mutation { addAddress(input: {label: \"家\", recipient: \"张小雨\", phone: \"13800138000\", address: \"张家港市杨舍镇人民路 1 号\"}) { id } }",
            json!({}),
        )
        .await;
    let home = json!({"method": "HOME", "addressId": address.data()["addAddress"]["id"]});
    const CONFIRM_WHERE: &str = "mutation($t: ID!, $b: String!) { confirmPick(pickTaskId: $t, barcode: $b) { destination { kind door holdFor locker { code } toBranch { code } } } }";
    let cases = [
        (
            "边城",
            "A1001",
            json!({"method": "LOCKER", "lockerId": l1}),
            json!({"kind": "LOCKER", "door": "001", "holdFor": null, "locker": {"code": "L-01"}, "toBranch": null}),
        ),
        (
            "围城",
            "A1002",
            crate::library::to_branch(&lib, "A"),
            json!({"kind": "HOLD_SHELF", "door": null, "holdFor": "读* 0001", "locker": null, "toBranch": null}),
        ),
        (
            "茶馆",
            "A1003",
            home,
            json!({"kind": "HOME", "door": null, "holdFor": null, "locker": null, "toBranch": null}),
        ),
        (
            "活着",
            "A1004",
            crate::library::to_branch(&lib, "C"),
            json!({"kind": "TRANSFER", "door": null, "holdFor": null, "locker": null, "toBranch": {"code": "C"}}),
        ),
    ];
    for (title, barcode, delivery, expected) in cases {
        let book = lib.title(title, &[("A", barcode, "I246.5/1")]).await;
        lib.request(&me, &book, delivery).await;
        let task = lib
            .picking(&picker, "A")
            .await
            .into_iter()
            .find(|t| t["item"]["barcode"] == barcode)
            .expect("on the list");
        let r = app
            .gql_as(
                Some(&picker),
                CONFIRM_WHERE,
                json!({"t": task["id"], "b": barcode}),
            )
            .await;
        assert_eq!(r.data()["confirmPick"]["destination"], expected, "{title}");
    }
    // The transfer arrives at C: onto its hold shelf, for the same reader.
    let r = app
        .gql_as(
            Some(&desk_c),
            "mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) { action holdFor } }",
            json!({"b": "A1004", "br": lib.id("C")}),
        )
        .await;
    assert_eq!(
        r.data()["checkIn"],
        json!({"action": "HOLD_SHELF", "holdFor": "读* 0001"})
    );
}
