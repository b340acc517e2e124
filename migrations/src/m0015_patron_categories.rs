//! Reader categories (patron types: adult, child, the school alliance's student card…), each
//! with its own loan limits, loan period and renewals; one may be the library's default, for
//! readers given none.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_patron_categories"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(
            manager,
            vec![Table::create()
                .table(n("patron_category"))
                .col(id())
                .col(text("code"))
                .col(text("name"))
                .col(int("max_loans"))
                .col(int("max_open_requests"))
                .col(int("loan_days"))
                .col(int("max_renewals"))
                .col(flag("is_default", false))
                .col(at("created_at"))
                .to_owned()],
            vec![index("patron_category", &["code"], true)],
        )
        .await?;
        add_column(manager, "reader", uuid_null("category_id")).await?;
        manager
            .create_index(index("reader", &["category_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "reader", &["category_id"]).await?;
        drop_column(manager, "reader", "category_id").await?;
        drop_all(manager, &["patron_category"]).await
    }
}
