//! `audit_log`: who did what, for staff and system actions worth tracing.

use sea_orm::entity::prelude::*;

/// An audit entry.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `READER`, `STAFF`, `SYSTEM`, `LOCKER`, `COURIER`.
    pub actor_kind: String,
    /// Who, when a person or device.
    pub actor_id: Option<Uuid>,
    /// What, e.g. `job.retry`.
    pub action: String,
    /// What it was done to.
    pub subject: Option<String>,
    /// Details (never personal data).
    pub detail: Option<Json>,
    /// When.
    pub at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
