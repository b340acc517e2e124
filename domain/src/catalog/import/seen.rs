//! The barcodes an import run has read, kept in the database (`import_seen`) rather than in
//! memory: a barcode the file repeats is refused with the record that had it first, and a
//! full re-import's sync asks which copies the file did not list ([`super::missing`]).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QuerySelect};

use super::{Read, Valid};
use crate::catalog::record::Rejected;
use crate::entity::import_seen;
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
    /// # Errors
    /// INTERNAL on a database fault.
    pub(super) async fn first_sightings(
        &self,
        txn: &DatabaseTransaction,
        read: Vec<Read>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Valid>, Vec<Rejected>)> {
        let named: Vec<String> = read
            .iter()
            .flat_map(|r| match r {
                Read::Valid(v) => v
                    .record
                    .holdings
                    .iter()
                    .map(|h| h.barcode.trim().to_owned())
                    .collect::<Vec<_>>(),
                Read::Refused { barcodes, .. } => {
                    barcodes.iter().map(|b| b.trim().to_owned()).collect()
                }
            })
            .collect();
        let mut first = self.earlier(txn, &named).await?;
        let (mut valid, mut refused, mut fresh) = (Vec::new(), Vec::new(), Vec::new());
        let mut note = |barcode: &str, position: usize, first: &mut HashMap<String, usize>| {
            if barcode.is_empty() || first.contains_key(barcode) {
                return;
            }
            first.insert(barcode.to_owned(), position);
            fresh.push(import_seen::ActiveModel {
                run_id: Set(self.id),
                barcode: Set(barcode.to_owned()),
                position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                created_at: Set(now),
            });
        };
        for r in read {
            match r {
                Read::Refused { position, barcodes } => {
                    for b in &barcodes {
                        note(b.trim(), position, &mut first);
                    }
                }
                Read::Valid(v) => {
                    let repeated = v.record.holdings.iter().find_map(|h| {
                        let b = h.barcode.trim();
                        first.get(b).map(|&at| (b.to_owned(), at))
                    });
                    if let Some((barcode, at)) = repeated {
                        let why = text!("import-barcode-repeated", barcode = barcode, record = at);
                        refused.push(Rejected::new(v.position, None, &why));
                        continue;
                    }
                    for h in &v.record.holdings {
                        note(h.barcode.trim(), v.position, &mut first);
                    }
                    valid.push(*v);
                }
            }
        }
        let mut fresh = fresh.into_iter().peekable();
        while fresh.peek().is_some() {
            let chunk: Vec<_> = fresh.by_ref().take(CHUNK / 4).collect();
            import_seen::Entity::insert_many(chunk)
                .on_conflict(
                    OnConflict::columns([import_seen::Column::RunId, import_seen::Column::Barcode])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
        Ok((valid, refused))
    }

    /// The records earlier batches saw these barcodes in.
    async fn earlier(
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
