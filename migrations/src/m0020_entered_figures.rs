//! Figures only the library's other systems know (the whole network's loans, visits), entered
//! or imported by staff per month for the whole library or one branch, so an annual report is
//! complete; the report marks them as entered rather than measured. One row per month, scope
//! and kind (`scope` is the branch's id, or `LIBRARY`).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0020_entered_figures"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(
            manager,
            vec![Table::create()
                .table(n("entered_figure"))
                .col(id())
                .col(text("month"))
                .col(text("scope"))
                .col(one_of("kind", &["NETWORK_LOANS", "VISITS"]))
                .col(bigint("value"))
                .col(uuid_null("entered_by"))
                .col(at("updated_at"))
                .to_owned()],
            vec![index("entered_figure", &["month", "scope", "kind"], true)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["entered_figure"]).await
    }
}
