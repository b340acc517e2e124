//! People and their credentials: readers with saved delivery addresses, staff with branch
//! scopes, and refresh tokens (stored hashed, rotated in families).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_people"
    }
}

const TABLES: &[&str] = &[
    "reader",
    "reader_address",
    "staff",
    "staff_branch",
    "refresh_token",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            Table::create()
                .table(n("reader"))
                .col(id())
                .col(text_null("card_number"))
                .col(text_null("pin_hash"))
                .col(text("name"))
                .col(text_null("wechat_openid"))
                .col(text_null("wechat_unionid"))
                .col(text_null("phone"))
                .col(text_null("email"))
                .col(uuid_null("home_branch_id"))
                .col(flag("blocked", false))
                .col(int("max_loans").default(10))
                .col(int("max_open_requests").default(5))
                .col(at("created_at"))
                .foreign_key(&mut fk("reader", "home_branch_id", "branch"))
                .to_owned(),
            Table::create()
                .table(n("reader_address"))
                .col(id())
                .col(uuid("reader_id"))
                .col(text("label"))
                .col(text("recipient"))
                .col(text("phone"))
                .col(text("address"))
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .col(at("created_at"))
                .foreign_key(&mut fk_cascade("reader_address", "reader_id", "reader"))
                .to_owned(),
            Table::create()
                .table(n("staff"))
                .col(id())
                .col(text("username"))
                .col(text("password_hash"))
                .col(text("display_name"))
                .col(one_of(
                    "role",
                    &[
                        "PICKER",
                        "DISPATCHER",
                        "LIBRARIAN",
                        "ADMIN",
                        "BOOKSTORE_CLERK",
                    ],
                ))
                .col(flag("disabled", false))
                .col(at("created_at"))
                .to_owned(),
            Table::create()
                .table(n("staff_branch"))
                .col(uuid("staff_id"))
                .col(uuid("branch_id"))
                .primary_key(Index::create().col(n("staff_id")).col(n("branch_id")))
                .foreign_key(&mut fk_cascade("staff_branch", "staff_id", "staff"))
                .foreign_key(&mut fk("staff_branch", "branch_id", "branch"))
                .to_owned(),
            Table::create()
                .table(n("refresh_token"))
                .col(id())
                .col(uuid("family_id"))
                .col(text("token_hash"))
                .col(one_of("subject_kind", &["READER", "STAFF"]))
                .col(uuid("subject_id"))
                .col(at("expires_at"))
                .col(at_null("used_at"))
                .col(at_null("revoked_at"))
                .col(at("created_at"))
                .to_owned(),
        ];
        let indexes = vec![
            index("reader", &["card_number"], true),
            index("reader", &["wechat_openid"], true),
            index("reader_address", &["reader_id"], false),
            index("staff", &["username"], true),
            index("refresh_token", &["token_hash"], true),
            index("refresh_token", &["family_id"], false),
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
