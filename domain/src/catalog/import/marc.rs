//! ISO 2709 (binary MARC) records, MARC21 or CNMARC/UNIMARC, into import records.
//!
//! Our own small reader rather than the `marc` crate: that crate panics on malformed input
//! (`expect("non-utf8 indicator")`), and an importer must report a bad record with its
//! position and carry on. Every length and offset here is checked; a malformed record is
//! rejected and the reader resynchronises after the next record terminator (0x1D).
//!
//! Field mapping (docs/catalogue.md lists it; [`crate::catalog::marc`] names the fields):
//! MARC21 020/100/110/245/260/264/520/650/700/710/084/050 with holdings in 852; CNMARC
//! 010/200/210/330/606/690/701/702/711/712 with holdings in 905. Text is UTF-8 when the leader
//! says so or the bytes are; otherwise GB18030 for CNMARC and MARC-8 for MARC21
//! ([`super::marc_text`]).

use std::io::{BufReader, Read};

use super::marc_text;
use crate::catalog::isbn::Isbn13;
use crate::catalog::marc::{
    marc21, unimarc, Flavour, Holdings, Sub, FIELD_END, RECORD_END, SUBFIELD,
};
use crate::catalog::record::{yes_or_no, Holding, ImportRecord, Rejected, SourceStatus};
use crate::Text;

/// A field as raw bytes: control data, or indicators + subfields.
struct RawField<'a> {
    tag: [u8; 3],
    data: &'a [u8],
}

impl RawField<'_> {
    fn is(&self, tag: &str) -> bool {
        self.tag == tag.as_bytes()
    }

    /// `(code, raw value)` pairs of a data field.
    fn subfields(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.data
            .get(2..)
            .unwrap_or_default()
            .split(|b| *b == SUBFIELD)
            .skip(1)
            .filter_map(|s| Some((*s.first()?, &s[1..])))
    }
}

/// One record's bytes with its offset, or why no record could be cut out there.
type Split = Result<(usize, Vec<u8>), (usize, Text)>;

/// Reads records from a file as it streams in: an ISO 2709 record states its length in
/// five digits, so no more than one record (under 100 kB) is held at a time, whatever the
/// file's size.
pub struct MarcReader<R: Read> {
    input: BufReader<R>,
    /// Bytes read past a malformed record's start, to be read again after resynchronising.
    pushback: Vec<u8>,
    pos: usize,
    count: usize,
    flavour: Option<Flavour>,
    subfields: HoldingSubfields,
}

/// Where a library's records keep what its holdings fields (852 / 905) say beyond the
/// standard subfields, when it is not where Hongyan writes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct HoldingSubfields {
    /// The net-lending flag's code (default `9`, Hongyan's own).
    pub net_lending: Option<u8>,
    /// The code of the copy's status in the library's own system ([`SourceStatus`]); none
    /// by default.
    pub status: Option<u8>,
}

impl<R: Read> MarcReader<R> {
    /// A reader over `input`; `flavour: None` detects it per record.
    pub fn new(input: R, flavour: Option<Flavour>) -> Self {
        MarcReader {
            input: BufReader::new(input),
            pushback: Vec::new(),
            pos: 0,
            count: 0,
            flavour,
            subfields: HoldingSubfields::default(),
        }
    }

    /// Reads the net-lending flag and the copy's status from these subfields of the
    /// holdings field.
    #[must_use]
    pub fn holding_subfields(mut self, subfields: HoldingSubfields) -> Self {
        self.subfields = subfields;
        self
    }

    /// The next byte, or None at the end (an unreadable file ends it too).
    fn byte(&mut self) -> Option<u8> {
        let b = match self.pushback.pop() {
            Some(b) => b,
            None => {
                let mut one = [0u8; 1];
                match self.input.read(&mut one) {
                    Ok(1) => one[0],
                    _ => return None,
                }
            }
        };
        self.pos += 1;
        Some(b)
    }

