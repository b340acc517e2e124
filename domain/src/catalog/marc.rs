//! MARC as Hongyan reads and writes it: ISO 2709 framing, the two flavours, and where each
//! part of a record lives in them. The importer ([`super::import::marc`]) reads these fields
//! and the exporter ([`super::export`]) writes them, so the two cannot drift apart
//! (docs/catalogue.md lists the mapping).

use crate::Error;

/// Ends a field, and the directory.
pub const FIELD_END: u8 = 0x1E;
/// Ends a record.
pub const RECORD_END: u8 = 0x1D;
/// Starts a subfield (its one-byte code follows).
pub const SUBFIELD: u8 = 0x1F;

/// MARC flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// MARC 21.
    Marc21,
    /// UNIMARC, including CNMARC.
    Unimarc,
}

impl std::str::FromStr for Flavour {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "marc21" => Ok(Flavour::Marc21),
            "cnmarc" | "unimarc" => Ok(Flavour::Unimarc),
            _ => Err(Error::validation(text!("import-marc-flavour", flavour = s))),
        }
    }
}

/// A subfield of a data field: the field's tag and the subfield's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sub {
    /// Field tag, e.g. `245`.
    pub tag: &'static str,
    /// Subfield code, e.g. `a`.
    pub code: u8,
}

const fn sub(tag: &'static str, code: u8) -> Sub {
    Sub { tag, code }
}

/// Where a copy's data lives in a holdings field (one field per copy).
#[derive(Debug, Clone, Copy)]
pub struct Holdings {
    /// The field's tag.
    pub tag: &'static str,
    /// The owning branch's code.
    pub branch: u8,
    /// The barcode.
    pub barcode: u8,
    /// The call number (MARC 21), or its class part (CNMARC).
    pub call_number: u8,
    /// The call number's item part (book number), written after a `/`.
    pub call_part: u8,
    /// Where in its branch the copy stands.
    pub location: u8,
    /// Hongyan's own subfield: whether the copy is in the net-lending stock
    /// ([`NET_LENDING_YES`] or [`NET_LENDING_NO`]).
    pub net_lending: u8,
}

/// The net-lending subfield's value for a copy in the net-lending stock.
pub const NET_LENDING_YES: &str = "y";
/// The net-lending subfield's value for a copy out of it.
pub const NET_LENDING_NO: &str = "n";

/// MARC 21 fields.
pub mod marc21 {
    use super::{sub, Holdings, Sub};

    /// Fixed-length data elements.
    pub const FIXED: &str = "008";
    /// Where the year of publication (Date 1) stands in [`FIXED`].
    pub const FIXED_YEAR: std::ops::Range<usize> = 7..11;
    /// ISBN.
    pub const ISBN: Sub = sub("020", b'a');
    /// Terms of availability (the price).
    pub const PRICE: Sub = sub("020", b'c');
    /// Classification number: CLC when [`CLASS_SOURCE`] says [`CLC`].
    pub const CLASS: Sub = sub("084", b'a');
    /// Source of the classification number.
    pub const CLASS_SOURCE: Sub = sub("084", b'2');
    /// The source code of the Chinese Library Classification.
    pub const CLC: &str = "clc";
    /// Library of Congress class, read when there is no 084.
    pub const LC_CLASS: Sub = sub("050", b'a');
    /// Personal name main entry: the first author.
    pub const MAIN_NAME: &str = "100";
    /// Added personal names: the other authors.
    pub const ADDED_NAME: &str = "700";
    /// Fields names are read from ([`ENTRY`]), in this order.
    pub const NAMES: [&str; 4] = [MAIN_NAME, "110", ADDED_NAME, "710"];
    /// The subfield of a name or a subject heading.
    pub const ENTRY: u8 = b'a';
    /// Title proper.
    pub const TITLE: Sub = sub("245", b'a');
    /// Other title information.
    pub const SUBTITLE: Sub = sub("245", b'b');
    /// Publisher, from 264 (written) or else 260.
    pub const PUBLISHER: [Sub; 2] = [sub("264", b'b'), sub("260", b'b')];
    /// Year of publication, from 264 (written) or else 260, or else [`FIXED_YEAR`].
    pub const YEAR: [Sub; 2] = [sub("264", b'c'), sub("260", b'c')];
    /// Summary.
    pub const SUMMARY: Sub = sub("520", b'a');
    /// Subject heading fields ([`ENTRY`]), topical (written) first.
    pub const SUBJECTS: [&str; 4] = ["650", "600", "610", "651"];
    /// Location and call number: one per copy.
    pub const HOLDINGS: Holdings = Holdings {
        tag: "852",
        branch: b'b',
        barcode: b'p',
        call_number: b'h',
        call_part: b'i',
        location: b'c',
        net_lending: b'9',
    };
}

/// CNMARC (UNIMARC) fields.
pub mod unimarc {
    use super::{sub, Holdings, Sub};

