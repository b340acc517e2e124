//! "You read, we pay" (你读书我买单): vendors, fiscal-year budgets with their movements,
//! and purchase proposals with the rule results that decided them.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_purchases"
    }
}

const TABLES: &[&str] = &["vendor", "budget", "purchase_proposal", "budget_movement"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            Table::create()
                .table(n("vendor"))
                .col(id())
                .col(text("name"))
                .col(uuid_null("branch_id"))
                .col(text_null("order_api_base"))
                .col(at("created_at"))
                .foreign_key(&mut fk("vendor", "branch_id", "branch"))
                .to_owned(),
            Table::create()
                .table(n("budget"))
                .col(id())
                .col(int("fiscal_year"))
                .col(bigint("total_cents").check(Expr::col(n("total_cents")).gte(0)))
                .col(at("created_at"))
                .to_owned(),
            Table::create()
                .table(n("purchase_proposal"))
                .col(id())
                .col(uuid("reader_id"))
                .col(text("isbn"))
                .col(text("title"))
                .col(text_null("author"))
                .col(text_null("publisher"))
                .col(int_null("pub_year"))
                .col(text_null("clc_class"))
                .col(bigint("price_cents").check(Expr::col(n("price_cents")).gte(0)))
                .col(one_of("channel", &["ONLINE", "IN_STORE"]))
                .col(uuid_null("vendor_id"))
                .col(one_of(
                    "status",
                    &[
                        "SUBMITTED",
                        "APPROVED",
                        "REJECTED",
                        "ORDERED",
                        "RECEIVED",
                        "LOANED",
                    ],
                ))
                .col(text_null("decision_reason"))
                .col(json("rule_results"))
                .col(uuid_null("reviewed_by"))
                .col(uuid_null("item_id"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("purchase_proposal", "reader_id", "reader"))
                .foreign_key(&mut fk("purchase_proposal", "vendor_id", "vendor"))
                .foreign_key(&mut fk("purchase_proposal", "reviewed_by", "staff"))
                .foreign_key(&mut fk("purchase_proposal", "item_id", "item"))
                .to_owned(),
            Table::create()
                .table(n("budget_movement"))
                .col(id())
                .col(uuid("budget_id"))
                .col(uuid_null("proposal_id"))
                .col(one_of("kind", &["COMMIT", "RELEASE", "SPEND", "ADJUST"]))
                .col(bigint("amount_cents"))
                .col(at("at"))
                .foreign_key(&mut fk("budget_movement", "budget_id", "budget"))
                .foreign_key(&mut fk(
                    "budget_movement",
                    "proposal_id",
                    "purchase_proposal",
                ))
                .to_owned(),
        ];
        let indexes = vec![
            index("budget", &["fiscal_year"], true),
            index("budget_movement", &["budget_id"], false),
            index("purchase_proposal", &["reader_id", "created_at"], false),
            index("purchase_proposal", &["status", "created_at"], false),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
