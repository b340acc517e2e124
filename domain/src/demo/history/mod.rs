//! A generated year of history for the demo library, so the statistics a new user opens
//! first show real-looking figures: readers joining, requests by every delivery method with
//! their history and the lockers' event log, loans and returns, and "you read, we pay"
//! proposals with the budget they moved. Busier on weekends and in the winter and summer
//! holidays ([`calendar`]).
//!
//! The year is the [`calendar::DAYS`] whole China-time days before the load's date, drawn
//! from a fixed seed: every load on a given day writes the same figures. It ends in the
//! present state of the demo library: copies still lent are ON_LOAN with an ACTIVE loan,
//! every other copy back on its shelf; every request in the past is finished; no job is
//! queued, so no one is told today about what happened then.
//!
//! The rows are records of what happened, written where each thing ended (a FULFILLED
//! request, a RETURNED loan), not moves: the lifecycle tables govern moves from now on
//! (the scan in `tests/tests/api/lifecycles.rs` lists these writes as records). Only the
//! copies still lent move, from AVAILABLE to ON_LOAN, through [`lifecycle::advance_all`].

mod calendar;
mod lending;
mod proposals;
mod readers;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, Iterable, QueryOrder};

use crate::entity::branch::{self, BranchKind};
use crate::entity::item::{self, ItemStatus};
use crate::entity::{budget, compartment, locker, title, vendor};
use crate::{china_time, lifecycle, Result};

/// The seed: the same history on every load.
const SEED: u64 = 2025_1224;
/// The budget of the fiscal year before this one, when the history reaches into it.
const LAST_YEAR_BUDGET_CENTS: i64 = 4_000_000;
/// SQLite binds at most 32,766 parameters per statement; stay well below.
const MAX_PARAMETERS: usize = 30_000;

/// How much history was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Readers who joined.
    pub readers: usize,
    /// Requests.
    pub requests: usize,
    /// Loans (at the desk, on requests and on proposals).
    pub loans: usize,
    /// Loans still out.
    pub active_loans: usize,
    /// Proposals.
    pub proposals: usize,
}

/// Writes the year before `now` into the demo library just loaded (its branches, lockers,
/// catalogue, wholesaler and this year's budget).
///
/// # Errors
/// A database fault.
pub async fn insert(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Summary> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let days = calendar::days(now, &mut rng);
    let end = calendar::end(now);
    let branches: Vec<Uuid> = branch::Entity::find()
        .filter(branch::Column::Kind.ne(BranchKind::Bookstore))
        .order_by_asc(branch::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let copies: Vec<lending::Copy> = item::Entity::find()
        .order_by_asc(item::Column::Barcode)
        .all(db)
        .await?
        .into_iter()
        .map(|i| lending::Copy {
            id: i.id,
            title: i.title_id,
            barcode: i.barcode,
            home: i.home_branch_id,
        })
        .collect();
    let lockers = lockers(db).await?;

    let readers = readers::generate(&days, &branches, end, &mut rng)?;
    let stock = lending::Stock {
        copies: &copies,
        branches: &branches,
        lockers: &lockers,
    };
    let lent = lending::generate(&days, &readers, &stock, end, &mut rng);
    let mut budgets = budgets(db, &days).await?;
    let books = books(db).await?;
    let vendor = vendor::Entity::find()
        .order_by_asc(vendor::Column::Name)
        .one(db)
        .await?
        .map(|v| v.id)
        .unwrap_or_default();
    let bought = proposals::generate(
        &days,
        &readers,
        &books,
        vendor,
        &branches,
        &mut budgets,
        end,
        &mut rng,
    )?;

    let summary = Summary {
        readers: readers.rows.len(),
        requests: lent.requests.len(),
        loans: lent.loans.len() + bought.loans.len(),
        active_loans: lent.still_out.len() + bought.still_out.len(),
        proposals: bought.proposals.len(),
    };
    insert_all(db, readers.rows).await?;
    insert_all(db, lent.addresses).await?;
    insert_all(db, bought.copies).await?;
    insert_all(db, lent.requests).await?;
    insert_all(db, lent.events).await?;
    insert_all(db, lent.loans).await?;
    insert_all(db, bought.loans).await?;
    crate::report::counts::recount(db).await?;
    insert_all(db, lent.locker_events).await?;
    insert_all(db, bought.proposals).await?;
    insert_all(db, bought.movements).await?;
    for (_, b) in budgets {
        budget::ActiveModel {
            id: Set(b.id),
            committed_cents: Set(b.committed_cents),
            spent_cents: Set(b.spent_cents),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    let out: Vec<Uuid> = lent.still_out.into_iter().chain(bought.still_out).collect();
    for chunk in out.chunks(1_000) {
        lifecycle::advance_all::<item::Entity>(&[ItemStatus::Available], ItemStatus::OnLoan)?
            .filter(item::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(summary)
}

/// The lockers, by code, with their doors.
async fn lockers(db: &impl ConnectionTrait) -> Result<Vec<lending::Locker>> {
    let doors = compartment::Entity::find()
        .order_by_asc(compartment::Column::Label)
        .all(db)
        .await?;
    Ok(locker::Entity::find()
        .order_by_asc(locker::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|l| lending::Locker {
            id: l.id,
            branch: l.branch_id,
            doors: doors
                .iter()
                .filter(|d| d.locker_id == l.id)
                .map(|d| d.label.clone())
                .collect(),
        })
        .filter(|l| !l.doors.is_empty())
        .collect())
}

/// The catalogue's titles with an ISBN, by ISBN.
async fn books(db: &impl ConnectionTrait) -> Result<Vec<proposals::Book>> {
    Ok(title::Entity::find()
        .filter(title::Column::Isbn.is_not_null())
        .order_by_asc(title::Column::Isbn)
        .all(db)
        .await?
        .into_iter()
        .map(|t| proposals::Book {
            id: t.id,
            isbn: t.isbn.unwrap_or_default(),
            title: t.title,
            authors: t.authors,
            publisher: t.publisher,
            pub_year: t.pub_year,
            clc_class: t.clc_class,
            price_cents: t.price_cents,
        })
        .collect())
}

/// The budgets of the fiscal years the history covers, allocating last year's when the
/// history reaches into it.
async fn budgets(
    db: &impl ConnectionTrait,
    days: &[calendar::Day],
) -> Result<BTreeMap<i32, proposals::Budget>> {
    let mut out = BTreeMap::new();
    if let Some(first) = days.first() {
        let year = china_time::year_of(first.start);
        let exists = budget::Entity::find()
            .filter(budget::Column::FiscalYear.eq(year))
            .one(db)
            .await?
            .is_some();
        if !exists {
            crate::purchases::budget::set_total(
                db,
                year,
                LAST_YEAR_BUDGET_CENTS,
                None,
                first.start,
            )
            .await?;
        }
    }
    for b in budget::Entity::find().all(db).await? {
        out.insert(
            b.fiscal_year,
            proposals::Budget {
                id: b.id,
                total_cents: b.total_cents,
                committed_cents: b.committed_cents,
                spent_cents: b.spent_cents,
            },
        );
    }
    Ok(out)
}

/// Inserts `rows` in multi-row statements below SQLite's bound-parameter limit.
async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Clone + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    for chunk in rows.chunks(MAX_PARAMETERS / columns) {
        <A::Entity as EntityTrait>::insert_many(chunk.iter().cloned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
