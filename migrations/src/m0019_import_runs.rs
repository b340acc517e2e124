//! The barcodes an import has read so far, one row per barcode of the run, so neither the
//! check for a barcode repeated in the file nor the "withdraw what the file no longer lists"
//! of a full re-import keeps the file's barcodes in memory: a million-copy file costs the
//! importer no more memory than a small one. A run's rows are deleted when it ends (and a
//! run that died is swept by the next one).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_import_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(
            manager,
            vec![Table::create()
                .table(n("import_seen"))
                .col(uuid("run_id"))
                .col(text("barcode"))
                .col(int("position"))
                .col(at("created_at"))
                .primary_key(Index::create().col(n("run_id")).col(n("barcode")))
                .to_owned()],
            vec![],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["import_seen"]).await
    }
}
