//! The staff console (`/console`): its files are served from the binary with their types,
//! `no-cache` and a same-origin Content-Security-Policy; and the console itself, driven in
//! headless Chromium by `tests/browser/console.test.mjs` (Node's test runner with
//! playwright-core) against a library prepared here. Node, `/usr/bin/chromium` and
//! `npm ci --prefix tests/browser` are required: without them the test fails.

use hongyan_tests::browser::{require_browser, run_node, workspace};
use hongyan_tests::wait::eventually;

use hongyan_domain::auth::StaffRole;
use hongyan_tests::{TestApp, TestOptions};
use serde_json::{json, Value};

use crate::library::{locker, to_branch, Library, CONFIRM};

/// Every staff account's password in the browser test.
const PASSWORD: &str = "s3cret-pass-2468";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_files_are_served_with_their_types_and_a_same_origin_policy() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.address)).send();

    for path in ["/console", "/console/", "/console/index.html"] {
        let resp = get(path).await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let headers = resp.headers().clone();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(headers["cache-control"], "no-cache");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let body = resp.text().await.unwrap();
        assert!(body.contains(r#"<script type="module" src="/console/app.js">"#));
        assert!(!body.contains("<style"), "no inline styles");
    }
    for (path, kind) in [
        ("/console/app.js", "text/javascript; charset=utf-8"),
        (
            "/console/pages/picking.js",
            "text/javascript; charset=utf-8",
        ),
        ("/console/console.css", "text/css; charset=utf-8"),
    ] {
        let resp = get(path).await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["content-type"], kind, "{path}");
        assert!(resp.headers().contains_key("content-security-policy"));
        // Unchanged since the last download: 304 without a body.
        let etag = resp.headers()["etag"].clone();
        let again = app
            .http
            .get(format!("{}{path}", app.address))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
    for path in ["/console/nope.js", "/console/pages/", "/console/Cargo.toml"] {
        let resp = get(path).await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "NOT_FOUND", "{path}: {body}");
    }
}

/// A valid ISBN-13, 978-7-5000-NNNN-C.
fn isbn(n: u32) -> String {
    hongyan_tests::isbn13(&format!("9787500{n:05}"))
}

