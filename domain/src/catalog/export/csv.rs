//! Exported titles as CSV rows in the import's columns: UTF-8 with a byte-order mark (so
//! spreadsheets read the Chinese right), one row per copy, every cell kept from being run as
//! a formula ([`crate::infra::csv_export::inert`], which the import undoes).

use std::io::{self, Write};

use super::yuan;
use crate::catalog::import::csv::{columns, LIST_SEPARATOR};
use crate::catalog::record::{ImportRecord, NO, YES};
use crate::infra::csv_export;

/// Writes CSV rows.
pub(super) struct CsvWriter<W: Write> {
    out: ::csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file: the byte-order mark and the header row.
    pub(super) fn new(mut out: W) -> io::Result<Self> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut out = ::csv::Writer::from_writer(out);
        out.write_record(columns::ALL)?;
        Ok(CsvWriter { out })
    }

    /// Writes a title's rows: one per copy, or one without a copy; returns how many.
    pub(super) fn write(&mut self, r: &ImportRecord) -> io::Result<usize> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let list = |v: &[String]| v.join(&format!("{LIST_SEPARATOR} "));
        let title = [
            text(&r.isbn),
            r.title.clone(),
            text(&r.subtitle),
            list(&r.authors),
            text(&r.publisher),
            r.pub_year.map(|y| y.to_string()).unwrap_or_default(),
            text(&r.clc_class),
            list(&r.subjects),
            text(&r.summary),
            r.price_cents.map(yuan).unwrap_or_default(),
        ];
        let copies: Vec<[String; 5]> = if r.holdings.is_empty() {
            vec![Default::default()]
        } else {
            r.holdings
                .iter()
                .map(|h| {
                    [
                        h.branch_code.clone(),
                        h.barcode.clone(),
                        h.call_number.clone(),
                        text(&h.location),
                        h.net_lending
                            .map(|net| if net { YES } else { NO }.to_owned())
                            .unwrap_or_default(),
                    ]
                })
                .collect()
        };
        for copy in &copies {
            let row = title.iter().chain(copy);
            self.out
                .write_record(row.map(|cell| csv_export::inert(cell).into_owned()))?;
        }
        Ok(copies.len())
    }

    pub(super) fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}
