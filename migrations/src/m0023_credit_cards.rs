//! `reader.credit_card_at`: when the reader got a card that lends at once without a deposit
//! (信用办证, `HONGYAN_CARD_POLICY=credit`), so an annual report counts the new cards issued
//! on credit. Cards issued so far are found in the audit log (`reader.register` with the
//! account ACTIVE at once).

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0023_credit_cards"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "reader", at_null("credit_card_at")).await?;
        let db = manager.get_connection();
        // SQLite keeps a uuid as 16 bytes (or text, written by hand); the audit log names it
        // as text.
        let (status, of_reader) = match db.get_database_backend() {
            DbBackend::Sqlite => (
                "json_extract(a.detail, '$.status')",
                "(replace(a.subject, '-', '') = lower(hex(reader.id)) OR a.subject = reader.id)",
            ),
            _ => (
                "(a.detail ->> 'status')",
                "a.subject = CAST(reader.id AS TEXT)",
            ),
        };
        db.execute_unprepared(&format!(
            "UPDATE reader SET credit_card_at = (SELECT min(a.at) FROM audit_log a \
               WHERE a.action = 'reader.register' AND {of_reader} AND {status} = 'ACTIVE')"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "reader", "credit_card_at").await
    }
}
