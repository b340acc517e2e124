//! Column and constraint builders shared by the migrations, so every table spells an id,
//! a timestamp, a foreign key or a state check the same way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

/// An identifier for a table or column name.
pub fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

/// `id uuid PRIMARY KEY`: ids are UUIDv7 made by the application, opaque to clients.
pub fn id() -> ColumnDef {
    schema::pk_uuid(n("id"))
}

/// A required uuid column (usually a foreign key).
pub fn uuid(col: &'static str) -> ColumnDef {
    schema::uuid(n(col))
}

/// An optional uuid column.
pub fn uuid_null(col: &'static str) -> ColumnDef {
    schema::uuid_null(n(col))
}

/// A required text column.
pub fn text(col: &'static str) -> ColumnDef {
    schema::text(n(col))
}

/// An optional text column.
pub fn text_null(col: &'static str) -> ColumnDef {
    schema::text_null(n(col))
}

/// A required integer column.
pub fn int(col: &'static str) -> ColumnDef {
    schema::integer(n(col))
}

/// An optional integer column.
pub fn int_null(col: &'static str) -> ColumnDef {
    schema::integer_null(n(col))
}

/// A required 64-bit integer column (money in cents, sequence numbers).
pub fn bigint(col: &'static str) -> ColumnDef {
    schema::big_integer(n(col))
}

/// A required boolean column with a default.
pub fn flag(col: &'static str, default: bool) -> ColumnDef {
    let mut c = schema::boolean(n(col));
    c.default(default);
    c
}

/// An optional double column (geographic coordinates).
pub fn double_null(col: &'static str) -> ColumnDef {
    schema::double_null(n(col))
}

/// A required `timestamptz` column.
pub fn at(col: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone(n(col))
}

/// An optional `timestamptz` column.
pub fn at_null(col: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone_null(n(col))
}

/// A required JSON column.
pub fn json(col: &'static str) -> ColumnDef {
    schema::json(n(col))
}

/// An optional JSON column.
pub fn json_null(col: &'static str) -> ColumnDef {
    schema::json_null(n(col))
}

/// A required text column restricted to `values` by a CHECK constraint.
pub fn one_of(col: &'static str, values: &[&'static str]) -> ColumnDef {
    let mut c = schema::text(n(col));
    c.check(Expr::col(n(col)).is_in(values.iter().copied()));
    c
}

/// A foreign key `table.col → target.id`; deleting the target is refused while rows refer to it.
pub fn fk(
    table: &'static str,
    col: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(n(table), n(col))
        .to(n(target), n("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A foreign key whose rows go with the target when it is deleted.
pub fn fk_cascade(
    table: &'static str,
    col: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    let mut f = fk(table, col, target);
    f.on_delete(ForeignKeyAction::Cascade);
    f
}

/// A (possibly unique) index named after its table and columns.
pub fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(n(table));
    for c in cols {
        i.col(n(c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Creates tables and then their indexes, in order.
pub async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for t in tables {
        manager.create_table(t).await?;
    }
    for i in indexes {
        manager.create_index(i).await?;
    }
    Ok(())
}

/// Drops tables in reverse order of creation.
pub async fn drop_all(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for t in tables.iter().rev() {
        manager
            .drop_table(Table::drop().table(n(t)).if_exists().to_owned())
            .await?;
    }
    Ok(())
}

/// Drops the index [`index`] made on `cols` of `table`.
pub async fn drop_index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    manager
        .drop_index(
            Index::drop()
                .name(format!("ix_{table}_{}", cols.join("_")))
                .table(n(table))
                .to_owned(),
        )
        .await
}

/// Adds one column to `table` (SQLite alters one column per statement).
pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    mut column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(n(table))
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

/// Drops column `col` of `table`.
pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    col: &'static str,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(n(table))
                .drop_column(n(col))
                .to_owned(),
        )
        .await
}
