//! Opening the database.
//!
//! SQLite (the embedded default) gets WAL mode, foreign keys on and a busy timeout, so the
//! API and the embedded worker can write from several tasks; PostgreSQL gets a bounded pool.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    TransactionTrait,
};

/// Opens a pool on `url` (`postgres://…` or `sqlite:…`) and checks it answers.
///
/// # Errors
/// The database error when the server cannot be reached or the file cannot be opened.
pub async fn connect(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        ensure_sqlite_dir(url);
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(if sqlite { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(opts).await?;
    if sqlite {
        // WAL persists in the file: readers never wait for the writer.
        // (sqlx already turns foreign keys on and sets a busy timeout per connection.)
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    db.execute_unprepared("SELECT 1").await?;
    Ok(db)
}

/// Creates the directory of a `sqlite://dir/file.db` URL so the default works on a fresh clone.
fn ensure_sqlite_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
}

/// A hand-written statement for the connection's backend. Parameters are `$1`, `$2`, …
/// (PostgreSQL's form, which SQLite reads as numbered named parameters), so one text serves
/// both; used where folding several lookups into one round trip matters.
pub fn statement(
    db: &impl ConnectionTrait,
    sql: impl Into<String>,
    values: impl IntoIterator<Item = sea_orm::Value>,
) -> sea_orm::Statement {
    sea_orm::Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (waiting
/// for another writer within the busy timeout), as `BEGIN IMMEDIATE` would: a transaction
/// that read first and upgraded later would fail with `SQLITE_BUSY` whenever another
/// connection committed in between. On PostgreSQL it is a plain `BEGIN`.
///
/// # Errors
/// The database error when the transaction cannot start or the lock is not had in time.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Any data-changing statement takes the write lock, even one that changes no row.
        txn.execute_unprepared("UPDATE branch SET id = id WHERE 0")
            .await?;
    }
    Ok(txn)
}