    /// ISBN.
    pub const ISBN: Sub = sub("010", b'a');
    /// Terms of availability (the price).
    pub const PRICE: Sub = sub("010", b'd');
    /// General processing data.
    pub const GENERAL: Sub = sub("100", b'a');
    /// Where the year of publication (Date 1) stands in [`GENERAL`].
    pub const GENERAL_YEAR: std::ops::Range<usize> = 9..13;
    /// Title proper.
    pub const TITLE: Sub = sub("200", b'a');
    /// Other title information.
    pub const SUBTITLE: Sub = sub("200", b'e');
    /// Statement of responsibility: the authors when no name field gives them.
    pub const RESPONSIBILITY: Sub = sub("200", b'f');
    /// Publisher.
    pub const PUBLISHER: Sub = sub("210", b'c');
    /// Year of publication (else [`GENERAL_YEAR`]).
    pub const YEAR: Sub = sub("210", b'd');
    /// Summary.
    pub const SUMMARY: Sub = sub("330", b'a');
    /// Topical subject.
    pub const SUBJECT: Sub = sub("606", b'a');
    /// Chinese Library Classification class.
    pub const CLASS: Sub = sub("690", b'a');
    /// Personal name, alternative responsibility: how CNMARC agencies mostly give authors,
    /// and how they are written.
    pub const NAME: &str = "701";
    /// Fields names are read from, in this order (700 and 710 hold the primary
    /// responsibility in UNIMARC).
    pub const NAMES: [&str; 6] = ["700", NAME, "702", "710", "711", "712"];
    /// A name's entry element; [`NAME_REST`] follows it in the personal-name fields.
    pub const NAME_ENTRY: u8 = b'a';
    /// The part of a personal name after its entry element.
    pub const NAME_REST: u8 = b'b';
    /// Local holdings: one per copy.
    pub const HOLDINGS: Holdings = Holdings {
        tag: "905",
        branch: b'a',
        barcode: b'b',
        call_number: b'd',
        call_part: b'e',
        location: b'c',
        net_lending: b'9',
    };
}

/// An ISO 2709 record being written: a directory entry and data per field, in the order
/// the fields are added.
#[derive(Debug, Clone, Default)]
pub struct RecordBuilder {
    directory: Vec<u8>,
    data: Vec<u8>,
}

impl RecordBuilder {
    /// The longest record: its length is written in five digits.
    pub const MAX_RECORD: usize = 99_999;
    /// The longest field, its terminator included: its length is written in four digits.
    pub const MAX_FIELD: usize = 9_999;

    /// The record's length in bytes if it ended now.
    pub fn size(&self) -> usize {
        24 + self.directory.len() + 1 + self.data.len() + 1
    }

    /// The record's length with one more field of `content` bytes.
    pub fn size_with(&self, content: usize) -> usize {
        self.size() + 12 + content + 1
    }

    /// Adds a field (`content` without its terminator) unless it is longer than
    /// [`Self::MAX_FIELD`] or would make the record longer than `limit` (at most
    /// [`Self::MAX_RECORD`]); says whether it was added.
    pub fn push(&mut self, tag: &str, content: &[u8], limit: usize) -> bool {
        if tag.len() != 3
            || content.len() + 1 > Self::MAX_FIELD
            || self.size_with(content.len()) > limit.min(Self::MAX_RECORD)
        {
            return false;
        }
        let start = self.data.len();
        self.data.extend_from_slice(content);
        self.data.push(FIELD_END);
        let entry = format!("{tag}{:04}{start:05}", content.len() + 1);
        self.directory.extend_from_slice(entry.as_bytes());
        true
    }

    /// The record's bytes, after `leader` with the record length (positions 0–4) and the
    /// base address of data (12–16) filled in.
    pub fn finish(self, leader: &[u8; 24]) -> Vec<u8> {
        let total = self.size();
        let base = 24 + self.directory.len() + 1;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(format!("{total:05}").as_bytes());
        out.extend_from_slice(&leader[5..12]);
        out.extend_from_slice(format!("{base:05}").as_bytes());
        out.extend_from_slice(&leader[17..]);
        out.extend(self.directory);
        out.push(FIELD_END);
        out.extend(self.data);
        out.push(RECORD_END);
        out
    }
}

/// A data field's content: its two indicators, then each subfield with its code.
pub fn data_field<'a>(
    indicators: [u8; 2],
    subfields: impl IntoIterator<Item = (u8, &'a [u8])>,
) -> Vec<u8> {
    let mut out = indicators.to_vec();
    for (code, value) in subfields {
        out.push(SUBFIELD);
        out.push(code);
        out.extend_from_slice(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_state_their_lengths_and_refuse_what_does_not_fit() {
        let mut r = RecordBuilder::default();
        assert!(r.push("001", b"X1", RecordBuilder::MAX_RECORD));
        assert!(r.push(
            "245",
            &data_field(*b"10", [(b'a', "三体".as_bytes())]),
            RecordBuilder::MAX_RECORD
        ));
        assert!(!r.push(
            "520",
            &[b'x'; RecordBuilder::MAX_FIELD],
            RecordBuilder::MAX_RECORD
        ));
        assert!(!r.push("650", b"  ", r.size()), "over the limit given");
        let bytes = r.finish(b"00000nam a2200000 c 4500");
        assert_eq!(&bytes[..5], format!("{:05}", bytes.len()).as_bytes());
        assert_eq!(&bytes[5..12], b"nam a22");
        assert_eq!(&bytes[12..17], b"00049", "24 + two entries + terminator");
        assert_eq!(&bytes[24..36], b"001000300000");
        assert_eq!(&bytes[36..48], b"245001100003");
        assert_eq!(bytes[48], FIELD_END);
        assert_eq!(bytes.last(), Some(&RECORD_END));
    }
}
