//! `searchBooks`, `book`, `bookByIsbn`.

use async_graphql::connection::{query as paginate, Connection, Edge};
use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::catalog::books;
use hongyan_domain::catalog::search::{self, SearchRequest};
use hongyan_domain::catalog::search_index::SearchIndex;

use crate::context::domain;
use crate::error::{to_gql, GqlResult, IntoGql};
use crate::types::{parse_id, Book, BookConnection};

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
    /// best match first, with Relay pagination (at most 100 a page).
    async fn search_books(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<BookFilter>,
        first: Option<i32>,
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
        let index = ctx.data::<std::sync::Arc<SearchIndex>>()?;
        let db = &domain(ctx).db;
        paginate(
            after,
            None,
            first,
            None,
            |after: Option<usize>,
             _before: Option<usize>,
             first: Option<usize>,
             _last: Option<usize>| async move {
                let offset = after.map_or(0, |a| a + 1);
                let limit = first.unwrap_or(20).min(search::MAX_PAGE);
                let page = search::search(db, index, &request, offset, limit)
                    .await
                    .map_err(to_gql)?;
                let mut conn = Connection::with_additional_fields(
                    offset > 0,
                    offset + page.books.len() < page.total,
                    crate::types::SearchTotals {
                        total_count: page.total,
                    },
                );
                conn.edges.extend(
                    page.books
                        .into_iter()
                        .enumerate()
                        .map(|(i, b)| Edge::new(offset + i, Book(b))),
                );
                Ok::<_, async_graphql::Error>(conn)
            },
        )
        .await
    }

    /// A book by id.
    async fn book(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Book>> {
        match books::by_id(&domain(ctx).db, parse_id(&id, "book").gql()?).await {
            Ok(b) => Ok(Some(Book(b))),
            Err(hongyan_domain::Error::NotFound(_)) => Ok(None),
            Err(e) => Err(to_gql(e)),
        }
    }

    /// A book by ISBN (10 or 13 digits, hyphens allowed).
    async fn book_by_isbn(&self, ctx: &Context<'_>, isbn: String) -> GqlResult<Option<Book>> {
        match books::by_isbn(&domain(ctx).db, &isbn).await {
            Ok(b) => Ok(Some(Book(b))),
            Err(hongyan_domain::Error::NotFound(_)) => Ok(None),
            Err(e) => Err(to_gql(e)),
        }
    }
}
