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
    DbErr, RuntimeErr, SqlErr, TransactionTrait,
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
/// connection committed in between. On PostgreSQL it is a plain `BEGIN`. Inside a
/// transaction it begins a savepoint (the lock is the outer transaction's already).
///
/// Every transaction that writes begins here (through [`crate::Ctx::begin`] where there is a
/// context): one begun with a plain `begin()` that reads before it writes, such as adding
/// staff or registering a locker while the app's worker runs, fails on SQLite whenever
/// another connection writes in between.
///
/// # Errors
/// The database error when the transaction cannot start or the lock is not had in time.
pub async fn begin_write<C: ConnectionTrait + TransactionTrait>(
    db: &C,
) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Any data-changing statement takes the write lock, even one that changes no row.
        txn.execute_unprepared("UPDATE branch SET id = id WHERE 0")
            .await?;
    }
    Ok(txn)
}

/// SQLite's extended result code `SQLITE_CONSTRAINT_TRIGGER`.
const SQLITE_CONSTRAINT_TRIGGER: &str = "1811";

/// Whether a write was refused by a foreign key: a row still referred to, or a reference to
/// none. sea-orm recognises PostgreSQL's code and SQLite's `SQLITE_CONSTRAINT_FOREIGNKEY`,
/// but SQLite refuses the deletion of a row that an `ON DELETE RESTRICT` key protects from the
/// trigger program enforcing it, as `SQLITE_CONSTRAINT_TRIGGER` "FOREIGN KEY constraint failed".
pub fn is_foreign_key_violation(err: &DbErr) -> bool {
    if matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    ) {
        return true;
    }
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(e)))
        | DbErr::Query(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(e))) => {
            e.code().as_deref() == Some(SQLITE_CONSTRAINT_TRIGGER)
                && e.message().starts_with("FOREIGN KEY constraint failed")
        }
        _ => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_foreign_keys_refuse_as_violations_restrict_included() {
        let mut opts = ConnectOptions::new("sqlite::memory:");
        opts.max_connections(1).sqlx_logging(false);
        let db = Database::connect(opts).await.expect("in-memory SQLite");
        db.execute_unprepared(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (id INTEGER PRIMARY KEY,
                 parent_id INTEGER REFERENCES parent (id) ON DELETE RESTRICT);
             INSERT INTO parent VALUES (1);
             INSERT INTO child VALUES (1, 1);",
        )
        .await
        .expect("schema");
        let restricted = db
            .execute_unprepared("DELETE FROM parent")
            .await
            .expect_err("the child refers to it");
        assert!(is_foreign_key_violation(&restricted), "{restricted}");
        let dangling = db
            .execute_unprepared("INSERT INTO child VALUES (2, 99)")
            .await
            .expect_err("no such parent");
        assert!(is_foreign_key_violation(&dangling), "{dangling}");
        let duplicate = db
            .execute_unprepared("INSERT INTO parent VALUES (1)")
            .await
            .expect_err("taken");
        assert!(!is_foreign_key_violation(&duplicate), "{duplicate}");
    }
}