/// Prepares what the browser test works on and returns its fixture (see console.test.mjs).
async fn prepare(lib: &Library) -> Value {
    let app = &lib.app;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    lib.staff("dispatcher", StaffRole::Dispatcher, &["A"]).await;
    let librarian = lib.staff("librarian", StaffRole::Librarian, &["A"]).await;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    lib.staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
        .await;
    lib.reader("20250008").await;

    // Two HOME parcels picked at A for the library's own couriers (before the BRANCH
    // requests, so the picking list below holds only those).
    let homebody = lib.reader("20250007").await;
    let address = app
        .gql_as(
            Some(&homebody),
            "mutation { addAddress(input: {label: \"家\", recipient: \"张小雨\", phone: \"13800138000\", address: \"张家港市杨舍镇人民路 1 号\"}) { id } }",
            json!({}),
        )
        .await;
    let home = json!({"method": "HOME", "addressId": address.data()["addAddress"]["id"]});
    for (name, barcode, call) in [
        ("骆驼祥子", "A0201", "I246.5/2"),
        ("茶馆", "A0202", "I234/1"),
    ] {
        let book = lib.title(name, &[("A", barcode, call)]).await;
        lib.request(&homebody, &book, home.clone()).await;
        lib.pick_first(&picker, "A").await;
    }
    wait_for_waybills(lib, &librarian, 2).await;

    // Three BRANCH requests picked at A, created out of shelf order; one title has a second
    // copy on the shelf.
    let huozhe = lib.title("活着", &[("A", "A0002", "I247.57/5")]).await;
    let weicheng = lib.title("围城", &[("A", "A0001", "I246.5/12")]).await;
    let pingfan = lib
        .title(
            "平凡的世界",
            &[("A", "A0003", "I247.5/123"), ("A", "A0013", "I247.5/123")],
        )
        .await;
    let reader = lib.reader("20250001").await;
    for book in [&huozhe, &weicheng, &pingfan] {
        let r = lib.request(&reader, book, to_branch(lib, "A")).await;
        assert_eq!(r["status"], "ROUTED", "{r}");
    }
    let list = lib.picking(&picker, "A").await;
    let reserved = list
        .iter()
        .find(|t| t["book"]["title"] == "平凡的世界")
        .map(|t| t["item"]["barcode"].as_str().unwrap().to_owned())
        .unwrap();
    let other_copy = if reserved == "A0003" {
        "A0013"
    } else {
        "A0003"
    };

    // A LOCKER request already picked: an open delivery round to L-01.
    let (l1, _door) = locker(lib, "L-01", "S=2,M=1", (31.8810, 120.5510)).await;
    let biancheng = lib.title("边城", &[("A", "A0004", "I246.5/3")]).await;
    let someone = lib.reader("20250002").await;
    let r = lib
        .request(
            &someone,
            &biancheng,
            json!({"method": "LOCKER", "lockerId": l1}),
        )
        .await;
    assert_eq!(r["status"], "ROUTED", "{r}");
    let task = lib
        .picking(&picker, "A")
        .await
        .into_iter()
        .find(|t| t["item"]["barcode"] == "A0004")
        .unwrap();
    let picked = app
        .gql_as(
            Some(&picker),
            CONFIRM,
            json!({"t": task["id"], "b": "A0004"}),
        )
        .await;
    assert_eq!(picked.data()["confirmPick"]["status"], "PICKED");

    // At the desk: a copy on loan that a waiting reader wants, and a copy to lend.
    let chaohua = lib.title("朝花夕拾", &[("A", "A0100", "I210.4/1")]).await;
    lib.title("呐喊", &[("A", "A0101", "I210.4/2")]).await;
    lib.reader("20250003").await;
    lib.check_out(&librarian, "A0100", "20250003").await;
    let waiting = lib.reader("20250004").await;
    let r = lib.request(&waiting, &chaohua, to_branch(lib, "A")).await;
    assert_eq!(r["status"], "WAITLISTED", "{r}");
    lib.reader("20250005").await;

    // A dear proposal left to a librarian.
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let r = app
        .gql_as(
            Some(&admin),
            "mutation($y: Int!) { allocateBudget(fiscalYear: $y, totalCents: 1000000) { totalCents } }",
            json!({"y": year}),
        )
        .await;
    r.data();
    let proposer = lib.reader("20250006").await;
    let p = app
        .gql_as(
            Some(&proposer),
            "mutation($i: ProposePurchaseInput!) { proposePurchase(input: $i) { status } }",
            json!({"i": {"isbn": isbn(1), "title": "云边有个小卖部", "author": "张嘉佳",
                         "publisher": "湖南文艺出版社", "pubYear": year,
                         "clcClass": "I247.5", "priceCents": 15000}}),
        )
        .await;
    assert_eq!(p.data()["proposePurchase"]["status"], "SUBMITTED", "{p:?}");
    // Two cheap ones approved at once (a wholesaler lists them), waiting for an order, and
    // a supplier to order from.
    let cheap = [
        (5, "20250009", "人生海海"),
        (6, "20250010", "额尔古纳河右岸"),
    ];
    let listed: Vec<Value> = cheap
        .iter()
        .map(|(n, _, title)| {
            json!({"isbn": isbn(*n), "title": title, "pubYear": year, "clcClass": "I247.5",
                   "priceCents": 5900})
        })
        .collect();
    lib.vendor_lists(&listed).await;
    for (n, card, title) in cheap {
        let reader = lib.reader(card).await;
        let p = app
            .gql_as(
                Some(&reader),
                "mutation($i: ProposePurchaseInput!) { proposePurchase(input: $i) { status } }",
                json!({"i": {"isbn": isbn(n), "title": title, "pubYear": year, "priceCents": 5900}}),
            )
            .await;
        assert_eq!(p.data()["proposePurchase"]["status"], "APPROVED", "{p:?}");
    }
    app.gql_as(
        Some(&admin),
        "mutation { addVendor(name: \"新华书店发行中心\") { id } }",
        json!({}),
    )
    .await
    .data();

    // At 读者: an online application to verify, and one person with two cards.
    let applied = app
        .gql(
            crate::identity::REGISTER,
            crate::identity::application(
                "林黛玉",
                &crate::identity::id_number("32058219920505123"),
                Some("246810"),
                &lib.id("A"),
            ),
        )
        .await;
    assert_eq!(applied.data()["registerReader"]["status"], "PENDING");
    for card in ["20250012", "20250013"] {
        hongyan_domain::people::add_reader(&app.ctx.db, card, "123456", "贾宝玉", app.ctx.now())
            .await
            .expect("reader");
    }

    json!({
        "categories": {"card": "20250010"},
        "readers": {"applicant": "林黛玉", "name": "贾宝玉", "keep": "20250012", "merge": "20250013"},
        "picking": {
            "order": ["围城", "平凡的世界", "活着"],
            "scan": "A0002", "scanTitle": "活着",
            "otherCopy": other_copy, "otherCopyTitle": "平凡的世界",
            "notOnList": "X9999", "holdFor": "读* 0001",
        },
        "round": {"locker": "L-01 书柜", "lockerCode": "L-01", "barcode": "A0004",
                  "freeText": "S 空 1/2 · M 空 1/1"},
        "home": {"phone": "138****8000", "delivered": "骆驼祥子", "failed": "茶馆"},
        "proposal": {"title": "云边有个小卖部", "price": "¥150.00"},
        "acquisitions": {"order": "人生海海", "keep": "额尔古纳河右岸", "vendor": "新华书店发行中心",
                         "barcode": "N0001", "callNumber": "I247.57/88", "store": "SHOP 分馆"},
        "counter": {"card": "20250008", "year": year,
                    "cheap": {"isbn": isbn(2), "title": "长安的荔枝", "price": "45.00"},
                    "old": {"isbn": isbn(3), "title": "旧书一本", "price": "20", "year": 1990},
                    "dear": {"isbn": isbn(4), "title": "中国古代建筑史", "price": "150",
                             "label": "SHOP-0001"}},
        "desk": {"checkIn": "A0100", "checkInTitle": "朝花夕拾", "card": "20250005",
                 "readerName": "读者", "checkOut": "A0101", "checkOutTitle": "呐喊",
                 "unknownCard": "88888888"},
    })
}

