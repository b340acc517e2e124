//! "You read, we pay": proposals, their rule results and the budget.

use async_graphql::{Context, Description, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use hongyan_domain::purchases::{self, offers, orders, proposals, rules, statements, year_figures};

use crate::context::domain;
use crate::error::{GqlResult, IntoGql};
use crate::types::Book;

/// Where a proposal is (docs/design.md, "Purchase proposal").
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::purchases::ProposalStatus")]
pub enum ProposalStatus {
    /// Waiting for a librarian.
    Submitted,
    /// Approved: its price is committed against the year's budget.
    Approved,
    /// Refused (see `decisionReason` and `ruleResults`).
    Rejected,
    /// Another reader's pending proposal of the same book is the one bought.
    Joined,
    /// On a purchase order.
    Ordered,
    /// Catalogued, on its way to the proposer.
    Received,
    /// Lent to the proposer.
    Loaned,
    /// Withdrawn.
    Cancelled,
}

/// How a proposal was made.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::purchases::ProposalChannel")]
pub enum ProposalChannel {
    /// From the mini-program.
    Online,
    /// At a partner bookstore.
    InStore,
}

/// A rule's answer.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::purchases::rules::Outcome")]
pub enum RuleOutcome {
    /// Met.
    Pass,
    /// Broken.
    Fail,
    /// A librarian should look.
    NeedsReview,
}

/// One rule's outcome for a proposal.
#[derive(SimpleObject)]
pub struct RuleResult {
    /// `isbn`, `price`, `publication_year`, `clc_class`, `holdings`, `monthly_quota`,
    /// `budget` or `duplicate`.
    pub rule: String,
    /// Its answer.
    pub outcome: RuleOutcome,
    /// Why, in words for the reader.
    pub reason: String,
}

/// A reader's proposal that the library buy a book ("you read, we pay"), made online or at
/// a partner bookstore's counter, with how the rules decided it (its reader, and staff).
#[derive(Description)]
pub struct PurchaseProposal(pub purchases::Proposal);

#[Object(use_type_description)]
impl PurchaseProposal {
    /// The proposal's id (`reviewProposal`, `cancelProposal`, `receivePurchase`…).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where the proposal is.
    async fn status(&self) -> ProposalStatus {
        self.0.status.into()
    }
    /// Made online or at a bookstore counter.
    async fn channel(&self) -> ProposalChannel {
        self.0.channel.into()
    }
    /// A purchase at a bookstore counter waiting for a librarian while the reader waits
    /// there: review it first.
    async fn urgent(&self) -> bool {
        hongyan_domain::purchases::in_store::is_urgent(&self.0)
    }
    /// The book's ISBN-13, normalised (digits only).
    async fn isbn(&self) -> &str {
        &self.0.isbn
    }
    /// The book's title, as proposed.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The book's author, as proposed.
    async fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }
    /// The book's publisher, as proposed.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// Year of publication, as proposed (null: not given; the publication-year rule then asks
    /// a librarian to look).
    async fn pub_year(&self) -> Option<i32> {
        self.0.pub_year
    }
    /// The book's CLC class, when given (checked against the excluded classes).
    async fn clc_class(&self) -> Option<&str> {
        self.0.clc_class.as_deref()
    }
    /// Price in cents (分).
    async fn price_cents(&self) -> i64 {
        self.0.price_cents
    }
    /// The reader's note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Why it was decided so.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    /// Each rule's outcome.
    async fn rule_results(&self) -> Vec<RuleResult> {
        serde_json::from_value::<Vec<rules::RuleResult>>(self.0.rule_results.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|r| RuleResult {
                rule: r.rule,
                outcome: r.outcome.into(),
                reason: r.reason,
            })
            .collect()
    }
    /// When the library already holds the book (this edition, else another edition of the
    /// same work with copies): request it instead (`requestBook`).
    async fn held_book(&self, ctx: &Context<'_>) -> GqlResult<Option<Book>> {
        let id = proposals::held_title(&domain(ctx).db, &self.0)
            .await
            .gql()?;
        held(ctx, id).await
    }
    /// When it was proposed (RFC 3339, UTC); for a counter purchase, when the reader bought
    /// it.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

crate::pagination::connection! {
    /// A page of proposals, newest first (Relay connection: pass `pageInfo.endCursor` as
    /// `after` for the next page).
    PurchaseProposalConnection of PurchaseProposal {
        page_info: "Whether more proposals follow, and the cursors of this page's first and last one.",
        edges: "The proposals of this page, each with its cursor.",
        nodes: "The proposals of this page, without cursors.",
    }
}

/// A fiscal year's book budget for purchases on readers' proposals; amounts in cents (分).
#[derive(Description)]
pub struct Budget(pub hongyan_domain::entity::budget::Model);

#[Object(use_type_description)]
impl Budget {
    /// The fiscal year: a calendar year, China time.
    async fn fiscal_year(&self) -> i32 {
        self.0.fiscal_year
    }
    /// Allocated.
    async fn total_cents(&self) -> i64 {
        self.0.total_cents
    }
    /// Approved, not yet paid.
    async fn committed_cents(&self) -> i64 {
        self.0.committed_cents
    }
    /// Paid.
    async fn spent_cents(&self) -> i64 {
        self.0.spent_cents
    }
    /// What new approvals may still take.
    async fn available_cents(&self) -> i64 {
        purchases::budget::available_cents(&self.0)
    }
}

/// The library's purchase rules.
#[derive(SimpleObject)]
pub struct PurchaseRules {
    /// The most a book may cost (cents).
    pub price_cap_cents: i64,
    /// Dearer books go to a librarian (null: never).
    pub review_above_cents: Option<i64>,
    /// Only books published within this many years.
    pub max_age_years: i32,
    /// CLC class prefixes not bought on request.
    pub excluded_classes: Vec<String>,
    /// Holding this many copies already: offer a loan instead.
    pub holdings_limit: i64,
    /// Proposals per reader per month.
    pub monthly_count: i64,
    /// Amount per reader per month (cents).
    pub monthly_amount_cents: i64,
}

impl From<rules::Rules> for PurchaseRules {
    fn from(r: rules::Rules) -> Self {
        PurchaseRules {
            price_cap_cents: r.price_cap_cents,
            review_above_cents: r.review_above_cents,
            max_age_years: r.max_age_years,
            excluded_classes: r.excluded_classes,
            holdings_limit: r.holdings_limit,
            monthly_count: r.monthly_count,
            monthly_amount_cents: r.monthly_amount_cents,
        }
    }
}

/// A bookstore or supplier the library buys from.
#[derive(Description)]
pub struct Vendor(pub hongyan_domain::entity::vendor::Model);

#[Object(use_type_description)]
impl Vendor {
    /// The vendor's id (`vendorId` arguments).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The vendor's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The partner bookstore's branch, for in-store purchases.
    async fn branch_id(&self) -> Option<ID> {
        self.0.branch_id.map(|b| ID(b.to_string()))
    }
}

/// A book in a vendor's catalogue (their feed, imported by librarians): the data proposals
/// are judged on; amounts in cents (分).
#[derive(Description)]
pub struct VendorOffer(pub offers::Offer);

#[Object(use_type_description)]
impl VendorOffer {
    /// ISBN-13.
    async fn isbn(&self) -> &str {
        &self.0.isbn
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Author.
    async fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }
    /// Publisher.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// Year of publication.
    async fn pub_year(&self) -> Option<i32> {
        self.0.pub_year
    }
    /// The vendor's price in cents (分).
    async fn price_cents(&self) -> i64 {
        self.0.price_cents
    }
    /// CLC class, as the vendor catalogues it.
    async fn clc_class(&self) -> Option<&str> {
        self.0.clc_class.as_deref()
    }
    /// Copies the vendor has.
    async fn stock(&self) -> i32 {
        self.0.stock
    }
    /// The vendor (`Vendor.id`).
    async fn vendor_id(&self) -> ID {
        ID(self.0.vendor_id.to_string())
    }
    /// When the vendor's feed last said so (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What the library and its vendors know of an ISBN, for a proposal form: a held book to
/// borrow instead, or the vendor's data to propose it with.
#[derive(Description)]
pub struct IsbnLookup(pub offers::Lookup);

#[Object(use_type_description)]
impl IsbnLookup {
    /// The ISBN, normalised to ISBN-13.
    async fn isbn(&self) -> &str {
        &self.0.isbn
    }
    /// The library's book with this ISBN: request it instead of proposing it.
    async fn book(&self, ctx: &Context<'_>) -> GqlResult<Option<Book>> {
        held(ctx, self.0.held).await
    }
    /// When the library does not hold this ISBN: another edition of the same work it holds
    /// copies of (by the vendor's title and author), to borrow instead.
    async fn other_edition(&self, ctx: &Context<'_>) -> GqlResult<Option<Book>> {
        held(ctx, self.0.other_edition).await
    }
    /// The best vendor offer (the cheapest in stock, else the cheapest): the title, price
    /// and class a proposal of this ISBN is judged on. None: no vendor lists it, and a
    /// proposal goes to a librarian.
    async fn offer(&self) -> Option<VendorOffer> {
        self.0.offer.clone().map(VendorOffer)
    }
}

/// The book `id`, when there is one.
async fn held(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> GqlResult<Option<Book>> {
    match id {
        Some(id) => Ok(Some(Book(
            hongyan_domain::catalog::books::by_id(&domain(ctx).db, id)
                .await
                .gql()?,
        ))),
        None => Ok(None),
    }
}

/// What the library owes a partner bookstore for one month's in-store purchases (the books
/// its readers took home that month); amounts in cents (分).
#[derive(Description)]
pub struct VendorStatement(pub statements::Statement);

/// One book on a statement.
#[derive(SimpleObject)]
pub struct StatementLine {
    /// The proposal bought.
    pub proposal_id: ID,
    /// The book's ISBN-13.
    pub isbn: String,
    /// The book's title.
    pub title: String,
    /// The copy's barcode.
    pub barcode: Option<String>,
    /// What the library pays for it, in cents (分).
    pub price_cents: i64,
    /// When the reader bought it.
    pub bought_at: DateTime<Utc>,
    /// When the vendor was paid for it.
    pub settled_at: Option<DateTime<Utc>>,
}

#[Object(use_type_description)]
impl VendorStatement {
    /// The bookstore.
    async fn vendor(&self) -> Vendor {
        Vendor(self.0.vendor.clone())
    }
    /// `YYYY-MM` (China time).
    async fn month(&self) -> &str {
        &self.0.month
    }
    /// The books bought, oldest first.
    async fn lines(&self) -> Vec<StatementLine> {
        self.0
            .lines
            .iter()
            .map(|l| StatementLine {
                proposal_id: ID(l.proposal.id.to_string()),
                isbn: l.proposal.isbn.clone(),
                title: l.proposal.title.clone(),
                barcode: l.barcode.clone(),
                price_cents: l.proposal.price_cents,
                bought_at: l.proposal.created_at,
                settled_at: l.proposal.settled_at,
            })
            .collect()
    }
    /// What the library owes for the month in all, in cents (分), paid lines included.
    async fn total_cents(&self) -> i64 {
        self.0.total_cents()
    }
    /// Every line paid.
    async fn paid(&self) -> bool {
        self.0.paid()
    }
    /// The statement as CSV (UTF-8, header row, amounts in yuan) for the bookstore.
    async fn csv(&self) -> GqlResult<String> {
        self.0.to_csv().gql()
    }
}

/// Approved online proposals sent to one vendor together (librarians).
#[derive(Description)]
pub struct PurchaseOrder(pub orders::Order);

#[Object(use_type_description)]
impl PurchaseOrder {
    /// The order's id.
    async fn id(&self) -> ID {
        ID(self.0.order.id.to_string())
    }
    /// The vendor it is sent to.
    async fn vendor(&self) -> Vendor {
        Vendor(self.0.vendor.clone())
    }
    /// The proposals on it.
    async fn lines(&self) -> Vec<PurchaseProposal> {
        self.0.lines.iter().cloned().map(PurchaseProposal).collect()
    }
    /// The sum of its proposals' prices, in cents (分).
    async fn total_cents(&self) -> i64 {
        self.0.total_cents()
    }
    /// When it was placed (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.order.created_at
    }
    /// The order as CSV for the vendor (UTF-8, header row, amounts in yuan).
    async fn csv(&self) -> GqlResult<String> {
        self.0.to_csv().gql()
    }
}

/// A figure per key.
#[derive(SimpleObject)]
pub struct KeyCount {
    /// A status, channel or rule.
    pub key: String,
    /// How many (cents for amounts).
    pub count: i64,
}

impl KeyCount {
    /// The figures of `rows`, in their order.
    pub fn all(rows: &[year_figures::Count]) -> Vec<KeyCount> {
        rows.iter()
            .map(|c| KeyCount {
                key: c.key.clone(),
                count: c.n,
            })
            .collect()
    }
}

/// How a group of copies acquired in the year circulates.
#[derive(SimpleObject)]
pub struct Circulation {
    /// Copies catalogued in the year.
    pub items: i64,
    /// Copies lent at least once.
    pub lent: i64,
    /// Copies lent at least once to a reader who did not propose them.
    pub lent_to_others: i64,
    /// Loans of these copies.
    pub loans: i64,
    /// `lent / items` (0 without copies).
    pub circulation_rate: f64,
}

impl From<year_figures::Circulation> for Circulation {
    fn from(c: year_figures::Circulation) -> Self {
        let rate = if c.items == 0 {
            0.0
        } else {
            hongyan_domain::report::ratio(c.lent, c.items)
        };
        Circulation {
            items: c.items,
            lent: c.lent,
            lent_to_others: c.lent_to_others,
            loans: c.loans,
            circulation_rate: rate,
        }
    }
}

/// A fiscal year's "you read, we pay" figures (librarians).
#[derive(Description)]
pub struct PurchaseStats(pub year_figures::Stats);

#[Object(use_type_description)]
impl PurchaseStats {
    /// The fiscal year: a calendar year, China time.
    async fn fiscal_year(&self) -> i32 {
        self.0.year
    }
    /// Proposals made in the year.
    async fn proposals(&self) -> i64 {
        self.0.proposals()
    }
    /// Of those, approved (whatever happened since).
    async fn approved(&self) -> i64 {
        self.0.approved()
    }
    /// Of those, rejected.
    async fn rejected(&self) -> i64 {
        self.0.rejected()
    }
    /// Proposals by current status.
    async fn by_status(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.by_status)
    }
    /// Proposals by channel.
    async fn by_channel(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.by_channel)
    }
    /// Rejections by the rule that failed (`librarian` for rejections on review).
    async fn rejected_by_rule(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.rejected_by_rule)
    }
    /// The year's budget, if allocated.
    async fn budget(&self) -> Option<Budget> {
        self.0.budget.clone().map(Budget)
    }
    /// Cents spent from the year's budget, by channel.
    async fn spent_by_channel(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.spent_by_channel)
    }
    /// Copies bought on readers' proposals and catalogued in the year.
    async fn bought_on_demand(&self) -> Circulation {
        self.0.bought_on_demand.into()
    }
    /// Every other copy catalogued in the year.
    async fn other_acquisitions(&self) -> Circulation {
        self.0.other_acquisitions.into()
    }
}
