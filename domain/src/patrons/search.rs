//! Finding a reader at the desk: by card number, full mobile number or part of the name, or
//! the online applications waiting for their ID to be checked.

use sea_orm::prelude::*;
use sea_orm::sea_query::LikeExpr;
use sea_orm::{Condition, QueryOrder, QuerySelect};

use crate::auth::Principal;
use crate::entity::reader::{self, ReaderStatus};
use crate::lending::desk::DESK;
use crate::people::Reader;
use crate::{Error, Result};

/// The most readers one search answers.
pub const MAX_RESULTS: u64 = 100;

/// What the desk looks for: `text` (a card number, an 11-digit mobile number or part of a
/// name) and/or a status (e.g. PENDING applications).
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// What was typed, if anything.
    pub text: Option<String>,
    /// Only readers in this state.
    pub status: Option<ReaderStatus>,
}

/// Readers matching `query`, at most `limit` (≤ [`MAX_RESULTS`]): exact card or mobile
/// matches and names containing the text; oldest account first (a queue of applications
/// reads in arrival order).
///
/// # Errors
/// FORBIDDEN for anyone but desk staff; VALIDATION for neither text nor status, text over 50
/// characters, or a limit out of 1–100.
pub async fn find(
    db: &impl ConnectionTrait,
    who: &Principal,
    query: &Query,
    limit: u64,
) -> Result<Vec<Reader>> {
    who.require_staff(DESK)?;
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(
            Error::validation(text!("reader-search-first-range", max = MAX_RESULTS))
                .in_field("first"),
        );
    }
    let text = query
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if text.is_none() && query.status.is_none() {
        return Err(Error::validation(text!("reader-search-empty")).in_field("query"));
    }
    let mut find = reader::Entity::find();
    if let Some(t) = text {
        if t.chars().count() > 50 {
            return Err(Error::validation(text!("reader-search-too-long")).in_field("query"));
        }
        find = find.filter(matching(t));
    }
    if let Some(status) = query.status {
        find = find.filter(reader::Column::Status.eq(status));
    }
    Ok(find
        .order_by_asc(reader::Column::CreatedAt)
        .order_by_asc(reader::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Card or mobile number exactly, or a name containing `text` (wildcards taken literally).
fn matching(text: &str) -> Condition {
    let upper = text.to_ascii_uppercase();
    let mut any = Condition::any()
        .add(reader::Column::CardNumber.eq(upper))
        .add(reader::Column::Name.like(contains(text)));
    if text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit()) {
        any = any.add(reader::Column::Phone.eq(text));
    }
    any
}

/// A LIKE pattern for "contains `text`", with `%`, `_` and `\` escaped.
fn contains(text: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}
