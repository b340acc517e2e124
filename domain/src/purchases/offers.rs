//! Vendors' catalogues: the partner bookstore's or a wholesaler's feed of the books they sell
//! (ISBN, title, author, publisher, year, price, CLC class, stock), imported by librarians.
//! A reader's proposal is judged on these rather than on what the reader typed
//! ([`super::proposals`]), and the app fills a proposal in from them.
//!
//! A feed is CSV, UTF-8, with a header row naming `isbn`, `title` and `price` (yuan, e.g.
//! `59.00`) and optionally `author`, `publisher`, `year`, `clc_class` and `stock`; or MARC
//! records ([`Feed::Marc`]). A row for an ISBN the vendor listed before replaces it; bad rows
//! are reported by line (or record) and reason and the rest are kept.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{Principal, StaffRole};
use crate::catalog::import::marc::MarcReader;
use crate::catalog::isbn::Isbn13;
use crate::entity::{title, vendor, vendor_offer};
use crate::i18n::{Locale, Text};
use crate::{Ctx, Error, Result};

pub use vendor_offer::Model as Offer;

/// The largest feed taken at once.
pub const MAX_FEED_BYTES: usize = 8 * 1024 * 1024;
/// The most rows a feed may have.
pub const MAX_FEED_ROWS: usize = 50_000;
/// The dearest price a feed may give (cents): 10,000 yuan.
const MAX_PRICE_CENTS: i64 = 1_000_000;
/// Rows written per statement.
const CHUNK: usize = 500;

/// What a feed import did.
#[derive(Debug, Clone, Default)]
pub struct FeedImport {
    /// Rows stored (new or replacing the vendor's earlier row for the ISBN).
    pub stored: u64,
    /// Rows refused: line number (the header is line 1) and why, in Simplified Chinese.
    pub rejected: Vec<(u64, String)>,
}

/// The columns of a feed, by position.
struct Columns {
    isbn: usize,
    title: usize,
    price: usize,
    author: Option<usize>,
    publisher: Option<usize>,
    year: Option<usize>,
    class: Option<usize>,
    stock: Option<usize>,
}

/// The vendor `key` names: its id, or its exact name.
///
/// # Errors
/// NOT_FOUND when none has it.
pub async fn vendor_id(db: &impl ConnectionTrait, key: &str) -> Result<Uuid> {
    let key = key.trim();
    let by_id = key.parse::<Uuid>().ok();
    let found = vendor::Entity::find()
        .filter(match by_id {
            Some(id) => vendor::Column::Id.eq(id),
            None => vendor::Column::Name.eq(key),
        })
        .one(db)
        .await?;
    found.map(|v| v.id).ok_or(Error::NotFound("vendor"))
}

