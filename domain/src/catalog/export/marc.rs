//! Exported titles as ISO 2709 records in UTF-8, MARC 21 or CNMARC, in the fields the
//! importer reads ([`crate::catalog::marc`]).

use std::io::{self, Write};

use chrono::NaiveDate;

use super::{yuan, Exported, Notes};
use crate::catalog::import::marc::clean;
use crate::catalog::marc::{
    data_field, marc21, unimarc, Flavour, Holdings, RecordBuilder, Sub, FIELD_END, NET_LENDING_NO,
    NET_LENDING_YES, RECORD_END, SUBFIELD,
};
use crate::catalog::record::Holding;
use crate::Text;

/// MARC 21 leader: new record of language material, a monograph, in UTF-8 (position 9
/// `a`), ISBD punctuation omitted (18 `c`).
const MARC21_LEADER: &[u8; 24] = b"00000nam a2200000 c 4500";
/// UNIMARC leader: new record of language material, a monograph with no hierarchy, in
/// partial ISBD form (18 `i`: the ISBD punctuation is left out).
const UNIMARC_LEADER: &[u8; 24] = b"00000nam0 2200000 i 450 ";
/// The bibliographic fields stop this short of the record limit, so a copy always fits
/// after them.
const BIBLIOGRAPHIC_LIMIT: usize = RecordBuilder::MAX_RECORD - RecordBuilder::MAX_FIELD - 12;
/// Currency of the prices written.
const CURRENCY: &str = "CNY";

/// One field to write.
struct Field {
    tag: &'static str,
    /// What it holds, as the warnings name it.
    what: Text,
    content: Vec<u8>,
}

impl Field {
    fn control(tag: &'static str, value: String) -> Field {
        Field {
            tag,
            what: text!("export-field-control"),
            content: value.into_bytes(),
        }
    }

    /// A data field of the subfields that have a value (none: no field), without the
    /// bytes that frame ISO 2709 fields, and cut to the field limit when longer (either
    /// noted).
    fn data(
        tag: &'static str,
        indicators: [u8; 2],
        what: Text,
        subfields: &[(u8, Option<String>)],
        notes: &mut Notes,
    ) -> Option<Field> {
        let framing = [
            char::from(SUBFIELD),
            char::from(FIELD_END),
            char::from(RECORD_END),
        ];
        let present: Vec<(u8, String)> = subfields
            .iter()
            .filter_map(|(code, v)| {
                let v = v.as_deref()?;
                if v.contains(framing) {
                    notes.add(text!("export-marc-text-changed").arg_text("what", what.clone()));
                }
                Some((*code, v.replace(framing, "")))
            })
            .collect();
        if present.is_empty() {
            return None;
        }
        let mut content = data_field(
            indicators,
            present.iter().map(|(code, v)| (*code, v.as_bytes())),
        );
        if content.len() >= RecordBuilder::MAX_FIELD {
            // Cut before a character's first byte (UTF-8 continuation bytes are 10xxxxxx).
            let mut end = RecordBuilder::MAX_FIELD - 1;
            while content.get(end).is_some_and(|b| b & 0xC0 == 0x80) {
                end -= 1;
            }
            content.truncate(end);
            notes.add(
                text!("export-marc-field-cut", max = RecordBuilder::MAX_FIELD)
                    .arg_text("what", what.clone()),
            );
        }
        Some(Field { tag, what, content })
    }
}

/// `value` written so that the importer, which drops control characters and ISBD
/// punctuation at the end ([`clean`]), reads it back: a final period is doubled, line breaks
/// become spaces. What it would still read otherwise (text ending in `/ : ; = ,`, line
/// breaks) is noted.
fn carried(value: &str, what: &Text, notes: &mut Notes) -> String {
    let mut out: String = value
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    if out.ends_with('.') {
        out.push('.');
    }
    if clean(&out) != value {
        notes.add(text!("export-marc-text-changed").arg_text("what", what.clone()));
    }
    out
}

/// Writes MARC records.
pub(super) struct MarcWriter<W> {
    out: W,
    layout: &'static Layout,
}

