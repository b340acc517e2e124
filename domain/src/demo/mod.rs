//! The demo library: a county-level city's network (central library, branches, 24-hour
//! city study rooms, a partner bookstore, smart lockers) with a catalogue of Chinese titles
//! spread over the branches, a wholesaler's feed and this year's purchase budget
//! ([`vendor`]), demo logins for every role, and a generated year of history so the
//! statistics have something to show ([`history`]).
//!
//! `hongyan serve` loads it into an empty database, so a fresh machine has something real
//! to search, request and deliver. Its logins are published (README, start-up banner), so
//! in production (`HONGYAN_ENV=production`) `serve` never loads it, and its credentials are
//! refused even where someone loaded it by name ([`is_demo_login`], [`is_demo_locker_token`]).

mod catalogue;
pub mod history;
mod places;
mod vendor;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, TransactionTrait,
};

use crate::auth::StaffRole;
use crate::entity::{branch, reader};
use crate::{people, Result};

/// Demo logins, printed at start-up: (who, how to log in).
pub const LOGINS: &[(&str, &str)] = &[
    (
        "reader (loginWithCard)",
        "card 20250001 / PIN 123456  (张小雨)",
    ),
    (
        "reader (loginWithCard)",
        "card 20250002 / PIN 123456  (李明)",
    ),
    ("admin (staffLogin)", "admin / hongyan-admin"),
    ("librarian, central library", "librarian / hongyan-demo"),
    ("picker, central library", "picker / hongyan-demo"),
    ("dispatcher, central library", "dispatcher / hongyan-demo"),
    ("bookstore clerk, Xinhua bookstore", "clerk / hongyan-demo"),
    (
        "locker controller L-ZJG-01",
        "Authorization: Bearer demo-locker-L-ZJG-01",
    ),
];

/// Demo readers: card, PIN, name and the email their notifications fall back to (the
/// docker-compose Mailpit shows them).
const READERS: &[(&str, &str, &str, &str)] = &[
    ("20250001", "123456", "张小雨", "zhangxiaoyu@example.cn"),
    ("20250002", "123456", "李明", "liming@example.cn"),
    ("20250003", "123456", "王芳", "wangfang@example.cn"),
];

const STAFF: &[(&str, &str, StaffRole, &[&str])] = &[
    ("admin", "hongyan-admin", StaffRole::Admin, &[]),
    ("librarian", "hongyan-demo", StaffRole::Librarian, &["ZJG"]),
    ("picker", "hongyan-demo", StaffRole::Picker, &["ZJG"]),
    (
        "dispatcher",
        "hongyan-demo",
        StaffRole::Dispatcher,
        &["ZJG"],
    ),
    (
        "clerk",
        "hongyan-demo",
        StaffRole::BookstoreClerk,
        &["XHSD"],
    ),
];

/// The prefix of the demo lockers' device tokens (`demo-locker-{code}`).
const LOCKER_TOKEN_PREFIX: &str = "demo-locker-";

/// Whether `login` / `secret` is one of the demo's published reader or staff logins
/// (card and PIN, or user name and password).
pub fn is_demo_login(login: &str, secret: &str) -> bool {
    let login = login.trim();
    READERS
        .iter()
        .any(|(card, pin, ..)| *card == login && *pin == secret)
        || STAFF
            .iter()
            .any(|(user, password, ..)| *user == login && *password == secret)
}

/// Whether `token` is one of the demo lockers' published device tokens.
pub fn is_demo_locker_token(token: &str) -> bool {
    token.trim().starts_with(LOCKER_TOKEN_PREFIX)
}

/// The demo locker device token of locker `code` (published: the simulation's lockers
/// speak with it).
pub fn locker_token(code: &str) -> String {
    format!("{LOCKER_TOKEN_PREFIX}{code}")
}

/// Loads the demo library when the database has no branches yet. Returns whether it did.
///
/// # Errors
/// A database fault; nothing is written then.
pub async fn load_if_empty(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<bool> {
    if branch::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    load(db, now).await
}

/// Loads the demo library with its year of history ([`history`]) in one transaction.
/// Returns false (and changes nothing) when its central library is already there.
///
/// # Errors
/// A database fault or a clash with existing data; nothing is written then.
pub async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<bool> {
    load_with(db, now, true).await
}

/// Loads the demo library in one transaction, with its year of history when `history`.
/// Returns false (and changes nothing) when its central library is already there.
///
/// # Errors
/// A database fault or a clash with existing data; nothing is written then.
pub async fn load_with(db: &DatabaseConnection, now: DateTime<Utc>, history: bool) -> Result<bool> {
    let txn = crate::infra::db::begin_write(db).await?;
    if crate::branches::by_code(&txn, places::CENTRAL)
        .await
        .is_ok()
    {
        return Ok(false);
    }
    let branches = places::insert_branches(&txn, now).await?;
    places::insert_lockers(&txn, now).await?;
    let (titles, items) = catalogue::insert(&txn, &branches, now).await?;
    vendor::insert(&txn, now).await?;
    accounts(&txn, now).await?;
    let year = if history {
        history::insert(&txn, now).await?
    } else {
        history::Summary::default()
    };
    txn.commit().await?;
    tracing::info!(
        branches = branches.len(),
        titles,
        items,
        readers = year.readers,
        requests = year.requests,
        loans = year.loans,
        active_loans = year.active_loans,
        proposals = year.proposals,
        "demo library loaded"
    );
    Ok(true)
}

async fn accounts<C: ConnectionTrait + TransactionTrait>(db: &C, now: DateTime<Utc>) -> Result<()> {
    for (card, pin, name, email) in READERS {
        let mut reader: reader::ActiveModel =
            people::add_reader(db, card, pin, name, now).await?.into();
        reader.email = Set(Some((*email).to_owned()));
        reader.update(db).await?;
    }
    for (username, password, role, branches) in STAFF {
        let codes: Vec<String> = branches.iter().map(|b| (*b).to_owned()).collect();
        people::insert_staff(db, username, password, *role, &codes, now).await?;
    }
    Ok(())
}
