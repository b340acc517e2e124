//! `request_event`: one transition in a request's history (who, when, from, to).

use sea_orm::entity::prelude::*;

use super::loan_request::RequestStatus;

/// Who made a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ActorKind {
    /// The reader.
    #[sea_orm(string_value = "READER")]
    Reader,
    /// A staff member.
    #[sea_orm(string_value = "STAFF")]
    Staff,
    /// The platform (routing, sweeps).
    #[sea_orm(string_value = "SYSTEM")]
    System,
    /// A locker controller.
    #[sea_orm(string_value = "LOCKER")]
    Locker,
    /// A courier's tracking.
    #[sea_orm(string_value = "COURIER")]
    Courier,
}

/// A history row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "request_event")]
pub struct Model {
    /// Primary key; also the id notifications of this event are keyed by.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The request.
    pub request_id: Uuid,
    /// Status before (none for the first event).
    pub from_status: Option<RequestStatus>,
    /// Status after.
    pub to_status: RequestStatus,
    /// Who did it.
    pub actor_kind: ActorKind,
    /// Their id (reader, staff, locker), if any.
    pub actor_id: Option<Uuid>,
    /// Free text, e.g. the reason.
    pub note: Option<String>,
    /// When.
    pub at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
