//! A small ISO 2709 writer for generating MARC test files (MARC21 and CNMARC).

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
    let mut directory = Vec::new();
    let mut data = Vec::new();
    for f in fields {
        let start = data.len();
        let tag = match f {
            Field::Control(tag, value) => {
                data.extend_from_slice(value.as_bytes());
                tag
            }
            Field::Data(tag, ind, subfields) => {
                data.extend_from_slice(ind);
                for (code, value) in subfields {
                    data.push(0x1f);
                    data.extend_from_slice(code.to_string().as_bytes());
                    data.extend_from_slice(value.as_bytes());
                }
                tag
            }
        };
        data.push(0x1e);
        directory
            .extend_from_slice(format!("{tag}{:04}{:05}", data.len() - start, start).as_bytes());
    }
    directory.push(0x1e);
    let base = 24 + directory.len();
    let total = base + data.len() + 1;
    let mut out = format!("{total:05}nam {}22{base:05}   4500", leader9 as char).into_bytes();
    out.extend(directory);
    out.extend(data);
    out.push(0x1d);
    out
}
