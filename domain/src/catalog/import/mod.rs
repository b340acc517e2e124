//! Catalogue import: MARC (ISO 2709) and CSV files into titles and items.
//!
//! Readers ([`marc::MarcReader`], [`csv::CsvReader`]) turn a file into
//! `Result<ImportRecord, Rejected>` items; the [`Importer`] validates each record (ISBN,
//! branch codes, barcodes not used twice in the file: the run's barcodes are kept in the
//! database, `import_seen`, not in memory), then upserts it in batches of
//! [`BATCH`] records, each batch in one transaction, read with one query per kind of match
//! and written with multi-row INSERTs. When the database refuses a batch, its records are
//! written again one by one, each in its own savepoint, so a bad record is reported with its
//! position and never half-written while the rest go in. Re-importing a file updates titles
//! (matched by ISBN, or without one by title + first author + publisher + year, normalised:
//! [`crate::catalog::work::import_key`]) and copies (matched by barcode) instead of
//! duplicating them, and only those whose content changed: an unchanged file writes nothing.
//!
//! A full re-import of one branch's catalogue may withdraw the copies of that branch the file
//! no longer lists ([`missing`]); a dry run reads and checks the whole file and says what it
//! would create, update and withdraw, writing nothing.

pub mod csv;
pub mod marc;
mod marc_text;
pub mod missing;
mod seen;
mod upsert;

pub use upsert::edition_query;

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use uuid::Uuid;

use super::indexer;
use super::isbn::Isbn13;
use super::record::{ImportRecord, Rejected};
use crate::entity::branch;
use crate::{Ctx, Error, Locale, Result, Text};

/// Records per transaction.
pub const BATCH: usize = 500;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records read from the file (good and bad).
    pub read: usize,
    /// Titles created.
    pub titles_created: usize,
    /// Titles updated.
    pub titles_updated: usize,
    /// Copies created.
    pub items_created: usize,
    /// Copies updated.
    pub items_updated: usize,
    /// Records not imported, with position and reason, in file order.
    pub rejected: Vec<Rejected>,
    /// Nothing was written: the counts say what the import would have done.
    pub dry_run: bool,
    /// What `--withdraw-missing` did (or would do).
    pub withdrawal: Option<missing::Withdrawal>,
}

/// A validated record with its position in the file.
struct Valid {
    position: usize,
    isbn: Option<Isbn13>,
    record: ImportRecord,
}

/// A record waiting for its batch: valid, or refused but still naming copies the library's
/// system holds (a full re-import must not withdraw them).
enum Read {
    Valid(Box<Valid>),
    Refused {
        position: usize,
        barcodes: Vec<String>,
    },
}

/// Feeds records into the catalogue in batches.
pub struct Importer<'a> {
    ctx: &'a Ctx,
    net_lending_location: Option<String>,
    branches: HashMap<String, Uuid>,
    run: seen::Run,
    sync: Option<missing::Sync>,
    dry_run: bool,
    pending: Vec<Read>,
    summary: ImportSummary,
    /// Records read when the tables' statistics were last brought up to date.
    analyzed_at: usize,
}

/// Records read before the first refresh of the planner's statistics.
const FIRST_ANALYZE: usize = 2_000;

impl<'a> Importer<'a> {
    /// Starts an import.
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn new(ctx: &'a Ctx) -> Result<Self> {
        let branches = branch::Entity::find()
            .all(&ctx.db)
            .await?
            .into_iter()
            .map(|b| (b.code, b.id))
            .collect();
        Ok(Importer {
            ctx,
            net_lending_location: None,
            branches,
            run: seen::Run::start(ctx).await?,
            sync: None,
            dry_run: false,
            pending: Vec::new(),
            summary: ImportSummary::default(),
            analyzed_at: 0,
        })
    }

    /// Treats the file as the whole catalogue of branch `code`: once it is read, that
    /// branch's copies the file does not list are withdrawn ([`missing`]).
    ///
    /// # Errors
    /// VALIDATION for an unknown branch code.
    pub fn withdraw_missing(mut self, code: Option<&str>) -> Result<Self> {
        self.sync = match code.map(str::trim) {
            None => None,
            Some(code) => {
                let branch = *self.branches.get(code).ok_or_else(|| {
                    Error::validation(text!("import-unknown-branch", code = code))
                        .in_field("branch")
                })?;
                Some(missing::Sync::new(code, branch))
            }
        };
        Ok(self)
    }

