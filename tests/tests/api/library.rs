//! A small library for the lending and dispatch tests: branches with coordinates, titles
//! with copies, readers and staff, and GraphQL helpers.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::branches::{self, BranchKind, NewBranch};
use hongyan_domain::entity::item::{self, ItemStatus};
use hongyan_domain::entity::loan_request::{self, DeliveryMethod, RequestStatus};
use hongyan_domain::entity::{title, vendor, vendor_offer};
use hongyan_domain::lockers::{self, CompartmentSpec, NewLocker};
use hongyan_domain::people;
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

pub const REQUEST: &str = "mutation($i: RequestBookInput!) { requestBook(input: $i) { id status deliveryMethod waitlistPosition createdAt pickupDeadline book { id title } sourceBranch { code } pickupBranch { code } } }";
pub const REQUEST_BY_ID: &str = "query($id: ID!) { request(id: $id) { id status waitlistPosition pickupDeadline pickupCode history { from to actor note } } }";
pub const PICKING: &str = "query($b: ID!) { pickingList(branchId: $b) { id status callNumber deliveryMethod item { barcode } request { id } branch { code } book { title } } }";
pub const CHECK_OUT: &str = "mutation($b: String!, $c: String!) { checkOut(barcode: $b, cardNumber: $c) { id status dueAt renewals book { title } } }";
pub const CHECK_IN: &str = "mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) { action loan { id status } request { id } pickTask { id branch { code } } toBranch { code } item { status branch { code } } } }";
pub const RENEW: &str = "mutation($id: ID!) { renewLoan(id: $id) { id dueAt renewals } }";
pub const CONFIRM: &str = "mutation($t: ID!, $b: String!) { confirmPick(pickTaskId: $t, barcode: $b) { id status item { barcode } } }";

/// A branch's delivery rounds with their parcels.
const ROUNDS: &str =
    "query($b: ID!) { deliveryRounds(branchId: $b) { id status parcels { compartment } } }";
/// Starts a delivery round.
const START_ROUND: &str = "mutation($id: ID!) { startDeliveryRound(id: $id) { status } }";

/// A LOCKER parcel: the copy's barcode and the door it goes behind.
#[derive(Debug, Clone)]
pub struct Parcel {
    pub barcode: String,
    pub door: String,
}

/// A small library: branches with coordinates (A and C are 2 km apart, B is 60 km away),
/// bookstore SHOP (its partnership held by A), titles and copies, readers and staff.
pub struct Library {
    /// The running app.
    pub app: TestApp,
    /// Branch ids by code.
    pub branch: HashMap<&'static str, Uuid>,
}

impl Library {
    pub async fn open(opts: TestOptions) -> Self {
        let app = TestApp::spawn_with(opts).await;
        let places = [
            ("A", 31.8800, 120.5500),
            ("B", 31.3000, 120.5800),
            ("C", 31.8900, 120.5700),
            ("SHOP", 31.8850, 120.5600),
        ];
        let created = branches::create(
            &app.ctx.db,
            places
                .iter()
                .map(|(code, lat, lng)| NewBranch {
                    code: (*code).into(),
                    name: format!("{code} 分馆"),
                    kind: if *code == "SHOP" {
                        BranchKind::Bookstore
                    } else {
                        BranchKind::Branch
                    },
                    address: "张家港".into(),
                    position: Some((*lat, *lng)),
                })
                .collect(),
            app.ctx.now(),
        )
        .await
        .expect("branches");
        let branch: HashMap<&'static str, Uuid> = places
            .iter()
            .map(|(code, ..)| {
                let id = created
                    .iter()
                    .find(|b| b.code == *code)
                    .expect("created")
                    .id;
                (*code, id)
            })
            .collect();
        // The bookstore's partnership is held by branch A: copies bought there belong to A.
        hongyan_domain::entity::branch::Entity::update_many()
            .col_expr(
                hongyan_domain::entity::branch::Column::PartnerBranchId,
                sea_orm::sea_query::Expr::value(branch["A"]),
            )
            .filter(hongyan_domain::entity::branch::Column::Code.eq("SHOP"))
            .exec(&app.ctx.db)
            .await
            .expect("partner");
        Library { app, branch }
    }

