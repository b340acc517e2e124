//! "You read, we pay": the proposal table is remade (nothing wrote it before) with what the
//! rules decide on and what a proposal carries through its life (the reader's note and
//! delivery choice, the proposal a duplicate joined, the fiscal year it was committed to,
//! the review, its purchase order, when its vendor was paid); purchase orders group
//! approved proposals per vendor; budgets keep running committed and spent totals next to their movements;
//! the library's purchase rules live in one settings row admins edit.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_purchase_rules"
    }
}

const TABLES: &[&str] = &[
    "purchase_order",
    "purchase_proposal",
    "budget_movement",
    "purchase_settings",
];

const STATUSES: &[&str] = &[
    "SUBMITTED",
    "APPROVED",
    "REJECTED",
    "JOINED",
    "ORDERED",
    "RECEIVED",
    "LOANED",
    "CANCELLED",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["budget_movement", "purchase_proposal"] {
            manager
                .drop_table(Table::drop().table(n(t)).to_owned())
                .await?;
        }
        for col in ["committed_cents", "spent_cents"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("budget"))
                        .add_column(bigint(col).default(0).to_owned())
                        .to_owned(),
                )
                .await?;
        }
        let tables = vec![
            Table::create()
                .table(n("purchase_order"))
                .col(id())
                .col(uuid("vendor_id"))
                .col(uuid_null("created_by"))
                .col(at("created_at"))
                .foreign_key(&mut fk("purchase_order", "vendor_id", "vendor"))
                .foreign_key(&mut fk("purchase_order", "created_by", "staff"))
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
                .col(bigint("price_cents").check(Expr::col(n("price_cents")).gt(0)))
                .col(one_of("channel", &["ONLINE", "IN_STORE"]))
                .col(uuid_null("vendor_id"))
                .col(uuid_null("order_id"))
                .col(one_of("status", STATUSES))
                .col(text_null("decision_reason"))
                .col(json("rule_results"))
                .col(text_null("note"))
                .col(json_null("delivery"))
                .col(uuid_null("joined_to"))
                .col(int_null("budget_year"))
                .col(uuid_null("reviewed_by"))
                .col(at_null("reviewed_at"))
                .col(uuid_null("item_id"))
                .col(at_null("settled_at"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("purchase_proposal", "reader_id", "reader"))
                .foreign_key(&mut fk("purchase_proposal", "vendor_id", "vendor"))
                .foreign_key(&mut fk("purchase_proposal", "reviewed_by", "staff"))
                .foreign_key(&mut fk("purchase_proposal", "item_id", "item"))
                .foreign_key(&mut fk(
                    "purchase_proposal",
                    "joined_to",
                    "purchase_proposal",
                ))
                .to_owned(),
            Table::create()
                .table(n("budget_movement"))
                .col(id())
                .col(uuid("budget_id"))
                .col(uuid_null("proposal_id"))
                .col(one_of("kind", &["COMMIT", "RELEASE", "SPEND", "ADJUST"]))
                .col(bigint("amount_cents"))
                .col(uuid_null("actor_id"))
                .col(at("at"))
                .foreign_key(&mut fk("budget_movement", "budget_id", "budget"))
                .foreign_key(&mut fk(
                    "budget_movement",
                    "proposal_id",
                    "purchase_proposal",
                ))
                .to_owned(),
            Table::create()
                .table(n("purchase_settings"))
                .col(text("id").primary_key())
                .col(json("rules"))
                .col(uuid_null("updated_by"))
                .col(at("updated_at"))
                .to_owned(),
        ];
        let indexes = vec![
            index("budget_movement", &["budget_id"], false),
            index("purchase_proposal", &["reader_id", "created_at"], false),
            index("purchase_proposal", &["status", "created_at"], false),
            index("purchase_proposal", &["isbn", "status"], false),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await?;
        for col in ["committed_cents", "spent_cents"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("budget"))
                        .drop_column(n(col))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