    /// Reads and checks everything, counts what would change, and writes nothing.
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self.summary.dry_run = dry_run;
        self
    }

    /// Puts the copies whose location is `location` in the net-lending stock and every other
    /// copy of the file out of it (a copy whose record says so itself keeps what it says).
    #[must_use]
    pub fn net_lending_at(mut self, location: Option<String>) -> Self {
        self.net_lending_location = location.map(|l| l.trim().to_owned());
        self
    }

    /// What has been done so far.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Takes the next item a reader produced; writes a batch when one is full.
    ///
    /// # Errors
    /// INTERNAL on a database fault (bad records are not errors: they are counted).
    pub async fn add(&mut self, item: std::result::Result<ImportRecord, Rejected>) -> Result<()> {
        self.summary.read += 1;
        let position = self.summary.read;
        match item {
            Err(mut rejected) => {
                rejected.position = position;
                self.summary.rejected.push(rejected);
                if let Some(sync) = &mut self.sync {
                    sync.unreadable += 1;
                }
            }
            Ok(record) => {
                if let Some(sync) = &mut self.sync {
                    sync.saw(&record);
                }
                match self.validate(position, self.located(record)) {
                    Ok(valid) => self.pending.push(Read::Valid(Box::new(valid))),
                    Err((reason, barcodes)) => {
                        self.summary
                            .rejected
                            .push(Rejected::new(position, None, &reason));
                        self.pending.push(Read::Refused { position, barcodes });
                    }
                }
            }
        }
        if self.pending.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// `record` with its copies' net-lending flag set from their location, when asked to.
    fn located(&self, mut record: ImportRecord) -> ImportRecord {
        if let Some(at) = &self.net_lending_location {
            for h in &mut record.holdings {
                if h.net_lending.is_none() {
                    h.net_lending = Some(h.location.as_deref().map(str::trim) == Some(at.as_str()));
                }
            }
        }
        record
    }

    /// Writes what is left, withdraws what a full re-import no longer lists (when asked to),
    /// and returns the summary.
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn finish(mut self) -> Result<ImportSummary> {
        self.flush().await?;
        if let Some(sync) = self.sync.take() {
            let done = sync.finish(self.ctx, &self.run, self.dry_run).await?;
            self.summary.withdrawal = Some(done);
        }
        self.run.end(self.ctx).await?;
        self.summary.rejected.sort_by_key(|r| r.position);
        Ok(self.summary)
    }

    /// The record checked, or why it is refused (with its barcodes, which still count as
    /// listed).
    fn validate(
        &self,
        position: usize,
        record: ImportRecord,
    ) -> std::result::Result<Valid, (Text, Vec<String>)> {
        match Self::check(&self.branches, &record) {
            Ok(isbn) => Ok(Valid {
                position,
                isbn,
                record,
            }),
            Err(why) => Err((
                why,
                record.holdings.into_iter().map(|h| h.barcode).collect(),
            )),
        }
    }

    /// The record's ISBN, if it passes the checks that need no database.
    fn check(
        branches: &HashMap<String, Uuid>,
        record: &ImportRecord,
    ) -> std::result::Result<Option<Isbn13>, Text> {
        if record.title.trim().is_empty() {
            return Err(text!("import-no-title"));
        }
        if let Some(why) = record.oversize() {
            return Err(why);
        }
        let isbn = match record
            .isbn
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => Some(Isbn13::parse(raw).map_err(|e| {
                let invalid = text!("import-isbn-invalid", isbn = raw);
                match e.text() {
                    Some(why) => invalid.arg_text("why", why.clone()),
                    None => invalid.arg("why", e.message(Locale::Chinese)),
                }
            })?),
        };
        for h in &record.holdings {
            if !branches.contains_key(&h.branch_code) {
                return Err(text!(
                    "import-copy-unknown-branch",
                    code = &h.branch_code,
                    barcode = &h.barcode
                ));
            }
            if h.barcode.trim().is_empty() || h.call_number.trim().is_empty() {
                return Err(text!("import-copy-incomplete"));
            }
        }
        Ok(isbn)
    }

    async fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.keep_statistics().await?;
        let read = std::mem::take(&mut self.pending);
        let txn = self.ctx.begin().await?;
        let (batch, repeated) = self.run.first_sightings(&txn, read, self.ctx.now()).await?;
        self.summary.rejected.extend(repeated);
        let bulk = txn.begin().await?;
        let records: Vec<_> = batch.iter().map(|v| (v.isbn.as_ref(), &v.record)).collect();
        let before = self.changes();
        let now = self.ctx.now();
        let touched = match upsert::batch(
            &bulk,
            &self.branches,
            &records,
            self.ctx.config.lending.routing,
            now,
        )
        .await
        {
            Ok(done) => {
                self.keep(bulk).await?;
                self.count(&done);
                done.touched
            }
            Err(_) => {
                bulk.rollback().await?;
                self.one_by_one(&txn, batch, now).await?
            }
        };
        if !self.dry_run {
            indexer::touch(&txn, &touched, now).await?;
        }
        txn.commit().await?;
        if self.changes() != before && !self.dry_run {
            indexer::announce(self.ctx);
        }
        Ok(())
    }

    /// Brings the planner's statistics of the tables the import reads up to date at its start
    /// and each time the records read double: the batch lookups (titles by import key, copies
    /// by barcode) use their indexes only when the planner knows the tables' sizes and
    /// spreads, and a table filled within one import has no statistics yet (autovacuum lags,
    /// or is off). Doubling keeps it to about twenty refreshes for a million records.
    async fn keep_statistics(&mut self) -> Result<()> {
        let read = self.summary.read;
        if self.analyzed_at > 0 && read < self.analyzed_at.saturating_mul(2) {
            return Ok(());
        }
        if self.ctx.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            self.ctx
                .db
                .execute_unprepared("ANALYZE title, item, import_seen")
                .await?;
        }
        self.analyzed_at = read.max(FIRST_ANALYZE);
        Ok(())
    }

    /// Commits a savepoint's writes, or in a dry run rolls them back once counted.
    async fn keep(&self, savepoint: sea_orm::DatabaseTransaction) -> Result<()> {
        if self.dry_run {
            savepoint.rollback().await?;
        } else {
            savepoint.commit().await?;
        }
        Ok(())
    }

    /// Rows created and updated so far.
    fn changes(&self) -> usize {
        let s = &self.summary;
        s.titles_created + s.titles_updated + s.items_created + s.items_updated
    }

    fn count(&mut self, done: &upsert::Written) {
        self.summary.titles_created += done.titles_created;
        self.summary.titles_updated += done.titles_updated;
        self.summary.items_created += done.items_created;
        self.summary.items_updated += done.items_updated;
    }

    /// Writes a batch the database refused as a whole record by record, each in its own
    /// savepoint, rejecting the records it refuses; returns the titles to re-index.
    async fn one_by_one(
        &mut self,
        txn: &sea_orm::DatabaseTransaction,
        batch: Vec<Valid>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Uuid>> {
        let mut touched = Vec::new();
        for v in batch {
            let savepoint = txn.begin().await?;
            let record = [(v.isbn.as_ref(), &v.record)];
            match upsert::batch(
                &savepoint,
                &self.branches,
                &record,
                self.ctx.config.lending.routing,
                now,
            )
            .await
            {
                Ok(done) => {
                    self.keep(savepoint).await?;
                    self.count(&done);
                    touched.extend(done.touched);
                }
                Err(Error::Internal(e)) => {
                    savepoint.rollback().await?;
                    // The cause (a constraint, a value the column cannot hold) is what the
                    // librarian needs to fix the record; it stays in the database's words.
                    self.summary.rejected.push(Rejected::new(
                        v.position,
                        None,
                        &text!("import-write-failed", detail = format!("{e:#}")),
                    ));
                }
                Err(e) => {
                    savepoint.rollback().await?;
                    self.summary.rejected.push(Rejected {
                        position: v.position,
                        offset: None,
                        reason: e.message(Locale::Chinese),
                    });
                }
            }
        }
        Ok(touched)
    }
}
