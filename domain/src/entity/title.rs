//! `title`: a bibliographic record (one book, many copies).

use sea_orm::entity::prelude::*;

/// A title row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "title")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// ISBN-13, normalised.
    pub isbn: Option<String>,
    /// Title proper.
    pub title: String,
    /// Other title information.
    pub subtitle: Option<String>,
    /// Authors, separated by "; ".
    pub authors: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// Chinese Library Classification class, e.g. `I247.5`.
    pub clc_class: Option<String>,
    /// Subject headings, separated by "; ".
    pub subjects: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// List price in cents.
    pub price_cents: Option<i32>,
    /// The work this title is an edition of: its normalised title and first author
    /// ([`crate::catalog::work`]), the same for other editions and publishers.
    pub work_key: Option<String>,
    /// The edition the catalogue import matches a record without an ISBN to: the work key
    /// with the publisher and year ([`crate::catalog::work::import_key`]).
    pub import_key: Option<String>,
    /// When the row was made.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
