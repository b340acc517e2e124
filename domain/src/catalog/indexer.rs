//! Keeps a process's search index in step with the database.
//!
//! At start-up the index is rebuilt when it is new, of an older layout, or holds a different
//! number of titles than the database; otherwise it catches up from the watermark stored with
//! its last commit. Then a background task re-indexes every title changed since (titles
//! carry `updated_at`, which every change to the title or its copies' statuses touches via
//! [`touch`]). It wakes on the `catalog` signal right after such a commit, and polls twice a
//! second as a fallback, so a committed change is searchable within about a second in every
//! process.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{Condition, QueryOrder, QuerySelect};

use super::availability;
use super::isbn::Isbn13;
use super::search_index::{IndexedTitle, SearchIndex};
use crate::entity::title;
use crate::{Ctx, Error, Result};

/// The signal topic for "titles or copies changed".
pub const CATALOG: &str = "catalog";
/// Changes committed up to this long after their `updated_at` are still picked up.
const MARGIN: chrono::Duration = chrono::Duration::seconds(10);
const POLL: Duration = Duration::from_millis(500);
/// Shortest time between two catch-ups: under a stream of changes the index commits at
/// most once a second (each commit makes segments for tantivy to merge; at 200 ms the
/// merging took a fifth of the CPU under the lending benchmark's load).
const GAP: Duration = Duration::from_millis(1000);
const PAGE: u64 = 2000;

/// Marks titles as changed (call inside the transaction that changes them or their copies),
/// so every process re-indexes them. Returns how many exist.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn touch(db: &impl ConnectionTrait, titles: &[Uuid], now: DateTime<Utc>) -> Result<u64> {
    if titles.is_empty() {
        return Ok(0);
    }
    touch_where(db, title::Column::Id.is_in(titles.iter().copied()), now).await
}

/// Marks the titles `which` selects as changed, as [`touch`] does (a caller locking many
/// titles in a set order selects them with a locking subquery). Returns how many.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn touch_where(
    db: &impl ConnectionTrait,
    which: SimpleExpr,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(title::Entity::update_many()
        .col_expr(title::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .exec(db)
        .await?
        .rows_affected)
}

/// Tells every process's indexer that titles changed (after the commit).
pub fn announce(ctx: &Ctx) {
    ctx.signals.publish(CATALOG, "");
}

/// What the index needs of these titles, read from the database.
async fn documents(
    db: &impl ConnectionTrait,
    titles: Vec<title::Model>,
) -> Result<Vec<IndexedTitle>> {
    let ids: Vec<Uuid> = titles.iter().map(|t| t.id).collect();
    let mut avail = availability::for_titles(db, &ids).await?;
    let withdrawn = availability::withdrawn_titles(db, &ids).await?;
    Ok(titles
        .into_iter()
        .map(|t| {
            let a = avail.remove(&t.id).unwrap_or_default();
            let isbn = t.isbn.as_deref().and_then(|i| Isbn13::parse(i).ok());
            IndexedTitle {
                id: t.id,
                withdrawn: withdrawn.contains(&t.id),
                isbn10: isbn.as_ref().and_then(Isbn13::to_isbn10),
                isbn13: isbn.map(|i| i.as_str().to_owned()),
                title: t.title,
                subtitle: t.subtitle,
                authors: t.authors,
                publisher: t.publisher,
                subjects: t.subjects,
                summary: t.summary,
                clc_class: t.clc_class,
                pub_year: t.pub_year,
                available: u64::try_from(a.available).unwrap_or(0),
                available_at: a
                    .by_branch
                    .iter()
                    .filter(|b| b.available > 0)
                    .map(|b| b.branch_id)
                    .collect(),
                held_at: a.by_branch.iter().map(|b| b.branch_id).collect(),
            }
        })
        .collect())
}

/// Re-indexes every title from scratch. Returns how many.
///
/// # Errors
/// INTERNAL on a database or index fault.
pub async fn rebuild(
    db: &impl ConnectionTrait,
    index: &SearchIndex,
    now: DateTime<Utc>,
) -> Result<u64> {
    let started = now;
    index.clear()?;
    let mut after: Option<Uuid> = None;
    let mut n = 0;
    loop {
        let titles = super::books::titles_after(db, after, PAGE).await?;
        let Some(last) = titles.last().map(|t| t.id) else {
            break;
        };
        n += titles.len() as u64;
        index.upsert(&documents(db, titles).await?, started - MARGIN)?;
        after = Some(last);
    }
    if n == 0 {
        index.upsert(&[], started - MARGIN)?;
    }
    Ok(n)
}

