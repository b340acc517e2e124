//! Purchase proposals (readers), reviews (librarians), budget and rules (admins).

use async_graphql::SimpleObject;
use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::purchases::{
    budget, cancelling, in_store, offers, orders, proposals, receiving, rules, statements,
};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::mutation::lending::{delivery, DeliveryInput};
use crate::mutation::patrons::ImportRejection;
use crate::types::parse_id;
use crate::types::purchases::{
    Budget, PurchaseOrder, PurchaseProposal, PurchaseRules, Vendor, VendorStatement,
};

/// What an import of a vendor's feed did.
#[derive(SimpleObject)]
pub struct VendorOfferImport {
    /// Rows stored (new, or replacing the vendor's earlier row for the ISBN).
    pub stored: u64,
    /// Rows refused.
    pub rejected: Vec<ImportRejection>,
}

/// The book proposed or sold (its fields sit directly in the inputs that use it).
#[derive(InputObject)]
pub struct BookToBuy {
    /// ISBN-10 or ISBN-13 (hyphens allowed).
    pub isbn: String,
    /// The book's title (1–200 characters).
    pub title: String,
    /// Its author (at most 200 characters).
    pub author: Option<String>,
    /// Its publisher (at most 200 characters).
    pub publisher: Option<String>,
    /// Year of publication, 1450 to next year; without it the rules cannot approve the
    /// proposal at once.
    pub pub_year: Option<i32>,
    /// CLC class, when known. Online proposals are judged on a vendor's feed or the
    /// catalogue instead when they know the ISBN (`isbnLookup`); otherwise a librarian
    /// reviews them.
    pub clc_class: Option<String>,
    /// Price in cents (分); for online proposals, as `clcClass`.
    pub price_cents: i64,
}

impl BookToBuy {
    fn proposal(
        self,
        note: Option<String>,
        delivery: Option<hongyan_domain::lending::requests::Delivery>,
    ) -> proposals::NewProposal {
        proposals::NewProposal {
            isbn: self.isbn,
            title: self.title,
            author: self.author,
            publisher: self.publisher,
            pub_year: self.pub_year,
            clc_class: self.clc_class,
            price_cents: self.price_cents,
            note,
            delivery,
        }
    }
}

/// A book a reader would like the library to buy.
#[derive(InputObject)]
pub struct ProposePurchaseInput {
    #[graphql(flatten)]
    pub book: BookToBuy,
    /// A note for the librarian.
    pub note: Option<String>,
    /// How the book should reach the reader once bought.
    pub delivery: Option<DeliveryInput>,
}

/// What a bookstore clerk scans and types at the counter.
#[derive(InputObject)]
pub struct InStorePurchaseInput {
    /// The reader's library card.
    pub card_number: String,
    #[graphql(flatten)]
    pub book: BookToBuy,
    /// A library barcode label the clerk put on the book (else a temporary one is made).
    pub barcode: Option<String>,
}

/// The library's purchase rules, whole.
#[derive(InputObject)]
pub struct PurchaseRulesInput {
    /// The most a book may cost, in cents (分; more than 0): dearer proposals are rejected.
    pub price_cap_cents: i64,
    /// Books dearer than this (cents, more than 0) go to a librarian; null, or at or above
    /// the cap: never.
    pub review_above_cents: Option<i64>,
    /// Only books published at most this many years before the current year (0 or more).
    pub max_age_years: i32,
    /// CLC class prefixes not bought on request, e.g. `G42` (each 1–20 characters).
    pub excluded_classes: Vec<String>,
    /// When the library already holds this many copies (1 or more), the proposal is
    /// rejected and the reader offered a loan instead.
    pub holdings_limit: i64,
    /// Proposals per reader per calendar month (1 or more).
    pub monthly_count: i64,
    /// Amount per reader per calendar month, in cents (more than 0).
    pub monthly_amount_cents: i64,
}

/// Purchase mutations.
#[derive(Default)]
pub struct PurchasesMutation;

