//! The demo year's "you read, we pay" proposals: most approved by the rules at once, their
//! price committed against the year's budget, bought, catalogued and lent to the proposer,
//! the vendor paid some weeks later; some refused by a rule, with its reason; a few
//! withdrawn, their price given back. The budget rows end with the totals the movements add
//! up to.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::Rng;
use sea_orm::ActiveValue::Set;
use serde_json::{json, Value};
use uuid::Uuid;

use super::calendar::{self, hours, Day};
use super::lending;
use super::readers::Readers;
use crate::catalog::books;
use crate::entity::budget_movement::{self, MovementKind};
use crate::entity::purchase_proposal::{self, ProposalChannel, ProposalStatus};
use crate::entity::{item, loan};
use crate::{china_time, Result};

/// Proposals over the year.
const PROPOSALS: f64 = 420.0;

/// A catalogue title a reader could have proposed (the library bought it on their word).
#[derive(Debug, Clone)]
pub struct Book {
    /// The title.
    pub id: Uuid,
    /// ISBN.
    pub isbn: String,
    /// Name.
    pub title: String,
    /// Authors.
    pub authors: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// CLC class.
    pub clc_class: Option<String>,
    /// Price.
    pub price_cents: Option<i32>,
}

/// A fiscal year's budget as the history leaves it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Budget {
    /// The budget row.
    pub id: Uuid,
    /// Allocated.
    pub total_cents: i64,
    /// Approved, not yet paid.
    pub committed_cents: i64,
    /// Paid.
    pub spent_cents: i64,
}

/// The rows the year's proposals left.
#[derive(Default)]
pub struct Purchases {
    /// Proposals, in their final state.
    pub proposals: Vec<purchase_proposal::ActiveModel>,
    /// Budget movements.
    pub movements: Vec<budget_movement::ActiveModel>,
    /// Copies bought.
    pub copies: Vec<item::ActiveModel>,
    /// Their loans to the proposers.
    pub loans: Vec<loan::ActiveModel>,
    /// Copies bought and still lent at the end.
    pub still_out: Vec<Uuid>,
}

/// Why a rule refused a proposal: (rule, reason).
const REFUSALS: &[(&str, &str)] = &[
    ("holdings", "馆藏已有 2 册及以上，可直接借阅"),
    ("price", "单价超过荐购上限"),
    ("clc_class", "教辅类图书不在“你读书，我买单”范围内"),
    ("monthly_quota", "本月荐购已达 3 种"),
];

/// The rules every approved proposal passed.
const PASSED: &[&str] = &[
    "isbn",
    "price",
    "publication_year",
    "clc_class",
    "holdings",
    "monthly_quota",
    "budget",
];

