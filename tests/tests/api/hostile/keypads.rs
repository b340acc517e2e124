//! Locker keypads: wrong codes are counted before they are checked, so guesses sent at once
//! get no more tries than guesses sent one by one; and drop codes are kept only as keyed
//! hashes, like pickup codes, so a copy of the database opens no door.

use hongyan_domain::auth::StaffRole;
use hongyan_domain::dispatch::{pickups, returns};
use hongyan_tests::TestOptions;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::library::{locker, Library};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_codes_at_once_are_checked_no_more_than_the_free_tries() {
    let lib = Library::open(TestOptions::default()).await;
    let (_, door) = locker(&lib, "L-K1", "S=2", (31.88, 120.55)).await;
    let guesses = (0..30).map(|i| {
        let door = &door;
        async move {
            door.post(
                "/pickups/verify",
                json!({"code": format!("{:06}", 300_000 + i)}),
            )
            .await
            .0
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 404).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 30, "{statuses:?}");
    let free = usize::try_from(pickups::PER_LOCKER.free).expect("small");
    assert!(
        checked <= free,
        "{checked} codes were checked: {statuses:?}"
    );
}

/// The `code` column of every return ticket.
async fn stored_codes(lib: &Library) -> Vec<String> {
    let db = &lib.app.ctx.db;
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT code FROM return_ticket",
    ))
    .await
    .expect("tickets")
    .iter()
    .map(|row| row.try_get::<String>("", "code").expect("code"))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_codes_are_stored_only_as_keyed_hashes() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    lib.title("平凡的世界", &[("A", "A0901", "I247.5/3")]).await;
    let (locker_id, door) = locker(&lib, "L-K2", "S=1,M=1", (31.881, 120.551)).await;
    let me = lib.reader("50000051").await;
    let desk = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    let loan = app
        .gql_as(
            Some(&desk),
            "mutation { checkOut(barcode: \"A0901\", cardNumber: \"50000051\") { id } }",
            json!({}),
        )
        .await;
    let ticket = app
        .gql_as(
            Some(&me),
            "mutation($l: ID!, $k: ID) { startReturn(loanId: $l, method: LOCKER, lockerId: $k) { code } }",
            json!({"l": loan.data()["checkOut"]["id"], "k": locker_id}),
        )
        .await;
    let code = ticket.data()["startReturn"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let stored = stored_codes(&lib).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 64, "a keyed hash");
    assert!(!stored[0].contains(&code));

    // A ticket an older version stored in plain text is hashed at start-up and still works.
    let db = &app.ctx.db;
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE return_ticket SET code = $1",
        [code.clone().into()],
    ))
    .await
    .expect("as an old version stored it");
    assert_eq!(returns::seal_plain_codes(&app.ctx).await.expect("seal"), 1);
    assert_eq!(returns::seal_plain_codes(&app.ctx).await.expect("again"), 0);
    assert!(!stored_codes(&lib).await[0].contains(&code));
    let (status, opened) = door.post("/returns/verify", json!({"code": code})).await;
    assert_eq!(status, 200, "{opened}");
}
