//! Catalogue search as readers use it: validated input, the index for matching and
//! ranking, the database for what is shown.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::books::{self, Book};
use super::isbn::Isbn13;
use super::search_index::{IndexQuery, SearchIndex};
use crate::{Error, Result};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Largest page.
pub const MAX_PAGE: usize = 100;
/// How deep into the ranked results a page may start. The index ranks `offset + limit`
/// hits to answer a page, so the offset must be bounded; nobody reads past the first
/// thousand matches of a search (they narrow it instead).
pub const MAX_DEPTH: usize = 1000;

/// A reader's search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What they typed: words of a title, an author, a publisher, a subject, or an ISBN.
    pub text: String,
    /// Only titles with a copy free to lend now.
    pub available_only: bool,
    /// Only titles at this branch.
    pub branch: Option<Uuid>,
    /// Only this CLC class and its subclasses, e.g. `I247`.
    pub clc_prefix: Option<String>,
    /// Published in or after this year.
    pub year_from: Option<i32>,
    /// Published in or before this year.
    pub year_to: Option<i32>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Matches in all.
    pub total: usize,
    /// This page, best first.
    pub books: Vec<Book>,
}

impl SearchRequest {
    fn validate(&self) -> Result<IndexQuery> {
        let text = self.text.trim();
        if text.is_empty() {
            return Err(Error::validation(text!("search-empty")).in_field("query"));
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(
                Error::validation(text!("search-too-long", max = MAX_QUERY_CHARS))
                    .in_field("query"),
            );
        }
        let clc_prefix = match self.clc_prefix.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) if p.len() <= 32 && p.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Some(p.to_owned())
            }
            Some(_) => {
                return Err(Error::validation(text!("search-class-filter")).in_field("clcPrefix"))
            }
        };
        if let (Some(from), Some(to)) = (self.year_from, self.year_to) {
            if from > to {
                return Err(Error::validation(text!("search-years-reversed")).in_field("yearFrom"));
            }
        }
        Ok(IndexQuery {
            text: text.to_owned(),
            isbn: Isbn13::parse(text).ok().map(|i| i.as_str().to_owned()),
            available_only: self.available_only,
            branch: self.branch,
            clc_prefix,
            year_from: self.year_from,
            year_to: self.year_to,
        })
    }
}

/// Searches the catalogue.
///
/// # Errors
/// VALIDATION for an empty or over-long query, a malformed filter, a page of more than
/// [`MAX_PAGE`] or one starting past [`MAX_DEPTH`]; INTERNAL on a fault.
pub async fn search(
    db: &impl ConnectionTrait,
    index: &SearchIndex,
    request: &SearchRequest,
    offset: usize,
    limit: usize,
) -> Result<SearchPage> {
    let query = request.validate()?;
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::validation(text!("search-page-size", max = MAX_PAGE)).in_field("first"));
    }
    if offset > MAX_DEPTH {
        return Err(Error::validation(text!("search-too-deep", max = MAX_DEPTH)).in_field("after"));
    }
    let hits = index.search(&query, offset, limit)?;
    Ok(SearchPage {
        total: hits.total,
        books: books::by_ids(db, &hits.ids).await?,
    })
}
