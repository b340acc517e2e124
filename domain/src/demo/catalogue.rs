//! The demo catalogue: titles from `domain/demo-data/titles.tsv` (regenerate with
//! `domain/demo-data/gen_titles.py`), with 1–4 copies each spread over the stock-holding
//! branches, call numbers in CLC order (class / acquisition sequence within the class, 种次号)
//! and barcodes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::catalog::{books, work};
use crate::entity::item;
use crate::entity::title;
use crate::{Error, Result};

const TITLES: &str = include_str!("../../demo-data/titles.tsv");
/// Rows per INSERT, well under SQLite's bound-parameter limit.
const BATCH: usize = 400;

/// One catalogue row of the TSV.
struct Row<'a> {
    isbn: &'a str,
    title: &'a str,
    authors: &'a str,
    publisher: &'a str,
    pub_year: i32,
    clc_class: &'a str,
    subjects: &'a str,
    price_cents: i32,
    summary: &'a str,
}

fn rows() -> Result<Vec<Row<'static>>> {
    TITLES
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            let bad = || Error::internal(anyhow::anyhow!("titles.tsv line {}: malformed", n + 2));
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 9 {
                return Err(bad());
            }
            Ok(Row {
                isbn: f[0],
                title: f[1],
                authors: f[2],
                publisher: f[3],
                pub_year: f[4].parse().map_err(|_| bad())?,
                clc_class: f[5],
                subjects: f[6],
                price_cents: f[7].parse().map_err(|_| bad())?,
                summary: f[8],
            })
        })
        .collect()
}

/// Inserts titles and copies; `branches` are the stock-holding branches, central first.
/// Returns (titles, items) inserted.
pub async fn insert(
    db: &impl ConnectionTrait,
    branches: &[(Uuid, &str)],
    now: DateTime<Utc>,
) -> Result<(usize, usize)> {
    let rows = rows()?;
    let mut rng = StdRng::seed_from_u64(2025);
    let mut seq_in_class: HashMap<&str, u32> = HashMap::new();
    let mut titles = Vec::with_capacity(rows.len());
    let mut items = Vec::with_capacity(rows.len() * 3);
    for row in &rows {
        let title_id = Uuid::now_v7();
        titles.push(title::ActiveModel {
            id: Set(title_id),
            isbn: Set(Some(row.isbn.to_owned())),
            title: Set(row.title.to_owned()),
            subtitle: Set(None),
            authors: Set(row.authors.to_owned()),
            publisher: Set(Some(row.publisher.to_owned())),
            pub_year: Set(Some(row.pub_year)),
            clc_class: Set(Some(row.clc_class.to_owned())),
            subjects: Set(Some(row.subjects.to_owned())),
            summary: Set(Some(row.summary.to_owned())),
            price_cents: Set(Some(row.price_cents)),
            work_key: Set(work::key(row.title, row.authors)),
            import_key: Set(Some(work::import_key(
                row.title,
                row.authors,
                Some(row.publisher),
                Some(row.pub_year),
            ))),
            created_at: Set(now),
            updated_at: Set(now),
        });
        let seq = seq_in_class.entry(row.clc_class).or_insert(0);
        *seq += 1;
        let call_number = format!("{}/{}", row.clc_class, seq);
        for copy in 0..rng.random_range(1..=4) {
            // The first copy is at the central library half the time.
            let branch = if copy == 0 && rng.random_bool(0.5) {
                branches[0].0
            } else {
                branches[rng.random_range(0..branches.len())].0
            };
            let barcode = format!("ZJ{:08}", items.len() + 1);
            items.push(books::new_copy(
                title_id,
                &barcode,
                &call_number,
                branch,
                now,
            )?);
        }
    }
    let (n_titles, n_items) = (titles.len(), items.len());
    for chunk in titles.chunks(BATCH) {
        title::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in items.chunks(BATCH) {
        item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok((n_titles, n_items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalogue_is_large_and_well_formed() {
        let rows = rows().expect("titles.tsv parses");
        assert!(rows.len() >= 2000, "only {} titles", rows.len());
        let isbns: std::collections::HashSet<&str> = rows.iter().map(|r| r.isbn).collect();
        assert_eq!(isbns.len(), rows.len(), "ISBNs are unique");
        assert!(rows.iter().any(|r| r.title == "活着"));
    }
}
