//! The barcodes an import run has read, kept in the database (`import_seen`) rather than in
//! memory: a barcode the file repeats is refused with the record that had it first, and a
//! full re-import's sync asks which copies the file did not list ([`super::missing`]).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseTransaction, QuerySelect};

use super::{Read, Valid};
use crate::catalog::record::Rejected;
use crate::entity::import_seen;
use crate::infra::db;
use crate::{Ctx, Result};

/// Barcodes looked up or written per statement (well under both databases' parameter limits).
const CHUNK: usize = 5_000;

/// How long a run that died may leave its rows before the next run sweeps them.
const ABANDONED_AFTER_HOURS: i64 = 24;

/// One import's barcodes.
pub struct Run {
    id: Uuid,
}

impl Run {
    /// A new run; sweeps the rows of runs that died long ago.
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn start(ctx: &Ctx) -> Result<Run> {
        let before = ctx.now() - Duration::hours(ABANDONED_AFTER_HOURS);
        import_seen::Entity::delete_many()
            .filter(import_seen::Column::CreatedAt.lt(before))
            .exec(&ctx.db)
            .await?;
        Ok(Run { id: Uuid::now_v7() })
    }

    /// The run's id, for queries joining its barcodes.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Forgets the run's barcodes.
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn end(&self, ctx: &Ctx) -> Result<()> {
        import_seen::Entity::delete_many()
            .filter(import_seen::Column::RunId.eq(self.id))
            .exec(&ctx.db)
            .await?;
        Ok(())
    }

    /// Records the barcodes of `read` (in file order) as seen, in `txn`; returns the valid
    /// records none of whose barcodes an earlier record had, and the refusals of the others.
    ///
    /// The barcodes go in with `INSERT … ON CONFLICT DO NOTHING RETURNING`: the database
    /// checks each against the run's unique index, so the cost of a batch does not depend on
    /// the table's size or on its statistics (a table filling within one run has none yet);
    /// only the barcodes an earlier batch had are looked up, to name their record.
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub(super) async fn first_sightings(
        &self,
        txn: &DatabaseTransaction,
        read: Vec<Read>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Valid>, Vec<Rejected>)> {
        // The batch's barcodes at their first record, in file order.
        let mut here: HashMap<String, usize> = HashMap::new();
        let mut order = Vec::new();
        for r in &read {
            let (position, barcodes): (usize, Vec<&str>) = match r {
                Read::Valid(v) => (
                    v.position,
                    v.record.holdings.iter().map(|h| h.barcode.trim()).collect(),
                ),
                Read::Refused { position, barcodes } => {
                    (*position, barcodes.iter().map(|b| b.trim()).collect())
                }
            };
            for b in barcodes.into_iter().filter(|b| !b.is_empty()) {
                if !here.contains_key(b) {
                    here.insert(b.to_owned(), position);
                    order.push(b.to_owned());
                }
            }
        }
        let fresh = self.insert_new(txn, &order, &here, now).await?;
        let earlier: Vec<String> = order.into_iter().filter(|b| !fresh.contains(b)).collect();
        let mut first = here;
        first.extend(self.positions(txn, &earlier).await?);
        let (mut valid, mut refused) = (Vec::new(), Vec::new());
        for r in read {
            let Read::Valid(v) = r else { continue };
            let repeated = v.record.holdings.iter().find_map(|h| {
                let b = h.barcode.trim();
                first
                    .get(b)
                    .filter(|&&at| at != v.position)
                    .map(|&at| (b.to_owned(), at))
            });
            match repeated {
                Some((barcode, at)) => {
                    let why = text!("import-barcode-repeated", barcode = barcode, record = at);
                    refused.push(Rejected::new(v.position, None, &why));
                }
                None => valid.push(*v),
            }
        }
        Ok((valid, refused))
    }

    /// Inserts the barcodes the run has not seen yet (at the positions given) and returns
    /// them; the others were seen by an earlier batch.
    async fn insert_new(
        &self,
        db: &impl ConnectionTrait,
        barcodes: &[String],
        positions: &HashMap<String, usize>,
        now: DateTime<Utc>,
    ) -> Result<HashSet<String>> {
        let mut fresh = HashSet::new();
        for chunk in barcodes.chunks(CHUNK / 4) {
            let mut values = Vec::with_capacity(chunk.len() * 4);
            let mut rows = Vec::with_capacity(chunk.len());
            for (i, b) in chunk.iter().enumerate() {
                let p = positions.get(b).copied().unwrap_or(0);
                values.extend([
                    self.id.into(),
                    b.clone().into(),
                    i32::try_from(p).unwrap_or(i32::MAX).into(),
                    now.into(),
                ]);
                let n = i * 4;
                rows.push(format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
            }
            let sql = format!(
                "INSERT INTO import_seen (run_id, barcode, position, created_at) VALUES {} \
                 ON CONFLICT (run_id, barcode) DO NOTHING RETURNING barcode",
                rows.join(", ")
            );
            for row in db.query_all(db::statement(db, sql, values)).await? {
                fresh.insert(row.try_get::<String>("", "barcode")?);
            }
        }
        Ok(fresh)
    }

    /// The records earlier batches saw these barcodes in.
    async fn positions(
        &self,
        db: &impl ConnectionTrait,
        barcodes: &[String],
    ) -> Result<HashMap<String, usize>> {
        let mut found = HashMap::new();
        for chunk in barcodes.chunks(CHUNK) {
            let rows: Vec<(String, i32)> = import_seen::Entity::find()
                .select_only()
                .columns([import_seen::Column::Barcode, import_seen::Column::Position])
                .filter(import_seen::Column::RunId.eq(self.id))
                .filter(import_seen::Column::Barcode.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(db)
                .await?;
            for (barcode, position) in rows {
                found.insert(barcode, usize::try_from(position).unwrap_or(0));
            }
        }
        Ok(found)
    }
}
