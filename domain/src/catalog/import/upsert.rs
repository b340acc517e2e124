//! Writing one imported record: its title (matched by ISBN or by title key) and its copies
//! (matched by barcode).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel};

use crate::catalog::isbn::Isbn13;
use crate::catalog::record::ImportRecord;
use crate::catalog::work;
use crate::entity::item;
use crate::entity::title;
use crate::Result;

/// What writing one record did.
pub struct Upserted {
    pub title_id: Uuid,
    pub title_created: bool,
    pub items_created: usize,
    pub items_updated: usize,
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

/// The title a record describes: the one with its ISBN, or without an ISBN the one with its
/// title, authors, publisher and year (all four in the query: editions that differ only in
/// publisher or year are different titles, whichever the database would find first).
async fn existing_title(
    db: &impl ConnectionTrait,
    isbn: Option<&Isbn13>,
    r: &ImportRecord,
) -> Result<Option<title::Model>> {
    let q = title::Entity::find();
    let q = match isbn {
        Some(i) => q.filter(title::Column::Isbn.eq(i.as_str())),
        None => q
            .filter(title::Column::Isbn.is_null())
            .filter(title::Column::Title.eq(r.title.trim()))
            .filter(title::Column::Authors.eq(joined(&r.authors).unwrap_or_default()))
            .filter(match clean(&r.publisher) {
                Some(p) => title::Column::Publisher.eq(p),
                None => title::Column::Publisher.is_null(),
            })
            .filter(match r.pub_year {
                Some(y) => title::Column::PubYear.eq(y),
                None => title::Column::PubYear.is_null(),
            }),
    };
    Ok(q.one(db).await?)
}

/// Upserts the title and its copies.
pub async fn record(
    db: &impl ConnectionTrait,
    branches: &HashMap<String, Uuid>,
    isbn: Option<&Isbn13>,
    r: &ImportRecord,
    now: DateTime<Utc>,
) -> Result<Upserted> {
    let found = existing_title(db, isbn, r).await?;
    let title_created = found.is_none();
    let mut t = match found {
        Some(t) => t.into_active_model(),
        None => title::ActiveModel {
            id: Set(Uuid::now_v7()),
            created_at: Set(now),
            ..Default::default()
        },
    };
    t.isbn = Set(isbn.map(|i| i.as_str().to_owned()));
    t.title = Set(r.title.trim().to_owned());
    t.subtitle = Set(clean(&r.subtitle));
    let authors = joined(&r.authors).unwrap_or_default();
    work::stamp(&mut t, r.title.trim(), &authors);
    t.authors = Set(authors);
    t.publisher = Set(clean(&r.publisher));
    t.pub_year = Set(r.pub_year);
    t.clc_class = Set(clean(&r.clc_class));
    t.subjects = Set(joined(&r.subjects));
    t.summary = Set(clean(&r.summary));
    t.price_cents = Set(r.price_cents);
    t.updated_at = Set(now);
    let t = if title_created {
        t.insert(db).await?
    } else {
        t.update(db).await?
    };

    let (mut items_created, mut items_updated) = (0, 0);
    for h in &r.holdings {
        let branch = *branches.get(&h.branch_code).ok_or_else(|| {
            crate::Error::validation(text!("import-unknown-branch", code = &h.branch_code))
        })?;
        match item::Entity::find()
            .filter(item::Column::Barcode.eq(h.barcode.trim()))
            .one(db)
            .await?
        {
            Some(existing) => {
                let mut i = existing.into_active_model();
                i.title_id = Set(t.id);
                i.call_number = Set(h.call_number.trim().to_owned());
                i.home_branch_id = Set(branch);
                if let Some(net) = h.net_lending {
                    i.net_lending = Set(net);
                }
                if h.location.is_some() {
                    i.location = Set(h.location.clone());
                }
                i.updated_at = Set(now);
                i.update(db).await?;
                items_updated += 1;
            }
            None => {
                let mut copy =
                    crate::catalog::books::new_copy(t.id, &h.barcode, &h.call_number, branch, now)?;
                copy.net_lending = Set(h.net_lending.unwrap_or(true));
                copy.location = Set(h.location.clone());
                copy.insert(db).await?;
                items_created += 1;
            }
        }
    }
    Ok(Upserted {
        title_id: t.id,
        title_created,
        items_created,
        items_updated,
    })
}