/// Proposals over `days` of `books` (bought from `vendor`, catalogued at `branches`),
/// committing and paying from `budgets` (per fiscal year; a year without one refuses them).
///
/// # Errors
/// INTERNAL when a copy cannot begin AVAILABLE.
#[allow(clippy::too_many_arguments)]
pub fn generate(
    days: &[Day],
    readers: &Readers,
    books: &[Book],
    vendor: Uuid,
    branches: &[Uuid],
    budgets: &mut BTreeMap<i32, Budget>,
    end: DateTime<Utc>,
    rng: &mut StdRng,
) -> Result<Purchases> {
    let mut out = Purchases::default();
    if books.is_empty() || branches.is_empty() {
        return Ok(out);
    }
    for (day, n) in days.iter().zip(calendar::spread(days, PROPOSALS)) {
        for _ in 0..n {
            let at = calendar::opening_hours(day, rng);
            let Some(reader) = readers.pick(at, rng) else {
                continue;
            };
            let book = &books[rng.random_range(0..books.len())];
            let branch = reader
                .home
                .unwrap_or_else(|| branches[rng.random_range(0..branches.len())]);
            let price = i64::from(book.price_cents.unwrap_or(4_500));
            let id = Uuid::now_v7();
            let year = china_time::year_of(at);
            let roll = rng.random_range(0..100);
            let fits = budgets
                .get(&year)
                .is_some_and(|b| b.total_cents - b.committed_cents - b.spent_cents >= price);
            let mut p = Proposal {
                status: ProposalStatus::Approved,
                reason: None,
                rules: PASSED
                    .iter()
                    .map(|r| json!({"rule": r, "outcome": "PASS", "reason": "符合"}))
                    .collect(),
                item: None,
                settled: None,
                updated: at,
            };
            if roll < 20 || !fits {
                let (rule, why) = if fits {
                    REFUSALS[rng.random_range(0..REFUSALS.len())]
                } else {
                    ("budget", "本年度荐购经费已用完")
                };
                p.status = ProposalStatus::Rejected;
                p.reason = Some(why.to_owned());
                p.rules = vec![
                    json!({"rule": "isbn", "outcome": "PASS", "reason": "ISBN 有效"}),
                    json!({"rule": rule, "outcome": "FAIL", "reason": why}),
                ];
            } else {
                let budget = budgets.entry(year).or_default();
                let mut move_budget = |kind: MovementKind, when: DateTime<Utc>| {
                    match kind {
                        MovementKind::Commit => budget.committed_cents += price,
                        MovementKind::Release => budget.committed_cents -= price,
                        MovementKind::Spend => {
                            budget.committed_cents -= price;
                            budget.spent_cents += price;
                        }
                        MovementKind::Adjust => budget.total_cents += price,
                    }
                    out.movements.push(budget_movement::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        budget_id: Set(budget.id),
                        proposal_id: Set(Some(id)),
                        kind: Set(kind),
                        amount_cents: Set(price),
                        actor_id: Set(None),
                        at: Set(when),
                    });
                };
                move_budget(MovementKind::Commit, at);
                let received = at + hours(rng, 7.0 * 24.0, 18.0 * 24.0);
                let lent = received + hours(rng, 2.0, 72.0);
                let paid = received + hours(rng, 3.0 * 24.0, 25.0 * 24.0);
                if roll < 27 {
                    let withdrawn = at + hours(rng, 1.0, 48.0);
                    if withdrawn < end {
                        move_budget(MovementKind::Release, withdrawn);
                        p.status = ProposalStatus::Cancelled;
                        p.updated = withdrawn;
                    }
                } else if lent < end {
                    let barcode = format!("ZJP{:07}", out.copies.len() + 1);
                    let call_number = format!(
                        "{}/P{}",
                        book.clc_class.as_deref().unwrap_or("Z"),
                        out.copies.len() + 1
                    );
                    let copy = books::new_copy(book.id, &barcode, &call_number, branch, received)?;
                    let copy_id = *copy.id.as_ref();
                    out.copies.push(copy);
                    let (row, returned) =
                        lending::loan(reader.id, copy_id, branch, lent, None, end, rng);
                    out.loans.push(row);
                    if returned.is_none() {
                        out.still_out.push(copy_id);
                    }
                    if paid < end {
                        move_budget(MovementKind::Spend, paid);
                        p.settled = Some(paid);
                    }
                    p.status = ProposalStatus::Loaned;
                    p.item = Some(copy_id);
                    p.updated = lent;
                }
            }
            out.proposals
                .push(p.row(id, reader.id, book, price, vendor, branch, at, year));
        }
    }
    Ok(out)
}

/// Where one proposal ended.
struct Proposal {
    status: ProposalStatus,
    reason: Option<String>,
    rules: Vec<Value>,
    item: Option<Uuid>,
    settled: Option<DateTime<Utc>>,
    updated: DateTime<Utc>,
}

impl Proposal {
    #[allow(clippy::too_many_arguments)]
    fn row(
        self,
        id: Uuid,
        reader: Uuid,
        book: &Book,
        price: i64,
        vendor: Uuid,
        branch: Uuid,
        at: DateTime<Utc>,
        year: i32,
    ) -> purchase_proposal::ActiveModel {
        let status = self.status;
        let approved = status != ProposalStatus::Rejected;
        purchase_proposal::ActiveModel {
            id: Set(id),
            reader_id: Set(reader),
            isbn: Set(book.isbn.clone()),
            title: Set(book.title.clone()),
            author: Set(Some(book.authors.clone())),
            publisher: Set(book.publisher.clone()),
            pub_year: Set(book.pub_year),
            clc_class: Set(book.clc_class.clone()),
            price_cents: Set(price),
            channel: Set(ProposalChannel::Online),
            vendor_id: Set(approved.then_some(vendor)),
            order_id: Set(None),
            status: Set(status),
            decision_reason: Set(self.reason),
            rule_results: Set(Value::Array(self.rules)),
            note: Set(None),
            delivery: Set(Some(
                json!({"method": "BRANCH", "branchId": branch.to_string()}),
            )),
            joined_to: Set(None),
            budget_year: Set(approved.then_some(year)),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            item_id: Set(self.item),
            settled_at: Set(self.settled),
            created_at: Set(at),
            updated_at: Set(self.updated.max(at)),
        }
    }
}
