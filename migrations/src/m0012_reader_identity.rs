//! Readers' identity: a card applied for online waits (PENDING) until a desk checks who the
//! reader is, unless the library issues it at once; an account merged into another (a WeChat
//! identity binding its holder's card) is CLOSED and points at the one it went into. The
//! mainland ID number given with an application is kept only as a keyed hash (one ID, one
//! card) and a masked form for staff to compare with the card in front of them. A reader
//! signs in through the library's official account by its openid, so that openid is
//! unique now (an older duplicate link is dropped: the newest account keeps it).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_reader_identity"
    }
}

/// The columns added, one `ALTER TABLE` each (SQLite adds one at a time).
fn columns() -> Vec<ColumnDef> {
    let mut status = one_of("status", &["ACTIVE", "PENDING", "CLOSED"]);
    status.default("ACTIVE");
    vec![
        status,
        text_null("id_number_hash"),
        text_null("id_number_masked"),
        uuid_null("merged_into"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in columns() {
            add_column(manager, "reader", column).await?;
        }
        manager
            .create_index(index("reader", &["id_number_hash"], true))
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE reader SET wechat_oa_openid = NULL \
                 WHERE wechat_oa_openid IS NOT NULL AND EXISTS (\
                   SELECT 1 FROM reader newer \
                   WHERE newer.wechat_oa_openid = reader.wechat_oa_openid \
                     AND newer.created_at > reader.created_at)",
            )
            .await?;
        manager
            .create_index(index("reader", &["wechat_oa_openid"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "reader", &["wechat_oa_openid"]).await?;
        drop_index(manager, "reader", &["id_number_hash"]).await?;
        for col in [
            "merged_into",
            "id_number_masked",
            "id_number_hash",
            "status",
        ] {
            drop_column(manager, "reader", col).await?;
        }
        Ok(())
    }
}
