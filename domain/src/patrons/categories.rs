//! Reader categories (patron types): adult, child, the school alliance's student card (馆校联盟)
//! and whatever else a library issues, each with its own loan limits, loan period and
//! renewals. One may be the library's default, for readers given none. A reader's limits are
//! set from their category when they are given it or when the category changes (staff may
//! still set one reader's limits by hand); the loan period and renewals are read from the
//! category whenever a loan starts or is renewed.

use std::collections::HashMap;

use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{Principal, StaffRole};
use crate::config::LendingConfig;
use crate::entity::{patron_category, reader};
use crate::people::{self, Reader};
use crate::{Ctx, Error, Result};

pub use patron_category::Model as Category;

/// Most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// Largest import, in bytes.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// A category as an admin defines it.
#[derive(Debug, Clone)]
pub struct NewCategory {
    /// Short code: 1–20 capital letters, digits or `_` (e.g. `CHILD`).
    pub code: String,
    /// Name (1–40 characters), e.g. 少儿证.
    pub name: String,
    /// Loans at once, 0–99.
    pub max_loans: i32,
    /// Open requests at once, 0–99.
    pub max_open_requests: i32,
    /// Loan period, 1–365 days.
    pub loan_days: i32,
    /// Renewals per loan, 0–10.
    pub max_renewals: i32,
    /// Whether it is the library's default.
    pub is_default: bool,
}

/// The lending terms a reader's loans follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// Loan period in days (and what a renewal adds).
    pub loan_days: u32,
    /// Renewals per loan.
    pub max_renewals: u32,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// Readers given a category.
    pub assigned: u64,
    /// Rows refused: line number (the header is line 1) and why.
    pub rejected: Vec<(u64, String)>,
}

/// Every category, by code (staff).
///
/// # Errors
/// FORBIDDEN for readers.
pub async fn list(db: &impl ConnectionTrait, who: &Principal) -> Result<Vec<Category>> {
    who.require_any_staff()?;
    Ok(patron_category::Entity::find()
        .order_by_asc(patron_category::Column::Code)
        .all(db)
        .await?)
}

