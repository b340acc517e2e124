//! `staff`: a library employee or bookstore clerk with one role.

use sea_orm::entity::prelude::*;

/// What a staff member may do.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StaffRole {
    /// Works picking lists in their branches.
    #[sea_orm(string_value = "PICKER")]
    Picker,
    /// Packs, hands over to couriers, runs locker rounds.
    #[sea_orm(string_value = "DISPATCHER")]
    Dispatcher,
    /// Reviews proposals, runs the desk, imports the catalogue.
    #[sea_orm(string_value = "LIBRARIAN")]
    Librarian,
    /// Everything, everywhere.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// A partner bookstore's clerk ("you choose, we pay").
    #[sea_orm(string_value = "BOOKSTORE_CLERK")]
    BookstoreClerk,
}

/// A staff row.
#[derive(Clone, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Login name.
    #[sea_orm(unique)]
    pub username: String,
    /// Argon2id PHC string of the password.
    pub password_hash: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: StaffRole,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// When the row was made.
    pub created_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staff")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
