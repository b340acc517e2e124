//! Writing a batch of imported records: their titles (matched by ISBN, or without one by
//! import key, [`work::import_key`]) and their copies (matched by barcode).
//!
//! A batch reads what exists with one query each (titles by ISBN, titles by import key,
//! copies by barcode), inserts what is new with multi-row INSERTs and updates only the rows
//! whose content changed, so re-importing an unchanged file writes nothing. A copy withdrawn
//! earlier that the file lists again is back on its shelf (`AVAILABLE`); one whose status in
//! the library's own system says withdrawn is withdrawn ([`withdrawal::withdraw`]: its request
//! routed again, kept while in circulation), and one it says lost is `MISSING` if on a shelf.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::SubQueryStatement;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder, QueryTrait};

use crate::catalog::isbn::Isbn13;
use crate::catalog::record::{ImportRecord, SourceStatus};
use crate::catalog::work;
use crate::config::RoutingPolicy;
use crate::entity::item::{self, ItemStatus};
use crate::entity::title;
use crate::infra::db;
use crate::lending::withdrawal;
use crate::{lifecycle, Result};

/// Bound parameters per INSERT statement (PostgreSQL takes 65,535, SQLite 32,766).
const PARAMS: usize = 30_000;

/// Updates sent together.
const UPDATES: usize = 200;

/// What writing a batch did.
#[derive(Default)]
pub struct Written {
    /// Titles created.
    pub titles_created: usize,
    /// Existing titles whose content changed.
    pub titles_updated: usize,
    /// Copies created.
    pub items_created: usize,
    /// Existing copies whose content changed.
    pub items_updated: usize,
    /// Titles not written whose copies were created or changed: the search index must read
    /// them again (the titles written carry the batch's time already).
    pub touched: Vec<Uuid>,
}

