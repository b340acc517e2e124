//! A bibliographic record as importers read it and the exporter writes it, whatever the
//! file format.

use crate::i18n::{Locale, Text};

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
    /// The copy's standing in the library's own system, when the import is told where that
    /// system says it (`--status-subfield`, `--status-column`).
    pub status: Option<SourceStatus>,
}

/// A copy's standing as the library's own system words it, where it is not simply part of
/// the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceStatus {
    /// Lost (丢失, 遗失): marked `MISSING` when it stands on a shelf.
    Missing,
    /// Withdrawn from the collection (剔除, 注销, 报废): withdrawn here too.
    Withdrawn,
}

impl SourceStatus {
    /// The words (Chinese or English, case ignored) read as withdrawn.
    pub const WITHDRAWN_WORDS: &'static [&'static str] = &[
        "剔除",
        "已剔除",
        "剔旧",
        "注销",
        "已注销",
        "报废",
        "已报废",
        "withdrawn",
        "discarded",
        "deleted",
    ];
    /// The words read as missing.
    pub const MISSING_WORDS: &'static [&'static str] =
        &["丢失", "已丢失", "遗失", "missing", "lost"];

    /// The standing a status word says; any other word (在架, 借出, …) means the copy is part
    /// of the collection.
    pub fn read(word: &str) -> Option<SourceStatus> {
        let word = word.trim().to_lowercase();
        if Self::WITHDRAWN_WORDS.contains(&word.as_str()) {
            Some(SourceStatus::Withdrawn)
        } else if Self::MISSING_WORDS.contains(&word.as_str()) {
            Some(SourceStatus::Missing)
        } else {
            None
        }
    }
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
    /// Years of publication.
    pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=2999;
}

/// The word files say "yes" with, as the exporter writes it.
pub const YES: &str = "是";
/// The word files say "no" with, as the exporter writes it.
pub const NO: &str = "否";

/// A yes/no value: 是/否, 1/0, true/false, y/n, yes/no (any case).
pub fn yes_or_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        YES | "1" | "true" | "y" | "yes" => Some(true),
        NO | "0" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

impl ImportRecord {
    /// Why the record is too big to import (a field or a list over [`limits`]), if it is.
    pub fn oversize(&self) -> Option<Text> {
        let long = |what: Text, text: &str, max: usize| {
            (text.chars().count() > max)
                .then(|| text!("import-too-long", max = max).arg_text("what", what))
        };
        let many =
            |too_many: Text, n: usize, max: usize| (n > max).then(|| too_many.arg("max", max));
        fn opt(s: &Option<String>) -> &str {
            s.as_deref().unwrap_or("")
        }
        long(text!("import-field-title"), &self.title, limits::TITLE)
            .or_else(|| {
                long(
                    text!("import-field-subtitle"),
                    opt(&self.subtitle),
                    limits::TITLE,
                )
            })
            .or_else(|| {
                long(
                    text!("import-field-publisher"),
                    opt(&self.publisher),
                    limits::NAME,
                )
            })
            .or_else(|| {
                long(
                    text!("import-field-class"),
                    opt(&self.clc_class),
                    limits::NAME,
                )
            })
            .or_else(|| {
                long(
                    text!("import-field-summary"),
                    opt(&self.summary),
                    limits::SUMMARY,
                )
            })
            .or_else(|| long(text!("import-field-isbn"), opt(&self.isbn), limits::CODE))
            .or_else(|| {
                many(
                    text!("import-too-many-names"),
                    self.authors.len(),
                    limits::ENTRIES,
                )
            })
            .or_else(|| {
                many(
                    text!("import-too-many-subjects"),
                    self.subjects.len(),
                    limits::ENTRIES,
                )
            })
            .or_else(|| {
                many(
                    text!("import-too-many-copies"),
                    self.holdings.len(),
                    limits::HOLDINGS,
                )
            })
            .or_else(|| {
                self.authors
                    .iter()
                    .find_map(|a| long(text!("import-field-name"), a, limits::NAME))
            })
            .or_else(|| {
                self.subjects
                    .iter()
                    .find_map(|s| long(text!("import-field-subject"), s, limits::NAME))
            })
            .or_else(|| {
                self.holdings.iter().find_map(|h| {
                    long(text!("import-field-barcode"), &h.barcode, limits::CODE)
                        .or_else(|| {
                            long(
                                text!("import-field-call-number"),
                                &h.call_number,
                                limits::CODE,
                            )
                        })
                        .or_else(|| {
                            long(
                                text!("import-field-branch-code"),
                                &h.branch_code,
                                limits::CODE,
                            )
                        })
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
    /// Why it was rejected, in Simplified Chinese: librarians read it in the import summary.
    pub reason: String,
}

impl Rejected {
    /// A rejection at `position` (and `offset`) for `reason`, said in Chinese.
    pub fn new(position: usize, offset: Option<usize>, reason: &Text) -> Self {
        Rejected {
            position,
            offset,
            reason: reason.render(Locale::Chinese),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversize_records_say_what_is_too_big_in_chinese() {
        let mut r = ImportRecord {
            title: "长".repeat(limits::TITLE + 1),
            ..ImportRecord::default()
        };
        let why = r.oversize().expect("too long");
        assert_eq!(why.render(Locale::Chinese), "题名超过 500 个字");
        assert_eq!(why.to_string(), "title longer than 500 characters");
        r.title = "三体".into();
        assert_eq!(r.oversize(), None);
        r.holdings.push(Holding {
            status: None,
            branch_code: "ZJG".into(),
            barcode: "B".repeat(limits::CODE + 1),
            call_number: "I247.5/1".into(),
            location: None,
            net_lending: None,
        });
        let why = r.oversize().expect("too long").render(Locale::Chinese);
        assert_eq!(why, "其中一册的条码超过 64 个字");
        r.subjects = vec!["科幻".into(); limits::ENTRIES + 1];
        let why = r.oversize().expect("too many").render(Locale::Chinese);
        assert_eq!(why, "主题词超过 50 个");
    }
}
