//! A bibliographic record as importers produce it, whatever the source format.

/// One copy held by the library, from a record's holdings fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Code of the branch that owns the copy.
    pub branch_code: String,
    /// The copy's barcode.
    pub barcode: String,
    /// Shelf call number, e.g. `I247.5/123`.
    pub call_number: String,
    /// Where in its branch it stands (floor, area or stack), when the source says.
    pub location: Option<String>,
    /// Whether it is in the net-lending stock, when the source says (a new copy without it
    /// is; an existing one keeps what it was).
    pub net_lending: Option<bool>,
}

/// A title with its copies, ready to be upserted into the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRecord {
    /// ISBN as found in the record (validated and normalised by the importer).
    pub isbn: Option<String>,
    /// Title proper.
    pub title: String,
    /// Other title information.
    pub subtitle: Option<String>,
    /// Personal and corporate names, in record order.
    pub authors: Vec<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// Chinese Library Classification class (or another class number when that is all there is).
    pub clc_class: Option<String>,
    /// Subject headings.
    pub subjects: Vec<String>,
    /// Summary or contents note.
    pub summary: Option<String>,
    /// List price in cents (分).
    pub price_cents: Option<i32>,
    /// Copies.
    pub holdings: Vec<Holding>,
}

/// The most a record may carry: catalogue text is served to anyone who searches, so a
/// 40 MB "title" in a file must be refused, not stored and sent to every reader's phone.
pub mod limits {
    /// Characters of a title or subtitle.
    pub const TITLE: usize = 500;
    /// Characters of a name, publisher, subject heading or class.
    pub const NAME: usize = 200;
    /// Names or subject headings in one record.
    pub const ENTRIES: usize = 50;
    /// Characters of a summary.
    pub const SUMMARY: usize = 4000;
    /// Characters of a barcode, call number or branch code.
    pub const CODE: usize = 64;
    /// Copies in one record.
    pub const HOLDINGS: usize = 1000;
}

impl ImportRecord {
    /// Why the record is too big to import (a field or a list over [`limits`]), if it is.
    pub fn oversize(&self) -> Option<String> {
        let long = |what: &str, text: &str, max: usize| {
            (text.chars().count() > max).then(|| format!("{what} longer than {max} characters"))
        };
        let many =
            |what: &str, n: usize, max: usize| (n > max).then(|| format!("more than {max} {what}"));
        long("title", &self.title, limits::TITLE)
            .or_else(|| {
                long(
                    "subtitle",
                    self.subtitle.as_deref().unwrap_or(""),
                    limits::TITLE,
                )
            })
            .or_else(|| {
                long(
                    "publisher",
                    self.publisher.as_deref().unwrap_or(""),
                    limits::NAME,
                )
            })
            .or_else(|| {
                long(
                    "class",
                    self.clc_class.as_deref().unwrap_or(""),
                    limits::NAME,
                )
            })
            .or_else(|| {
                long(
                    "summary",
                    self.summary.as_deref().unwrap_or(""),
                    limits::SUMMARY,
                )
            })
            .or_else(|| long("isbn", self.isbn.as_deref().unwrap_or(""), limits::CODE))
            .or_else(|| many("names", self.authors.len(), limits::ENTRIES))
            .or_else(|| many("subject headings", self.subjects.len(), limits::ENTRIES))
            .or_else(|| many("copies", self.holdings.len(), limits::HOLDINGS))
            .or_else(|| {
                self.authors
                    .iter()
                    .find_map(|a| long("a name", a, limits::NAME))
            })
            .or_else(|| {
                self.subjects
                    .iter()
                    .find_map(|s| long("a subject", s, limits::NAME))
            })
            .or_else(|| {
                self.holdings.iter().find_map(|h| {
                    long("a barcode", &h.barcode, limits::CODE)
                        .or_else(|| long("a call number", &h.call_number, limits::CODE))
                        .or_else(|| long("a branch code", &h.branch_code, limits::CODE))
                })
            })
    }
}

/// A record the importer could not use, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based record number in the file (or line number for CSV).
    pub position: usize,
    /// Byte offset of the record in the file, when the format has one.
    pub offset: Option<usize>,
    /// Why it was rejected.
    pub reason: String,
}
