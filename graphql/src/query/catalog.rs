//! `searchBooks`, `book`, `bookByIsbn`.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::catalog::books;
use hongyan_domain::catalog::search::{self, SearchRequest};
use hongyan_domain::catalog::search_index::SearchIndex;

use crate::context::domain;
use crate::error::{to_gql, GqlResult, IntoGql};
use crate::pagination;
use crate::types::{parse_id, Book, BookConnection, SearchTotals};

/// The cursor name of search results (their position in the ranking).
const SEARCH: &str = "search";

/// Filters for `searchBooks`.
#[derive(InputObject, Default)]
pub struct BookFilter {
    /// Only titles with a copy free to lend now (at `branchId`, when given).
    #[graphql(default)]
    pub available_only: bool,
    /// Only titles at this branch.
    pub branch_id: Option<ID>,
    /// Only this CLC class and its subclasses, e.g. `I247` or `TP3`.
    pub clc_prefix: Option<String>,
    /// Published in or after this year.
    pub year_from: Option<i32>,
    /// Published in or before this year.
    pub year_to: Option<i32>,
}

/// Catalogue queries (public).
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Full-text search in Chinese (title, author, publisher, subject, summary) or by ISBN,
    /// best match first, with Relay pagination (at most 100 a page, through the first
    /// 1,000 matches).
    #[graphql(complexity = "crate::pagination::cost(first, child_complexity)")]
    async fn search_books(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words of the title, author, publisher, subjects or summary, or an ISBN: 1–200 characters, taken literally (no query syntax)."
        )]
        query: String,
        #[graphql(desc = "Narrows the results; none: every title.")] filter: Option<BookFilter>,
        #[graphql(desc = "Results per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page (none: the first page). Only cursors of `searchBooks` are accepted."
        )]
        after: Option<String>,
    ) -> GqlResult<BookConnection> {
        let filter = filter.unwrap_or_default();
        let request = SearchRequest {
            text: query,
            available_only: filter.available_only,
            branch: filter
                .branch_id
                .as_ref()
                .map(|b| parse_id(b, "branch"))
                .transpose()
                .gql()?,
            clc_prefix: filter.clc_prefix,
            year_from: filter.year_from,
            year_to: filter.year_to,
        };
        let size = pagination::page_size(
            first,
            pagination::DEFAULT_PAGE,
            i32::try_from(search::MAX_PAGE).unwrap_or(pagination::MAX_PAGE),
        )
        .gql()?;
        let offset = match after.as_deref() {
            None => 0,
            Some(c) => pagination::decode(SEARCH, c, |p| p.parse::<usize>().ok())
                .gql()?
                .saturating_add(1),
        };
        let limit = usize::try_from(size).unwrap_or(search::MAX_PAGE);
        let index = ctx.data::<std::sync::Arc<SearchIndex>>()?;
        let page = search::search(&domain(ctx).db, index, &request, offset, limit)
            .await
            .gql()?;
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            offset + page.books.len() < page.total,
            SearchTotals {
                total_count: page.total,
            },
        );
        conn.edges.extend(
            page.books
                .into_iter()
                .enumerate()
                .map(|(i, b)| Edge::new(pagination::encode(SEARCH, offset + i), Book(b))),
        );
        Ok(BookConnection(conn))
    }

    /// A book by id.
    async fn book(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The book's id (`Book.id`).")] id: ID,
    ) -> GqlResult<Option<Book>> {
        match books::by_id(&domain(ctx).db, parse_id(&id, "book").gql()?).await {
            Ok(b) => Ok(Some(Book(b))),
            Err(hongyan_domain::Error::NotFound(_)) => Ok(None),
            Err(e) => Err(to_gql(e)),
        }
    }

    /// A book by ISBN (10 or 13 digits, hyphens allowed).
    async fn book_by_isbn(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISBN-10 or ISBN-13, hyphens allowed, e.g. `978-7-02-000220-7`.")]
        isbn: String,
    ) -> GqlResult<Option<Book>> {
        match books::by_isbn(&domain(ctx).db, &isbn).await {
            Ok(b) => Ok(Some(Book(b))),
            Err(hongyan_domain::Error::NotFound(_)) => Ok(None),
            Err(e) => Err(to_gql(e)),
        }
    }
}
