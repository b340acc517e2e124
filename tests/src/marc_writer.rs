//! Generating MARC test files (MARC21 and CNMARC) with the exporter's ISO 2709 writer.

use hongyan_domain::catalog::marc::{data_field, RecordBuilder};

/// One field: a control field (tag < 010) with data, or a data field with indicators and
/// subfields.
pub enum Field<'a> {
    /// `001`–`009`.
    Control(&'a str, &'a str),
    /// Tag, two indicators, subfields `(code, value)`.
    Data(&'a str, [u8; 2], Vec<(char, &'a str)>),
}

/// Encodes one record; `leader9` is `b'a'` for UTF-8 (MARC21), `b' '` otherwise.
pub fn record(fields: &[Field<'_>], leader9: u8) -> Vec<u8> {
    let mut record = RecordBuilder::default();
    for f in fields {
        let (tag, content) = match f {
            Field::Control(tag, value) => (tag, value.as_bytes().to_vec()),
            Field::Data(tag, indicators, subfields) => {
                let subfields = subfields.iter().map(|(code, value)| {
                    let code = u8::try_from(*code).expect("an ASCII subfield code");
                    (code, value.as_bytes())
                });
                (tag, data_field(*indicators, subfields))
            }
        };
        assert!(
            record.push(tag, &content, RecordBuilder::MAX_RECORD),
            "{tag} does not fit"
        );
    }
    let mut leader = *b"00000nam  2200000   4500";
    leader[9] = leader9;
    record.finish(&leader)
}
