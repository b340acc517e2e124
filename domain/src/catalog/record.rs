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
