//! Opening the database.
//!
//! SQLite (the embedded default) gets WAL mode, foreign keys on and a busy timeout, so the
//! API and the embedded worker can write from several tasks; PostgreSQL gets a bounded pool.

use std::time::Duration;

use sea_orm::sea_query::{
    Alias, CommonTableExpression, Expr, Query, SubQueryStatement, WithClause,
};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    TransactionTrait,
};

/// Connections a process keeps to PostgreSQL unless configured (`HONGYAN_DATABASE_POOL`).
pub const DEFAULT_POOL: u32 = 20;

/// Opens a pool on `url` (`postgres://…` or `sqlite:…`) and checks it answers. `pool` is the
/// most connections kept to PostgreSQL; SQLite gets 8 (one writer at a time anyway).
///
/// # Errors
/// The database error when the server cannot be reached or the file cannot be opened.
pub async fn connect(url: &str, pool: u32) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        ensure_sqlite_dir(url);
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(if sqlite { 8 } else { pool })
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

/// Runs several writes (inserts, updates, deletes; none returning rows) in one round trip
/// on PostgreSQL, as the data-modifying common table expressions of one statement, and one
/// after another elsewhere. On PostgreSQL they all see the database as it was before any of
/// them ran, so none may depend on another's effect (foreign keys between their rows are
/// fine: they are checked at the end).
///
/// Used on hot paths, where a transaction's round trips are most of its cost.
///
/// # Errors
/// The database error of the first write that fails.
pub async fn write_all(
    db: &impl ConnectionTrait,
    writes: Vec<SubQueryStatement>,
) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres || writes.len() < 2 {
        for write in &writes {
            db.execute(build(backend, write)).await?;
        }
        return Ok(());
    }
    let mut with = WithClause::new();
    for (i, write) in writes.into_iter().enumerate() {
        let mut cte = CommonTableExpression::new();
        cte.table_name(Alias::new(format!("w{i}")));
        match write {
            SubQueryStatement::InsertStatement(s) => cte.query(s),
            SubQueryStatement::UpdateStatement(s) => cte.query(s),
            SubQueryStatement::DeleteStatement(s) => cte.query(s),
            SubQueryStatement::SelectStatement(s) => cte.query(s),
            SubQueryStatement::WithStatement(s) => cte.query(s),
        };
        with.cte(cte);
    }
    // Data-modifying CTEs run to completion whether or not the main query reads them.
    let statement = with.query(Query::select().expr(Expr::val(1)).to_owned());
    db.execute(backend.build(&statement)).await?;
    Ok(())
}

fn build(backend: DbBackend, write: &SubQueryStatement) -> sea_orm::Statement {
    match write {
        SubQueryStatement::InsertStatement(s) => backend.build(s),
        SubQueryStatement::UpdateStatement(s) => backend.build(s),
        SubQueryStatement::DeleteStatement(s) => backend.build(s),
        SubQueryStatement::SelectStatement(s) => backend.build(s),
        SubQueryStatement::WithStatement(s) => backend.build(s),
    }
}
