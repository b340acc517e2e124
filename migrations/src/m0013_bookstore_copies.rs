//! Copies bought at a partner bookstore belong to the library: each bookstore names the
//! library branch that holds its partnership (their home), and a copy bought at the counter
//! is marked uncatalogued (the store's or a temporary barcode, no call number) until a desk
//! catalogues it on its first return.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_bookstore_copies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "branch", uuid_null("partner_branch_id")).await?;
        add_column(manager, "item", flag("uncatalogued", false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "item", "uncatalogued").await?;
        drop_column(manager, "branch", "partner_branch_id").await
    }
}
