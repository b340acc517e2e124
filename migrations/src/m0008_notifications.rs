//! Notifications: the `notification` outbox is remade (it was never written before this
//! migration) with the delivery state a worker leases and retries, every attempt in
//! `notification_attempt`; readers gain their channel choice, muted kinds and the openid the
//! library's official account knows them by; loans and holds mark when their reminder
//! (due soon, pickup deadline) was enqueued.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_notifications"
    }
}

const TABLES: &[&str] = &["notification", "notification_attempt"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("notification")).to_owned())
            .await?;
        for col in [
            text_null("wechat_oa_openid"),
            text("notify_channels").default("WECHAT,EMAIL").to_owned(),
            text("muted_kinds").default("").to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(n("reader")).add_column(col).to_owned())
                .await?;
        }
        for (table, col) in [
            ("loan", "due_reminded_at"),
            ("loan_request", "deadline_reminded_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n(table))
                        .add_column(at_null(col))
                        .to_owned(),
                )
                .await?;
        }
        let tables = vec![
            Table::create()
                .table(n("notification"))
                .col(id())
                .col(uuid("reader_id"))
                .col(text("kind"))
                .col(one_of("channel", &["WECHAT", "EMAIL"]))
                .col(text("dedup_key"))
                .col(json("payload"))
                .col(one_of(
                    "status",
                    &["PENDING", "SENT", "UNDELIVERABLE", "DEAD"],
                ))
                .col(int("attempts").default(0))
                .col(at("next_attempt_at"))
                .col(at_null("locked_until"))
                .col(uuid_null("lock_token"))
                .col(int_null("last_errcode"))
                .col(text_null("last_error"))
                .col(text_null("provider_msgid"))
                .col(at_null("sent_at"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk_cascade("notification", "reader_id", "reader"))
                .to_owned(),
            Table::create()
                .table(n("notification_attempt"))
                .col(id())
                .col(uuid("notification_id"))
                .col(text("route"))
                .col(one_of("outcome", &["SENT", "RETRY", "FAILED"]))
                .col(int_null("errcode"))
                .col(text_null("message"))
                .col(text_null("provider_msgid"))
                .col(int("millis"))
                .col(at("at"))
                .foreign_key(&mut fk_cascade(
                    "notification_attempt",
                    "notification_id",
                    "notification",
                ))
                .to_owned(),
        ];
        let indexes = vec![
            index("notification", &["dedup_key"], true),
            index("notification", &["status", "next_attempt_at"], false),
            index("notification", &["reader_id", "created_at"], false),
            index("notification_attempt", &["notification_id"], false),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await?;
        for (table, col) in [
            ("reader", "wechat_oa_openid"),
            ("reader", "notify_channels"),
            ("reader", "muted_kinds"),
            ("loan", "due_reminded_at"),
            ("loan_request", "deadline_reminded_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n(table))
                        .drop_column(n(col))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
