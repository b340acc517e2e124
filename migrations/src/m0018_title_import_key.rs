//! A title's import key (its work key with publisher and year), indexed, so the catalogue
//! import finds the title a record without an ISBN describes by one index lookup per batch
//! instead of scanning the catalogue. Existing titles get their key when the app starts
//! (`catalog::work::key_all`: the key is normalised in Rust, the same way on both databases).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_title_import_key"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "title", text_null("import_key")).await?;
        manager
            .create_index(index("title", &["import_key"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "title", &["import_key"]).await?;
        drop_column(manager, "title", "import_key").await
    }
}
