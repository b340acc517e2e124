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
        manager
            .alter_table(
                Table::alter()
                    .table(n("branch"))
                    .add_column(uuid_null("partner_branch_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("item"))
                    .add_column(flag("uncatalogued", false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("item"))
                    .drop_column(n("uncatalogued"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("branch"))
                    .drop_column(n("partner_branch_id"))
                    .to_owned(),
            )
            .await
    }
}
