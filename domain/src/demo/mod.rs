//! The demo library: a county-level city's network (central library, branches, 24-hour
//! city study rooms, a partner bookstore, smart lockers) with a catalogue of Chinese titles
//! spread over the branches, and demo logins for every role.
//!
//! `hongyan serve` loads it into an empty database, so a fresh machine has something real
//! to search, request and deliver.

mod catalogue;
mod places;

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

/// Loads the demo library when the database has no branches yet. Returns whether it did.
///
/// # Errors
/// A database fault; nothing is written then.
pub async fn load_if_empty(db: &DatabaseConnection) -> Result<bool> {
    if branch::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    load(db).await
}

/// Loads the demo library in one transaction. Returns false (and changes nothing) when its
/// central library is already there.
///
/// # Errors
/// A database fault or a clash with existing data; nothing is written then.
pub async fn load(db: &DatabaseConnection) -> Result<bool> {
    let txn = db.begin().await?;
    if crate::branches::by_code(&txn, places::CENTRAL)
        .await
        .is_ok()
    {
        return Ok(false);
    }
    let branches = places::insert_branches(&txn).await?;
    places::insert_lockers(&txn).await?;
    let (titles, items) = catalogue::insert(&txn, &branches).await?;
    accounts(&txn).await?;
    txn.commit().await?;
    tracing::info!(
        branches = branches.len(),
        titles,
        items,
        "demo library loaded"
    );
    Ok(true)
}

async fn accounts<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<()> {
    for (card, pin, name, email) in READERS {
        let mut reader: reader::ActiveModel = people::add_reader(db, card, pin, name).await?.into();
        reader.email = Set(Some((*email).to_owned()));
        reader.update(db).await?;
    }
    for (username, password, role, branches) in STAFF {
        let codes: Vec<String> = branches.iter().map(|b| (*b).to_owned()).collect();
        people::add_staff(db, username, password, *role, &codes).await?;
    }
    Ok(())
}
