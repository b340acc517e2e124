//! Shared pieces of the benchmarks (`tests/benches`): a fresh database, percentiles, and a
//! small deterministic random source (benchmarks must be repeatable run to run).

use std::time::Duration;

use hongyan_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Drops and recreates database `name` on the test server, migrates it and returns its URL
/// and a connection.
pub async fn fresh_database(name: &str) -> (String, DatabaseConnection) {
    let server = crate::postgres_url();
    let admin =
        hongyan_domain::infra::db::connect(&server, hongyan_domain::infra::db::DEFAULT_POOL)
            .await
            .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create");
    let url = crate::databases::url(&server, name);
    let db = hongyan_domain::infra::db::connect(&url, hongyan_domain::infra::db::DEFAULT_POOL)
        .await
        .expect("connect bench db");
    Migrator::up(&db, None).await.expect("migrate");
    (url, db)
}

/// The `p` quantile (0..=1) of sorted latencies.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

/// The positional command-line arguments after `cargo bench … --` (flags such as `--bench`
/// that cargo passes are dropped), parsed with defaults.
pub fn args<const N: usize>(defaults: [u64; N]) -> [u64; N] {
    let given: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mut out = defaults;
    for (slot, arg) in out.iter_mut().zip(&given) {
        *slot = arg
            .parse()
            .unwrap_or_else(|_| panic!("expected a number, got {arg}"));
    }
    out
}

/// SplitMix64: a tiny, seedable random source.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n.max(1)
    }
}
