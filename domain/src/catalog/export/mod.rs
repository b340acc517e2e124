//! Catalogue export: every title with its copies into a MARC (ISO 2709, UTF-8) or CSV file
//! that the importer reads back as the same titles and copies.
//!
//! Titles are read in keyset pages by id, and copies in keyset pages by title and id beside
//! them (two ordered streams merged), so a page of each is in memory whatever the size of the
//! catalogue, and the file is written as it goes. Each title becomes the importer's own
//! [`ImportRecord`], which the format writes with the importer's mapping
//! ([`crate::catalog::marc`], [`super::import::csv::columns`]); a title with more copies than
//! one record may hold is written as several records, whose copies the import adds to the
//! one title. Withdrawn copies are left out: no format can say a copy is gone, and the import
//! would put them back on the shelf. What a format cannot carry so that the import reads it
//! back the same (a MARC field over 9,999 bytes, text ending in ISBD punctuation, a year or
//! price the import refuses) is written as well as it can be and reported per title.

mod csv;
mod marc;

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};

use chrono::NaiveDate;
use sea_orm::prelude::*;
use sea_orm::{Condition, PaginatorTrait, QueryOrder, QuerySelect};

use super::books;
use super::import::csv::LIST_SEPARATOR;
use super::marc::Flavour;
use super::record::{limits, Holding, ImportRecord};
use crate::entity::item::ItemStatus;
use crate::entity::{branch, item, title};
use crate::{china_time, Error, Result, Text};

/// Titles read per page.
const TITLES_PER_PAGE: u64 = 500;
/// Copies read per page.
const COPIES_PER_PAGE: u64 = 2000;
/// Warnings kept for the summary; the rest are only counted.
pub const KEPT_WARNINGS: usize = 50;

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ISO 2709 records in UTF-8.
    Marc(Flavour),
    /// CSV with the import's header row, one row per copy.
    Csv,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Titles written.
    pub titles: usize,
    /// Copies written.
    pub copies: usize,
    /// MARC records or CSV rows written.
    pub records: usize,
    /// The first [`KEPT_WARNINGS`] things the file could not carry as the catalogue has them.
    pub warnings: Vec<Warning>,
    /// How many such things there were in all.
    pub warned: usize,
}

/// Something about one title the file could not carry as the catalogue has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The title's 1-based number in the file.
    pub position: usize,
    /// Its title proper.
    pub title: String,
    /// What was lost or changed.
    pub reason: Text,
}

/// What one title's export could not carry faithfully, each thing said once.
#[derive(Debug, Default)]
struct Notes(Vec<Text>);

impl Notes {
    fn add(&mut self, note: Text) {
        if !self.0.contains(&note) {
            self.0.push(note);
        }
    }
}

/// A title (or part of its copies) as written: its record and what identifies it in MARC.
struct Exported<'a> {
    id: Uuid,
    entered: NaiveDate,
    record: &'a ImportRecord,
}

impl<'a> Exported<'a> {
    fn new(t: &title::Model, record: &'a ImportRecord) -> Self {
        Exported {
            id: t.id,
            entered: china_time::date_of(t.created_at),
            record,
        }
    }
}

/// The format writer.
enum Writer<W: Write> {
    Marc(marc::MarcWriter<W>),
    Csv(Box<csv::CsvWriter<W>>),
}

impl<W: Write> Writer<W> {
    fn write(&mut self, title: &Exported<'_>, notes: &mut Notes) -> io::Result<usize> {
        match self {
            Writer::Marc(w) => w.write(title, notes),
            Writer::Csv(w) => w.write(title.record),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Writer::Marc(w) => w.finish(),
            Writer::Csv(w) => w.finish(),
        }
    }
}

/// Writes the catalogue into a file.
pub struct Exporter<'a, C> {
    db: &'a C,
    format: Format,
    titles_per_page: u64,
    copies_per_page: u64,
}

impl<'a, C: ConnectionTrait> Exporter<'a, C> {
    /// An export of the catalogue in `db` as `format`.
    pub fn new(db: &'a C, format: Format) -> Self {
        Exporter {
            db,
            format,
            titles_per_page: TITLES_PER_PAGE,
            copies_per_page: COPIES_PER_PAGE,
        }
    }

    /// Reads titles and copies in pages of these sizes (at least 1) instead of the defaults.
    #[must_use]
    pub fn pages(mut self, titles: u64, copies: u64) -> Self {
        self.titles_per_page = titles.max(1);
        self.copies_per_page = copies.max(1);
        self
    }

    /// How many titles there are to write (for a progress bar).
    ///
    /// # Errors
    /// INTERNAL on a database fault.
    pub async fn titles(&self) -> Result<u64> {
        Ok(title::Entity::find().count(self.db).await?)
    }

