//! CSV import.
//!
//! UTF-8 (a byte-order mark is fine), comma-separated, with a header row naming these
//! columns (any order; only `title` is required):
//!
//! | column | meaning |
//! |---|---|
//! | `isbn` | ISBN-10 or -13, hyphens allowed |
//! | `title`, `subtitle` | title proper, other title information |
//! | `authors` | names separated by `;` |
//! | `publisher`, `pub_year` | publisher, year (4 digits) |
//! | `clc_class` | Chinese Library Classification class, e.g. `I247.5` |
//! | `subjects` | headings separated by `;` |
//! | `summary` | summary |
//! | `price` | list price in yuan, e.g. `23.00` |
//! | `branch`, `barcode`, `call_number` | one copy: owning branch code, barcode, call number |
//! | `location` | where in its branch that copy stands (floor, area or stack) |
//! | `net_lending` | whether that copy is in the net-lending stock: `是`/`否`, `1`/`0`, `true`/`false`, `y`/`n`; empty: a new copy is, an existing one keeps what it was |
//! | `status` | the copy's standing in the library's own system: 剔除/注销/报废 (withdrawn), 丢失/遗失 (missing); anything else: part of the collection |
//!
//! One row per copy: rows with the same ISBN describe the same title, each adding its copy.
//! A row with no `barcode` imports the title alone. A cell the exporter kept from being read
//! as a spreadsheet formula (a `'` before it) is read as it was ([`crate::infra::csv_export::restored`]).

use std::collections::HashMap;
use std::io::Read;

use crate::catalog::record::{limits, yes_or_no, Holding, ImportRecord, Rejected, SourceStatus};
use crate::{infra::csv_export, Error, Result, Text};

/// The column names, shared with the exporter.
pub mod columns {
    /// ISBN-10 or -13.
    pub const ISBN: &str = "isbn";
    /// Title proper (the one column required).
    pub const TITLE: &str = "title";
    /// Other title information.
    pub const SUBTITLE: &str = "subtitle";
    /// Names, separated by `;`.
    pub const AUTHORS: &str = "authors";
    /// Publisher.
    pub const PUBLISHER: &str = "publisher";
    /// Year of publication.
    pub const PUB_YEAR: &str = "pub_year";
    /// CLC class.
    pub const CLC_CLASS: &str = "clc_class";
    /// Subject headings, separated by `;`.
    pub const SUBJECTS: &str = "subjects";
    /// Summary.
    pub const SUMMARY: &str = "summary";
    /// List price in yuan.
    pub const PRICE: &str = "price";
    /// The copy's branch code.
    pub const BRANCH: &str = "branch";
    /// The copy's barcode.
    pub const BARCODE: &str = "barcode";
    /// The copy's call number.
    pub const CALL_NUMBER: &str = "call_number";
    /// Where in its branch the copy stands.
    pub const LOCATION: &str = "location";
    /// Whether the copy is in the net-lending stock.
    pub const NET_LENDING: &str = "net_lending";
    /// The copy's standing in the library's own system (剔除, 丢失, …).
    pub const STATUS: &str = "status";
    /// Every column, in the order the exporter writes them.
    pub const ALL: [&str; 15] = [
        ISBN,
        TITLE,
        SUBTITLE,
        AUTHORS,
        PUBLISHER,
        PUB_YEAR,
        CLC_CLASS,
        SUBJECTS,
        SUMMARY,
        PRICE,
        BRANCH,
        BARCODE,
        CALL_NUMBER,
        LOCATION,
        NET_LENDING,
    ];
}

/// The separator of names and of subject headings in one cell.
pub const LIST_SEPARATOR: char = ';';

/// Longest row read, in bytes: a row is held whole while it is parsed, so a file with a
/// 40 MB cell would otherwise take 40 MB (or more) of memory.
pub const MAX_ROW_BYTES: usize = 1024 * 1024;

/// Reads import records from CSV as it streams in.
pub struct CsvReader<R: Read> {
    rows: ::csv::StringRecordsIntoIter<RowLimit<R>>,
    columns: HashMap<String, usize>,
    line: usize,
}

