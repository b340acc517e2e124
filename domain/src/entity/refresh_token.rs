//! `refresh_token`: a hashed refresh token in a rotation family.

use sea_orm::entity::prelude::*;

/// Who a token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum SubjectKind {
    /// A reader.
    #[sea_orm(string_value = "READER")]
    Reader,
    /// A staff member.
    #[sea_orm(string_value = "STAFF")]
    Staff,
}

/// A refresh token row; the token itself is never stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_token")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// All tokens rotated from one login share a family.
    pub family_id: Uuid,
    /// SHA-256 of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Reader or staff.
    pub subject_kind: SubjectKind,
    /// The reader's or staff member's id.
    pub subject_id: Uuid,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Set when the token was exchanged for a new one.
    pub used_at: Option<DateTimeUtc>,
    /// Set when the family was revoked (reuse detected, logout).
    pub revoked_at: Option<DateTimeUtc>,
    /// When it was issued.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
