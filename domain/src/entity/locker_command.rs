//! `locker_command`: what a locker's controller must do, in its own sequence.

use sea_orm::entity::prelude::*;

/// What the controller does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum CommandKind {
    /// Open the compartment for the driver to put the parcel in.
    #[sea_orm(string_value = "deposit")]
    Deposit,
    /// Open it for staff to take back an uncollected parcel or a returned book.
    #[sea_orm(string_value = "collect_return")]
    CollectReturn,
    /// Forget the compartment's parcel (it was re-dispatched).
    #[sea_orm(string_value = "release")]
    Release,
}

impl CommandKind {
    /// The name controllers see.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Deposit => "deposit",
            CommandKind::CollectReturn => "collect_return",
            CommandKind::Release => "release",
        }
    }
}

/// A command row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "locker_command")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The locker.
    pub locker_id: Uuid,
    /// Position in the locker's command sequence (1, 2, …): the poll cursor.
    pub seq: i64,
    /// What to do.
    pub kind: CommandKind,
    /// Compartment label.
    pub compartment: String,
    /// Parcel: the copy's barcode.
    pub parcel: String,
    /// The request it serves.
    pub request_id: Option<Uuid>,
    /// When the controller reported it done.
    pub acked_at: Option<DateTimeUtc>,
    /// When it was issued.
    pub created_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