impl<R: Read> CsvReader<R> {
    /// Reads the header.
    ///
    /// # Errors
    /// VALIDATION when the header is unreadable or has no `title` column.
    pub fn new(input: R) -> Result<Self> {
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(true)
            .trim(::csv::Trim::All)
            .from_reader(RowLimit::new(input));
        let header = reader
            .headers()
            .map_err(|e| Error::validation(text!("import-csv-header", detail = e)))?;
        let columns: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_lowercase(), i))
            .collect();
        if !columns.contains_key(columns::TITLE) {
            return Err(Error::validation(text!("import-csv-no-title")));
        }
        Ok(CsvReader {
            rows: reader.into_records(),
            columns,
            line: 1,
        })
    }

    /// Reads the net-lending flag from column `net_lending` and the copy's status from
    /// column `status` when they are given (the library's own system's names), instead of
    /// the `net_lending` and `status` columns.
    ///
    /// # Errors
    /// VALIDATION when the header has no column of a given name.
    pub fn columns_named(
        mut self,
        net_lending: Option<&str>,
        status: Option<&str>,
    ) -> Result<Self> {
        for (canonical, given) in [
            (columns::NET_LENDING, net_lending),
            (columns::STATUS, status),
        ] {
            let Some(given) = given else { continue };
            let at = *self
                .columns
                .get(&given.trim().to_lowercase())
                .ok_or_else(|| Error::validation(text!("import-csv-no-column", column = given)))?;
            self.columns.insert(canonical.to_owned(), at);
        }
        Ok(self)
    }

    fn parse(&self, row: &::csv::StringRecord) -> std::result::Result<ImportRecord, Text> {
        let get = |name: &str| {
            self.columns
                .get(name)
                .and_then(|i| row.get(*i))
                .map(str::trim)
                .map(csv_export::restored)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let list = |name: &str| {
            get(name)
                .map(|v| {
                    v.split(LIST_SEPARATOR)
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let title = get(columns::TITLE).ok_or_else(|| text!("import-no-title"))?;
        let pub_year = match get(columns::PUB_YEAR) {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| limits::YEARS.contains(y))
                    .ok_or_else(|| text!("import-csv-bad-year", value = &y))?,
            ),
        };
        let price_cents = match get(columns::PRICE) {
            None => None,
            Some(p) => {
                Some(yuan_to_cents(&p).ok_or_else(|| text!("import-csv-bad-price", value = &p))?)
            }
        };
        let net_lending = match get(columns::NET_LENDING) {
            None => None,
            Some(v) => {
                Some(yes_or_no(&v).ok_or_else(|| text!("import-csv-bad-net-lending", value = &v))?)
            }
        };
        let holdings = match (
            get(columns::BRANCH),
            get(columns::BARCODE),
            get(columns::CALL_NUMBER),
        ) {
            (_, None, _) => vec![],
            (Some(branch_code), Some(barcode), Some(call_number)) => vec![Holding {
                branch_code,
                barcode,
                call_number,
                location: get(columns::LOCATION),
                net_lending,
                status: get(columns::STATUS).and_then(|v| SourceStatus::read(&v)),
            }],
            _ => return Err(text!("import-csv-incomplete-copy")),
        };
        Ok(ImportRecord {
            isbn: get(columns::ISBN),
            title,
            subtitle: get(columns::SUBTITLE),
            authors: list(columns::AUTHORS),
            publisher: get(columns::PUBLISHER),
            pub_year,
            clc_class: get(columns::CLC_CLASS),
            subjects: list(columns::SUBJECTS),
            summary: get(columns::SUMMARY),
            price_cents,
            holdings,
        })
    }
}

/// Ends the input at a row longer than [`MAX_ROW_BYTES`] (the reader then reports it and
/// reads no further): rows end at a line break outside quotes, and a quote inside quotes is
/// written twice, so counting quotes tells where a row ends.
struct RowLimit<R> {
    inner: R,
    in_quotes: bool,
    row_bytes: usize,
    tripped: bool,
}

impl<R> RowLimit<R> {
    fn new(inner: R) -> Self {
        RowLimit {
            inner,
            in_quotes: false,
            row_bytes: 0,
            tripped: false,
        }
    }
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.tripped {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        for b in &buf[..n] {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => self.row_bytes = 0,
                _ => {}
            }
            self.row_bytes += 1;
            if self.row_bytes > MAX_ROW_BYTES {
                self.tripped = true;
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    RowTooLong,
                ));
            }
        }
        Ok(n)
    }
}