    /// Up to `n` more bytes onto `buf` (fewer at the end).
    fn take(&mut self, buf: &mut Vec<u8>, n: usize) {
        let mut left = n;
        while left > 0 {
            let Some(b) = self.pushback.pop() else { break };
            buf.push(b);
            self.pos += 1;
            left -= 1;
        }
        let limit = u64::try_from(left).unwrap_or(u64::MAX);
        let got = (&mut self.input).take(limit).read_to_end(buf).unwrap_or(0);
        self.pos += got;
    }

    /// Gives back bytes read from a record found malformed (they are read again next).
    fn unread(&mut self, bytes: &[u8]) {
        self.pushback.extend(bytes.iter().rev());
        self.pos -= bytes.len();
    }

    /// Moves past the next record terminator in `read` (the bytes of a malformed record,
    /// from its start) and then in the input, or to the end.
    fn resync(&mut self, read: &[u8]) {
        match read.iter().position(|b| *b == RECORD_END) {
            Some(i) => self.unread(&read[i + 1..]),
            None => while self.byte().is_some_and(|b| b != RECORD_END) {},
        }
    }

    fn split(&mut self) -> Option<Split> {
        let first = loop {
            match self.byte()? {
                b'\r' | b'\n' | b' ' | b'\t' | 0x1A | 0 => {}
                b => break b,
            }
        };
        let start = self.pos - 1;
        let mut record = vec![first];
        self.take(&mut record, 23);
        if record.len() < 24 {
            return Some(Err((
                start,
                text!("import-marc-truncated", bytes = record.len()),
            )));
        }
        let Some(len) = digits(&record[..5]) else {
            self.resync(&record);
            return Some(Err((start, text!("import-marc-length-not-number"))));
        };
        if len < 26 {
            self.resync(&record);
            return Some(Err((
                start,
                text!("import-marc-length-too-short", length = len),
            )));
        }
        self.take(&mut record, len - 24);
        if record.len() < len {
            self.resync(&record);
            return Some(Err((
                start,
                text!(
                    "import-marc-length-past-end",
                    length = len,
                    bytes = record.len()
                ),
            )));
        }
        if record[len - 1] != RECORD_END {
            self.resync(&record);
            return Some(Err((start, text!("import-marc-no-record-end"))));
        }
        Some(Ok((start, record)))
    }
}

fn digits(b: &[u8]) -> Option<usize> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

fn fields(record: &[u8]) -> Result<Vec<RawField<'_>>, Text> {
    let base = digits(&record[12..17]).ok_or_else(|| text!("import-marc-base-not-number"))?;
    if base <= 24 || base > record.len() || record.get(base - 1) != Some(&FIELD_END) {
        return Err(text!("import-marc-base-address", base = base));
    }
    let directory = &record[24..base - 1];
    if directory.len() % 12 != 0 {
        return Err(text!(
            "import-marc-directory-length",
            length = directory.len()
        ));
    }
    let data = &record[base..record.len() - 1];
    directory
        .chunks(12)
        .map(|entry| {
            let tag: [u8; 3] = [entry[0], entry[1], entry[2]];
            if !tag.iter().all(u8::is_ascii_alphanumeric) {
                return Err(text!(
                    "import-marc-bad-tag",
                    tag = String::from_utf8_lossy(&tag)
                ));
            }
            let tag_str = String::from_utf8_lossy(&tag).into_owned();
            let (Some(len), Some(at)) = (digits(&entry[3..7]), digits(&entry[7..12])) else {
                return Err(text!("import-marc-field-position", tag = &tag_str));
            };
            let field = data
                .get(at..at + len)
                .ok_or_else(|| text!("import-marc-field-past-end", tag = &tag_str))?;
            let Some((&FIELD_END, field)) = field.split_last() else {
                return Err(text!("import-marc-field-no-end", tag = &tag_str));
            };
            let indicators_ok = field
                .get(..2)
                .is_some_and(|i| i.iter().all(|b| (0x20..0x7F).contains(b)));
            if !tag.starts_with(b"00") && !indicators_ok {
                return Err(text!("import-marc-bad-indicators", tag = &tag_str));
            }
            Ok(RawField { tag, data: field })
        })
        .collect()
}

