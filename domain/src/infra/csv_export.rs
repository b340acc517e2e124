//! CSV files people open in a spreadsheet (orders for vendors, vendor statements,
//! statistics). Cells come from readers' input (a proposal's title, author, publisher), and
//! a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
//! return before one) as a formula: `=HYPERLINK(…)` in a title would be a live link, or
//! worse, on a librarian's computer. Such cells get a leading `'`, which spreadsheets show
//! as text; plain numbers (`-5`, `-2.50`) are left as they are. So does a cell that already
//! starts with `'` before such a cell, so that [`restored`] undoes [`inert`] exactly: the
//! catalogue export goes back in through the CSV import.

use crate::{Error, Result};

/// Characters a spreadsheet may read as the start of a formula.
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A CSV document (UTF-8, header row) from rows of fields, every cell made safe to open.
///
/// # Errors
/// INTERNAL if writing fails (it does not, into memory).
pub fn table<const N: usize>(header: [&str; N], rows: Vec<[String; N]>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(Error::internal)?;
    for row in rows {
        w.write_record(row.iter().map(|cell| inert(cell).into_owned().into_bytes()))
            .map_err(Error::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(Error::internal)?).map_err(Error::internal)
}

/// `cell` as a spreadsheet will show, never run, it.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if guarded(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell written by [`inert`] as it was before.
pub fn restored(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if guarded(rest) => rest,
        _ => cell,
    }
}

/// Whether [`inert`] puts a `'` before `cell`: it starts a formula, or is a `'` before
/// such a cell.
fn guarded(cell: &str) -> bool {
    let unquoted = cell.trim_start_matches('\'');
    let number = unquoted.parse::<f64>().is_ok_and(f64::is_finite);
    unquoted.starts_with(FORMULA_START) && !number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for (cell, shown) in [
            (
                "=HYPERLINK(\"http://x\",\"点此\")",
                "'=HYPERLINK(\"http://x\",\"点此\")",
            ),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("+86 138", "'+86 138"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-5", "-5"),
            ("-2.50", "-2.50"),
            ("围城", "围城"),
            ("", ""),
            ("'=1", "''=1"),
            ("'围城", "'围城"),
            ("'-5", "'-5"),
        ] {
            assert_eq!(inert(cell), shown, "{cell:?}");
            assert_eq!(restored(&inert(cell)), cell, "{cell:?} back");
        }
    }

    #[test]
    fn every_cell_is_checked() {
        let csv = table(["a", "b"], vec![["=1+1".into(), "@x".into()]]).expect("csv");
        assert_eq!(csv, "a,b\n'=1+1,'@x\n");
    }
}