    pub fn id(&self, code: &str) -> String {
        self.branch[code].to_string()
    }

    /// A wholesaler's feed lists these books (proposal inputs: `isbn`, `title`, `author`,
    /// `publisher`, `pubYear`, `clcClass`, `priceCents`), as a librarian's import would: the
    /// data the library trusts, so the rules judge proposals of them on it.
    pub async fn vendor_lists(&self, books: &[Value]) {
        let db = &self.app.ctx.db;
        let name = "测试图书批发中心";
        let vendor = match vendor::Entity::find()
            .filter(vendor::Column::Name.eq(name))
            .one(db)
            .await
            .expect("vendor")
        {
            Some(v) => v.id,
            None => {
                vendor::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    name: Set(name.into()),
                    branch_id: Set(None),
                    order_api_base: Set(None),
                    created_at: Set(Utc::now()),
                }
                .insert(db)
                .await
                .expect("vendor")
                .id
            }
        };
        let text = |b: &Value, k: &str| b[k].as_str().map(str::to_owned);
        for b in books {
            let isbn =
                hongyan_domain::catalog::isbn::Isbn13::parse(b["isbn"].as_str().expect("isbn"))
                    .expect("valid ISBN");
            vendor_offer::Entity::delete_many()
                .filter(vendor_offer::Column::Isbn.eq(isbn.as_str()))
                .exec(db)
                .await
                .expect("clear");
            vendor_offer::ActiveModel {
                id: Set(Uuid::now_v7()),
                vendor_id: Set(vendor),
                isbn: Set(isbn.as_str().to_owned()),
                title: Set(text(b, "title").expect("title")),
                author: Set(text(b, "author")),
                publisher: Set(text(b, "publisher")),
                pub_year: Set(b["pubYear"].as_i64().and_then(|y| i32::try_from(y).ok())),
                price_cents: Set(b["priceCents"].as_i64().expect("price")),
                clc_class: Set(text(b, "clcClass")),
                stock: Set(5),
                updated_at: Set(Utc::now()),
            }
            .insert(db)
            .await
            .expect("offer");
        }
    }

    /// A title with copies `(branch, barcode, call number)`; returns its id.
    pub async fn title(&self, name: &str, copies: &[(&str, &str, &str)]) -> String {
        let now = Utc::now();
        let t = title::ActiveModel {
            id: Set(Uuid::now_v7()),
            isbn: Set(None),
            title: Set(name.into()),
            subtitle: Set(None),
            authors: Set("钱锺书".into()),
            publisher: Set(Some("人民文学出版社".into())),
            pub_year: Set(Some(1991)),
            clc_class: Set(Some("I246.5".into())),
            subjects: Set(None),
            summary: Set(None),
            price_cents: Set(Some(3900)),
            work_key: Set(hongyan_domain::catalog::work::key(name, "钱锺书")),
            import_key: Set(Some(hongyan_domain::catalog::work::import_key(
                name,
                "钱锺书",
                Some("人民文学出版社"),
                Some(1991),
            ))),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.app.ctx.db)
        .await
        .expect("title");
        for (branch, barcode, call) in copies {
            item::ActiveModel {
                id: Set(Uuid::now_v7()),
                title_id: Set(t.id),
                barcode: Set((*barcode).into()),
                call_number: Set((*call).into()),
                location: Set(None),
                home_branch_id: Set(self.branch[branch]),
                current_branch_id: Set(self.branch[branch]),
                status: Set(ItemStatus::Available),
                net_lending: Set(true),
                uncatalogued: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                times_lent: Set(0),
            }
            .insert(&self.app.ctx.db)
            .await
            .expect("copy");
        }
        t.id.to_string()
    }

    /// A reader with a card; returns an access token.
    pub async fn reader(&self, card: &str) -> String {
        people::add_reader(&self.app.ctx.db, card, "123456", "读者", self.app.ctx.now())
            .await
            .expect("reader");
        self.app.reader_token(card, "123456").await
    }

    /// A staff member of `branches`; returns an access token.
    pub async fn staff(&self, username: &str, role: StaffRole, branches: &[&str]) -> String {
        let codes: Vec<String> = branches.iter().map(|b| (*b).to_owned()).collect();
        people::add_staff(
            &self.app.ctx.db,
            username,
            "s3cret-pass-2468",
            role,
            &codes,
            self.app.ctx.now(),
        )
        .await
        .expect("staff");
        self.app.staff_token(username, "s3cret-pass-2468").await
    }

    pub async fn request(&self, token: &str, book: &str, delivery: Value) -> Value {
        let r = self
            .app
            .gql_as(
                Some(token),
                REQUEST,
                json!({"i": {"bookId": book, "delivery": delivery}}),
            )
            .await;
        r.data()["requestBook"].clone()
    }

    pub async fn picking(&self, token: &str, branch: &str) -> Vec<Value> {
        let r = self
            .app
            .gql_as(Some(token), PICKING, json!({"b": self.id(branch)}))
            .await;
        r.data()["pickingList"].as_array().expect("list").clone()
    }

    /// Picks the first task on `branch`'s list by scanning its reserved copy; returns the
    /// barcode.
    pub async fn pick_first(&self, picker: &str, branch: &str) -> String {
        let task = self.picking(picker, branch).await[0].clone();
        let barcode = task["item"]["barcode"]
            .as_str()
            .expect("barcode")
            .to_owned();
        let r = self
            .app
            .gql_as(
                Some(picker),
                CONFIRM,
                json!({"t": task["id"], "b": barcode}),
            )
            .await;
        assert_eq!(r.data()["confirmPick"]["status"], "PICKED");
        barcode
    }

    /// Lends `barcode` to card `card` at a desk (as `desk`); returns the ACTIVE loan.
    pub async fn check_out(&self, desk: &str, barcode: &str, card: &str) -> Value {
        let r = self
            .app
            .gql_as(Some(desk), CHECK_OUT, json!({"b": barcode, "c": card}))
            .await;
        let loan = r.data()["checkOut"].clone();
        assert_eq!(loan["status"], "ACTIVE", "{}", r.0);
        loan
    }

    /// Picks branch A's first task (as `picker`) and starts A's open delivery round (as
    /// `driver`); returns the parcel on its way, with the door the round gave it.
    pub async fn parcel_on_its_way(&self, picker: &str, driver: &str) -> Parcel {
        let barcode = self.pick_first(picker, "A").await;
        let rounds = self
            .app
            .gql_as(Some(driver), ROUNDS, json!({"b": self.id("A")}))
            .await;
        let round = rounds.data()["deliveryRounds"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["status"] == "OPEN"))
            .cloned()
            .unwrap_or_else(|| panic!("an open round: {rounds:?}"));
        let door = round["parcels"][0]["compartment"]
            .as_str()
            .unwrap_or_else(|| panic!("a door for the parcel: {round}"))
            .to_owned();
        let started = self
            .app
            .gql_as(Some(driver), START_ROUND, json!({"id": round["id"]}))
            .await;
        assert_eq!(started.data()["startDeliveryRound"]["status"], "STARTED");
        Parcel { barcode, door }
    }

    /// Requests `book` to `locker` for `reader` and takes it all the way into the locker:
    /// picked at A, its round started, the door's `deposited` event reported by
    /// `controller`. Returns the request and the parcel.
    pub async fn parcel_in_locker(
        &self,
        reader: &str,
        book: &str,
        locker: &str,
        controller: &Controller,
    ) -> (Value, Parcel) {
        let tag = &book[book.len() - 12..];
        let picker = self
            .staff(&format!("picker-{tag}"), StaffRole::Picker, &["A"])
            .await;
        let driver = self
            .staff(&format!("driver-{tag}"), StaffRole::Dispatcher, &["A"])
            .await;
        let req = self
            .request(
                reader,
                book,
                json!({"method": "LOCKER", "lockerId": locker}),
            )
            .await;
        let parcel = self.parcel_on_its_way(&picker, &driver).await;
        let (code, body) = controller.deposited(&parcel).await;
        assert_eq!(code, 200, "{body}");
        (req, parcel)
    }

    /// Moves the app's clock past the pickup deadline of every request waiting to be
    /// collected, rather than waiting 72 hours.
    pub fn pass_pickup_deadlines(&self) {
        let hold = i64::from(self.app.ctx.config.lending.hold_hours);
        self.advance(Duration::hours(hold) + Duration::minutes(1));
    }

    /// Moves the app's clock until every loan made so far is `ago` past due.
    pub fn make_loans_overdue(&self, ago: Duration) {
        let loan = i64::from(self.app.ctx.config.lending.loan_days);
        self.advance(Duration::days(loan) + ago);
    }

    /// Moves the app's clock `by` forward (the app runs an adjustable clock in tests).
    pub fn advance(&self, by: Duration) {
        self.app
            .ctx
            .clock
            .advance(by)
            .expect("the test app's clock moves");
    }

    pub async fn status(&self, token: &str, request: &Value) -> Value {
        self.app
            .gql_as(Some(token), REQUEST_BY_ID, json!({"id": request["id"]}))
            .await
            .data()["request"]
            .clone()
    }
}