/// Creates or changes (by code) a category (admins; audited). Its readers take its limits;
/// made the default, it is the only one, and readers without a category take its limits.
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION naming the first field out of range.
pub async fn save(ctx: &Ctx, who: &Principal, new: NewCategory) -> Result<Category> {
    who.require_staff(&[])?;
    let new = checked(new)?;
    let txn = ctx.begin().await?;
    if new.is_default {
        patron_category::Entity::update_many()
            .col_expr(patron_category::Column::IsDefault, Expr::value(false))
            .filter(patron_category::Column::Code.ne(new.code.as_str()))
            .exec(&txn)
            .await?;
    }
    let existing = patron_category::Entity::find()
        .filter(patron_category::Column::Code.eq(new.code.as_str()))
        .one(&txn)
        .await?;
    let fresh = existing.is_none();
    let mut row = match existing {
        Some(found) => found.into(),
        None => patron_category::ActiveModel {
            id: Set(Uuid::now_v7()),
            created_at: Set(ctx.now()),
            ..Default::default()
        },
    };
    row.code = Set(new.code.clone());
    row.name = Set(new.name.clone());
    row.max_loans = Set(new.max_loans);
    row.max_open_requests = Set(new.max_open_requests);
    row.loan_days = Set(new.loan_days);
    row.max_renewals = Set(new.max_renewals);
    row.is_default = Set(new.is_default);
    let saved = if fresh {
        row.insert(&txn).await?
    } else {
        row.update(&txn).await?
    };
    let mut members = reader::Column::CategoryId.eq(saved.id);
    if saved.is_default {
        members = members.or(reader::Column::CategoryId.is_null());
    }
    reader::Entity::update_many()
        .col_expr(reader::Column::MaxLoans, Expr::value(saved.max_loans))
        .col_expr(
            reader::Column::MaxOpenRequests,
            Expr::value(saved.max_open_requests),
        )
        .filter(members)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Actor::of(who),
        "patron_category.save",
        Some(&saved.code),
        Some(json!({
            "max_loans": saved.max_loans, "max_open_requests": saved.max_open_requests,
            "loan_days": saved.loan_days, "max_renewals": saved.max_renewals,
            "is_default": saved.is_default,
        })),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

fn checked(mut new: NewCategory) -> Result<NewCategory> {
    new.code = new.code.trim().to_ascii_uppercase();
    new.name = new.name.trim().to_owned();
    let code_ok = (1..=20).contains(&new.code.len())
        && new
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !code_ok {
        return Err(Error::validation(text!("category-code-format")).in_field("code"));
    }
    if !(1..=40).contains(&new.name.chars().count()) {
        return Err(Error::validation(text!("category-name-length")).in_field("name"));
    }
    for (value, range, field) in [
        (new.max_loans, 0..=99, "maxLoans"),
        (new.max_open_requests, 0..=99, "maxOpenRequests"),
        (new.loan_days, 1..=365, "loanDays"),
        (new.max_renewals, 0..=10, "maxRenewals"),
    ] {
        if !range.contains(&value) {
            return Err(Error::validation(text!(
                "category-limit-range",
                min = range.start(),
                max = range.end(),
            ))
            .in_field(field));
        }
    }
    Ok(new)
}

/// Gives `reader` the category `code` (None: back to the library's default), and its limits
/// (with no default category, the built-in 10 loans and 5 requests) (librarians; audited).
///
/// # Errors
/// FORBIDDEN for anyone else; NOT_FOUND for an unknown reader or category; CONFLICT for a
/// closed account.
pub async fn assign(
    ctx: &Ctx,
    who: &Principal,
    reader_id: Uuid,
    code: Option<&str>,
) -> Result<Reader> {
    who.require_staff(&[StaffRole::Librarian])?;
    let txn = ctx.begin().await?;
    let category = match code {
        Some(code) => Some(by_code(&txn, code).await?),
        None => default(&txn).await?,
    };
    let saved = give(
        &txn,
        reader_id,
        code.and(category.as_ref()),
        category.as_ref(),
    )
    .await?;
    audit::record(
        &txn,
        Actor::of(who),
        "reader.category",
        Some(&reader_id.to_string()),
        Some(json!({"category": code})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Gives readers their categories from a CSV file (librarians; audited): UTF-8, a header row
/// naming `card_number` and `category` (a category code), one reader per row. Good rows are
/// applied; bad ones are reported with their line.
///
/// # Errors
/// FORBIDDEN for anyone else; VALIDATION for a file over 1 MiB or 10,000 rows, or a header
/// without those columns.
pub async fn import(ctx: &Ctx, who: &Principal, csv_text: &str) -> Result<Imported> {
    who.require_staff(&[StaffRole::Librarian])?;
    if csv_text.len() > MAX_IMPORT_BYTES {
        return Err(Error::validation(text!("category-import-too-large")).in_field("csv"));
    }
    let mut rows = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let header = rows
        .headers()
        .map_err(|e| {
            Error::validation(text!("category-import-header-unreadable", error = e)).in_field("csv")
        })?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(card_at), Some(category_at)) = (column("card_number"), column("category")) else {
        return Err(Error::validation(text!("category-import-header-columns")).in_field("csv"));
    };
    let records: Vec<_> = rows.records().collect();
    if records.len() > MAX_IMPORT_ROWS {
        return Err(Error::validation(text!(
            "category-import-too-many-rows",
            max = MAX_IMPORT_ROWS
        ))
        .in_field("csv"));
    }
    let txn = ctx.begin().await?;
    let categories: HashMap<String, Category> = patron_category::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    let mut out = Imported::default();
    for (n, row) in records.into_iter().enumerate() {
        let line = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(2);
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                out.rejected.push((line, format!("读不出这一行：{e}")));
                continue;
            }
        };
        let card = row.get(card_at).unwrap_or_default();
        let code = row
            .get(category_at)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let Some(category) = categories.get(&code) else {
            out.rejected.push((line, format!("没有读者类型 {code:?}")));
            continue;
        };
        let found = reader::Entity::find()
            .filter(reader::Column::CardNumber.eq(card))
            .one(&txn)
            .await?;
        match found {
            Some(r) if r.status != reader::ReaderStatus::Closed => {
                give(&txn, r.id, Some(category), Some(category)).await?;
                out.assigned += 1;
            }
            _ => out.rejected.push((line, format!("没有读者证 {card:?}"))),
        }
    }
    audit::record(
        &txn,
        Actor::of(who),
        "reader.category_import",
        None,
        Some(json!({"assigned": out.assigned, "rejected": out.rejected.len()})),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// The terms `reader`'s loans follow: their category's, else the default category's, else
/// the library's configured ones.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn terms(
    db: &impl ConnectionTrait,
    reader_id: Uuid,
    base: &LendingConfig,
) -> Result<Terms> {
    let own = reader::Entity::find_by_id(reader_id)
        .one(db)
        .await?
        .and_then(|r| r.category_id);
    let category = match own {
        Some(id) => patron_category::Entity::find_by_id(id).one(db).await?,
        None => default(db).await?,
    };
    Ok(match category {
        Some(c) => Terms {
            loan_days: u32::try_from(c.loan_days).unwrap_or(base.loan_days),
            max_renewals: u32::try_from(c.max_renewals).unwrap_or(base.max_renewals),
        },
        None => Terms {
            loan_days: base.loan_days,
            max_renewals: base.max_renewals,
        },
    })
}

/// A reader's category as staff see it: their own, else the default (None: neither).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn of_reader(db: &impl ConnectionTrait, reader: &Reader) -> Result<Option<Category>> {
    match reader.category_id {
        Some(id) => Ok(patron_category::Entity::find_by_id(id).one(db).await?),
        None => default(db).await,
    }
}

async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<Category> {
    patron_category::Entity::find()
        .filter(patron_category::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("category"))
}

async fn default(db: &impl ConnectionTrait) -> Result<Option<Category>> {
    Ok(patron_category::Entity::find()
        .filter(patron_category::Column::IsDefault.eq(true))
        .one(db)
        .await?)
}

/// Sets `reader`'s category (`own`; None: the default) and the limits of `limits` (their
/// category in effect; None: the built-in defaults), in `txn`.
async fn give(
    txn: &DatabaseTransaction,
    reader_id: Uuid,
    own: Option<&Category>,
    limits: Option<&Category>,
) -> Result<Reader> {
    use sea_orm::QuerySelect;
    let found = reader::Entity::find_by_id(reader_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    if found.status == reader::ReaderStatus::Closed {
        return Err(Error::WrongState {
            what: "reader",
            state: "CLOSED",
        });
    }
    let mut row: reader::ActiveModel = found.into();
    row.category_id = Set(own.map(|c| c.id));
    let (loans, requests) = limits.map_or(
        (people::DEFAULT_MAX_LOANS, people::DEFAULT_MAX_OPEN_REQUESTS),
        |c| (c.max_loans, c.max_open_requests),
    );
    row.max_loans = Set(loans);
    row.max_open_requests = Set(requests);
    Ok(row.update(txn).await?)
}
