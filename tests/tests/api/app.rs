//! The readers' app (`/app/`): its files are served from the binary (the page asked for
//! every time, the versioned files kept a year, all under a same-origin policy), and the app
//! itself, driven in headless Chromium at 390×844 by `tests/browser/app.test.mjs` against
//! a library prepared here: sign in, search, request to a locker (with a lost answer
//! retried into one request), follow it live to READY with a pickup code and a QR code
//! while this test's staff and locker act through the API, loans, proposals, the WeChat
//! sign-in with card binding, online registration, and an accessibility check of every
//! page.

use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::title;
use hongyan_domain::people;
use hongyan_tests::browser::{run_node, workspace};
use hongyan_tests::fake_wechat::{OA_APPID, OA_SECRET};
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::library::{locker, Library, CHECK_OUT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_files_are_versioned_cached_and_same_origin() {
    let app = TestApp::spawn_with(TestOptions {
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let page = app
        .http
        .get(format!("{}/app/", app.address))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe"),
        "{csp}"
    );
    let html = page.text().await.expect("html");
    assert!(!html.contains("<style") && !html.contains("http://") && !html.contains("https://"));
    let main = html
        .split('"')
        .find(|s| s.starts_with("/app/v/") && s.ends_with("/main.js"))
        .expect("the page names its versioned main.js")
        .to_owned();
    let js = app
        .http
        .get(format!("{}{main}", app.address))
        .send()
        .await
        .expect("main.js");
    assert_eq!(js.status(), 200);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let stale = app
        .http
        .get(format!("{}/app/v/0000/main.js", app.address))
        .send()
        .await
        .expect("old version");
    assert_eq!(
        stale.headers()["cache-control"],
        "no-cache",
        "an old page still gets today's file"
    );
    let missing = app
        .http
        .get(format!("{}/app/v/0000/nope.js", app.address))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), 404);
}

/// A valid ID number: `body17` and its GB 11643 check character.
fn id_number(body17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body17
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum();
    format!(
        "{body17}{}",
        CHECK[usize::try_from(sum % 11).expect("small")]
    )
}

/// What the browser test works on (see app.test.mjs).
async fn prepare(lib: &Library) -> Value {
    let app = &lib.app;
    let picker = lib.staff("picker", StaffRole::Picker, &["A"]).await;
    let dispatcher = lib.staff("dispatcher", StaffRole::Dispatcher, &["A"]).await;
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let (_, door) = locker(lib, "L-01", "S=2,M=2", (31.8810, 120.5510)).await;
    lib.title("三体", &[("A", "A0001", "I247.5/1")]).await;
    let held = lib.title("围城", &[("A", "A0002", "I246.5/2")]).await;
    let held_isbn = hongyan_tests::isbn13("978702002475");
    title::Entity::update_many()
        .col_expr(title::Column::Isbn, Expr::value(held_isbn.clone()))
        .filter(title::Column::Id.eq(uuid::Uuid::parse_str(&held).expect("id")))
        .exec(&app.ctx.db)
        .await
        .expect("isbn");
    lib.title("呐喊", &[("A", "A0003", "I210/3")]).await;
    lib.reader("20250001").await;
    app.gql_as(
        Some(&desk),
        CHECK_OUT,
        json!({"b": "A0003", "c": "20250001"}),
    )
    .await
    .data();
    people::add_reader(&app.ctx.db, "20250009", "246810", "王芳", app.ctx.now())
        .await
        .expect("a card to bind");
    let used = app.wechat.issue_oauth_code("oa-openid-used", None);
    app.gql(
        "mutation($c: String!) { loginWithWechatWeb(code: $c) { accessToken } }",
        json!({"c": used}),
    )
    .await
    .data();
    json!({
        "card": "20250001", "pin": "123456",
        "book": "三体", "branchId": lib.id("A"),
        "locker": "L-01 书柜", "lockerToken": door.token,
        "picker": picker, "dispatcher": dispatcher,
        "loan": "呐喊",
        "heldIsbn": held_isbn, "newIsbn": hongyan_tests::isbn13("978711112345"),
        "wechatCode": app.wechat.issue_oauth_code("oa-openid-new", None),
        "usedWechatCode": used,
        "bindCard": "20250009", "bindPin": "246810",
        "goodId": id_number("32058219900307123"),
        "badId": format!("{}0", &id_number("32058219900307123")[..17]),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readers_app_works_in_headless_chromium() {
    let lib = Library::open(TestOptions {
        env: vec![
            ("HONGYAN_WECHAT_OA_APPID", OA_APPID.to_owned()),
            ("HONGYAN_WECHAT_OA_SECRET", OA_SECRET.to_owned()),
        ],
        ..TestOptions::default()
    })
    .await;
    let fixture = prepare(&lib).await;
    let screenshots = std::env::var("HONGYAN_APP_SCREENSHOTS").unwrap_or_else(|_| {
        workspace()
            .join("tests/browser/screenshots/app")
            .to_string_lossy()
            .into_owned()
    });
    let (passed, printed) = run_node(
        "app.test.mjs",
        vec![
            ("HONGYAN_APP_URL", lib.app.address.clone()),
            ("HONGYAN_APP_FIXTURE", fixture.to_string()),
            ("HONGYAN_APP_SCREENSHOTS", screenshots.clone()),
        ],
    )
    .await;
    assert!(passed, "the browser test failed:\n{printed}");
    println!("{printed}\nscreenshots in {screenshots}");
}
