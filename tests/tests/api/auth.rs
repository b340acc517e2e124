//! Logins, tokens and role guards.

use base64::Engine;
use hongyan_domain::auth::StaffRole;
use hongyan_domain::people;
use hongyan_tests::{TestApp, JWT_SECRET};
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

const ME: &str = "{ me { id name cardNumber wechatLinked } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresIn } }";
const CARD_LOGIN: &str =
    "mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken refreshToken expiresIn } }";
const WECHAT_LOGIN: &str =
    "mutation($c: String!) { loginWithWechat(code: $c) { accessToken refreshToken } }";

async fn app_with_reader() -> TestApp {
    let app = TestApp::spawn().await;
    people::add_reader(&app.ctx.db, "20250001", "123456", "张小雨", app.ctx.now())
        .await
        .expect("reader");
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_login_gives_a_token_that_shows_me() {
    let app = app_with_reader().await;
    let login = app
        .gql(CARD_LOGIN, json!({"c": "20250001", "p": "123456"}))
        .await;
    let payload = &login.data()["loginWithCard"];
    assert_eq!(payload["expiresIn"], 900);
    let me = app
        .gql_as(payload["accessToken"].as_str(), ME, json!({}))
        .await;
    assert_eq!(me.data()["me"]["name"], "张小雨");
    assert_eq!(me.data()["me"]["cardNumber"], "20250001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pin_unknown_card_and_malformed_card_are_refused() {
    let app = app_with_reader().await;
    for (card, pin) in [
        ("20250001", "654321"),
        ("99999999", "123456"),
        ("", ""),
        ("'; DROP TABLE reader; --", "1"),
    ] {
        let r = app.gql(CARD_LOGIN, json!({"c": card, "p": pin})).await;
        assert_eq!(r.code(), "UNAUTHENTICATED", "{card}/{pin}");
    }
    assert_eq!(app.gql(ME, json!({})).await.code(), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_first_login_creates_the_reader_and_later_logins_find_them() {
    let app = TestApp::spawn().await;
    let code = app
        .wechat
        .issue_code("o6_bmjrPTlm6_2sgVt7hMZOPfL2M", Some("union-1"));
    let first = app.gql(WECHAT_LOGIN, json!({"c": code})).await;
    let token = first.data()["loginWithWechat"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let me1 = app.gql_as(Some(&token), ME, json!({})).await.data()["me"].clone();
    assert_eq!(me1["wechatLinked"], true);
    assert_eq!(me1["cardNumber"], Value::Null);

    let again = app
        .wechat
        .issue_code("o6_bmjrPTlm6_2sgVt7hMZOPfL2M", Some("union-1"));
    let second = app.gql(WECHAT_LOGIN, json!({"c": again})).await;
    let token2 = second.data()["loginWithWechat"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let me2 = app.gql_as(Some(&token2), ME, json!({})).await.data()["me"].clone();
    assert_eq!(
        me1["id"], me2["id"],
        "the same WeChat user is the same reader"
    );

    // A code works once (40163), an unknown one never (40029).
    assert_eq!(
        app.gql(WECHAT_LOGIN, json!({"c": code})).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(WECHAT_LOGIN, json!({"c": "made-up"})).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(WECHAT_LOGIN, json!({"c": "throttled"}))
            .await
            .code(),
        "RATE_LIMITED"
    );
    assert_eq!(
        app.gql(WECHAT_LOGIN, json!({"c": "busy"})).await.code(),
        "INTERNAL"
    );
    assert_eq!(
        app.gql(WECHAT_LOGIN, json!({"c": ""})).await.code(),
        "VALIDATION"
    );
    assert_eq!(app.wechat.calls(), 6, "an empty code never reaches WeChat");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_login_and_wrong_password() {
    let app = TestApp::spawn().await;
    people::add_staff(
        &app.ctx.db,
        "admin",
        "correct horse",
        StaffRole::Admin,
        &[],
        app.ctx.now(),
    )
    .await
    .expect("staff");
    let ok = app.gql("mutation { staffLogin(username: \"admin\", password: \"correct horse\") { accessToken } }", json!({})).await;
    assert!(ok.data()["staffLogin"]["accessToken"].as_str().is_some());
    let bad = app.gql("mutation { staffLogin(username: \"admin\", password: \"wrong horse\") { accessToken } }", json!({})).await;
    assert_eq!(bad.code(), "UNAUTHENTICATED");
    let nobody = app.gql("mutation { staffLogin(username: \"nobody\", password: \"correct horse\") { accessToken } }", json!({})).await;
    assert_eq!(nobody.code(), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = app_with_reader().await;
    let login = app
        .gql(CARD_LOGIN, json!({"c": "20250001", "p": "123456"}))
        .await;
    let r0 = login.data()["loginWithCard"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();

    let rotated = app.gql(REFRESH, json!({"t": r0})).await;
    let r1 = rotated.data()["refreshToken"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let access = rotated.data()["refreshToken"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    assert_ne!(r0, r1);
    assert_eq!(
        app.gql_as(Some(&access), ME, json!({})).await.data()["me"]["name"],
        "张小雨"
    );

    // r0 again: stolen or replayed. Refused, and r1 (same family) dies with it.
    assert_eq!(
        app.gql(REFRESH, json!({"t": r0})).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(REFRESH, json!({"t": r1})).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(REFRESH, json!({"t": "not-a-token"})).await.code(),
        "UNAUTHENTICATED"
    );
}

fn sign(claims: Value, secret: &str) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_and_misdirected_tokens_are_refused() {
    let app = app_with_reader().await;
    let good = app.reader_token("20250001", "123456").await;
    let sub = app.gql_as(Some(&good), ME, json!({})).await.data()["me"]["id"].clone();
    let now = chrono::Utc::now().timestamp();
    let claims = |over: Value| {
        let mut c = json!({"iss": "hongyan", "aud": "hongyan-api", "sub": sub, "iat": now, "exp": now + 600, "role": "READER"});
        for (k, v) in over.as_object().expect("object") {
            if v.is_null() {
                c.as_object_mut().expect("object").remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    // The control: a correctly forged token works, so the refusals below are about the defect.
    assert!(app
        .gql_as(Some(&sign(claims(json!({})), JWT_SECRET)), ME, json!({}))
        .await
        .0
        .get("errors")
        .is_none());

    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims(json!({})))
    );
    let cases = [
        (
            "expired",
            sign(
                claims(json!({"exp": now - 3600, "iat": now - 7200})),
                JWT_SECRET,
            ),
        ),
        (
            "other key",
            sign(
                claims(json!({})),
                "another-secret-another-secret-0123456789",
            ),
        ),
        ("alg none", alg_none),
        (
            "wrong audience",
            sign(claims(json!({"aud": "someone-else"})), JWT_SECRET),
        ),
        (
            "wrong issuer",
            sign(claims(json!({"iss": "evil"})), JWT_SECRET),
        ),
        ("no subject", sign(claims(json!({"sub": null})), JWT_SECRET)),
        ("no expiry", sign(claims(json!({"exp": null})), JWT_SECRET)),
        ("no role", sign(claims(json!({"role": null})), JWT_SECRET)),
        (
            "unknown role",
            sign(claims(json!({"role": "SUPERUSER"})), JWT_SECRET),
        ),
        ("garbage", "abc.def.ghi".to_owned()),
    ];
    for (what, token) in cases {
        let r = app.gql_as(Some(&token), ME, json!({})).await;
        assert_eq!(r.code(), "UNAUTHENTICATED", "{what}");
    }
    // A rejected token still lets public fields answer.
    let r = app
        .gql_as(Some("garbage"), "{ branches { id } }", json!({}))
        .await;
    assert!(r.data()["branches"].is_array());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_guards_keep_readers_out_of_staff_fields() {
    let app = app_with_reader().await;
    people::add_staff(
        &app.ctx.db,
        "admin",
        "correct horse",
        StaffRole::Admin,
        &[],
        app.ctx.now(),
    )
    .await
    .expect("staff");
    let reader = app.reader_token("20250001", "123456").await;
    let admin = app.staff_token("admin", "correct horse").await;
    let q = "{ deadJobs { id } }";
    assert_eq!(
        app.gql_as(Some(&reader), q, json!({})).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(app.gql(q, json!({})).await.code(), "UNAUTHENTICATED");
    assert!(app.gql_as(Some(&admin), q, json!({})).await.data()["deadJobs"].is_array());
    // Staff have no reader account: `me` is null for them.
    assert_eq!(
        app.gql_as(Some(&admin), ME, json!({})).await.data()["me"],
        Value::Null
    );
}
