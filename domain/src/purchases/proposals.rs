//! Proposals: made by readers, decided by the rules and the budget, reviewed by librarians.

use chrono::{DateTime, Datelike, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Alias, Func};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    DatabaseTransaction, QueryOrder, QuerySelect,
};
use serde_json::{json, Value};

use super::budget::{self, Short};
use super::rules::{self, Facts, Outcome, RuleResult};
use super::{offers, Proposal, ProposalChannel, ProposalStatus};
use crate::auth::{Principal, StaffRole};
use crate::catalog::isbn::Isbn13;
use crate::catalog::work;
use crate::entity::{item, purchase_proposal, reader, title};
use crate::i18n::Text;
use crate::lending::requests::{self, Delivery};
use crate::lifecycle;
use crate::notify::{self, Kind, Notice};
use crate::{china_time, Ctx, Error, Reason, Result};

/// Statuses of a proposal still on its way to being bought.
const PENDING: [ProposalStatus; 3] = [
    ProposalStatus::Submitted,
    ProposalStatus::Approved,
    ProposalStatus::Ordered,
];

/// A reader's proposal as they send it.
#[derive(Debug, Clone)]
pub struct NewProposal {
    /// ISBN-10 or ISBN-13, as typed.
    pub isbn: String,
    /// Title.
    pub title: String,
    /// Author.
    pub author: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// CLC class, when the reader (or the bookseller's data) knows it.
    pub clc_class: Option<String>,
    /// Price in cents (分).
    pub price_cents: i64,
    /// A note for the librarian.
    pub note: Option<String>,
    /// How the reader wants the book once it is bought.
    pub delivery: Option<Delivery>,
}

/// `value` trimmed, None when empty; VALIDATION saying `too_long` (given `max`) for the input
/// `field` when it is longer than `max` characters.
pub(super) fn text(
    value: Option<String>,
    max: usize,
    too_long: Text,
    field: &'static str,
) -> Result<Option<String>> {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > max => {
            Err(Error::validation(too_long.arg("max", max)).in_field(field))
        }
        v => Ok(v),
    }
}

fn delivery_json(d: Delivery) -> Value {
    match d {
        Delivery::Locker(id) => json!({"method": "LOCKER", "lockerId": id}),
        Delivery::Branch(id) => json!({"method": "BRANCH", "branchId": id}),
        Delivery::Home(id) => json!({"method": "HOME", "addressId": id}),
    }
}

