//! Where in its branch a copy stands (floor, area or stack, e.g. 二楼文学区 or 网借书库), from
//! the catalogue's holdings: printed on picking lists, and an import can put the copies of one
//! location in the net-lending stock.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_item_location"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "item", text_null("location")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "item", "location").await
    }
}
