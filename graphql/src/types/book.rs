//! Books: bibliographic data with availability (and, for staff, every copy).

use async_graphql::connection::{Connection, Edge, EmptyFields, PageInfo};
use async_graphql::{Context, Description, Enum, Object, SimpleObject, ID};
use hongyan_domain::catalog::availability::BranchCopies;
use hongyan_domain::catalog::books::{self, Book as DomainBook};
use hongyan_domain::entity::item::{self, ItemStatus};

use super::places::{load_branch, Branch};
use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::pagination;

/// A page of `searchBooks` results, best match first (Relay connection: pass
/// `pageInfo.endCursor` as `after` for the next page), with the total number of matches.
#[derive(Description)]
pub struct BookConnection(pub Connection<String, Book, SearchTotals, EmptyFields>);

#[Object(use_type_description)]
impl BookConnection {
    /// Whether more results follow, and the cursors of this page's first and last result.
    async fn page_info(&self) -> PageInfo {
        pagination::page_info(&self.0)
    }
    /// The results of this page, each with its cursor.
    async fn edges(&self) -> &[Edge<String, Book, EmptyFields>] {
        &self.0.edges
    }
    /// The books of this page, without cursors.
    async fn nodes(&self) -> Vec<&Book> {
        pagination::nodes(&self.0)
    }
    /// Matches in all (across pages; only the first 1,000 can be paged through).
    async fn total_count(&self) -> usize {
        self.0.additional_fields.total_count
    }
}

/// Totals of a search.
#[derive(SimpleObject)]
pub struct SearchTotals {
    /// Matches in all (across pages).
    pub total_count: usize,
}

/// A title in the catalogue, with how many of its copies can be lent now (public).
#[derive(Description)]
pub struct Book(pub DomainBook);

fn split(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[Object(use_type_description)]
impl Book {
    /// The title's id (`RequestBookInput.bookId`, `book(id:)`).
    async fn id(&self) -> ID {
        ID(self.0.title.id.to_string())
    }
    /// The title proper, as catalogued.
    async fn title(&self) -> &str {
        &self.0.title.title
    }
    /// Other title information (subtitle), when the catalogue has it.
    async fn subtitle(&self) -> Option<&str> {
        self.0.title.subtitle.as_deref()
    }
    /// Authors, translators and editors, in catalogue order.
    async fn authors(&self) -> Vec<String> {
        split(&self.0.title.authors)
    }
    /// ISBN-13.
    async fn isbn(&self) -> Option<&str> {
        self.0.title.isbn.as_deref()
    }
    /// Publisher, when catalogued.
    async fn publisher(&self) -> Option<&str> {
        self.0.title.publisher.as_deref()
    }
    /// Year of publication, when catalogued.
    async fn pub_year(&self) -> Option<i32> {
        self.0.title.pub_year
    }
    /// Chinese Library Classification class.
    async fn clc_class(&self) -> Option<&str> {
        self.0.title.clc_class.as_deref()
    }
    /// Subject headings, in catalogue order (empty when none).
    async fn subjects(&self) -> Vec<String> {
        self.0
            .title
            .subjects
            .as_deref()
            .map(split)
            .unwrap_or_default()
    }
    /// The catalogue's summary of the book (null when none).
    async fn summary(&self) -> Option<&str> {
        self.0.title.summary.as_deref()
    }
    /// List price in cents (分).
    async fn price_cents(&self) -> Option<i32> {
        self.0.title.price_cents
    }
    /// Copies free to lend now, all branches.
    async fn available_copies(&self) -> i64 {
        self.0.availability.available
    }
    /// Copies in the net-lending stock (not missing or withdrawn).
    async fn total_copies(&self) -> i64 {
        self.0.availability.copies
    }
    /// Copies per branch, branches with a free copy first.
    async fn availability(&self) -> Vec<BranchAvailability> {
        self.0
            .availability
            .by_branch
            .iter()
            .copied()
            .map(BranchAvailability)
            .collect()
    }
    /// Every copy with its barcode, place and status (staff only).
    async fn copies(&self, ctx: &Context<'_>) -> GqlResult<Vec<Copy>> {
        principal(ctx).gql()?.require_any_staff().gql()?;
        Ok(books::copies(&domain(ctx).db, self.0.title.id)
            .await
            .gql()?
            .into_iter()
            .map(Copy)
            .collect())
    }
}

/// Copies of a title at one branch.
#[derive(Description)]
pub struct BranchAvailability(BranchCopies);

#[Object(use_type_description)]
impl BranchAvailability {
    /// The branch.
    async fn branch(&self, ctx: &Context<'_>) -> GqlResult<Branch> {
        load_branch(ctx, self.0.branch_id).await
    }
    /// Copies there.
    async fn copies(&self) -> i64 {
        self.0.copies
    }
    /// Copies there free to lend now.
    async fn available(&self) -> i64 {
        self.0.available
    }
}

/// Where a copy is in its life.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CopyStatus {
    /// On the shelf, free to lend.
    Available,
    /// Held for a request.
    Reserved,
    /// Travelling.
    InTransit,
    /// Waiting for its reader.
    OnHold,
    /// Lent.
    OnLoan,
    /// Not where it should be.
    Missing,
    /// Withdrawn.
    Withdrawn,
}

impl From<ItemStatus> for CopyStatus {
    fn from(s: ItemStatus) -> Self {
        match s {
            ItemStatus::Available => CopyStatus::Available,
            ItemStatus::Reserved => CopyStatus::Reserved,
            ItemStatus::InTransit => CopyStatus::InTransit,
            ItemStatus::OnHold => CopyStatus::OnHold,
            ItemStatus::OnLoan => CopyStatus::OnLoan,
            ItemStatus::Missing => CopyStatus::Missing,
            ItemStatus::Withdrawn => CopyStatus::Withdrawn,
        }
    }
}

/// One physical copy of a title, with its barcode, place and status (staff).
#[derive(Description)]
pub struct Copy(pub item::Model);

#[Object(use_type_description)]
impl Copy {
    /// The copy's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The barcode on the copy: what scanners read and desk mutations take.
    async fn barcode(&self) -> &str {
        &self.0.barcode
    }
    /// Call number (CLC class / book number), e.g. `I247.5/123`: its place on the shelf.
    async fn call_number(&self) -> &str {
        &self.0.call_number
    }
    /// Where in its branch it stands (floor, area or stack), when the catalogue says.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// Where the copy is in its life (on the shelf, reserved, lent…).
    async fn status(&self) -> CopyStatus {
        self.0.status.into()
    }
    /// Where it is now.
    async fn branch(&self, ctx: &Context<'_>) -> GqlResult<Branch> {
        load_branch(ctx, self.0.current_branch_id).await
    }
    /// The branch that owns it.
    async fn home_branch(&self, ctx: &Context<'_>) -> GqlResult<Branch> {
        load_branch(ctx, self.0.home_branch_id).await
    }
}