/// The error [`RowLimit`] ends the input with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // English, as logs read it; the import summary says it in Chinese (`unreadable_row`).
        write!(f, "{}", row_too_long())
    }
}

impl std::error::Error for RowTooLong {}

fn row_too_long() -> Text {
    text!("import-csv-row-too-long", kib = MAX_ROW_BYTES / 1024)
}

/// Why a row could not be read at all, in words for the import summary.
fn unreadable_row(e: &::csv::Error) -> Text {
    match e.kind() {
        ::csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|e| e.is::<RowTooLong>()) => {
            row_too_long()
        }
        ::csv::ErrorKind::Utf8 { .. } => text!("import-csv-not-utf8"),
        _ => text!("import-csv-unreadable", detail = e),
    }
}

/// `23`, `23.5`, `23.00` yuan → cents.
fn yuan_to_cents(s: &str) -> Option<i32> {
    let s = s
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i32>().ok()?;
    whole
        .parse::<i32>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

impl<R: Read> Iterator for CsvReader<R> {
    type Item = std::result::Result<ImportRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.rows.next()?;
        self.line += 1;
        let line = row
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(self.line, |p| {
                usize::try_from(p.line()).unwrap_or(self.line)
            });
        Some(
            row.map_err(|e| unreadable_row(&e))
                .and_then(|r| self.parse(&r))
                .map_err(|reason| {
                    let at = text!("import-csv-line", line = line).arg_text("reason", reason);
                    Rejected::new(line, None, &at)
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_yuan() {
        assert_eq!(yuan_to_cents("23.00"), Some(2300));
        assert_eq!(yuan_to_cents("23.5"), Some(2350));
        assert_eq!(yuan_to_cents("¥45"), Some(4500));
        assert_eq!(yuan_to_cents("23.456"), None);
        assert_eq!(yuan_to_cents("abc"), None);
        assert_eq!(yuan_to_cents("-3"), None);
    }

    #[test]
    fn rows_become_records() {
        let csv = "\u{feff}isbn,title,authors,pub_year,price,branch,barcode,call_number\n\
                   978-7-5366-9293-0,三体,刘慈欣,2008,23.00,ZJG,ZJ1,I247.5/1\n\
                   ,,,,,,,\n\
                   7-5366-9293-5,三体,刘慈欣; 某某,20x8,,,,\n";
        let mut r = CsvReader::new(csv.as_bytes()).expect("header");
        let first = r.next().expect("row").expect("good");
        assert_eq!(first.title, "三体");
        assert_eq!(first.price_cents, Some(2300));
        assert_eq!(first.holdings[0].call_number, "I247.5/1");
        let empty = r.next().expect("row").expect_err("empty title");
        assert_eq!(empty.reason, "第 3 行，没有题名");
        let bad = r.next().expect("row").expect_err("bad year");
        assert_eq!(
            bad.reason,
            "第 4 行，pub_year 列的「20x8」不是有效的出版年，应为四位数年份"
        );
        assert!(r.next().is_none());
    }

    #[test]
    fn a_giant_row_ends_the_file_with_a_rejection() {
        let mut csv = String::from("title,summary\n三体,\"短\n简介\"\n");
        csv.push_str(&format!("巨,\"{}\"\n", "长".repeat(MAX_ROW_BYTES)));
        csv.push_str("后,不再读\n");
        let rows: Vec<_> = CsvReader::new(csv.as_bytes()).expect("header").collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0].as_ref().map(|r| r.title.as_str()), Ok("三体"));
        let giant = rows[1].as_ref().expect_err("rejected");
        assert!(
            giant.reason.contains("超过 1024 KiB，文件其余部分不再读取"),
            "{}",
            giant.reason
        );
    }
}
