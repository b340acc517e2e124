//! Data the library trusts about books it does not hold: vendors' catalogues (the partner
//! bookstore's or a wholesaler's feed: ISBN, title, author, publisher, year, price, CLC class,
//! stock), so a reader's proposal is judged on them rather than on what the reader typed; and
//! a title's work key (normalised title and first author), indexed, so "already held" finds
//! other editions without scanning the catalogue.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_vendor_offers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(
            manager,
            vec![Table::create()
                .table(n("vendor_offer"))
                .col(id())
                .col(uuid("vendor_id"))
                .col(text("isbn"))
                .col(text("title"))
                .col(text_null("author"))
                .col(text_null("publisher"))
                .col(int_null("pub_year"))
                .col(bigint("price_cents"))
                .col(text_null("clc_class"))
                .col(int("stock"))
                .col(at("updated_at"))
                .foreign_key(&mut fk_cascade("vendor_offer", "vendor_id", "vendor"))
                .to_owned()],
            vec![
                index("vendor_offer", &["vendor_id", "isbn"], true),
                index("vendor_offer", &["isbn"], false),
            ],
        )
        .await?;
        add_column(manager, "title", text_null("work_key")).await?;
        manager
            .create_index(index("title", &["work_key"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "title", &["work_key"]).await?;
        drop_column(manager, "title", "work_key").await?;
        drop_all(manager, &["vendor_offer"]).await
    }
}
