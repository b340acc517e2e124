//! Black-box test harness: the real Hongyan on a random port against real PostgreSQL (or
//! SQLite) and Redis, with a fake WeChat server that follows the documented contract.
//!
//! Every [`TestApp`] gets a fresh database and its own Redis key prefix. On PostgreSQL (the
//! default) the database is copied from a migrated template (built once per schema version,
//! under an advisory lock, so parallel test processes share it); with
//! `HONGYAN_TEST_BACKEND=sqlite` it is a new SQLite file in a temporary directory, as
//! `cargo run` uses ([`databases::Backend`]). PostgreSQL and Redis must be running: a
//! missing service fails the test, it is never skipped.
// A test harness fails by panicking: that is how a test reports what went wrong.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod app;
pub mod bench;
pub mod browser;
pub mod chinese;
pub mod databases;
pub mod fake_courier;
pub mod fake_wechat;
pub mod graphql;
pub mod marc_writer;
pub mod postgres_server;
pub mod redis_server;
pub mod serve;
pub mod smtp_sink;
pub mod socket;
pub mod wait;

pub use app::{TestApp, TestOptions};
pub use databases::Backend;

/// PostgreSQL server for tests (a superuser connection to an existing database).
pub fn postgres_url() -> String {
    std::env::var("HONGYAN_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Redis server for tests.
pub fn redis_url() -> String {
    std::env::var("HONGYAN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// An HTTP client for talking to a test app. Idle connections are dropped after a second,
/// well within the server's keep-alive (5 s): a request sent on a connection the server is
/// closing at that moment fails with "incomplete message", which a loaded CI machine hits.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(1))
        .build()
        .expect("HTTP client")
}

/// The JWT secret test apps use, so tests can forge tokens.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The `hongyan` binary built next to the test executables (`cargo build --workspace`).
pub fn hongyan_bin() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("hongyan");
    assert!(
        bin.exists(),
        "{} is missing: build it first (`cargo build --workspace`, as scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// A valid ISBN-13 made of the 12 digits `body` and their check digit (test data).
pub fn isbn13(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}