/// A vendor's feed file.
#[derive(Debug, Clone, Copy)]
pub enum Feed<'a> {
    /// CSV text with a header row.
    Csv(&'a str),
    /// ISO 2709 records (MARC 21 or CNMARC, as the catalogue import reads them): ISBN, title,
    /// first name, publisher, year, price and CLC class. MARC says nothing of stock: such
    /// offers have stock 0 ("not said"), and a vendor that says it has the book is preferred.
    Marc(&'a [u8]),
}

/// Imports `vendor_id`'s CSV feed (librarians; audited).
///
/// # Errors
/// FORBIDDEN for anyone else; otherwise as [`load`].
pub async fn import(
    ctx: &Ctx,
    who: &Principal,
    vendor_id: Uuid,
    csv_text: &str,
) -> Result<FeedImport> {
    who.require_staff(&[StaffRole::Librarian])?;
    load(ctx, Actor::of(who), vendor_id, Feed::Csv(csv_text)).await
}

/// Loads `vendor_id`'s feed for `actor` (a librarian through the API, the operator through
/// the CLI), audited: each good row replaces the vendor's earlier row for its ISBN; bad rows
/// are reported by line (CSV) or record (MARC) and reason, the rest are kept.
///
/// # Errors
/// NOT_FOUND for an unknown vendor; VALIDATION for a feed over 8 MiB or 50,000 rows, or a
/// CSV header without `isbn`, `title` and `price`.
pub async fn load(ctx: &Ctx, actor: Actor, vendor_id: Uuid, feed: Feed<'_>) -> Result<FeedImport> {
    // Errors name the file as the API's argument does.
    let (size, field) = match feed {
        Feed::Csv(text) => (text.len(), "csv"),
        Feed::Marc(bytes) => (bytes.len(), "marc"),
    };
    if size > MAX_FEED_BYTES {
        return Err(Error::validation(text!("offer-feed-too-large")).in_field(field));
    }
    let rows = match feed {
        Feed::Csv(text) => csv_rows(text)?,
        Feed::Marc(bytes) => marc_rows(bytes),
    };
    if rows.len() > MAX_FEED_ROWS {
        return Err(
            Error::validation(text!("offer-feed-too-many-rows", max = MAX_FEED_ROWS))
                .in_field(field),
        );
    }
    let txn = ctx.begin().await?;
    vendor::Entity::find_by_id(vendor_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("vendor"))?;
    let mut out = FeedImport::default();
    let mut good = Vec::with_capacity(rows.len().min(CHUNK));
    for (line, row) in rows {
        match row.and_then(|r| offer(r, vendor_id, ctx.now())) {
            Ok(row) => good.push(row),
            Err(why) => out.rejected.push((line, why.render(Locale::Chinese))),
        }
        if good.len() == CHUNK {
            out.stored += store(&txn, std::mem::take(&mut good)).await?;
        }
    }
    out.stored += store(&txn, good).await?;
    audit::record(
        &txn,
        actor,
        "vendor.offers_import",
        Some(&vendor_id.to_string()),
        Some(json!({"stored": out.stored, "rejected": out.rejected.len()})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// A feed's row as read, before the checks every format shares.
#[derive(Debug, Default)]
struct FeedRow {
    isbn: String,
    title: Option<String>,
    author: Option<String>,
    publisher: Option<String>,
    year: Option<i32>,
    /// `None`: missing or unreadable, quoted as `price_text`.
    price_cents: Option<i64>,
    price_text: String,
    class: Option<String>,
    stock: i32,
}

/// A feed row, numbered by line (CSV) or record (MARC), or why it is refused.
type Numbered = (u64, std::result::Result<FeedRow, Text>);

/// The rows of a CSV feed (at most one more than allowed, to tell a feed is too long).
fn csv_rows(csv_text: &str) -> Result<Vec<Numbered>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .map_err(|e| {
            Error::validation(text!("offer-feed-header-unreadable", error = e)).in_field("csv")
        })?
        .clone();
    let at = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(isbn), Some(title), Some(price)) = (at("isbn"), at("title"), at("price")) else {
        return Err(Error::validation(text!("offer-feed-header-columns")).in_field("csv"));
    };
    let columns = Columns {
        isbn,
        title,
        price,
        author: at("author"),
        publisher: at("publisher"),
        year: at("year"),
        class: at("clc_class"),
        stock: at("stock"),
    };
    Ok(reader
        .records()
        .take(MAX_FEED_ROWS + 1)
        .enumerate()
        .map(|(n, record)| {
            let line = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(2);
            let row = record
                .map_err(|e| text!("offer-row-unreadable", error = e))
                .and_then(|r| csv_row(&columns, &r));
            (line, row)
        })
        .collect())
}

/// One CSV record as a feed row.
fn csv_row(c: &Columns, r: &csv::StringRecord) -> std::result::Result<FeedRow, Text> {
    let cell = |i: Option<usize>| {
        i.and_then(|i| r.get(i))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let year = match cell(c.year) {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1000..=9999).contains(y))
                .ok_or_else(|| text!("offer-row-year", year = y.clone()))?,
        ),
        None => None,
    };
    let stock = match cell(c.stock) {
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|s| *s >= 0)
            .ok_or_else(|| text!("offer-row-stock", stock = s.clone()))?,
        None => 0,
    };
    let price_text = r.get(c.price).unwrap_or_default().to_owned();
    Ok(FeedRow {
        isbn: r.get(c.isbn).unwrap_or_default().to_owned(),
        title: cell(Some(c.title)),
        author: cell(c.author),
        publisher: cell(c.publisher),
        year,
        price_cents: cents(&price_text),
        price_text,
        class: cell(c.class),
        stock,
    })
}

/// The records of a MARC feed (at most one more than allowed).
fn marc_rows(bytes: &[u8]) -> Vec<Numbered> {
    MarcReader::new(bytes, None)
        .take(MAX_FEED_ROWS + 1)
        .enumerate()
        .map(|(n, record)| {
            let number = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(1);
            let row = record
                .map_err(|rejected| text!("offer-record-unreadable", error = rejected.reason))
                .map(|r| FeedRow {
                    isbn: r.isbn.unwrap_or_default(),
                    title: Some(r.title).filter(|t| !t.trim().is_empty()),
                    author: r.authors.into_iter().next(),
                    publisher: r.publisher,
                    year: r.pub_year,
                    price_cents: r
                        .price_cents
                        .map(i64::from)
                        .filter(|c| (1..=MAX_PRICE_CENTS).contains(c)),
                    price_text: r
                        .price_cents
                        .map(|c| format!("{}.{:02}", c / 100, c % 100))
                        .unwrap_or_default(),
                    class: r.clc_class,
                    stock: 0,
                });
            (number, row)
        })
        .collect()
}