    /// Writes every title with its copies into `out`, calling `progress` after each title.
    ///
    /// # Errors
    /// INTERNAL on a database fault or when `out` cannot be written (the cause is the
    /// [`io::Error`]).
    pub async fn write<W: Write>(
        self,
        out: W,
        mut progress: impl FnMut(&ExportSummary),
    ) -> Result<ExportSummary> {
        let branches: HashMap<Uuid, String> = branch::Entity::find()
            .all(self.db)
            .await?
            .into_iter()
            .map(|b| (b.id, b.code))
            .collect();
        let mut writer = match self.format {
            Format::Marc(flavour) => Writer::Marc(marc::MarcWriter::new(out, flavour)),
            Format::Csv => Writer::Csv(Box::new(csv::CsvWriter::new(out).map_err(unwritable)?)),
        };
        let mut copies = Copies::new(self.db, self.copies_per_page);
        let mut summary = ExportSummary::default();
        let mut after = None;
        loop {
            let page = books::titles_after(self.db, after, self.titles_per_page).await?;
            let Some(last) = page.last().map(|t| t.id) else {
                break;
            };
            after = Some(last);
            for t in page {
                summary.titles += 1;
                let mut notes = Notes::default();
                let mut record = bibliographic(&t, &mut notes);
                let mut written = false;
                while let Some(copy) = copies.next_of(t.id).await? {
                    record.holdings.push(holding(copy, &branches));
                    if record.holdings.len() == limits::HOLDINGS {
                        summary.copies += record.holdings.len();
                        summary.records += writer
                            .write(&Exported::new(&t, &record), &mut notes)
                            .map_err(unwritable)?;
                        record.holdings.clear();
                        written = true;
                    }
                }
                if !written || !record.holdings.is_empty() {
                    summary.copies += record.holdings.len();
                    summary.records += writer
                        .write(&Exported::new(&t, &record), &mut notes)
                        .map_err(unwritable)?;
                }
                for reason in notes.0 {
                    summary.warned += 1;
                    if summary.warnings.len() < KEPT_WARNINGS {
                        summary.warnings.push(Warning {
                            position: summary.titles,
                            title: t.title.clone(),
                            reason,
                        });
                    }
                }
                progress(&summary);
            }
        }
        writer.finish().map_err(unwritable)?;
        Ok(summary)
    }
}

/// A failure to write the file, as an error whose cause is the [`io::Error`].
fn unwritable(e: io::Error) -> Error {
    Error::Internal(e.into())
}

/// The copies of the catalogue (withdrawn ones left out) by title and id, read a page at a
/// time as the titles are.
struct Copies<'a, C> {
    db: &'a C,
    per_page: u64,
    page: VecDeque<item::Model>,
    after: Option<(Uuid, Uuid)>,
    exhausted: bool,
}

impl<'a, C: ConnectionTrait> Copies<'a, C> {
    fn new(db: &'a C, per_page: u64) -> Self {
        Copies {
            db,
            per_page,
            page: VecDeque::new(),
            after: None,
            exhausted: false,
        }
    }

    /// The next copy of `title`, or None when it has no more. Titles come in id order, so
    /// copies of titles before it are passed over (their title was made after the export
    /// passed its place). Ids compare in Rust as the databases order them: PostgreSQL's
    /// `uuid` and SQLite's blob both compare byte by byte.
    async fn next_of(&mut self, title: Uuid) -> Result<Option<item::Model>> {
        loop {
            let Some(front) = self.page.front() else {
                if self.exhausted {
                    return Ok(None);
                }
                self.fill().await?;
                continue;
            };
            match front.title_id.cmp(&title) {
                std::cmp::Ordering::Less => {
                    self.page.pop_front();
                }
                std::cmp::Ordering::Equal => return Ok(self.page.pop_front()),
                std::cmp::Ordering::Greater => return Ok(None),
            }
        }
    }

    async fn fill(&mut self) -> Result<()> {
        let mut q = item::Entity::find()
            .filter(item::Column::Status.ne(ItemStatus::Withdrawn))
            .order_by_asc(item::Column::TitleId)
            .order_by_asc(item::Column::Id)
            .limit(self.per_page);
        if let Some((title, id)) = self.after {
            // `title_id >= t` on its own lets the (title_id, status) index find the place.
            q = q.filter(item::Column::TitleId.gte(title)).filter(
                Condition::any()
                    .add(item::Column::TitleId.gt(title))
                    .add(item::Column::Id.gt(id)),
            );
        }
        let rows = q.all(self.db).await?;
        self.exhausted = (rows.len() as u64) < self.per_page;
        self.after = rows.last().map(|c| (c.title_id, c.id)).or(self.after);
        self.page.extend(rows);
        Ok(())
    }
}

/// A title's bibliographic data as the importer takes it (no copies yet), leaving out what
/// the import would refuse.
fn bibliographic(t: &title::Model, notes: &mut Notes) -> ImportRecord {
    let list = |s: &str| -> Vec<String> {
        s.split(LIST_SEPARATOR)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let pub_year = t.pub_year.filter(|y| {
        let fits = limits::YEARS.contains(y);
        if !fits {
            let (from, to) = (limits::YEARS.start(), limits::YEARS.end());
            notes.add(text!(
                "export-year-left-out",
                year = y,
                from = from,
                to = to
            ));
        }
        fits
    });
    let price_cents = t.price_cents.filter(|p| {
        if *p < 0 {
            notes.add(text!("export-price-left-out", price = yuan(*p)));
        }
        *p >= 0
    });
    let record = ImportRecord {
        isbn: t.isbn.clone(),
        title: t.title.clone(),
        subtitle: t.subtitle.clone(),
        authors: list(&t.authors),
        publisher: t.publisher.clone(),
        pub_year,
        clc_class: t.clc_class.clone(),
        subjects: t.subjects.as_deref().map(list).unwrap_or_default(),
        summary: t.summary.clone(),
        price_cents,
        holdings: Vec::new(),
    };
    if let Some(why) = record.oversize() {
        notes.add(text!("export-will-be-rejected").arg_text("why", why));
    }
    record
}

/// A copy as the importer takes it.
fn holding(copy: item::Model, branches: &HashMap<Uuid, String>) -> Holding {
    Holding {
        status: None,
        branch_code: branches
            .get(&copy.home_branch_id)
            .cloned()
            .unwrap_or_default(),
        barcode: copy.barcode,
        call_number: copy.call_number,
        location: copy.location.filter(|l| !l.trim().is_empty()),
        net_lending: Some(copy.net_lending),
    }
}

/// Cents as yuan with two decimals (`2350` → `23.50`), as both importers read prices.
fn yuan(cents: i32) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests;
