//! The machinery under the library's concepts: the clock, the database connection, signals and
//! counters shared between processes (Redis, with in-process fallbacks and a circuit
//! breaker), request limits, secrets and their hashes, spreadsheet-safe CSV, and the
//! gauges operators scrape. Nothing here knows what a book or a reader is.

pub mod clock;
pub mod counters;
pub mod csv_export;
pub mod db;
pub mod operations;
pub(crate) mod outage;
pub mod rate_limit;
pub mod secrets;
pub mod signals;
