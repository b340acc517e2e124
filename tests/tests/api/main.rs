//! Black-box tests of Hongyan through its public surface (GraphQL, locker REST, CLI),
//! against real PostgreSQL and Redis. One binary, one module per area. The lending, dispatch,
//! purchases and statistics scenarios run on SQLite too (`HONGYAN_TEST_BACKEND=sqlite`): they
//! arrange their data through the domain and sea-orm, never with one database's SQL.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod account;
mod app;
mod auth;
mod authz;
mod catalog;
mod catalog_export;
mod catalog_sync;
mod catalogues;
mod clock;
mod consistency;
mod console;
mod console_api;
mod contract;
mod demo_history;
mod dispatch;
mod entered_figures;
mod faults;
mod fuzz;
mod hostile;
mod identity;
mod jobs;
mod lending;
mod library;
mod lifecycles;
mod limits;
mod notify;
mod patrons;
mod purchases;
mod simulation;
mod startup;
mod stats;
mod stats_periods;
mod stats_recount;
mod stock;
