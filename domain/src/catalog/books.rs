//! Titles as readers and staff see them: bibliographic data with availability.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

use super::availability::{self, Availability};
use super::isbn::Isbn13;
use crate::entity::{item, title};
use crate::{lifecycle, Error, Result};

/// A title with its availability.
#[derive(Debug, Clone)]
pub struct Book {
    /// The bibliographic record.
    pub title: title::Model,
    /// Its copies, overall and per branch.
    pub availability: Availability,
}

/// Books for these title ids, in the given order (unknown ids are skipped).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Book>> {
    let titles = title::Entity::find()
        .filter(title::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut avail = availability::for_titles(db, ids).await?;
    let mut by_id: std::collections::HashMap<Uuid, title::Model> =
        titles.into_iter().map(|t| (t.id, t)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|t| Book {
            availability: avail.remove(&t.id).unwrap_or_default(),
            title: t,
        })
        .collect())
}

/// One book by id.
///
/// # Errors
/// NOT_FOUND when there is no such title.
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Book> {
    by_ids(db, &[id])
        .await?
        .pop()
        .ok_or(Error::NotFound("book"))
}

/// One book by ISBN (10 or 13 digits, hyphens allowed).
///
/// # Errors
/// VALIDATION for a malformed ISBN; NOT_FOUND when the library has no such title.
pub async fn by_isbn(db: &impl ConnectionTrait, isbn: &str) -> Result<Book> {
    let isbn = Isbn13::parse(isbn)?;
    let t = title::Entity::find()
        .filter(title::Column::Isbn.eq(isbn.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("book"))?;
    by_id(db, t.id).await
}

/// Up to `limit` titles by id, after `after` (from the first when None): a keyset page for
/// walking the whole catalogue.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn titles_after(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<title::Model>> {
    let mut page = title::Entity::find()
        .order_by_asc(title::Column::Id)
        .limit(limit);
    if let Some(a) = after {
        page = page.filter(title::Column::Id.gt(a));
    }
    Ok(page.all(db).await?)
}

/// Every copy of a title, by barcode (staff).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn copies(db: &impl ConnectionTrait, title_id: Uuid) -> Result<Vec<item::Model>> {
    Ok(item::Entity::find()
        .filter(item::Column::TitleId.eq(title_id))
        .order_by_asc(item::Column::Barcode)
        .all(db)
        .await?)
}

/// A new copy on the shelf of `branch` (its home), available for net lending.
///
/// # Errors
/// INTERNAL when the copy's table lets none begin AVAILABLE.
pub(crate) fn new_copy(
    title_id: Uuid,
    barcode: &str,
    call_number: &str,
    branch: Uuid,
    now: DateTime<Utc>,
) -> Result<item::ActiveModel> {
    Ok(item::ActiveModel {
        id: sea_orm::ActiveValue::Set(Uuid::now_v7()),
        title_id: sea_orm::ActiveValue::Set(title_id),
        barcode: sea_orm::ActiveValue::Set(barcode.trim().to_owned()),
        call_number: sea_orm::ActiveValue::Set(call_number.trim().to_owned()),
        location: sea_orm::ActiveValue::Set(None),
        home_branch_id: sea_orm::ActiveValue::Set(branch),
        current_branch_id: sea_orm::ActiveValue::Set(branch),
        status: sea_orm::ActiveValue::Set(lifecycle::begin(item::ItemStatus::Available)?),
        net_lending: sea_orm::ActiveValue::Set(true),
        uncatalogued: sea_orm::ActiveValue::Set(false),
        created_at: sea_orm::ActiveValue::Set(now),
        updated_at: sea_orm::ActiveValue::Set(now),
        times_lent: sea_orm::ActiveValue::Set(0),
    })
}

/// One copy by id.
///
/// # Errors
/// NOT_FOUND when there is none.
pub async fn copy(db: &impl ConnectionTrait, id: Uuid) -> Result<item::Model> {
    item::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("copy"))
}
