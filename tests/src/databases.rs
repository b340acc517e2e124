//! Per-test PostgreSQL databases copied from a migrated template.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

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
pub async fn create(server_url: &str) -> String {
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
        let tpl = hongyan_domain::db::connect(
            &with_db(server_url, &building),
            hongyan_domain::db::DEFAULT_POOL,
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
pub fn drop_blocking(server_url: &str, name: &str) {
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
