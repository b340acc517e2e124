//! `vendor_offer`: one book in a vendor's catalogue (their feed, imported by librarians).

use sea_orm::entity::prelude::*;

/// A vendor offer row: what the vendor says of the book, trusted over what a reader types.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "vendor_offer")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor.
    pub vendor_id: Uuid,
    /// ISBN-13, normalised.
    pub isbn: String,
    /// Title.
    pub title: String,
    /// Author.
    pub author: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// The vendor's price in cents (分).
    pub price_cents: i64,
    /// CLC class, as the vendor catalogues it.
    pub clc_class: Option<String>,
    /// Copies the vendor has.
    pub stock: i32,
    /// When the feed last said so.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
