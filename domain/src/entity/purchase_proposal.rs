//! `purchase_proposal`: a reader's "you read, we pay" proposal and its life.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use ProposalStatus::*;

/// Where a proposal is (docs/design.md, "Purchase proposal").
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ProposalStatus {
    /// Waiting for a librarian (a rule asked for review).
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    /// Approved; its price is committed against the year's budget.
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// Refused, with the reasons.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    /// Another reader's pending proposal of the same ISBN is the one bought.
    #[sea_orm(string_value = "JOINED")]
    Joined,
    /// On a purchase order to the vendor.
    #[sea_orm(string_value = "ORDERED")]
    Ordered,
    /// Catalogued; on its way to the proposer.
    #[sea_orm(string_value = "RECEIVED")]
    Received,
    /// Lent to the proposer.
    #[sea_orm(string_value = "LOANED")]
    Loaned,
    /// Withdrawn.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl ProposalStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "SUBMITTED",
            ProposalStatus::Approved => "APPROVED",
            ProposalStatus::Rejected => "REJECTED",
            ProposalStatus::Joined => "JOINED",
            ProposalStatus::Ordered => "ORDERED",
            ProposalStatus::Received => "RECEIVED",
            ProposalStatus::Loaned => "LOANED",
            ProposalStatus::Cancelled => "CANCELLED",
        }
    }
}

impl Lifecycle for ProposalStatus {
    const THING: &'static str = "proposal";
    const TITLE: &'static str = "Purchase proposal";
    /// Decided at once by the rules and the budget, or joining another reader's proposal.
    const BEGINS: &'static [Self] = &[Submitted, Approved, Rejected, Joined];
    const MOVES: &'static [(Self, Self)] = &[
        // A librarian's review; readers and librarians withdraw it.
        (Submitted, Approved),
        (Submitted, Rejected),
        (Submitted, Cancelled),
        // Ordered from a vendor, or received without an order; lent at the bookstore
        // counter; refused when the budget cannot hold the price after all; withdrawn.
        (Approved, Ordered),
        (Approved, Received),
        (Approved, Loaned),
        (Approved, Rejected),
        (Approved, Cancelled),
        (Ordered, Received),
        (Ordered, Cancelled),
        // Bought once with the proposal it joined; takes that one's place when it is
        // withdrawn; withdrawn.
        (Joined, Received),
        (Joined, Submitted),
        (Joined, Approved),
        (Joined, Ordered),
        (Joined, Cancelled),
        // Lent to its proposer.
        (Received, Loaned),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// How the proposal was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ProposalChannel {
    /// From the mini-program; the library orders the book.
    #[sea_orm(string_value = "ONLINE")]
    Online,
    /// At a partner bookstore's counter; the reader leaves with the book.
    #[sea_orm(string_value = "IN_STORE")]
    InStore,
}

/// A proposal row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_proposal")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The proposer.
    pub reader_id: Uuid,
    /// ISBN-13, normalised.
    pub isbn: String,
    /// Title.
    pub title: String,
    /// Author.
    pub author: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// CLC class, when known.
    pub clc_class: Option<String>,
    /// Price in cents (分).
    pub price_cents: i64,
    /// Online or in store.
    pub channel: ProposalChannel,
    /// The vendor (bookstore) it is bought from.
    pub vendor_id: Option<Uuid>,
    /// The purchase order it is on.
    pub order_id: Option<Uuid>,
    /// State.
    pub status: ProposalStatus,
    /// Why it was decided so (the failed rules, or the librarian's reason).
    pub decision_reason: Option<String>,
    /// Each rule's outcome: `[{rule, outcome, reason}]`.
    pub rule_results: Json,
    /// The reader's note.
    pub note: Option<String>,
    /// How the proposer wants the book: `{method, lockerId|branchId|addressId}`.
    pub delivery: Option<Json>,
    /// The pending proposal of the same ISBN this one joined.
    pub joined_to: Option<Uuid>,
    /// The fiscal year whose budget holds its price.
    pub budget_year: Option<i32>,
    /// The librarian who reviewed it.
    pub reviewed_by: Option<Uuid>,
    /// When.
    pub reviewed_at: Option<DateTimeUtc>,
    /// The copy bought.
    pub item_id: Option<Uuid>,
    /// When the vendor was paid for it (its statement settled).
    pub settled_at: Option<DateTimeUtc>,
    /// When proposed.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = ProposalStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> ProposalStatus {
        row.status
    }
}
