//! `reader_address`: a delivery address a reader saved for HOME delivery.

use sea_orm::entity::prelude::*;

/// An address row. `recipient`, `phone` and `address` are personal data: never logged.
#[derive(Clone, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reader_address")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The reader it belongs to.
    pub reader_id: Uuid,
    /// The reader's name for it, e.g. 家 or 公司.
    pub label: String,
    /// Who receives the parcel.
    pub recipient: String,
    /// The recipient's mobile number.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// WGS-84 latitude, when known.
    pub latitude: Option<f64>,
    /// WGS-84 longitude, when known.
    pub longitude: Option<f64>,
    /// When it was saved.
    pub created_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderAddress")
            .field("id", &self.id)
            .field("reader_id", &self.reader_id)
            .finish_non_exhaustive()
    }
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
