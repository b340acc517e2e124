//! Catalogue import benchmark: the importer against PostgreSQL `COPY` of the same rows.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench import -- [RECORDS]
//! ```
//! (default: 100,000 records). It writes a MARC 21 file of RECORDS records (half with an
//! ISBN, half without; two copies each in 852, on 8 branches), imports it through the real
//! import code (`MarcReader` into `Importer`) into a fresh database (`hongyan_bench_import`),
//! imports it again unchanged, then with 1 % of its records changed, and, side by side, loads the same title and copy rows with
//! `COPY` into the same tables of another fresh database (`hongyan_bench_import_copy`): the
//! floor. It prints both times, rows per second, the ratio, the re-imports' times and the
//! process's peak resident memory.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use hongyan_domain::branches::{self, BranchKind, NewBranch};
use hongyan_domain::catalog::import::marc::MarcReader;
use hongyan_domain::catalog::import::{ImportSummary, Importer};
use hongyan_domain::catalog::marc::Flavour;
use hongyan_domain::{Config, Ctx};
use hongyan_tests::bench;
use hongyan_tests::marc_writer::{record, Field};
use sea_orm::{ConnectionTrait, DatabaseConnection};

const DB: &str = "hongyan_bench_import";

const BRANCHES: [&str; 8] = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"];

const WORDS: [&str; 16] = [
    "中国", "历史", "文化", "文学", "小说", "散文", "研究", "概论", "通史", "故事", "科学", "技术",
    "经济", "哲学", "艺术", "城市",
];

const PUBLISHERS: [&str; 4] = ["人民出版社", "中华书局", "作家出版社", "科学出版社"];

/// An ISBN-13 with its check digit, from a 12-digit body.
fn isbn13(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Writes RECORDS MARC 21 records with two copies each to `path`; with `changed`, every
/// hundredth record (one with an ISBN) gives another price.
fn write_file(path: &Path, records: u64, changed: bool) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create file"));
    for n in 0..records {
        let w = |k: u64| WORDS[usize::try_from((n / k) % 16).unwrap()];
        let title = format!("{}{}{}第{n}卷", w(1), w(16), w(256));
        let author = format!("作者{}", n % 5000);
        let year = (1950 + n % 70).to_string();
        let publisher = PUBLISHERS[usize::try_from(n % 4).unwrap()];
        let class = format!("I{}", 200 + n % 50);
        let isbn = isbn13(&format!("9787{:08}", n / 2));
        let calls = [format!("{class}/{n}"), format!("{class}/{n}")];
        let barcodes = [format!("C{n:09}A"), format!("C{n:09}B")];
        let branches = [
            BRANCHES[usize::try_from(n % 8).unwrap()],
            BRANCHES[usize::try_from((n + 3) % 8).unwrap()],
        ];
        let mut fields = Vec::new();
        if n % 2 == 0 {
            let price = if changed && n % 100 == 0 {
                "CNY36.00"
            } else {
                "CNY35.00"
            };
            fields.push(Field::Data(
                "020",
                *b"  ",
                vec![('a', isbn.as_str()), ('c', price)],
            ));
        }
        fields.extend([
            Field::Data("084", *b"  ", vec![('a', class.as_str()), ('2', "clc")]),
            Field::Data("100", *b"0 ", vec![('a', author.as_str())]),
            Field::Data("245", *b"10", vec![('a', title.as_str())]),
            Field::Data("264", *b" 1", vec![('b', publisher), ('c', year.as_str())]),
        ]);
        for c in 0..2 {
            fields.push(Field::Data(
                "852",
                *b"  ",
                vec![
                    ('b', branches[c]),
                    ('h', calls[c].as_str()),
                    ('p', barcodes[c].as_str()),
                ],
            ));
        }
        out.write_all(&record(&fields, b'a')).expect("write record");
    }
    out.flush().expect("flush");
}

async fn add_branches(db: &DatabaseConnection) {
    let new = BRANCHES
        .map(|code| NewBranch {
            code: code.into(),
            name: format!("{code} 分馆"),
            kind: BranchKind::Branch,
            address: "张家港".into(),
            position: None,
        })
        .to_vec();
    branches::create(db, new, chrono::Utc::now())
        .await
        .expect("branches");
}

