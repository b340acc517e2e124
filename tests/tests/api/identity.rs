//! Readers' identity through GraphQL: signing in from the official account's web page
//! (WeChat web authorisation against the fake), a card-less reader who cannot borrow,
//! binding an existing card (everything moves, the empty account closes), online card
//! applications under both policies, desk verification, and who sees a locker's room.

use hongyan_domain::auth::StaffRole;
use hongyan_domain::people;
use hongyan_tests::fake_wechat::{OA_APPID, OA_SECRET};
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::library::{locker, to_branch, Library, REQUEST};

const WEB_LOGIN: &str =
    "mutation($c: String!) { loginWithWechatWeb(code: $c) { accessToken refreshToken } }";
const ME: &str = "{ me { id name cardNumber status canBorrow idNumberMasked mobileMasked } }";
const BIND: &str = "mutation($c: String!, $p: String!) { bindCard(cardNumber: $c, pin: $p) { id cardNumber status canBorrow } }";
pub(crate) const REGISTER: &str = "mutation($i: RegisterReaderInput!) { registerReader(input: $i) { id cardNumber status canBorrow idNumberMasked } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }";

/// A valid ID number: `body17` and its GB 11643 check character.
pub(crate) fn id_number(body17: &str) -> String {
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

pub(crate) async fn library(policy: &str) -> Library {
    Library::open(TestOptions {
        env: vec![
            ("HONGYAN_WECHAT_OA_APPID", OA_APPID.to_owned()),
            ("HONGYAN_WECHAT_OA_SECRET", OA_SECRET.to_owned()),
            ("HONGYAN_CARD_POLICY", policy.to_owned()),
        ],
        ..TestOptions::default()
    })
    .await
}

/// Signs in through the official account's web page as `openid`; the tokens.
pub(crate) async fn web_login(app: &TestApp, openid: &str) -> (String, String) {
    let code = app.wechat.issue_oauth_code(openid, None);
    let r = app.gql(WEB_LOGIN, json!({"c": code})).await;
    let t = &r.data()["loginWithWechatWeb"];
    (
        t["accessToken"].as_str().expect("token").to_owned(),
        t["refreshToken"].as_str().expect("refresh").to_owned(),
    )
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.gql_as(Some(token), ME, json!({})).await.data()["me"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wechat_reader_binds_their_card_and_everything_moves_to_it() {
    let lib = library("verify").await;
    let app = &lib.app;
    let book = lib.title("三体", &[("A", "A0001", "I247.5/1")]).await;
    people::add_reader(&app.ctx.db, "64000001", "135790", "王芳", app.ctx.now())
        .await
        .expect("card");

    // The first visit from the official account makes a card-less reader who cannot borrow.
    let (token, refresh) = web_login(app, "oa-openid-wang").await;
    let first = me(app, &token).await;
    assert_eq!(first["cardNumber"], Value::Null);
    assert_eq!(first["canBorrow"], false);
    let r = app
        .gql_as(
            Some(&token),
            REQUEST,
            json!({"i": {"bookId": book, "delivery": to_branch(&lib, "A")}}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(r.0["errors"][0]["extensions"]["reason"], "CARD_REQUIRED");
    // ...but may keep an address, which travels with the binding.
    app.gql_as(
        Some(&token),
        "mutation { addAddress(input: {label: \"家\", recipient: \"王芳\", phone: \"13812345678\", address: \"张家港市人民路 1 号\"}) { id } }",
        json!({}),
    )
    .await
    .data();

    // A bad or used code is refused with a reason the app can explain.
    let used = app.wechat.issue_oauth_code("oa-openid-wang", None);
    app.gql(WEB_LOGIN, json!({"c": used})).await.data();
    for code in [used, "made-up".to_owned(), app.wechat.issue_snapshot_code()] {
        let r = app.gql(WEB_LOGIN, json!({"c": code})).await;
        assert_eq!(r.code(), "UNAUTHENTICATED", "{}", r.0);
        assert!(r.0["errors"][0]["extensions"]["reason"]
            .as_str()
            .is_some_and(|x| x.starts_with("WECHAT_")));
    }

    // Binding: a wrong PIN is a failed login; the right one moves everything to the card.
    let r = app
        .gql_as(Some(&token), BIND, json!({"c": "64000001", "p": "000000"}))
        .await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    let readers_before = hongyan_domain::entity::reader::Entity::find()
        .count(&app.ctx.db)
        .await
        .expect("count");
    let bound = app
        .gql_as(Some(&token), BIND, json!({"c": "64000001", "p": "135790"}))
        .await;
    let bound = bound.data()["bindCard"].clone();
    assert_eq!(bound["cardNumber"], "64000001");
    assert_eq!(bound["canBorrow"], true);
    assert_ne!(bound["id"], first["id"]);
    // The card-less account is closed: its access token stops; its refresh token now
    // signs in as the card's holder.
    let r = app.gql_as(Some(&token), ME, json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    let renewed = app.gql(REFRESH, json!({"t": refresh})).await;
    let token = renewed.data()["refreshToken"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(me(app, &token).await["id"], bound["id"]);
    let addresses = app
        .gql_as(Some(&token), "{ myAddresses { label } }", json!({}))
        .await;
    assert_eq!(addresses.data()["myAddresses"][0]["label"], "家");
    let r = app
        .gql_as(
            Some(&token),
            REQUEST,
            json!({"i": {"bookId": book, "delivery": to_branch(&lib, "A")}}),
        )
        .await;
    assert_eq!(r.data()["requestBook"]["status"], "ROUTED");
    // Signing in from WeChat again is the card's holder; no reader was added or removed.
    let (again, _) = web_login(app, "oa-openid-wang").await;
    assert_eq!(me(app, &again).await["cardNumber"], "64000001");
    assert_eq!(
        hongyan_domain::entity::reader::Entity::find()
            .count(&app.ctx.db)
            .await
            .expect("count"),
        readers_before
    );
    // The same card cannot be bound by another WeChat user.
    let (stranger, _) = web_login(app, "oa-openid-stranger").await;
    let r = app
        .gql_as(
            Some(&stranger),
            BIND,
            json!({"c": "64000001", "p": "135790"}),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(
        r.0["errors"][0]["extensions"]["reason"],
        "CARD_BOUND_ELSEWHERE"
    );
}

pub(crate) fn application(name: &str, id: &str, pin: Option<&str>, branch: &str) -> Value {
    json!({"i": {"name": name, "idNumber": id, "mobile": "13912345678",
                 "homeBranchId": branch, "pin": pin}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_application_waits_for_the_desk_and_one_id_gets_one_card() {
    let lib = library("verify").await;
    let app = &lib.app;
    let book = lib.title("活着", &[("A", "A0002", "I247.5/2")]).await;
    let id = id_number("32058219900307123");
    let readers = || async {
        hongyan_domain::entity::reader::Entity::find()
            .count(&app.ctx.db)
            .await
            .expect("count")
    };
    let before = readers().await;

    // A wrong check character, or no PIN when not signed in: the field, nothing written.
    let last = id.chars().last().expect("char");
    let wrong = format!("{}{}", &id[..17], if last == '1' { '2' } else { '1' });
    for (bad, field) in [
        (
            application("李雷", &wrong, Some("2468"), &lib.id("A")),
            "idNumber",
        ),
        (application("李雷", &id, None, &lib.id("A")), "pin"),
        (
            application("李雷", &id, Some("2468"), &lib.id("SHOP")),
            "homeBranchId",
        ),
        (
            json!({"i": {"name": "李雷", "idNumber": id, "mobile": "12345", "homeBranchId": lib.id("A"), "pin": "2468"}}),
            "mobile",
        ),
    ] {
        let r = app.gql(REGISTER, bad.clone()).await;
        assert_eq!(r.code(), "VALIDATION", "{bad}");
        assert_eq!(r.0["errors"][0]["extensions"]["field"], field, "{}", r.0);
    }
    assert_eq!(readers().await, before);

    // A valid application: a card that waits for the desk.
    let r = app
        .gql(
            REGISTER,
            application("李雷", &id, Some("2468"), &lib.id("A")),
        )
        .await;
    let made = r.data()["registerReader"].clone();
    assert_eq!(made["status"], "PENDING");
    assert_eq!(made["canBorrow"], false);
    let card = made["cardNumber"].as_str().expect("card").to_owned();
    assert!(card.len() == 10 && card.starts_with('9'), "{card}");
    assert_eq!(
        made["idNumberMasked"],
        format!("{}***********{}", &id[..3], &id[14..])
    );
    let token = app.reader_token(&card, "2468").await;
    let r = app
        .gql_as(
            Some(&token),
            REQUEST,
            json!({"i": {"bookId": book, "delivery": to_branch(&lib, "A")}}),
        )
        .await;
    assert_eq!(
        r.0["errors"][0]["extensions"]["reason"],
        "REGISTRATION_PENDING"
    );

    // The same ID again: the card it has, masked.
    let r = app
        .gql(
            REGISTER,
            application("李雷", &id, Some("1357"), &lib.id("A")),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT");
    assert_eq!(r.0["errors"][0]["extensions"]["reason"], "ID_NUMBER_TAKEN");
    let message = r.0["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains(&card[..3]) && !message.contains(&card),
        "{message}"
    );

    // A desk checks the ID: the card lends.
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let r = app
        .gql_as(
            Some(&token),
            "mutation($r: ID!) { verifyReader(readerId: $r) { status } }",
            json!({"r": made["id"]}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN", "readers do not verify themselves");
    let r = app
        .gql_as(
            Some(&desk),
            "mutation($r: ID!) { verifyReader(readerId: $r) { status canBorrow } }",
            json!({"r": made["id"]}),
        )
        .await;
    assert_eq!(r.data()["verifyReader"]["status"], "ACTIVE");
    let r = app
        .gql_as(
            Some(&token),
            REQUEST,
            json!({"i": {"bookId": book, "delivery": to_branch(&lib, "A")}}),
        )
        .await;
    assert_eq!(r.data()["requestBook"]["status"], "ROUTED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_credit_policy_a_wechat_reader_gets_a_card_that_lends_at_once() {
    let lib = library("credit").await;
    let app = &lib.app;
    let (token, _) = web_login(app, "oa-openid-han").await;
    let r = app
        .gql_as(
            Some(&token),
            REGISTER,
            application(
                "韩梅梅",
                &id_number("11010519491231002"),
                None,
                &lib.id("A"),
            ),
        )
        .await;
    let made = r.data()["registerReader"].clone();
    assert_eq!(made["status"], "ACTIVE");
    assert_eq!(made["canBorrow"], true);
    let mine = me(app, &token).await;
    assert_eq!(mine["id"], made["id"], "the card is the signed-in reader's");
    assert_eq!(mine["mobileMasked"], "139****5678");
    // A second application from an account with a card is refused.
    let r = app
        .gql_as(
            Some(&token),
            REGISTER,
            application(
                "韩梅梅",
                &id_number("11010519800101001"),
                None,
                &lib.id("A"),
            ),
        )
        .await;
    assert_eq!(r.0["errors"][0]["extensions"]["reason"], "HAS_CARD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_sees_whether_a_locker_has_room() {
    let lib = library("verify").await;
    let (_, _door) = locker(&lib, "L-ROOM", "S=1", (31.88, 120.55)).await;
    let r = lib.app.gql("{ lockers { code hasRoom } }", json!({})).await;
    assert_eq!(
        r.data()["lockers"],
        json!([{"code": "L-ROOM", "hasRoom": true}])
    );
    let r = lib
        .app
        .gql("{ lockers { freeCompartments { free } } }", json!({}))
        .await;
    assert_eq!(
        r.code(),
        "UNAUTHENTICATED",
        "counts per size stay with staff"
    );
}
