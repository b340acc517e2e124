//! The platform's moving parts: the job outbox, notifications, the locker device protocol
//! (commands and the device event log), idempotency keys and the audit log.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_platform"
    }
}

const TABLES: &[&str] = &[
    "job",
    "notification",
    "locker_command",
    "locker_event",
    "idempotency_key",
    "audit_log",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            Table::create()
                .table(n("job"))
                .col(id())
                .col(text("kind"))
                .col(json("payload"))
                .col(one_of("state", &["QUEUED", "DEAD"]))
                .col(at("run_at"))
                .col(
                    int("attempts")
                        .default(0)
                        .check(Expr::col(n("attempts")).gte(0)),
                )
                .col(int("max_attempts").check(Expr::col(n("max_attempts")).gte(1)))
                .col(at_null("locked_until"))
                .col(uuid_null("lock_token"))
                .col(text_null("last_error"))
                .col(text_null("dedup_key"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .to_owned(),
            Table::create()
                .table(n("notification"))
                .col(id())
                .col(uuid("reader_id"))
                .col(text("kind"))
                .col(one_of("channel", &["WECHAT", "EMAIL"]))
                .col(text("dedup_key"))
                .col(json("payload"))
                .col(one_of("status", &["PENDING", "SENT", "FAILED", "SKIPPED"]))
                .col(int("attempts").default(0))
                .col(text_null("last_error"))
                .col(at_null("sent_at"))
                .col(at("created_at"))
                .foreign_key(&mut fk("notification", "reader_id", "reader"))
                .to_owned(),
            Table::create()
                .table(n("locker_command"))
                .col(id())
                .col(uuid("locker_id"))
                .col(bigint("seq"))
                .col(one_of("kind", &["deposit", "collect_return", "release"]))
                .col(text("compartment"))
                .col(text("parcel"))
                .col(uuid_null("request_id"))
                .col(at_null("acked_at"))
                .col(at("created_at"))
                .foreign_key(&mut fk_cascade("locker_command", "locker_id", "locker"))
                .to_owned(),
            Table::create()
                .table(n("locker_event"))
                .col(id())
                .col(uuid("locker_id"))
                .col(text("event_id"))
                .col(one_of(
                    "kind",
                    &[
                        "deposited",
                        "picked_up",
                        "return_dropped",
                        "collected",
                        "door_fault",
                    ],
                ))
                .col(text("compartment"))
                .col(text_null("parcel"))
                .col(at("at"))
                .col(at("received_at"))
                .foreign_key(&mut fk_cascade("locker_event", "locker_id", "locker"))
                .to_owned(),
            Table::create()
                .table(n("idempotency_key"))
                .col(id())
                .col(uuid("owner_id"))
                .col(text("key"))
                .col(text("request_hash"))
                .col(json_null("response"))
                .col(at("created_at"))
                .to_owned(),
            Table::create()
                .table(n("audit_log"))
                .col(id())
                .col(text("actor_kind"))
                .col(uuid_null("actor_id"))
                .col(text("action"))
                .col(text_null("subject"))
                .col(json_null("detail"))
                .col(at("at"))
                .to_owned(),
        ];
        let indexes = vec![
            index("job", &["dedup_key"], true),
            index("job", &["state", "run_at"], false),
            index("notification", &["dedup_key"], true),
            index("notification", &["reader_id", "created_at"], false),
            index("locker_command", &["locker_id", "seq"], true),
            index("locker_event", &["locker_id", "event_id"], true),
            index("idempotency_key", &["owner_id", "key"], true),
            index("audit_log", &["at"], false),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
