//! Lookups from a copy to the proposal that bought it (a loan start marks it LOANED; the
//! statistics tell bought-on-demand copies from the rest) and from a proposal to those that
//! joined it (receiving and withdrawing hand the book on to them).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_proposal_links"
    }
}

const COLUMNS: [&str; 2] = ["item_id", "joined_to"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS {
            manager
                .create_index(index("purchase_proposal", &[col], false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_purchase_proposal_{col}"))
                        .table(n("purchase_proposal"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