impl<W: Write> MarcWriter<W> {
    pub(super) fn new(out: W, flavour: Flavour) -> Self {
        let layout = match flavour {
            Flavour::Marc21 => &MARC21,
            Flavour::Unimarc => &UNIMARC,
        };
        MarcWriter { out, layout }
    }

    /// Writes a title as one record, or as several when its copies do not fit in one (each
    /// with the bibliographic fields and some of the copies); returns how many.
    pub(super) fn write(&mut self, t: &Exported<'_>, notes: &mut Notes) -> io::Result<usize> {
        let layout = self.layout;
        let mut base = RecordBuilder::default();
        for f in layout.fields(t, notes) {
            if !base.push(f.tag, &f.content, BIBLIOGRAPHIC_LIMIT) {
                let left_out = text!(
                    "export-marc-field-left-out",
                    max = RecordBuilder::MAX_RECORD
                );
                notes.add(left_out.arg_text("what", f.what));
            }
        }
        let copies: Vec<Field> = t
            .record
            .holdings
            .iter()
            .filter_map(|h| copy_field(layout, h, notes))
            .collect();
        let mut copies = copies.iter().peekable();
        let mut records = 0;
        loop {
            let mut record = base.clone();
            while let Some(c) = copies.peek() {
                if !record.push(c.tag, &c.content, RecordBuilder::MAX_RECORD) {
                    break;
                }
                copies.next();
            }
            self.out.write_all(&record.finish(layout.leader))?;
            records += 1;
            if copies.peek().is_none() {
                return Ok(records);
            }
        }
    }