/// How a record finds its title.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Isbn(String),
    Edition(String),
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn joined(v: &[String]) -> Option<String> {
    let parts: Vec<&str> = v
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The title row a record describes, with the identity and times given.
fn title_row(
    isbn: Option<&Isbn13>,
    r: &ImportRecord,
    id: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> title::Model {
    let name = r.title.trim().to_owned();
    let authors = joined(&r.authors).unwrap_or_default();
    let publisher = clean(&r.publisher);
    title::Model {
        id,
        isbn: isbn.map(|i| i.as_str().to_owned()),
        work_key: work::key(&name, &authors),
        import_key: Some(work::import_key(
            &name,
            &authors,
            publisher.as_deref(),
            r.pub_year,
        )),
        title: name,
        subtitle: clean(&r.subtitle),
        authors,
        publisher,
        pub_year: r.pub_year,
        clc_class: clean(&r.clc_class),
        subjects: joined(&r.subjects),
        summary: clean(&r.summary),
        price_cents: r.price_cents,
        created_at,
        updated_at,
    }
}

fn key(isbn: Option<&Isbn13>, row: &title::Model) -> Key {
    match (isbn, &row.import_key) {
        (Some(i), _) => Key::Isbn(i.as_str().to_owned()),
        (None, k) => Key::Edition(k.clone().unwrap_or_default()),
    }
}

/// The titles these keys find, by key (the oldest of an edition's titles when there are more).
async fn existing_titles(
    db: &impl ConnectionTrait,
    keys: &[Key],
) -> Result<HashMap<Key, title::Model>> {
    let (mut isbns, mut editions) = (Vec::new(), Vec::new());
    for k in keys {
        match k {
            Key::Isbn(i) => isbns.push(i.clone()),
            Key::Edition(e) => editions.push(e.clone()),
        }
    }
    let mut found = HashMap::new();
    if !isbns.is_empty() {
        for t in title::Entity::find()
            .filter(title::Column::Isbn.is_in(isbns))
            .all(db)
            .await?
        {
            found.insert(Key::Isbn(t.isbn.clone().unwrap_or_default()), t);
        }
    }
    if !editions.is_empty() {
        for t in edition_query(editions).all(db).await? {
            let k = Key::Edition(t.import_key.clone().unwrap_or_default());
            found.entry(k).or_insert(t);
        }
    }
    Ok(found)
}

/// The titles without an ISBN of these import keys, oldest first (one index lookup per key).
pub fn edition_query(keys: Vec<String>) -> Select<title::Entity> {
    title::Entity::find()
        .filter(title::Column::ImportKey.is_in(keys))
        .filter(title::Column::Isbn.is_null())
        .order_by_asc(title::Column::Id)
}

/// A title of the batch: the row to have and the row there is, if any.
struct Slot {
    row: title::Model,
    old: Option<title::Model>,
}

/// Writes a batch of validated records (ISBN parsed, branches known) and their copies.
///
/// # Errors
/// INTERNAL on a database fault (the caller then writes the records one by one to tell
/// which one the database refuses).
pub async fn batch(
    db: &impl ConnectionTrait,
    branches: &HashMap<String, Uuid>,
    records: &[(Option<&Isbn13>, &ImportRecord)],
    routing: RoutingPolicy,
    now: DateTime<Utc>,
) -> Result<Written> {
    let mut done = Written::default();
    let wanted: Vec<(Key, title::Model)> = records
        .iter()
        .map(|(isbn, r)| {
            let row = title_row(*isbn, r, Uuid::nil(), now, now);
            (key(*isbn, &row), row)
        })
        .collect();
    let keys: Vec<Key> = wanted.iter().map(|(k, _)| k.clone()).collect();
    let mut found = existing_titles(db, &keys).await?;

    // Each record's title: found, new, or one an earlier record of the batch had.
    let mut slots: HashMap<Key, Slot> = HashMap::new();
    let mut order = Vec::new();
    let mut title_of = Vec::with_capacity(records.len());
    for (k, mut row) in wanted {
        match slots.entry(k.clone()) {
            Entry::Occupied(mut slot) => {
                // A later record of the same title: the last one says what it is.
                let slot = slot.get_mut();
                (row.id, row.created_at, row.updated_at) =
                    (slot.row.id, slot.row.created_at, slot.row.updated_at);
                slot.row = row;
            }
            Entry::Vacant(v) => {
                let old = found.remove(&k);
                match &old {
                    Some(old) => {
                        (row.id, row.created_at, row.updated_at) =
                            (old.id, old.created_at, old.updated_at);
                    }
                    None => row.id = Uuid::now_v7(),
                }
                order.push(k.clone());
                v.insert(Slot { row, old });
            }
        }
        title_of.push(slots[&k].row.id);
    }

    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut written = HashSet::new();
    for k in &order {
        let slot = slots
            .remove(k)
            .unwrap_or_else(|| unreachable!("every key has a slot"));
        let Some(old) = slot.old else {
            done.titles_created += 1;
            written.insert(slot.row.id);
            inserts.push(slot.row.into_active_model());
            continue;
        };
        if slot.row != old {
            done.titles_updated += 1;
            written.insert(slot.row.id);
            let id = slot.row.id;
            let mut row = slot.row.into_active_model().reset_all();
            row.updated_at = Set(now);
            updates.push(SubQueryStatement::UpdateStatement(
                title::Entity::update_many()
                    .set(row)
                    .filter(title::Column::Id.eq(id))
                    .into_query(),
            ));
        }
    }
    insert_all::<title::Entity>(
        db,
        inserts,
        <title::Column as sea_orm::Iterable>::iter().count(),
    )
    .await?;

    // Copies: the existing ones by barcode, in one query.
    let barcodes: Vec<String> = records
        .iter()
        .flat_map(|(_, r)| r.holdings.iter().map(|h| h.barcode.trim().to_owned()))
        .collect();
    let mut copies: HashMap<String, item::Model> = if barcodes.is_empty() {
        HashMap::new()
    } else {
        item::Entity::find()
            .filter(item::Column::Barcode.is_in(barcodes))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.barcode.clone(), i))
            .collect()
    };
    let mut fresh: Vec<item::ActiveModel> = Vec::new();
    // Copies whose standing the file changes: back on the shelf, withdrawn, lost.
    let (mut reinstated, mut withdrawn, mut lost) = (Vec::new(), Vec::new(), Vec::new());
    let mut fresh_at: HashMap<String, usize> = HashMap::new();
    for ((_, r), title_id) in records.iter().zip(title_of) {
        for h in &r.holdings {
            let branch = *branches.get(&h.branch_code).ok_or_else(|| {
                crate::Error::validation(text!("import-unknown-branch", code = &h.branch_code))
            })?;
            let barcode = h.barcode.trim();
            let call_number = h.call_number.trim();
            if let Some(old) = copies.remove(barcode) {
                let mut row = old.clone();
                row.title_id = title_id;
                call_number.clone_into(&mut row.call_number);
                row.home_branch_id = branch;
                if let Some(net) = h.net_lending {
                    row.net_lending = net;
                }
                if h.location.is_some() {
                    row.location.clone_from(&h.location);
                }
                let standing = match (h.status, old.status) {
                    // A withdrawn copy the file lists again is back on its shelf.
                    (None, ItemStatus::Withdrawn) => {
                        reinstated.push(old.id);
                        true
                    }
                    (Some(SourceStatus::Withdrawn), s) if s != ItemStatus::Withdrawn => {
                        withdrawn.push(old.clone());
                        true
                    }
                    (Some(SourceStatus::Missing), ItemStatus::Available) => {
                        lost.push(old.id);
                        true
                    }
                    _ => false,
                };
                if row != old || standing {
                    done.items_updated += 1;
                    done.touched.extend([old.title_id, title_id]);
                }
                if row != old {
                    let mut row = row.into_active_model().reset_all();
                    row.updated_at = Set(now);
                    updates.push(SubQueryStatement::UpdateStatement(
                        item::Entity::update_many()
                            .set(row)
                            .filter(item::Column::Id.eq(old.id))
                            .into_query(),
                    ));
                }
            } else if h.status == Some(SourceStatus::Withdrawn) {
                // Withdrawn in the library's system before Hongyan ever had it: not a copy.
                continue;
            } else if let Some(&at) = fresh_at.get(barcode) {
                // The same barcode twice in a batch (spaced differently): the last one wins.
                let copy = &mut fresh[at];
                copy.title_id = Set(title_id);
                copy.call_number = Set(call_number.to_owned());
                copy.home_branch_id = Set(branch);
                copy.current_branch_id = Set(branch);
                copy.net_lending = Set(h.net_lending.unwrap_or(true));
                copy.location = Set(h.location.clone());
                done.touched.push(title_id);
            } else {
                let mut copy =
                    crate::catalog::books::new_copy(title_id, barcode, call_number, branch, now)?;
                copy.net_lending = Set(h.net_lending.unwrap_or(true));
                copy.location = Set(h.location.clone());
                if h.status == Some(SourceStatus::Missing) {
                    if let Set(id) = copy.id {
                        lost.push(id);
                    }
                }
                fresh_at.insert(barcode.to_owned(), fresh.len());
                fresh.push(copy);
                done.items_created += 1;
                done.touched.push(title_id);
            }
        }
    }
    insert_all::<item::Entity>(
        db,
        fresh,
        <item::Column as sea_orm::Iterable>::iter().count(),
    )
    .await?;
    for chunk in updates.chunks(UPDATES) {
        db::write_all(db, chunk.to_vec()).await?;
    }
    for (ids, from, to) in [
        (reinstated, ItemStatus::Withdrawn, ItemStatus::Available),
        (lost, ItemStatus::Available, ItemStatus::Missing),
    ] {
        if !ids.is_empty() {
            // Conditional on the state read: a copy lending moved meanwhile stays as it is.
            lifecycle::advance_all::<item::Entity>(&[from], to)?
                .col_expr(item::Column::UpdatedAt, Expr::value(now))
                .filter(item::Column::Id.is_in(ids))
                .exec(db)
                .await?;
        }
    }
    for copy in withdrawn {
        withdrawal::withdraw(db, &copy, routing, now).await?;
    }
    done.touched.retain(|t| !written.contains(t));
    done.touched.sort_unstable();
    done.touched.dedup();
    Ok(done)
}

/// Inserts these rows with as few multi-row INSERTs as the databases' parameter limits allow.
async fn insert_all<E>(
    db: &impl ConnectionTrait,
    rows: Vec<E::ActiveModel>,
    columns: usize,
) -> Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let per = (PARAMS / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(per).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}