/// Waits until branch A's `n` home parcels have their waybills (booked by the worker).
async fn wait_for_waybills(lib: &Library, staff: &str, n: usize) {
    let what = format!("branch A's {n} home parcels to be in transit");
    eventually(std::time::Duration::from_secs(10), &what, || async {
        let r = lib
            .app
            .gql_as(
                Some(staff),
                "query($b: ID!) { homeParcels(branchId: $b) { shipment { status } } }",
                json!({"b": lib.id("A")}),
            )
            .await;
        let shipped = r.data()["homeParcels"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["shipment"]["status"] == "IN_TRANSIT")
            .count();
        (shipped == n).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_works_in_headless_chromium() {
    let root = workspace();
    require_browser();
    let lib = Library::open(TestOptions::default()).await;
    let fixture = prepare(&lib).await;
    let screenshots = std::env::var("HONGYAN_CONSOLE_SCREENSHOTS").unwrap_or_else(|_| {
        root.join("tests/browser/screenshots")
            .to_string_lossy()
            .into_owned()
    });
    let (passed, printed) = run_node(
        "console.test.mjs",
        vec![
            ("HONGYAN_CONSOLE_URL", lib.app.address.clone()),
            ("HONGYAN_CONSOLE_PASSWORD", PASSWORD.into()),
            ("HONGYAN_CONSOLE_PICKER", "picker".into()),
            ("HONGYAN_CONSOLE_DISPATCHER", "dispatcher".into()),
            ("HONGYAN_CONSOLE_LIBRARIAN", "librarian".into()),
            ("HONGYAN_CONSOLE_ADMIN", "admin".into()),
            ("HONGYAN_CONSOLE_CLERK", "clerk".into()),
            ("HONGYAN_CONSOLE_FIXTURE", fixture.to_string()),
            ("HONGYAN_CONSOLE_SCREENSHOTS", screenshots.clone()),
        ],
    )
    .await;
    assert!(passed, "the browser test failed:\n{printed}");
    println!("{printed}\nscreenshots in {screenshots}");
}