/// Proposes a book. The rules decide at once: APPROVED (its price committed against this
/// year's budget), REJECTED with the reasons, SUBMITTED for a librarian, or JOINED when
/// another reader's proposal of the same book is pending (it is bought once).
///
/// # Errors
/// VALIDATION for a bad ISBN, an absurd price, empty or overlong fields or a delivery place
/// that takes none; NOT_FOUND for another reader's address; CONFLICT when the reader has a
/// pending proposal of the same book. Nothing is written then.
pub async fn propose(ctx: &Ctx, reader_id: Uuid, new: NewProposal) -> Result<Proposal> {
    let txn = ctx.begin().await?;
    let proposal = decide(
        &txn,
        reader_id,
        new,
        ProposalChannel::Online,
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.wake_workers();
    Ok(proposal)
}

/// Checks `new`, lets the rules and the budget decide it, and writes the proposal (with its
/// budget movement and the reader's notification) in the caller's transaction.
///
/// # Errors
/// As [`propose`].
pub(crate) async fn decide(
    txn: &DatabaseTransaction,
    reader_id: Uuid,
    new: NewProposal,
    channel: ProposalChannel,
    vendor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Proposal> {
    let isbn = Isbn13::parse(&new.isbn)?;
    let title = text(
        Some(new.title),
        200,
        text!("proposal-title-too-long"),
        "title",
    )?
    .ok_or_else(|| Error::validation(text!("proposal-title-required")).in_field("title"))?;
    if !(1..=1_000_000).contains(&new.price_cents) {
        return Err(Error::validation(text!("proposal-price-range")).in_field("priceCents"));
    }
    if new
        .pub_year
        .is_some_and(|y| !(1450..=now.year() + 1).contains(&y))
    {
        return Err(Error::validation(text!("proposal-year-implausible")).in_field("pubYear"));
    }
    let clc_class = text(
        new.clc_class,
        30,
        text!("proposal-class-too-long"),
        "clcClass",
    )?;
    if let Some(d) = new.delivery {
        requests::check_delivery(txn, reader_id, d).await?;
    }
    // One proposal of a reader at a time: the monthly quota counts what is already there.
    reader::Entity::find_by_id(reader_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    let pending = purchase_proposal::Entity::find()
        .filter(purchase_proposal::Column::Isbn.eq(isbn.as_str()))
        .filter(purchase_proposal::Column::Status.is_in(PENDING))
        .all(txn)
        .await?;
    if pending.iter().any(|p| p.reader_id == reader_id) {
        return Err(Error::conflict(Reason::AlreadyProposed));
    }
    let typed = Described {
        title,
        author: text(new.author, 200, text!("proposal-author-too-long"), "author")?,
        publisher: text(
            new.publisher,
            200,
            text!("proposal-publisher-too-long"),
            "publisher",
        )?,
        pub_year: new.pub_year,
        clc_class,
        price_cents: new.price_cents,
    };
    let note = text(new.note, 500, text!("proposal-note-too-long"), "note")?;
    // A reader's word on class and price is not what the rules go by: the library's
    // catalogue or a vendor's feed is. A clerk at the counter has the book in hand.
    let (book, trusted) = match channel {
        ProposalChannel::InStore => (typed, true),
        ProposalChannel::Online => match known(txn, &isbn).await? {
            Some(known) => (known, true),
            None => (typed, false),
        },
    };
    let mut row = purchase_proposal::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader_id),
        isbn: Set(isbn.as_str().to_owned()),
        title: Set(book.title.clone()),
        author: Set(book.author.clone()),
        publisher: Set(book.publisher.clone()),
        pub_year: Set(book.pub_year),
        clc_class: Set(book.clc_class.clone()),
        price_cents: Set(book.price_cents),
        channel: Set(channel),
        vendor_id: Set(vendor),
        order_id: Set(None),
        status: NotSet, // decided below
        decision_reason: Set(None),
        rule_results: Set(json!([])),
        note: Set(note),
        delivery: Set(new.delivery.map(delivery_json)),
        joined_to: Set(None),
        budget_year: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        item_id: Set(None),
        settled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = Uuid::now_v7();
    row.id = Set(id);
    // Online proposals of a book already on its way join it; at a bookstore the reader
    // buys the copy in hand.
    let lead = pending
        .iter()
        .find(|p| p.channel == ProposalChannel::Online)
        .filter(|_| channel == ProposalChannel::Online);
    let (status, reason, results) = if let Some(first) = lead {
        row.joined_to = Set(Some(first.id));
        let joined = RuleResult::new("duplicate", Outcome::Pass, text!("rule-duplicate-joined"));
        (
            ProposalStatus::Joined,
            Some(joined.reason.clone()),
            vec![joined],
        )
    } else {
        let rules = rules::current(txn).await?;
        let (month_count, month_cents) = this_month(txn, reader_id, now).await?;
        let facts = Facts {
            price_cents: book.price_cents,
            pub_year: book.pub_year,
            clc_class: book.clc_class.as_deref(),
            trusted,
            holdings: holdings(txn, isbn.as_str()).await?,
            other_editions: other_editions(txn, &isbn, &book).await?,
            month_count,
            month_cents,
            this_year: china_time::year_of(now),
        };
        let results = rules.evaluate(&facts);
        let failed: Vec<&str> = results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail)
            .map(|r| r.reason.as_str())
            .collect();
        if !failed.is_empty() {
            // Full-width: the reasons are Chinese sentences, for the reader.
            let reason = failed.join("；");
            (ProposalStatus::Rejected, Some(reason), results)
        } else if results.iter().any(|r| r.outcome == Outcome::NeedsReview) {
            (ProposalStatus::Submitted, None, results)
        } else {
            // All rules pass: approved if the budget holds the price (decided below, once
            // the row exists for the budget movement to point at).
            (ProposalStatus::Approved, None, results)
        }
    };
    row.status = Set(lifecycle::begin(status)?);
    row.decision_reason = Set(reason);
    row.rule_results = Set(serde_json::to_value(&results).map_err(Error::internal)?);
    let mut proposal = row.insert(txn).await?;
    if status == ProposalStatus::Approved {
        proposal = hold_price(txn, proposal, results, None, now).await?.0;
    }
    decided(txn, &proposal, now).await?;
    Ok(proposal)
}

/// Commits an approved proposal's price against this year's budget, recording the budget
/// rule's outcome; a budget that cannot hold it turns the approval into a rejection (and
/// why is returned too).
async fn hold_price(
    db: &impl ConnectionTrait,
    proposal: Proposal,
    mut results: Vec<RuleResult>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(Proposal, std::result::Result<(), Short>)> {
    let year = china_time::year_of(now);
    let held = budget::commit(db, year, proposal.price_cents, proposal.id, actor, now).await?;
    let verdict = RuleResult::new(
        "budget",
        if held.is_ok() {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        budget_text(held),
    );
    let (id, from) = (proposal.id, proposal.status);
    let mut row: purchase_proposal::ActiveModel = proposal.into();
    let pass = verdict.outcome == Outcome::Pass;
    if pass {
        row.budget_year = Set(Some(year));
    } else {
        row.decision_reason = Set(Some(verdict.reason.clone()));
    }
    results.push(verdict);
    row.rule_results = Set(serde_json::to_value(&results).map_err(Error::internal)?);
    let written = if pass {
        row.update(db).await?
    } else {
        lifecycle::advance::<purchase_proposal::Entity>(db, id, from, ProposalStatus::Rejected, row)
            .await?
    };
    Ok((written, held))
}

/// What the budget rule says.
fn budget_text(held: std::result::Result<(), Short>) -> Text {
    match held {
        Ok(()) => text!("rule-budget-enough"),
        Err(Short::Exhausted) => text!("rule-budget-exhausted"),
        Err(Short::NoBudget) => text!("rule-budget-none"),
    }
}

/// What a proposal says of its book: the reader's words, or data the library trusts.
struct Described {
    title: String,
    author: Option<String>,
    publisher: Option<String>,
    pub_year: Option<i32>,
    clc_class: Option<String>,
    price_cents: i64,
}

/// The book as data the library trusts describes it: a vendor's feed (the best offer:
/// [`offers::best`]), else the library's own catalogue when it records a price.
async fn known(db: &impl ConnectionTrait, isbn: &Isbn13) -> Result<Option<Described>> {
    if let Some(o) = offers::best(db, isbn).await? {
        return Ok(Some(Described {
            title: o.title,
            author: o.author,
            publisher: o.publisher,
            pub_year: o.pub_year,
            clc_class: o.clc_class,
            price_cents: o.price_cents,
        }));
    }
    let held = title::Entity::find()
        .filter(title::Column::Isbn.eq(isbn.as_str()))
        .one(db)
        .await?;
    Ok(held.and_then(|t| {
        Some(Described {
            price_cents: i64::from(t.price_cents?),
            author: t
                .authors
                .split(';')
                .next()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            title: t.title,
            publisher: t.publisher,
            pub_year: t.pub_year,
            clc_class: t.clc_class,
        })
    }))
}

/// Copies the library holds of other editions of the book's work (other ISBNs, or none).
async fn other_editions(db: &impl ConnectionTrait, isbn: &Isbn13, book: &Described) -> Result<i64> {
    let Some(key) = work::key(&book.title, book.author.as_deref().unwrap_or_default()) else {
        return Ok(0);
    };
    let titles = title::Entity::find()
        .select_only()
        .column(title::Column::Id)
        .filter(title::Column::WorkKey.eq(key))
        .filter(
            title::Column::Isbn
                .ne(isbn.as_str())
                .or(title::Column::Isbn.is_null()),
        );
    let n = item::Entity::find()
        .filter(item::Column::TitleId.in_subquery(sea_orm::QueryTrait::into_query(titles)))
        .count(db)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Copies the library holds of the book.
async fn holdings(db: &impl ConnectionTrait, isbn: &str) -> Result<i64> {
    let titles = title::Entity::find()
        .select_only()
        .column(title::Column::Id)
        .filter(title::Column::Isbn.eq(isbn));
    let n = item::Entity::find()
        .filter(item::Column::TitleId.in_subquery(sea_orm::QueryTrait::into_query(titles)))
        .count(db)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The reader's proposals this calendar month (China time) that count against the quota:
/// how many and how much.
async fn this_month(
    db: &impl ConnectionTrait,
    reader: Uuid,
    now: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let start = china_time::start_of_month(now)
        .ok_or_else(|| Error::internal(anyhow::anyhow!("no month start for {now}")))?;
    let counted = purchase_proposal::Entity::find()
        .filter(purchase_proposal::Column::ReaderId.eq(reader))
        .filter(purchase_proposal::Column::CreatedAt.gte(start))
        .filter(purchase_proposal::Column::Status.is_not_in([
            ProposalStatus::Rejected,
            ProposalStatus::Cancelled,
            ProposalStatus::Joined,
        ]));
    let row: Option<(i64, i64)> = counted
        .select_only()
        .column_as(purchase_proposal::Column::Id.count(), "n")
        .column_as(
            // SUM of a bigint is a numeric in PostgreSQL: cast it back.
            Expr::expr(Func::coalesce([
                Expr::col(purchase_proposal::Column::PriceCents).sum(),
                Expr::val(0i64).into(),
            ]))
            .cast_as(Alias::new("BIGINT")),
            "cents",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.unwrap_or((0, 0)))
}

/// Tells the proposer how it was decided (not while it waits for a librarian).
pub(super) async fn decided(
    db: &impl ConnectionTrait,
    p: &Proposal,
    now: DateTime<Utc>,
) -> Result<()> {
    if p.status == ProposalStatus::Submitted {
        return Ok(());
    }
    let notice = Notice {
        reader: p.reader_id,
        kind: Kind::ProposalDecided,
        event: format!("proposal:{}:{}", p.id, p.status.as_str()),
        data: json!({
            "book_title": p.title, "status": p.status.as_str(), "reason": p.decision_reason,
            "proposal_id": p.id, "at": p.updated_at.to_rfc3339(),
        }),
    };
    notify::enqueue(db, notice, now).await
}

/// A librarian's decision on a SUBMITTED proposal: approving commits its price against the
/// year's budget.
///
/// # Errors
/// FORBIDDEN for anyone but librarians and admins; NOT_FOUND for an unknown proposal;
/// CONFLICT (with the current state) unless it is SUBMITTED; QUOTA_EXCEEDED when the budget
/// cannot hold it; VALIDATION for a rejection without a reason.
pub async fn review(
    ctx: &Ctx,
    who: &Principal,
    id: Uuid,
    approve: bool,
    reason: Option<String>,
) -> Result<Proposal> {
    who.require_staff(&[StaffRole::Librarian])?;
    let reason = text(reason, 500, text!("proposal-reason-too-long"), "reason")?;
    if !approve && reason.is_none() {
        return Err(Error::validation(text!("proposal-reject-reason-required")).in_field("reason"));
    }
    let txn = ctx.begin().await?;
    let current = purchase_proposal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("proposal"))?;
    if current.status != ProposalStatus::Submitted {
        return Err(Error::WrongState {
            what: "proposal",
            state: current.status.as_str(),
        });
    }
    let now = ctx.now();
    let results: Vec<RuleResult> =
        serde_json::from_value(current.rule_results.clone()).unwrap_or_default();
    let to = if approve {
        ProposalStatus::Approved
    } else {
        ProposalStatus::Rejected
    };
    let row = purchase_proposal::ActiveModel {
        decision_reason: Set(reason),
        reviewed_by: Set(who.staff_id()),
        reviewed_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut proposal =
        lifecycle::advance::<purchase_proposal::Entity>(&txn, id, current.status, to, row).await?;
    if approve {
        let (held_proposal, held) =
            hold_price(&txn, proposal, results, who.staff_id(), now).await?;
        proposal = held_proposal;
        if held.is_err() {
            // Roll back: the librarian's approval cannot stand without budget.
            return Err(Error::QuotaExceeded(budget_text(held)));
        }
    }
    decided(&txn, &proposal, now).await?;
    txn.commit().await?;
    ctx.wake_workers();
    Ok(proposal)
}

/// A page of the reader's proposals, newest first, after the cursor `after`.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn of_reader(
    db: &impl ConnectionTrait,
    reader: Uuid,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<Proposal>, bool)> {
    let mine =
        purchase_proposal::Entity::find().filter(purchase_proposal::Column::ReaderId.eq(reader));
    crate::lending::newest_first(db, mine, purchase_proposal::Column::Id, first, after).await
}

/// A page of all proposals (optionally in one state), newest first (librarians).
///
/// # Errors
/// FORBIDDEN for readers and for staff other than librarians.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    status: Option<ProposalStatus>,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<Proposal>, bool)> {
    who.require_staff(&[StaffRole::Librarian])?;
    let mut all = purchase_proposal::Entity::find();
    if let Some(s) = status {
        all = all.filter(purchase_proposal::Column::Status.eq(s));
    }
    crate::lending::newest_first(db, all, purchase_proposal::Column::Id, first, after).await
}

/// The proposals that joined `lead`, earliest first, locked for the caller's transaction.
///
/// # Errors
/// INTERNAL on a database fault.
pub(super) async fn followers(db: &impl ConnectionTrait, lead: Uuid) -> Result<Vec<Proposal>> {
    Ok(purchase_proposal::Entity::find()
        .filter(purchase_proposal::Column::JoinedTo.eq(lead))
        .filter(purchase_proposal::Column::Status.eq(ProposalStatus::Joined))
        .order_by_asc(purchase_proposal::Column::Id)
        .lock_exclusive()
        .all(db)
        .await?)
}

/// The catalogue's title of the proposed book, if the library has it (to offer a loan
/// instead): the same ISBN, else another edition of the same work that has copies.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn held_title(db: &impl ConnectionTrait, proposal: &Proposal) -> Result<Option<Uuid>> {
    let same = title::Entity::find()
        .filter(title::Column::Isbn.eq(proposal.isbn.as_str()))
        .one(db)
        .await?;
    match same {
        Some(t) => Ok(Some(t.id)),
        None => held_edition(db, &proposal.title, proposal.author.as_deref()).await,
    }
}

/// A title of the library's with copies that is an edition of the work `title` by `author`.
///
/// # Errors
/// INTERNAL on a database fault.
pub(crate) async fn held_edition(
    db: &impl ConnectionTrait,
    title: &str,
    author: Option<&str>,
) -> Result<Option<Uuid>> {
    let Some(key) = work::key(title, author.unwrap_or_default()) else {
        return Ok(None);
    };
    let with_copies = item::Entity::find()
        .select_only()
        .column(item::Column::TitleId);
    Ok(title::Entity::find()
        .filter(title::Column::WorkKey.eq(key))
        .filter(title::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(with_copies)))
        .order_by_asc(title::Column::Id)
        .one(db)
        .await?
        .map(|t| t.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn budget_and_duplicate_results_are_said_in_chinese_with_full_width_punctuation() {
        let said = [
            budget_text(Ok(())),
            budget_text(Err(Short::Exhausted)),
            budget_text(Err(Short::NoBudget)),
            text!("rule-duplicate-joined"),
        ];
        for why in said {
            for locale in Locale::ALL {
                assert_ne!(why.render(locale), why.key(), "no {locale:?} text");
            }
            let r = RuleResult::new("budget", Outcome::Pass, why);
            assert_eq!(rules::half_width_among_chinese(&r.reason), None, "{r:?}");
        }
    }
}