/// A request row written as is (no routing, no history): `reader`'s for `title`, to be
/// collected at branch `pickup`, in `status`.
pub fn request_row(
    reader: Uuid,
    title: Uuid,
    pickup: Uuid,
    status: RequestStatus,
) -> loan_request::ActiveModel {
    let now = Utc::now();
    loan_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader),
        title_id: Set(title),
        item_id: Set(None),
        status: Set(status),
        delivery_method: Set(DeliveryMethod::Branch),
        locker_id: Set(None),
        pickup_branch_id: Set(Some(pickup)),
        address_id: Set(None),
        source_branch_id: Set(None),
        compartment_id: Set(None),
        pickup_code_hash: Set(None),
        pickup_code_gen: Set(0),
        pickup_deadline: Set(None),
        deadline_reminded_at: Set(None),
        failure_reason: Set(None),
        idempotency_key: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ready_at: Set(None),
        fulfilled_at: Set(None),
        expired_at: Set(None),
    }
}

pub fn to_branch(lib: &Library, code: &str) -> Value {
    json!({"method": "BRANCH", "branchId": lib.id(code)})
}

/// A locker controller speaking `/locker/v1` with its device token.
pub struct Controller {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Controller {
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/locker/v1{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("locker request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn poll(&self, cursor: &str, wait: u64) -> Value {
        let resp = self
            .http
            .get(format!(
                "{}/locker/v1/commands?cursor={cursor}&wait={wait}",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("poll");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    /// Reports `parcel` deposited behind its door (event id `dep-BARCODE`: the same each time).
    pub async fn deposited(&self, parcel: &Parcel) -> (u16, Value) {
        self.event(
            &format!("dep-{}", parcel.barcode),
            "deposited",
            &parcel.door,
            &parcel.barcode,
        )
        .await
    }

    pub async fn event(
        &self,
        id: &str,
        kind: &str,
        compartment: &str,
        parcel: &str,
    ) -> (u16, Value) {
        self.post(
            "/events",
            json!({"events": [{"eventId": id, "kind": kind, "compartment": compartment,
                               "parcel": parcel, "at": "2026-11-26T08:00:00Z"}]}),
        )
        .await
    }
}

/// Registers a locker served by branch A and brings its controller online.
pub async fn locker(lib: &Library, code: &str, spec: &str, at: (f64, f64)) -> (String, Controller) {
    let spec: CompartmentSpec = spec.parse().unwrap();
    let (row, token) = lockers::register(
        &lib.app.ctx.db,
        NewLocker {
            code: code.into(),
            name: format!("{code} 书柜"),
            branch_code: "A".into(),
            address: "张家港".into(),
            position: Some(at),
        },
        &spec,
        lib.app.ctx.now(),
    )
    .await
    .unwrap();
    let c = Controller {
        base: lib.app.address.clone(),
        token,
        http: hongyan_tests::http_client(),
    };
    assert_eq!(c.post("/heartbeat", json!({})).await.0, 200);
    (row.id.to_string(), c)
}

/// Posts a courier's tracking webhook.
pub async fn webhook(lib: &Library, body: Vec<u8>, headers: [(String, String); 2]) -> (u16, Value) {
    let mut req = lib
        .app
        .http
        .post(format!("{}/webhooks/courier", lib.app.address))
        .header("content-type", "application/json")
        .body(body);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}
