//! `idempotency_key`: a client's key for a mutation, with the first result (Stripe's semantics).

use sea_orm::entity::prelude::*;

/// An idempotency key row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The caller the key belongs to (keys are per caller).
    pub owner_id: Uuid,
    /// The client's key.
    pub key: String,
    /// A hash of the operation and its input; the same key with other input is a conflict.
    pub request_hash: String,
    /// What the first call returned.
    pub response: Option<Json>,
    /// When first used (kept at least 24 h).
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
