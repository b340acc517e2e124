//! Hongyan's schema migrations.
//!
//! The same migrations run on PostgreSQL (production) and SQLite (the embedded default),
//! so they are written with sea-query builders only: no backend-specific SQL. State columns
//! carry `CHECK` constraints listing their legal values, so a bug can't write a state the
//! state machines do not know.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m0001_library;
mod m0002_people;
mod m0003_lending;
mod m0004_purchases;
mod m0005_platform;
mod m0006_lending_flags;
mod m0007_dispatch;
mod m0008_notifications;
mod m0009_purchase_rules;
mod m0010_proposal_links;
mod m0011_pending_requests;
mod m0012_reader_identity;
mod m0013_bookstore_copies;
mod m0014_reader_standing;
mod m0015_patron_categories;
mod m0016_item_location;
mod m0017_vendor_offers;
mod m0018_title_import_key;
mod m0019_import_runs;
mod m0020_entered_figures;
mod m0021_reader_first_loan;
mod m0022_report_counts;
mod m0023_credit_cards;

/// Every migration, in order. `Migrator::up(db, None)` brings a database to the current schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_library::Migration),
            Box::new(m0002_people::Migration),
            Box::new(m0003_lending::Migration),
            Box::new(m0004_purchases::Migration),
            Box::new(m0005_platform::Migration),
            Box::new(m0006_lending_flags::Migration),
            Box::new(m0007_dispatch::Migration),
            Box::new(m0008_notifications::Migration),
            Box::new(m0009_purchase_rules::Migration),
            Box::new(m0010_proposal_links::Migration),
            Box::new(m0011_pending_requests::Migration),
            Box::new(m0012_reader_identity::Migration),
            Box::new(m0013_bookstore_copies::Migration),
            Box::new(m0014_reader_standing::Migration),
            Box::new(m0015_patron_categories::Migration),
            Box::new(m0016_item_location::Migration),
            Box::new(m0017_vendor_offers::Migration),
            Box::new(m0018_title_import_key::Migration),
            Box::new(m0019_import_runs::Migration),
            Box::new(m0020_entered_figures::Migration),
            Box::new(m0021_reader_first_loan::Migration),
            Box::new(m0022_report_counts::Migration),
            Box::new(m0023_credit_cards::Migration),
        ]
    }
}