/// A feed row as an offer, or why it is refused.
fn offer(
    row: FeedRow,
    vendor_id: Uuid,
    now: DateTime<Utc>,
) -> std::result::Result<vendor_offer::ActiveModel, Text> {
    let isbn = Isbn13::parse(&row.isbn).map_err(|_| text!("offer-row-isbn", isbn = &row.isbn))?;
    let title = row.title.ok_or_else(|| text!("offer-row-title"))?;
    let price_cents = row
        .price_cents
        .ok_or_else(|| text!("offer-row-price", price = &row.price_text))?;
    let long = [Some(&title), row.author.as_ref(), row.publisher.as_ref()]
        .into_iter()
        .any(|s| s.is_some_and(|s| s.chars().count() > 200))
        || row.class.as_ref().is_some_and(|s| s.len() > 40);
    if long {
        return Err(text!("offer-row-too-long"));
    }
    Ok(vendor_offer::ActiveModel {
        id: Set(Uuid::now_v7()),
        vendor_id: Set(vendor_id),
        isbn: Set(isbn.as_str().to_owned()),
        title: Set(title),
        author: Set(row.author),
        publisher: Set(row.publisher),
        pub_year: Set(row.year),
        price_cents: Set(price_cents),
        clc_class: Set(row.class.map(|s| s.to_uppercase())),
        stock: Set(row.stock),
        updated_at: Set(now),
    })
}

/// Yuan as written in a feed (`59`, `59.5`, `59.00`) in cents, within the price range.
fn cents(yuan: &str) -> Option<i64> {
    let (whole, frac) = yuan.split_once('.').unwrap_or((yuan, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole.checked_mul(100)?.checked_add(frac)?).filter(|c| (1..=MAX_PRICE_CENTS).contains(c))
}

/// Writes offers, each replacing the vendor's earlier row for its ISBN.
async fn store(db: &impl ConnectionTrait, rows: Vec<vendor_offer::ActiveModel>) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    // One feed may list an ISBN twice: the later row wins, as it would row by row.
    let mut seen = std::collections::HashMap::new();
    for row in rows {
        if let Set(isbn) = &row.isbn {
            seen.insert(isbn.clone(), row);
        }
    }
    let n = u64::try_from(seen.len()).unwrap_or(u64::MAX);
    vendor_offer::Entity::insert_many(seen.into_values())
        .on_conflict(
            OnConflict::columns([vendor_offer::Column::VendorId, vendor_offer::Column::Isbn])
                .update_columns([
                    vendor_offer::Column::Title,
                    vendor_offer::Column::Author,
                    vendor_offer::Column::Publisher,
                    vendor_offer::Column::PubYear,
                    vendor_offer::Column::PriceCents,
                    vendor_offer::Column::ClcClass,
                    vendor_offer::Column::Stock,
                    vendor_offer::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(n)
}

/// The offer to go by for `isbn`: the cheapest among vendors with stock, else the cheapest.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn best(db: &impl ConnectionTrait, isbn: &Isbn13) -> Result<Option<Offer>> {
    let offers = vendor_offer::Entity::find()
        .filter(vendor_offer::Column::Isbn.eq(isbn.as_str()))
        .order_by_asc(vendor_offer::Column::PriceCents)
        .order_by_asc(vendor_offer::Column::Id)
        .all(db)
        .await?;
    let in_stock = offers.iter().position(|o| o.stock > 0);
    Ok(match in_stock {
        Some(i) => offers.into_iter().nth(i),
        None => offers.into_iter().next(),
    })
}

/// What the library and its vendors know of an ISBN.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The ISBN, normalised to ISBN-13.
    pub isbn: String,
    /// The library's title with this ISBN.
    pub held: Option<Uuid>,
    /// Else a title of the library's with copies that is another edition of the same work
    /// (as the vendor's data names the book).
    pub other_edition: Option<Uuid>,
    /// The best vendor offer ([`best`]).
    pub offer: Option<Offer>,
}

/// Looks an ISBN up in the catalogue and the vendors' feeds (for a proposal form).
///
/// # Errors
/// VALIDATION for a bad ISBN; INTERNAL on a database fault.
pub async fn lookup(db: &impl ConnectionTrait, isbn: &str) -> Result<Lookup> {
    let isbn = Isbn13::parse(isbn).map_err(|e| e.in_field("isbn"))?;
    let held = title::Entity::find()
        .filter(title::Column::Isbn.eq(isbn.as_str()))
        .one(db)
        .await?
        .map(|t| t.id);
    let offer = best(db, &isbn).await?;
    let other_edition = match (&held, &offer) {
        (None, Some(o)) => {
            super::proposals::held_edition(db, &o.title, o.author.as_deref()).await?
        }
        _ => None,
    };
    Ok(Lookup {
        isbn: isbn.as_str().to_owned(),
        held,
        other_edition,
        offer,
    })
}

#[cfg(test)]
mod tests {
    use super::cents;

    #[test]
    fn prices_are_read_as_yuan() {
        assert_eq!(cents("59"), Some(5900));
        assert_eq!(cents("59.5"), Some(5950));
        assert_eq!(cents("59.05"), Some(5905));
        assert_eq!(cents("59."), Some(5900));
        for bad in ["", ".5", "5.999", "-1", "0", "1e3", "10000.01", "５９"] {
            assert_eq!(cents(bad), None, "{bad:?}");
        }
    }
}
