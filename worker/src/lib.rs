//! Hongyan's job runner.
//!
//! A [`Worker`] claims due jobs from the `job` table (see `hongyan_domain::jobs`), runs each
//! one's handler inside a transaction that also deletes the job, and retries failures with
//! backoff until they are dead. It is a library: the `hongyan` binary embeds it in `serve`
//! and runs it alone in `hongyan worker`, so workers scale out as separate processes.
//! Each worker also sends the notifications readers are owed (`notifications`).

pub mod metrics;
mod notifications;
pub mod registry;
mod runner;

pub use registry::Registry;
pub use runner::{Shutdown, Worker};
