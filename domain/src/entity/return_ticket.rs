//! `return_ticket`: a reader's announced return (a drop code for a locker).

use sea_orm::entity::prelude::*;

/// How the book comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ReturnMethod {
    /// At any branch desk.
    #[sea_orm(string_value = "BRANCH")]
    Branch,
    /// Dropped into a smart locker with the ticket's code.
    #[sea_orm(string_value = "LOCKER")]
    Locker,
    /// Picked up by a courier.
    #[sea_orm(string_value = "COURIER")]
    Courier,
}

/// Where a return is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum TicketStatus {
    /// Announced; the code works.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// In the locker: the loan has ended.
    #[sea_orm(string_value = "DROPPED")]
    Dropped,
    /// Staff have it.
    #[sea_orm(string_value = "RECEIVED")]
    Received,
    /// Given up (returned another way).
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// A return ticket row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "return_ticket")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The loan being returned.
    pub loan_id: Uuid,
    /// The keyed hash of the drop code the reader types at the locker (the code itself is
    /// derived from the server secret and never stored: `dispatch::codes`).
    #[sea_orm(column_name = "code")]
    pub code_hash: String,
    /// How.
    pub method: ReturnMethod,
    /// The locker (LOCKER).
    pub locker_id: Option<Uuid>,
    /// Where it is.
    pub status: TicketStatus,
    /// When it was announced.
    pub created_at: DateTimeUtc,
    /// The door it was given at the locker.
    pub compartment_id: Option<Uuid>,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