    pub(super) fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A copy's holdings field: MARC 21 keeps the call number whole in `$h`; CNMARC splits it
/// at its first `/` into class (`$d`) and book number (`$e`), as the importer joins them.
fn copy_field(layout: &Layout, h: &Holding, notes: &mut Notes) -> Option<Field> {
    let spec = layout.holdings;
    let split = h
        .call_number
        .split_once('/')
        .filter(|_| layout.split_call_number)
        .filter(|(class, book)| {
            [class, book]
                .iter()
                .all(|part| !part.is_empty() && part.trim() == **part)
        });
    let (call_number, call_part) = match split {
        Some((class, book)) => (class.to_owned(), Some(book.to_owned())),
        None => (h.call_number.clone(), None),
    };
    let net_lending = h
        .net_lending
        .map(|net| if net { NET_LENDING_YES } else { NET_LENDING_NO }.to_owned());
    let mut subfields = [
        (spec.branch, Some(h.branch_code.clone())),
        (spec.barcode, Some(h.barcode.clone())),
        (spec.location, h.location.clone()),
        (spec.call_number, Some(call_number)),
        (spec.call_part, call_part),
        (spec.net_lending, net_lending),
    ];
    // Letters in order, then digits, as MARC records usually have them.
    subfields.sort_by_key(|(code, _)| (code.is_ascii_digit(), *code));
    Field::data(
        spec.tag,
        *b"  ",
        text!("export-field-copy", barcode = &h.barcode),
        &subfields,
        notes,
    )
}

/// A name field's indicator for its form: inverted (`Surname, Forename`) or direct, as
/// Chinese names are written.
fn name_form(name: &str) -> u8 {
    if name.contains(',') {
        b'1'
    } else {
        b'0'
    }
}

fn price(cents: Option<i32>) -> Option<String> {
    cents.map(|c| format!("{CURRENCY}{}", yuan(c)))
}

/// MARC 21 008.
fn marc21_fixed(entered: NaiveDate, year: Option<i32>) -> Field {
    Field::control(marc21::FIXED, fixed_data(entered, year))
}

/// UNIMARC 100.
fn unimarc_general(entered: NaiveDate, year: Option<i32>) -> Field {
    let data = general_data(entered, year);
    let general = unimarc::GENERAL;
    Field {
        tag: general.tag,
        what: text!("export-field-control"),
        content: data_field(*b"  ", [(general.code, data.as_bytes())]),
    }
}

/// MARC 21 008 (40 characters): the date entered, the year of publication as Date 1
/// (`uuuu` unknown), no place, the book positions not coded, language undetermined.
pub(super) fn fixed_data(entered: NaiveDate, year: Option<i32>) -> String {
    let (kind, date1) = match year {
        Some(y) => ('s', format!("{y:04}")),
        None => ('n', "uuuu".to_owned()),
    };
    format!(
        "{}{kind}{date1}{date2}xx {books}und d",
        entered.format("%y%m%d"),
        date2 = " ".repeat(4),
        books = "|".repeat(17),
    )
}

/// UNIMARC 100 `$a` (36 characters): the date entered, the year of publication as Date 1,
/// not a government publication, catalogued in Chinese, Unicode (`50`), Chinese script.
pub(super) fn general_data(entered: NaiveDate, year: Option<i32>) -> String {
    let (kind, date1) = match year {
        Some(y) => ('d', format!("{y:04}")),
        None => ('u', " ".repeat(4)),
    };
    format!(
        "{}{kind}{date1}{date2}{audience}y0chiy50{more_sets}ea",
        entered.format("%Y%m%d"),
        date2 = " ".repeat(4),
        audience = " ".repeat(3),
        more_sets = " ".repeat(6),
    )
}

/// A data field of text subfields, each written so that the importer reads it back
/// ([`carried`]).
fn text_field(
    tag: &'static str,
    indicators: [u8; 2],
    what: Text,
    subfields: &[(u8, Option<&str>)],
    notes: &mut Notes,
) -> Option<Field> {
    let written: Vec<(u8, Option<String>)> = subfields
        .iter()
        .map(|(code, v)| (*code, v.map(|v| carried(v, &what, notes))))
        .collect();
    Field::data(tag, indicators, what, &written, notes)
}

/// Notes `note` when a value is given twice where the importer keeps one of equal values.
fn note_repeats(values: &[String], note: Text, notes: &mut Notes) {
    if (1..values.len()).any(|i| values[..i].contains(&values[i])) {
        notes.add(note);
    }
}

/// Where a flavour puts each part of a title, and how it marks them.
struct Layout {
    leader: &'static [u8; 24],
    /// The coded data field: the date entered, the year of publication.
    fixed: fn(NaiveDate, Option<i32>) -> Field,
    isbn: Sub,
    price: Sub,
    title: Sub,
    subtitle: Sub,
    /// The title field's indicators, given whether a main entry (a first name) precedes it.
    title_indicators: fn(bool) -> [u8; 2],
    publisher: Sub,
    year: Sub,
    publication_indicators: [u8; 2],
    summary: Sub,
    class: Sub,
    /// A subfield naming the classification, and what it says.
    class_source: Option<(Sub, &'static str)>,
    subject: Sub,
    subject_indicators: [u8; 2],
    /// Whether the importer keeps one of equal subject headings.
    subjects_deduplicated: bool,
    /// The first name's field, where it differs from the others' (a main entry).
    main_name: Option<&'static str>,
    name: Sub,
    /// Which of the name field's indicators gives the form of the name.
    name_form_indicator: usize,
    holdings: Holdings,
    /// Whether the call number is written as class and book number.
    split_call_number: bool,
}

const MARC21: Layout = Layout {
    leader: MARC21_LEADER,
    fixed: marc21_fixed,
    isbn: marc21::ISBN,
    price: marc21::PRICE,
    title: marc21::TITLE,
    subtitle: marc21::SUBTITLE,
    title_indicators: |main_entry| [if main_entry { b'1' } else { b'0' }, b'0'],
    publisher: marc21::PUBLISHER[0],
    year: marc21::YEAR[0],
    publication_indicators: *b" 1",
    summary: marc21::SUMMARY,
    class: marc21::CLASS,
    class_source: Some((marc21::CLASS_SOURCE, marc21::CLC)),
    subject: Sub {
        tag: marc21::SUBJECTS[0],
        code: marc21::ENTRY,
    },
    subject_indicators: *b" 4",
    subjects_deduplicated: true,
    main_name: Some(marc21::MAIN_NAME),
    name: Sub {
        tag: marc21::ADDED_NAME,
        code: marc21::ENTRY,
    },
    name_form_indicator: 0,
    holdings: marc21::HOLDINGS,
    split_call_number: false,
};

const UNIMARC: Layout = Layout {
    leader: UNIMARC_LEADER,
    fixed: unimarc_general,
    isbn: unimarc::ISBN,
    price: unimarc::PRICE,
    title: unimarc::TITLE,
    subtitle: unimarc::SUBTITLE,
    title_indicators: |_| *b"1 ",
    publisher: unimarc::PUBLISHER,
    year: unimarc::YEAR,
    publication_indicators: *b"  ",
    summary: unimarc::SUMMARY,
    class: unimarc::CLASS,
    class_source: None,
    subject: unimarc::SUBJECT,
    subject_indicators: *b"0 ",
    subjects_deduplicated: false,
    main_name: None,
    name: Sub {
        tag: unimarc::NAME,
        code: unimarc::NAME_ENTRY,
    },
    name_form_indicator: 1,
    holdings: unimarc::HOLDINGS,
    split_call_number: true,
};

impl Layout {
    /// A title's bibliographic fields, in tag order.
    fn fields(&self, t: &Exported<'_>, notes: &mut Notes) -> Vec<Field> {
        let r = t.record;
        note_repeats(&r.authors, text!("export-marc-repeated-names"), notes);
        if self.subjects_deduplicated {
            note_repeats(&r.subjects, text!("export-marc-repeated-subjects"), notes);
        }
        let mut out = vec![
            Field::control("001", t.id.to_string()),
            (self.fixed)(t.entered, r.pub_year),
        ];
        let price_text = price(r.price_cents);
        let year_text = r.pub_year.map(|y| y.to_string());
        let (main, added) = match self.main_name {
            Some(_) => r.authors.split_at(r.authors.len().min(1)),
            None => (&[][..], &r.authors[..]),
        };
        let mut field = |at: Sub, indicators, what, subfields: &[(u8, Option<&str>)]| {
            out.extend(text_field(at.tag, indicators, what, subfields, notes));
        };
        let (isbn, price) = (self.isbn, self.price);
        field(
            isbn,
            *b"  ",
            text!("import-field-isbn"),
            &[
                (isbn.code, r.isbn.as_deref()),
                (price.code, price_text.as_deref()),
            ],
        );
        let (title, subtitle) = (self.title, self.subtitle);
        field(
            title,
            (self.title_indicators)(!main.is_empty()),
            text!("export-field-title"),
            &[
                (title.code, Some(r.title.as_str())),
                (subtitle.code, r.subtitle.as_deref()),
            ],
        );
        let (publisher, year) = (self.publisher, self.year);
        field(
            publisher,
            self.publication_indicators,
            text!("import-field-publisher"),
            &[
                (publisher.code, r.publisher.as_deref()),
                (year.code, year_text.as_deref()),
            ],
        );
        let summary = self.summary;
        field(
            summary,
            *b"  ",
            text!("import-field-summary"),
            &[(summary.code, r.summary.as_deref())],
        );
        if let Some(class) = &r.clc_class {
            let source = self.class_source.map(|(at, says)| (at.code, Some(says)));
            let subfields: Vec<_> = [(self.class.code, Some(class.as_str()))]
                .into_iter()
                .chain(source)
                .collect();
            field(self.class, *b"  ", text!("import-field-class"), &subfields);
        }
        let subject = self.subject;
        for s in &r.subjects {
            let what = text!("import-field-subject");
            field(
                subject,
                self.subject_indicators,
                what,
                &[(subject.code, Some(s.as_str()))],
            );
        }
        let name_tags = self.main_name.iter().map(|tag| (*tag, main));
        for (tag, names) in name_tags.chain([(self.name.tag, added)]) {
            for n in names {
                let mut indicators = *b"  ";
                indicators[self.name_form_indicator] = name_form(n);
                let at = Sub { tag, ..self.name };
                field(
                    at,
                    indicators,
                    text!("import-field-name"),
                    &[(at.code, Some(n.as_str()))],
                );
            }
        }
        // Tags in order; fields of one tag keep theirs (the first name before the others).
        out.sort_by_key(|f| f.tag);
        out
    }
}