#[Object]
impl PurchasesMutation {
    /// Proposes a book ("you read, we pay"): decided at once by the rules and the budget.
    async fn propose_purchase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The book, a note and where it should go once bought.")]
        input: ProposePurchaseInput,
    ) -> GqlResult<PurchaseProposal> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let chosen = input.delivery.map(delivery).transpose().gql()?;
        let new = input.book.proposal(input.note, chosen);
        Ok(PurchaseProposal(
            proposals::propose(domain(ctx), reader, new).await.gql()?,
        ))
    }

    /// A purchase at the clerk's bookstore, decided at once; approved, the reader leaves
    /// with the book as a loan (bookstore clerks).
    async fn in_store_purchase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reader's card, the book and its barcode label.")]
        input: InStorePurchaseInput,
    ) -> GqlResult<PurchaseProposal> {
        let who = principal(ctx).gql()?;
        let sale = in_store::Sale {
            card_number: input.card_number,
            barcode: input.barcode,
            book: input.book.proposal(None, None),
        };
        Ok(PurchaseProposal(
            in_store::purchase(domain(ctx), who, sale).await.gql()?,
        ))
    }

    /// Lends a counter purchase a librarian approved while the reader waited (the clerk of
    /// its bookstore; `barcode`: the store's label, else a temporary one).
    async fn lend_in_store_purchase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The APPROVED counter purchase (`PurchaseProposal.id`).")] proposal_id: ID,
        #[graphql(
            desc = "The library barcode label the clerk put on the book; none: a temporary one is made."
        )]
        barcode: Option<String>,
    ) -> GqlResult<PurchaseProposal> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&proposal_id, "proposal").gql()?;
        Ok(PurchaseProposal(
            in_store::lend_approved(domain(ctx), who, id, barcode.as_deref())
                .await
                .gql()?,
        ))
    }

    /// Decides a SUBMITTED proposal (librarians); a rejection needs a reason.
    async fn review_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SUBMITTED proposal (`PurchaseProposal.id`).")] id: ID,
        #[graphql(
            desc = "True to approve (its price is committed to the budget), false to reject."
        )]
        approve: bool,
        #[graphql(desc = "Why, for the reader (at most 500 characters); required to reject.")]
        reason: Option<String>,
    ) -> GqlResult<PurchaseProposal> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "proposal").gql()?;
        Ok(PurchaseProposal(
            proposals::review(domain(ctx), who, id, approve, reason)
                .await
                .gql()?,
        ))
    }

    /// Withdraws a proposal: a reader's own until it is ordered, or (librarians, with a
    /// reason) any not yet received. Its price goes back to the budget.
    async fn cancel_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal (`PurchaseProposal.id`).")] id: ID,
        #[graphql(
            desc = "Why, for the reader (at most 500 characters); required from librarians, optional for the reader's own."
        )]
        reason: Option<String>,
    ) -> GqlResult<PurchaseProposal> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "proposal").gql()?;
        Ok(PurchaseProposal(
            cancelling::cancel(domain(ctx), who, id, reason)
                .await
                .gql()?,
        ))
    }

    /// Catalogues the bought copy of an approved proposal at `branchId` and opens the
    /// proposer's request on it (librarians of the branch).
    async fn receive_purchase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The APPROVED or ORDERED proposal (`PurchaseProposal.id`).")]
        proposal_id: ID,
        #[graphql(desc = "The new copy's barcode (not used by another copy).")] barcode: String,
        #[graphql(desc = "The new copy's call number, e.g. `I247.5/123`.")] call_number: String,
        #[graphql(desc = "The library branch (not a bookstore) that receives and owns the copy.")]
        branch_id: ID,
    ) -> GqlResult<PurchaseProposal> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&proposal_id, "proposal").gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(PurchaseProposal(
            receiving::receive(domain(ctx), who, id, &barcode, &call_number, branch)
                .await
                .gql()?,
        ))
    }

    /// Imports a vendor's catalogue feed (librarians; audited): the books they sell, which
    /// proposals are then judged on. A row for an ISBN the vendor listed before replaces it;
    /// bad rows are reported by line and reason, the rest are kept.
    async fn import_vendor_offers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vendor (`Vendor.id`).")] vendor_id: ID,
        #[graphql(
            desc = "The feed as CSV text (UTF-8): a header row naming `isbn`, `title` and `price` (yuan, e.g. `59.00`), optionally `author`, `publisher`, `year`, `clc_class` and `stock`. A request carries at most 256 KiB; larger feeds (up to 8 MiB and 50,000 rows) and MARC feeds are loaded with `hongyan purchases offers VENDOR FILE`."
        )]
        csv: String,
    ) -> GqlResult<VendorOfferImport> {
        let who = principal(ctx).gql()?;
        let vendor = parse_id(&vendor_id, "vendor").gql()?;
        let done = offers::import(domain(ctx), who, vendor, &csv).await.gql()?;
        Ok(VendorOfferImport {
            stored: done.stored,
            rejected: done
                .rejected
                .into_iter()
                .map(|(line, reason)| ImportRejection { line, reason })
                .collect(),
        })
    }

    /// Adds a vendor the library orders from (admins).
    async fn add_vendor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vendor's name (1–100 characters).")] name: String,
    ) -> GqlResult<Vendor> {
        let who = principal(ctx).gql()?;
        Ok(Vendor(
            orders::add_vendor(domain(ctx), who, &name).await.gql()?,
        ))
    }

    /// Orders approved online proposals not yet ordered from `vendorId` (librarians): the
    /// ones named in `proposalIds` (at most 500; all must be waiting, else nothing is
    /// ordered), or every one when it is omitted.
    async fn place_purchase_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vendor to order from (`Vendor.id`).")] vendor_id: ID,
        #[graphql(
            desc = "The approved online proposals to order (1–500); none: every one waiting for an order."
        )]
        proposal_ids: Option<Vec<ID>>,
    ) -> GqlResult<PurchaseOrder> {
        let who = principal(ctx).gql()?;
        let vendor = parse_id(&vendor_id, "vendor").gql()?;
        let which = match proposal_ids {
            None => orders::Lines::All,
            Some(ids) => orders::Lines::Only(
                ids.iter()
                    .map(|id| parse_id(id, "proposal"))
                    .collect::<Result<_, _>>()
                    .gql()?,
            ),
        };
        Ok(PurchaseOrder(
            orders::place(domain(ctx), who, vendor, which).await.gql()?,
        ))
    }

    /// Marks a vendor's monthly statement paid (librarians): committed becomes spent.
    async fn pay_vendor_statement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The bookstore (`Vendor.id`).")] vendor_id: ID,
        #[graphql(desc = "The month, `YYYY-MM` (China time).")] month: String,
    ) -> GqlResult<VendorStatement> {
        let who = principal(ctx).gql()?;
        let vendor = parse_id(&vendor_id, "vendor").gql()?;
        Ok(VendorStatement(
            statements::pay(domain(ctx), who, vendor, &month)
                .await
                .gql()?,
        ))
    }

    /// Allocates a fiscal year's book budget (admins).
    async fn allocate_budget(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiscal (calendar) year, 2000–2100.")] fiscal_year: i32,
        #[graphql(
            desc = "The whole allocation in cents (分), not less than what is already committed and spent; replaces any earlier allocation."
        )]
        total_cents: i64,
    ) -> GqlResult<Budget> {
        let who = principal(ctx).gql()?;
        Ok(Budget(
            budget::allocate(domain(ctx), who, fiscal_year, total_cents)
                .await
                .gql()?,
        ))
    }

    /// Replaces the purchase rules (admins).
    async fn update_purchase_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Every rule, as it should be from now on.")] input: PurchaseRulesInput,
    ) -> GqlResult<PurchaseRules> {
        let who = principal(ctx).gql()?;
        let new = rules::Rules {
            price_cap_cents: input.price_cap_cents,
            review_above_cents: input.review_above_cents,
            max_age_years: input.max_age_years,
            excluded_classes: input.excluded_classes,
            holdings_limit: input.holdings_limit,
            monthly_count: input.monthly_count,
            monthly_amount_cents: input.monthly_amount_cents,
        };
        Ok(rules::update(domain(ctx), who, new).await.gql()?.into())
    }
}