/// The importer's context on `url` (no Redis: signals stay in the process).
fn context(url: &str, db: DatabaseConnection) -> Ctx {
    let env = HashMap::from([
        ("HONGYAN_DATABASE_URL", url.to_owned()),
        ("HONGYAN_INDEX_DIR", ":memory:".to_owned()),
        (
            "HONGYAN_JWT_SECRET",
            "bench-import-secret-0123456789abcdef0123456789".to_owned(),
        ),
    ]);
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("configuration");
    Ctx::new(config, db).expect("context")
}

async fn import(ctx: &Ctx, path: &Path) -> (ImportSummary, Duration) {
    let started = Instant::now();
    let mut importer = Importer::new(ctx).await.expect("importer");
    let file = BufReader::new(std::fs::File::open(path).expect("open file"));
    for item in MarcReader::new(file, Some(Flavour::Marc21)) {
        importer.add(item).await.expect("add");
    }
    let summary = importer.finish().await.expect("finish");
    (summary, started.elapsed())
}

/// The process's peak resident memory (`VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

#[tokio::main]
async fn main() {
    let [records] = bench::args([100_000]);
    let dir = std::env::temp_dir();
    let file = dir.join(format!("{DB}.mrc"));
    let started = Instant::now();
    write_file(&file, records, false);
    println!(
        "wrote {records} MARC 21 records ({:.1} MiB) in {:.2?}",
        std::fs::metadata(&file).expect("size").len() as f64 / 1_048_576.0,
        started.elapsed()
    );

    let (url, db) = bench::fresh_database(DB).await;
    add_branches(&db).await;
    let ctx = context(&url, db.clone());
    let (first, took) = import(&ctx, &file).await;
    assert!(first.rejected.is_empty(), "{:?}", first.rejected.first());
    assert_eq!(first.titles_created as u64, records);
    assert_eq!(first.items_created as u64, 2 * records);
    let rows = (first.titles_created + first.items_created) as f64;
    let (again, unchanged) = import(&ctx, &file).await;
    assert_eq!(
        (again.titles_created, again.titles_updated),
        (0, 0),
        "unchanged"
    );
    assert_eq!((again.items_created, again.items_updated), (0, 0));
    let changed_file = dir.join(format!("{DB}_changed.mrc"));
    write_file(&changed_file, records, true);
    let (changed, one_percent) = import(&ctx, &changed_file).await;
    assert_eq!(
        (changed.titles_updated as u64, changed.items_updated),
        (records.div_ceil(100), 0),
        "only the changed records' titles"
    );

    // The floor: the same rows (branches, titles, copies) copied into the same tables.
    let (_, floor_db) = bench::fresh_database(&format!("{DB}_copy")).await;
    let dump = |table: &str| dir.join(format!("{DB}_{table}.csv"));
    for table in ["branch", "title", "item"] {
        let path = dump(table);
        let _ = std::fs::remove_file(&path);
        db.execute_unprepared(&format!(
            "COPY {table} TO '{}' WITH (FORMAT csv)",
            path.display()
        ))
        .await
        .expect("copy out");
    }
    floor_db
        .execute_unprepared(&format!(
            "COPY branch FROM '{}' WITH (FORMAT csv)",
            dump("branch").display()
        ))
        .await
        .expect("copy branches");
    let started = Instant::now();
    for table in ["title", "item"] {
        floor_db
            .execute_unprepared(&format!(
                "COPY {table} FROM '{}' WITH (FORMAT csv)",
                dump(table).display()
            ))
            .await
            .expect("copy in");
    }
    let floor = started.elapsed();

    println!(
        "import: {records} records ({} titles + {} copies) in {took:.2?}, {:.0} records/s, {:.0} rows/s",
        first.titles_created,
        first.items_created,
        records as f64 / took.as_secs_f64(),
        rows / took.as_secs_f64()
    );
    println!(
        "COPY of the same rows: {floor:.2?}, {:.0} rows/s; import / COPY = {:.1}x",
        rows / floor.as_secs_f64(),
        took.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "unchanged re-import: {unchanged:.2?} ({:.0} records/s); 1 % changed: {one_percent:.2?} \
         ({} titles updated); peak resident memory {:.0} MiB",
        records as f64 / unchanged.as_secs_f64(),
        changed.titles_updated,
        peak_rss_mib()
    );
    for table in ["branch", "title", "item"] {
        let _ = std::fs::remove_file(dump(table));
    }
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&changed_file);
}