/// How a record's text is encoded.
#[derive(Clone, Copy)]
enum Charset {
    Utf8,
    Gb18030,
    Marc8,
}

fn decode(charset: Charset, bytes: &[u8]) -> String {
    match charset {
        Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Charset::Gb18030 => marc_text::gb18030(bytes),
        Charset::Marc8 => marc_text::marc8(bytes),
    }
}

/// The values of subfield `code` in fields `tag`, decoded and trimmed of ISBD punctuation.
fn values(fields: &[RawField<'_>], cs: Charset, Sub { tag, code }: Sub) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.is(tag))
        .flat_map(|f| {
            f.subfields()
                .filter(|(c, _)| *c == code)
                .map(|(_, v)| clean(&decode(cs, v)))
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

fn first(fields: &[RawField<'_>], cs: Charset, at: Sub) -> Option<String> {
    values(fields, cs, at).into_iter().next()
}

/// The first of `places` that has a value.
fn first_of(fields: &[RawField<'_>], cs: Charset, places: &[Sub]) -> Option<String> {
    places.iter().find_map(|at| first(fields, cs, *at))
}

/// The names or headings of the MARC 21 fields `tag`.
fn entries(fields: &[RawField<'_>], cs: Charset, tag: &'static str) -> Vec<String> {
    let code = marc21::ENTRY;
    values(fields, cs, Sub { tag, code })
}

/// Drops control characters (e.g. UNIMARC's non-sorting markers U+0088/U+0089) and strips
/// the ISBD punctuation that separates MARC subfields (" /", " :", ",", "."), keeping the
/// period of a final initial ("Brown, Martin C."). The exporter checks what it writes
/// against it.
pub(crate) fn clean(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    let isbd = [' ', '/', ':', ';', '=', ','];
    let t = s.trim().trim_end_matches(isbd);
    let t = match t.strip_suffix('.') {
        Some(before) if !is_initial(before) => before.trim_end_matches(isbd),
        _ => t,
    };
    t.trim().to_owned()
}

/// Whether `s` ends with a lone capital letter ("Martin C" of "Martin C.").
fn is_initial(s: &str) -> bool {
    let mut rev = s.chars().rev();
    rev.next().is_some_and(char::is_uppercase) && rev.next().is_none_or(|c| c == ' ' || c == '.')
}

fn year(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3))
        .find(|&i| b[i..i + 4].iter().all(u8::is_ascii_digit))
        .and_then(|i| s.get(i..i + 4)?.parse().ok())
}

/// "CNY23.00", "$15.95", "23.00元" → cents.
fn price(s: &str) -> Option<i32> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let num: String = s[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let (whole, frac) = num.split_once('.').unwrap_or((&num, ""));
    let frac = format!("{:0<2}", frac.get(..2).unwrap_or(frac));
    whole
        .parse::<i32>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac.parse().ok()?)
}

fn push_unique(list: &mut Vec<String>, more: Vec<String>) {
    for m in more {
        if !list.contains(&m) {
            list.push(m);
        }
    }
}

/// A copy from its holdings field (`sub` reads a subfield of it), with the call number
/// already put together; None without a branch or a barcode.
fn holding(
    sub: &impl Fn(u8) -> Option<String>,
    spec: &Holdings,
    subs: &HoldingSubfields,
    call: String,
) -> Option<Holding> {
    Some(Holding {
        branch_code: sub(spec.branch)?,
        barcode: sub(spec.barcode)?,
        call_number: call,
        location: sub(spec.location),
        net_lending: sub(subs.net_lending.unwrap_or(spec.net_lending)).and_then(|v| yes_or_no(&v)),
        status: subs
            .status
            .and_then(sub)
            .and_then(|v| SourceStatus::read(&v)),
    })
}

fn read_marc21(f: &[RawField<'_>], cs: Charset, subs: &HoldingSubfields) -> ImportRecord {
    let mut authors = Vec::new();
    for tag in marc21::NAMES {
        push_unique(&mut authors, entries(f, cs, tag));
    }
    let mut subjects = Vec::new();
    for tag in marc21::SUBJECTS {
        push_unique(&mut subjects, entries(f, cs, tag));
    }
    let (class, source) = (marc21::CLASS, marc21::CLASS_SOURCE);
    let clc = f
        .iter()
        .filter(|x| x.is(class.tag))
        .find(|x| {
            x.subfields()
                .any(|(c, v)| c == source.code && v.eq_ignore_ascii_case(marc21::CLC.as_bytes()))
        })
        .and_then(|x| {
            x.subfields()
                .find(|(c, _)| *c == class.code)
                .map(|(_, v)| clean(&decode(cs, v)))
        })
        .or_else(|| first_of(f, cs, &[class, marc21::LC_CLASS]));
    let control_year = f
        .iter()
        .find(|x| x.is(marc21::FIXED))
        .and_then(|x| x.data.get(marc21::FIXED_YEAR))
        .and_then(|y| year(&String::from_utf8_lossy(y)));
    let spec = marc21::HOLDINGS;
    let holdings = f
        .iter()
        .filter(|x| x.is(spec.tag))
        .filter_map(|x| {
            let sub = |code| {
                x.subfields()
                    .find(|(c, _)| *c == code)
                    .map(|(_, v)| decode(cs, v).trim().to_owned())
            };
            let call = match (sub(spec.call_number), sub(spec.call_part)) {
                (Some(h), Some(i)) if !h.contains('/') => format!("{h}/{i}"),
                (Some(h), _) => h,
                (None, _) => String::new(),
            };
            holding(&sub, &spec, subs, call)
        })
        .collect();
    ImportRecord {
        isbn: first(f, cs, marc21::ISBN).and_then(|v| Isbn13::leading(&v).map(str::to_owned)),
        title: first(f, cs, marc21::TITLE).unwrap_or_default(),
        subtitle: first(f, cs, marc21::SUBTITLE),
        authors,
        publisher: first_of(f, cs, &marc21::PUBLISHER),
        pub_year: first_of(f, cs, &marc21::YEAR)
            .and_then(|y| year(&y))
            .or(control_year),
        clc_class: clc,
        subjects,
        summary: first(f, cs, marc21::SUMMARY),
        price_cents: first(f, cs, marc21::PRICE).and_then(|p| price(&p)),
        holdings,
    }
}

fn read_unimarc(f: &[RawField<'_>], cs: Charset, subs: &HoldingSubfields) -> ImportRecord {
    let mut authors = Vec::new();
    for tag in unimarc::NAMES {
        let names: Vec<String> = f
            .iter()
            .filter(|x| x.is(tag))
            .filter_map(|x| {
                let a = x
                    .subfields()
                    .find(|(c, _)| *c == unimarc::NAME_ENTRY)
                    .map(|(_, v)| clean(&decode(cs, v)))?;
                let b = x
                    .subfields()
                    .filter(|_| tag.starts_with("70"))
                    .find(|(c, _)| *c == unimarc::NAME_REST)
                    .map(|(_, v)| clean(&decode(cs, v)))
                    .unwrap_or_default();
                Some(format!("{a}{b}"))
            })
            .filter(|n| !n.is_empty())
            .collect();
        push_unique(&mut authors, names);
    }
    if authors.is_empty() {
        if let Some(resp) = first(f, cs, unimarc::RESPONSIBILITY) {
            authors = resp
                .split(';')
                .map(clean)
                .filter(|s| !s.is_empty())
                .collect();
        }
    }
    let general = unimarc::GENERAL;
    let control_year = f
        .iter()
        .find(|x| x.is(general.tag))
        .and_then(|x| x.subfields().find(|(c, _)| *c == general.code))
        .and_then(|(_, v)| v.get(unimarc::GENERAL_YEAR))
        .and_then(|y| year(&String::from_utf8_lossy(y)));
    let spec = unimarc::HOLDINGS;
    let holdings = f
        .iter()
        .filter(|x| x.is(spec.tag))
        .filter_map(|x| {
            let sub = |code| {
                x.subfields()
                    .find(|(c, _)| *c == code)
                    .map(|(_, v)| decode(cs, v).trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            let call = match (sub(spec.call_number), sub(spec.call_part)) {
                (Some(d), Some(e)) => format!("{d}/{e}"),
                (Some(d), None) => d,
                (None, _) => return None,
            };
            holding(&sub, &spec, subs, call)
        })
        .collect();
    ImportRecord {
        isbn: first(f, cs, unimarc::ISBN).and_then(|v| Isbn13::leading(&v).map(str::to_owned)),
        title: first(f, cs, unimarc::TITLE).unwrap_or_default(),
        subtitle: first(f, cs, unimarc::SUBTITLE),
        authors,
        publisher: first(f, cs, unimarc::PUBLISHER),
        pub_year: first(f, cs, unimarc::YEAR)
            .and_then(|y| year(&y))
            .or(control_year),
        clc_class: first(f, cs, unimarc::CLASS),
        subjects: values(f, cs, unimarc::SUBJECT),
        summary: first(f, cs, unimarc::SUMMARY),
        price_cents: first(f, cs, unimarc::PRICE).and_then(|p| price(&p)),
        holdings,
    }
}

fn convert(
    record: &[u8],
    wanted: Option<Flavour>,
    subs: &HoldingSubfields,
) -> Result<ImportRecord, Text> {
    let f = fields(record)?;
    let has = |at: Sub| {
        f.iter()
            .any(|x| x.is(at.tag) && x.subfields().any(|(c, _)| c == at.code))
    };
    let flavour = match wanted {
        Some(fl) => fl,
        None if has(marc21::TITLE) => Flavour::Marc21,
        None if has(unimarc::TITLE) => Flavour::Unimarc,
        None => return Err(text!("import-marc-no-title-either")),
    };
    let all_utf8 = f.iter().all(|x| std::str::from_utf8(x.data).is_ok());
    let charset = match (record[9], all_utf8, flavour) {
        (_, true, _) => Charset::Utf8,
        (b'a', false, _) => {
            let bad = f
                .iter()
                .find(|x| std::str::from_utf8(x.data).is_err())
                .map(|x| String::from_utf8_lossy(&x.tag).into_owned());
            return Err(text!(
                "import-marc-invalid-utf8",
                tag = bad.unwrap_or_default()
            ));
        }
        (_, false, Flavour::Unimarc) => Charset::Gb18030,
        (_, false, Flavour::Marc21) => Charset::Marc8,
    };
    let r = match flavour {
        Flavour::Marc21 => read_marc21(&f, charset, subs),
        Flavour::Unimarc => read_unimarc(&f, charset, subs),
    };
    if r.title.is_empty() {
        let at = match flavour {
            Flavour::Marc21 => marc21::TITLE,
            Flavour::Unimarc => unimarc::TITLE,
        };
        let field = format!("{}${}", at.tag, char::from(at.code));
        return Err(text!("import-marc-no-title", field = field));
    }
    Ok(r)
}

impl<R: Read> Iterator for MarcReader<R> {
    type Item = Result<ImportRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        let split = self.split()?;
        self.count += 1;
        let position = self.count;
        let reject = |offset, reason: Text| Rejected::new(position, Some(offset), &reason);
        Some(match split {
            Err((offset, reason)) => Err(reject(offset, reason)),
            Ok((offset, record)) => convert(&record, self.flavour, &self.subfields)
                .map_err(|reason| reject(offset, reason)),
        })
    }
}

#[cfg(test)]
mod tests;
