//! Per-test databases: PostgreSQL databases copied from a migrated template, or SQLite
//! files in a temporary directory of their own (which the app migrates as it starts).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use hongyan_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

/// An arbitrary constant key for the advisory lock that serialises template builds.
const TEMPLATE_LOCK: i64 = 0x686f_6e67_7961;

fn with_db(server_url: &str, db: &str) -> String {
    let (base, _) = server_url
        .rsplit_once('/')
        .expect("postgres URL with a database");
    format!("{base}/{db}")
}

/// A fingerprint of the migration sources, so a changed schema gets a new template.
fn schema_fingerprint() -> u64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/src");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations/src")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut h = DefaultHasher::new();
    for f in files {
        std::fs::read(&f).expect("migration source").hash(&mut h);
    }
    h.finish()
}

async fn admin(server_url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(server_url.to_owned());
    opts.max_connections(1).sqlx_logging(false);
    Database::connect(opts).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {server_url} is not reachable ({e}); start it (see .ci/run)")
    })
}

/// Creates a fresh, migrated database and returns its name.
async fn create(server_url: &str) -> String {
    let template = format!("hongyan_tpl_{:016x}", schema_fingerprint());
    let conn = admin(server_url).await;
    conn.execute_unprepared(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .await
        .expect("lock");
    let exists = conn
        .query_one(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .expect("query pg_database")
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop");
        conn.execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        let tpl = hongyan_domain::infra::db::connect(
            &with_db(server_url, &building),
            hongyan_domain::infra::db::DEFAULT_POOL,
        )
        .await
        .expect("connect template");
        Migrator::up(&tpl, None).await.expect("migrate template");
        tpl.close().await.expect("close template");
        conn.execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("rename");
    }
    let name = format!("hongyan_test_{}", uuid::Uuid::new_v4().simple());
    let created = conn
        .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await;
    conn.execute_unprepared(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .await
        .expect("unlock");
    created.expect("create test database");
    name
}

/// The URL of database `name` on the test server.
pub fn url(server_url: &str, name: &str) -> String {
    with_db(server_url, name)
}

/// Drops a test database, from synchronous code (a `Drop`).
fn drop_blocking(server_url: &str, name: &str) {
    let (server_url, name) = (server_url.to_owned(), name.to_owned());
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let conn = admin(&server_url).await;
            let _ = conn
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        });
    })
    .join();
}

/// The database a test app runs on: `HONGYAN_TEST_BACKEND` chooses it for the whole run
/// (`postgres`, the default, or `sqlite`), a test's [`crate::TestOptions`] may force one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh database on the PostgreSQL test server (`HONGYAN_TEST_DATABASE_URL`).
    Postgres,
    /// A fresh SQLite file, as `cargo run` uses.
    Sqlite,
}

impl Backend {
    /// The backend `HONGYAN_TEST_BACKEND` names; PostgreSQL when it is unset. Any other
    /// value fails the test rather than quietly testing the wrong database, and so does the
    /// nextest profile `sqlite` (the SQLite pass's suites) without `HONGYAN_TEST_BACKEND=sqlite`.
    pub fn from_env() -> Self {
        let backend = match std::env::var("HONGYAN_TEST_BACKEND").as_deref() {
            Err(std::env::VarError::NotPresent) | Ok("postgres") => Backend::Postgres,
            Ok("sqlite") => Backend::Sqlite,
            other => panic!("HONGYAN_TEST_BACKEND must be `postgres` or `sqlite`, not {other:?}"),
        };
        assert!(
            backend == Backend::Sqlite
                || std::env::var("NEXTEST_PROFILE").as_deref() != Ok("sqlite"),
            "the nextest profile `sqlite` chooses the suites of the SQLite pass; \
             HONGYAN_TEST_BACKEND=sqlite chooses the database (see docs/testing.md)"
        );
        backend
    }
}

/// One test's own database, removed when dropped.
#[derive(Debug)]
pub enum TestDatabase {
    /// Database `name` on the PostgreSQL test server.
    Postgres {
        /// Its name.
        name: String,
    },
    /// `hongyan.db` in directory `dir`.
    Sqlite {
        /// The directory, removed with everything in it (the WAL files too).
        dir: PathBuf,
    },
}

impl TestDatabase {
    /// A fresh database on `backend`: migrated on PostgreSQL, empty on SQLite (the app
    /// migrates it as it starts, as it does any new SQLite file).
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => TestDatabase::Postgres {
                name: create(&crate::postgres_url()).await,
            },
            Backend::Sqlite => TestDatabase::Sqlite {
                dir: std::env::temp_dir()
                    .join(format!("hongyan-test-{}", uuid::Uuid::new_v4().simple())),
            },
        }
    }

    /// Its `HONGYAN_DATABASE_URL`.
    pub fn url(&self) -> String {
        match self {
            TestDatabase::Postgres { name } => url(&crate::postgres_url(), name),
            TestDatabase::Sqlite { dir } => {
                format!("sqlite://{}/hongyan.db?mode=rwc", dir.display())
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Postgres { name } => drop_blocking(&crate::postgres_url(), name),
            TestDatabase::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}