/// Re-indexes the titles changed since `since`, page by page; returns the new watermark.
///
/// `seen` remembers what was indexed inside the safety margin, so an idle system does not
/// re-index the same recent titles on every poll.
async fn catch_up(
    db: &impl ConnectionTrait,
    index: &SearchIndex,
    since: DateTime<Utc>,
    seen: &mut HashMap<Uuid, DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let mut cursor: Option<(DateTime<Utc>, Uuid)> = None;
    loop {
        let mut page = title::Entity::find()
            .filter(title::Column::UpdatedAt.gt(since - MARGIN))
            .order_by_asc(title::Column::UpdatedAt)
            .order_by_asc(title::Column::Id)
            .limit(PAGE);
        if let Some((at, id)) = cursor {
            page = page.filter(
                Condition::any().add(title::Column::UpdatedAt.gt(at)).add(
                    Condition::all()
                        .add(title::Column::UpdatedAt.eq(at))
                        .add(title::Column::Id.gt(id)),
                ),
            );
        }
        let changed = page.all(db).await?;
        let full = changed.len() as u64 == PAGE;
        cursor = changed.last().map(|t| (t.updated_at, t.id));
        let fresh: Vec<title::Model> = changed
            .into_iter()
            .filter(|t| seen.get(&t.id) != Some(&t.updated_at))
            .collect();
        for t in &fresh {
            seen.insert(t.id, t.updated_at);
        }
        if !fresh.is_empty() {
            index.upsert(&documents(db, fresh).await?, now)?;
        }
        if !full {
            break;
        }
    }
    seen.retain(|_, at| *at > now - MARGIN - MARGIN);
    Ok(now)
}

/// Asks every process to re-index every title (`hongyan index rebuild`): marks all titles
/// changed, so each process's indexer picks them up, now or when it next starts.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn rebuild_everywhere(ctx: &Ctx) -> Result<u64> {
    let res = title::Entity::update_many()
        .col_expr(title::Column::UpdatedAt, Expr::value(ctx.now()))
        .exec(&ctx.db)
        .await?;
    announce(ctx);
    Ok(res.rows_affected)
}

/// Opens (or creates) the index, brings it up to date and keeps it there in the background.
/// It is rebuilt when new, of another layout, of another database, or holding a different
/// number of titles than the database; otherwise it catches up from its watermark.
///
/// # Errors
/// INTERNAL when the index cannot be opened or the first synchronisation fails.
pub async fn start(ctx: &Ctx, dir: Option<&std::path::Path>) -> Result<Arc<SearchIndex>> {
    let (index, created) = SearchIndex::open(dir)?;
    let index = Arc::new(index);
    let titles = title::Entity::find().count(&ctx.db).await?;
    // An index of another database (same directory, other `HONGYAN_DATABASE_URL`) may hold
    // as many titles; it cannot hold this one's oldest.
    let oldest = title::Entity::find()
        .order_by_asc(title::Column::Id)
        .one(&ctx.db)
        .await?;
    let same_database = oldest.is_none_or(|t| index.holds(t.id));
    let watermark = match index.watermark() {
        Some(w) if !created && index.len() == titles && same_database => w,
        _ => {
            let n = rebuild(&ctx.db, &index, ctx.now()).await?;
            tracing::info!(titles = n, "search index rebuilt");
            index
                .watermark()
                .ok_or_else(|| Error::internal(anyhow::anyhow!("index has no watermark")))?
        }
    };
    let mut seen = HashMap::new();
    let watermark = catch_up(&ctx.db, &index, watermark, &mut seen, ctx.now()).await?;
    tokio::spawn(follow(ctx.clone(), Arc::downgrade(&index), watermark, seen));
    Ok(index)
}

async fn follow(
    ctx: Ctx,
    index: std::sync::Weak<SearchIndex>,
    mut watermark: DateTime<Utc>,
    mut seen: HashMap<Uuid, DateTime<Utc>>,
) {
    let mut wake = ctx.signals.subscribe(CATALOG);
    let mut last = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = wake.recv() => {}
        }
        // Under a stream of changes (every lending transaction touches its title), catch up
        // at most every GAP: each catch-up re-reads the last MARGIN of changes.
        tokio::time::sleep_until(last + GAP).await;
        while wake.try_recv().is_ok() {}
        last = tokio::time::Instant::now();
        let Some(index) = index.upgrade() else { return };
        match catch_up(&ctx.db, &index, watermark, &mut seen, ctx.now()).await {
            Ok(w) => watermark = w,
            Err(e) => tracing::warn!(error = ?e, "search index catch-up failed; retrying"),
        }
    }
}
