//! `--withdraw-missing --branch CODE`: the file is the whole catalogue of one branch (its
//! system's nightly export, say), so that branch's copies the file no longer lists have left
//! the collection. Each is withdrawn as [`crate::lending::withdrawal`] says (a request it was
//! reserved for is routed again; a copy in circulation is kept for a later sync), its history
//! kept. A dry run lists the same and writes nothing.
//!
//! Two guards keep a wrong file from emptying a branch: nothing is withdrawn when the file
//! lists no copy of that branch at all, or when some of its records could not be read (their
//! copies are unknown).

use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{QueryOrder, QuerySelect};

use super::seen::Run;
use crate::catalog::record::ImportRecord;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{import_seen, title};
use crate::lending::withdrawal::{self, Outcome};
use crate::{Ctx, Result, Text};

/// Copies withdrawn per transaction.
const PAGE: u64 = 500;

/// Copies listed by name in the summary; the rest are counted.
pub const LISTED: usize = 50;

/// A branch being synced, and what the file said of it.
pub struct Sync {
    code: String,
    branch: Uuid,
    /// Records of the file that name a copy of the branch.
    listed: usize,
    /// Records that could not be read at all.
    pub(super) unreadable: usize,
}

/// A copy the file no longer lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCopy {
    /// Its barcode.
    pub barcode: String,
    /// Its title.
    pub title: String,
    /// Its status before the sync.
    pub status: ItemStatus,
    /// What the sync did (or would do) with it.
    pub outcome: Outcome,
}

/// What a sync withdrew (or, in a dry run, would withdraw).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Withdrawal {
    /// The branch's code.
    pub branch: String,
    /// Why nothing was withdrawn, when a guard stopped it.
    pub refused: Option<Text>,
    /// Copies withdrawn.
    pub withdrawn: usize,
    /// Of those, copies whose request was routed again.
    pub rerouted: usize,
    /// Copies kept because they are in circulation.
    pub kept: usize,
    /// The first [`LISTED`] copies, in barcode order.
    pub listed: Vec<MissingCopy>,
}

impl Sync {
    /// Syncing branch `code` (id `branch`).
    pub fn new(code: &str, branch: Uuid) -> Sync {
        Sync {
            code: code.to_owned(),
            branch,
            listed: 0,
            unreadable: 0,
        }
    }

    /// Notes a record read from the file.
    pub(super) fn saw(&mut self, record: &ImportRecord) {
        if record
            .holdings
            .iter()
            .any(|h| h.branch_code.trim() == self.code)
        {
            self.listed += 1;
        }
    }

    /// Withdraws (or in a dry run, lists) the branch's copies `run` did not see.
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub(super) async fn finish(self, ctx: &Ctx, run: &Run, dry_run: bool) -> Result<Withdrawal> {
        let mut done = Withdrawal {
            branch: self.code.clone(),
            ..Withdrawal::default()
        };
        if self.listed == 0 {
            done.refused = Some(text!("import-sync-branch-absent", branch = &self.code));
            return Ok(done);
        }
        if self.unreadable > 0 {
            done.refused = Some(text!("import-sync-unreadable", count = self.unreadable));
            return Ok(done);
        }
        let mut after = Uuid::nil();
        loop {
            let now = ctx.now();
            let txn = ctx.begin().await?;
            let page = missing_page(&txn, run, self.branch, after).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.0.id;
            for (copy, name) in page {
                let outcome = if dry_run {
                    withdrawal::assess(&txn, &copy).await?
                } else {
                    withdrawal::withdraw(&txn, &copy, ctx.config.lending.routing, now).await?
                };
                done.record(copy, name, outcome);
            }
            txn.commit().await?;
            if !dry_run {
                crate::lending::committed(ctx);
            }
        }
        done.listed.sort_by(|a, b| a.barcode.cmp(&b.barcode));
        Ok(done)
    }
}

impl Withdrawal {
    fn record(&mut self, copy: item::Model, title: String, outcome: Outcome) {
        match outcome {
            Outcome::Withdrawn => self.withdrawn += 1,
            Outcome::WithdrawnAndRerouted => {
                self.withdrawn += 1;
                self.rerouted += 1;
            }
            Outcome::InCirculation => self.kept += 1,
        }
        if self.listed.len() < LISTED {
            self.listed.push(MissingCopy {
                barcode: copy.barcode,
                title,
                status: copy.status,
                outcome,
            });
        }
    }
}

/// The next page (by id, after `after`) of `branch`'s copies not withdrawn that `run` did not
/// see, with their titles.
async fn missing_page(
    db: &impl ConnectionTrait,
    run: &Run,
    branch: Uuid,
    after: Uuid,
) -> Result<Vec<(item::Model, String)>> {
    let seen = Query::select()
        .column(import_seen::Column::Barcode)
        .from(import_seen::Entity)
        .and_where(import_seen::Column::RunId.eq(run.id()))
        .to_owned();
    let copies = item::Entity::find()
        .filter(item::Column::HomeBranchId.eq(branch))
        .filter(item::Column::Status.ne(ItemStatus::Withdrawn))
        .filter(item::Column::Barcode.not_in_subquery(seen))
        .filter(item::Column::Id.gt(after))
        .order_by_asc(item::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = copies.iter().map(|c| c.title_id).collect();
    let names: std::collections::HashMap<Uuid, String> = title::Entity::find()
        .select_only()
        .columns([title::Column::Id, title::Column::Title])
        .filter(title::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(copies
        .into_iter()
        .map(|c| {
            let name = names.get(&c.title_id).cloned().unwrap_or_default();
            (c, name)
        })
        .collect())
}
