//! ISO 2709 (binary MARC) records, MARC21 or CNMARC/UNIMARC, into import records.
//!
//! Our own small reader rather than the `marc` crate (3.1.1): that crate panics on malformed
//! input (`expect("non-utf8 indicator")`, `expect("non-utf8 identifier")`), and an importer
//! must report a bad record with its position and carry on. Here every length and offset is
//! checked; a malformed record becomes a [`Rejected`] and the reader resynchronises (at the
//! declared length when a leader follows there, else after the next record terminator 0x1D).
//!
//! Text is UTF-8 when the leader says so (leader/09 `a`) or the bytes are valid UTF-8;
//! otherwise GB18030 for CNMARC and MARC-8 for MARC21 (see `marc_text`).
//!
//! | | MARC21 | CNMARC / UNIMARC |
//! |---|---|---|
//! | ISBN, price | 020$a, 020$c | 010$a, 010$d |
//! | title, subtitle | 245$a, 245$b | 200$a, 200$e |
//! | authors | 100, 110, 700, 710 $a | 700–702 $a$b, 710–712 $a (else 200$f) |
//! | publisher, year | 264 or 260 $b, $c (else 008/07-10) | 210 or 214 $c, $d (else 100$a/9-12) |
//! | class | 084$a ($2 clc first), else 050$a | 690$a |
//! | subjects, summary | 600/610/650/651 $a, 520$a | 606$a, 330$a |
//! | copies | 852: $b branch, $p barcode, $h(/$i) call number | 905: $a branch, $b barcode, $d/$e |

use super::marc_text;
use crate::catalog::record::{Holding, ImportRecord, Rejected};
use crate::Error;

const FIELD_END: u8 = 0x1E;
const RECORD_END: u8 = 0x1D;
const SUBFIELD: u8 = 0x1F;
const LEADER: usize = 24;
/// Leader, directory terminator, record terminator.
const MIN_RECORD: usize = LEADER + 2;
const NO_TITLE: &str = "no title (245$a / 200$a)";

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
        match s.trim().to_ascii_lowercase().as_str() {
            "marc21" => Ok(Flavour::Marc21),
            "cnmarc" | "unimarc" => Ok(Flavour::Unimarc),
            _ => Err(Error::validation(format!(
                "unknown MARC flavour {s:?}: use marc21, cnmarc or unimarc"
            ))),
        }
    }
}

/// Reads the records of an ISO 2709 file, one `Result` per record, never panicking.
pub struct MarcReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    count: usize,
    flavour: Option<Flavour>,
}

impl<'a> MarcReader<'a> {
    /// A reader over a whole file; `flavour: None` detects it per record.
    pub fn new(bytes: &'a [u8], flavour: Option<Flavour>) -> Self {
        MarcReader {
            bytes,
            pos: 0,
            count: 0,
            flavour,
        }
    }

    /// Bytes consumed so far (for a progress bar).
    pub fn bytes_read(&self) -> usize {
        self.pos
    }

    /// Cuts the next record out of the file: its offset and its bytes, or why it is broken.
    /// Always moves forward, so the reader ends.
    fn frame(&mut self) -> Option<(usize, Result<&'a [u8], String>)> {
        let bytes = self.bytes;
        while matches!(
            bytes.get(self.pos),
            Some(b' ' | b'\t' | b'\r' | b'\n' | 0x1A | 0)
        ) {
            self.pos += 1;
        }
        let start = self.pos;
        let rest = bytes.get(start..).filter(|r| !r.is_empty())?;
        let end = rest.iter().position(|b| *b == RECORD_END);
        let after_end = end.map_or(rest.len(), |i| i + 1);
        let early_end = |len: usize| {
            format!("the leader says {len} bytes but the record ends after {after_end}")
        };
        let (advance, framed) = match rest.get(..5).and_then(digits) {
            None if rest.len() < LEADER => (
                rest.len(),
                Err(format!("truncated record: {} bytes left", rest.len())),
            ),
            None => (
                after_end,
                Err(format!(
                    "the leader's record length {:?} is not a number",
                    String::from_utf8_lossy(rest.get(..5).unwrap_or_default())
                )),
            ),
            Some(len) if len < MIN_RECORD => {
                (after_end, Err(format!("record length {len} is too short")))
            }
            Some(len) if len > rest.len() => (
                after_end,
                Err(match end {
                    None => format!(
                        "truncated record: the leader says {len} bytes, {} left",
                        rest.len()
                    ),
                    Some(_) => early_end(len),
                }),
            ),
            Some(len) => match end {
                Some(i) if i + 1 == len => (len, Ok(rest.get(..len).unwrap_or_default())),
                Some(i) if i + 1 < len => (after_end, Err(early_end(len))),
                _ => {
                    let next = rest.get(len..).unwrap_or_default();
                    let resync = if next.is_empty() || looks_like_leader(next) {
                        len
                    } else {
                        after_end
                    };
                    (
                        resync,
                        Err(format!(
                            "no record terminator at the end of the record ({len} bytes)"
                        )),
                    )
                }
            },
        };
        self.pos = start + advance.max(1);
        Some((start, framed))
    }
}

impl Iterator for MarcReader<'_> {
    type Item = Result<ImportRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        let (offset, framed) = self.frame()?;
        self.count += 1;
        let flavour = self.flavour;
        let read = framed.and_then(|record| {
            let (flavour, fields) = fields(record, flavour)?;
            let r = match flavour {
                Flavour::Marc21 => marc21(&fields),
                Flavour::Unimarc => unimarc(&fields),
            };
            if r.title.is_empty() {
                return Err(NO_TITLE.into());
            }
            Ok(r)
        });
        Some(read.map_err(|reason| Rejected {
            position: self.count,
            offset: Some(offset),
            reason,
        }))
    }
}

/// A number written in ASCII digits only.
fn digits(b: &[u8]) -> Option<usize> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

fn looks_like_leader(b: &[u8]) -> bool {
    b.len() >= LEADER
        && b.get(..5).and_then(digits).is_some()
        && b.get(12..17).and_then(digits).is_some()
}

/// A field straight from the directory: control data, or indicators then subfields.
struct RawField<'a> {
    tag: String,
    body: &'a [u8],
}

/// A decoded field. For data fields `text` starts after the indicators.
struct Field {
    tag: String,
    text: String,
}

impl Field {
    fn is(&self, tag: &str) -> bool {
        self.tag == tag
    }

    /// `(code, value)` pairs of a data field.
    fn subfields(&self) -> impl Iterator<Item = (char, &str)> {
        self.text.split('\u{1F}').skip(1).filter_map(|s| {
            let mut chars = s.chars();
            Some((chars.next()?, chars.as_str()))
        })
    }

    /// The first subfield `code`, tidied, unless empty.
    fn sub(&self, code: char) -> Option<String> {
        self.subfields()
            .filter(|(c, _)| *c == code)
            .find_map(|(_, v)| some(tidy(v)))
    }
}

/// Checks the leader, directory and fields of one framed record.
fn raw_fields(record: &[u8]) -> Result<Vec<RawField<'_>>, String> {
    let base = record
        .get(12..17)
        .and_then(digits)
        .ok_or("the leader's base address is not a number")?;
    if base <= LEADER || base >= record.len() || record.get(base - 1) != Some(&FIELD_END) {
        return Err(format!(
            "base address {base} does not point just after the directory"
        ));
    }
    let directory = record.get(LEADER..base - 1).unwrap_or_default();
    if directory.len() % 12 != 0 {
        return Err(format!(
            "directory length {} is not a multiple of 12",
            directory.len()
        ));
    }
    let data = record
        .get(base..record.len().saturating_sub(1))
        .unwrap_or_default();
    directory
        .chunks(12)
        .enumerate()
        .map(|(i, entry)| {
            let tag = entry.get(..3).unwrap_or_default();
            if !tag.iter().all(u8::is_ascii_alphanumeric) {
                return Err(format!(
                    "directory entry {} has a bad tag {:?}",
                    i + 1,
                    String::from_utf8_lossy(tag)
                ));
            }
            let tag = String::from_utf8_lossy(tag).into_owned();
            let (Some(len), Some(at)) = (
                entry.get(3..7).and_then(digits),
                entry.get(7..12).and_then(digits),
            ) else {
                return Err(format!("field {tag}: the directory's length or start is not a number"));
            };
            let Some((&FIELD_END, body)) = data.get(at..at + len).and_then(<[u8]>::split_last) else {
                return Err(format!(
                    "field {tag} (bytes {at}+{len}) is outside the record or has no field terminator"
                ));
            };
            if !tag.starts_with("00") {
                let indicators = body.get(..2).unwrap_or_default();
                if indicators.len() < 2 || !indicators.iter().all(|b| (0x20..0x7F).contains(b)) {
                    return Err(format!("field {tag} has bad indicators"));
                }
            }
            Ok(RawField { tag, body })
        })
        .collect()
}

/// The record's flavour and its fields decoded to text.
fn fields(record: &[u8], wanted: Option<Flavour>) -> Result<(Flavour, Vec<Field>), String> {
    let raw = raw_fields(record)?;
    let has_200a = || {
        raw.iter()
            .any(|f| f.tag == "200" && f.body.windows(2).any(|w| w == [SUBFIELD, b'a']))
    };
    let flavour = match wanted {
        Some(f) => f,
        None if raw.iter().any(|f| f.tag == "245") => Flavour::Marc21,
        None if has_200a() => Flavour::Unimarc,
        None => return Err(NO_TITLE.into()),
    };
    let decode: fn(&[u8]) -> String =
        match raw.iter().find(|f| std::str::from_utf8(f.body).is_err()) {
            None => |b| String::from_utf8_lossy(b).into_owned(),
            Some(f) if record.get(9) == Some(&b'a') => {
                return Err(format!("invalid UTF-8 in field {}", f.tag))
            }
            Some(_) if flavour == Flavour::Unimarc => marc_text::gb18030,
            Some(_) => marc_text::marc8,
        };
    let fields = raw
        .into_iter()
        .map(|f| {
            let skip = if f.tag.starts_with("00") { 0 } else { 2 };
            Field {
                text: decode(f.body.get(skip..).unwrap_or_default()),
                tag: f.tag,
            }
        })
        .collect();
    Ok((flavour, fields))
}

/// Drops control characters (e.g. non-sorting markers) and surrounding whitespace.
fn tidy(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Tidies and strips the ISBD punctuation that ends MARC subfields (" /", " :", ",", "."),
/// keeping the period of an initial ("Willard B.").
fn clean(s: &str) -> String {
    let mut s = tidy(s);
    loop {
        let t = s.trim_end_matches([' ', '/', ':', ';', '=', ',']);
        let t = match t.strip_suffix('.') {
            Some(before) if !is_initial(before) && !before.ends_with("..") => before,
            _ => t,
        };
        if t.len() == s.len() {
            return s;
        }
        s = t.to_owned();
    }
}

/// Whether `s` ends with a single capital letter ("Willard B" of "Willard B.").
fn is_initial(s: &str) -> bool {
    let mut rev = s.chars().rev();
    rev.next().is_some_and(char::is_uppercase) && rev.next().is_none_or(|c| c == ' ' || c == '.')
}

fn some(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The first year (1000–2999) in "c1990.", "[2008]", "2008.10".
fn year(s: &str) -> Option<i32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter_map(|run| run.get(..4)?.parse().ok())
        .find(|y| (1000..3000).contains(y))
}

/// "CNY23.00", "¥23.00", "$15.95", "23.00元", "CNY1,280.00" → cents.
fn price(s: &str) -> Option<i32> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let num: String = s
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    let (whole, frac) = num.split_once('.').unwrap_or((&num, ""));
    let frac: String = frac.chars().chain("00".chars()).take(2).collect();
    whole
        .parse::<i32>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac.parse().ok()?)
}

/// The ISBN-looking start of "0914378287 (pbk.)" or "7-5366-9293-5 : CNY23.00".
fn isbn(s: &str) -> Option<String> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let token: String = s
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | 'X' | 'x'))
        .collect();
    some(token.trim_end_matches('-').to_owned())
}

/// The first non-empty subfield `code` of fields `tag`, tidied.
fn first(f: &[Field], tag: &str, code: char) -> Option<String> {
    f.iter().filter(|x| x.is(tag)).find_map(|x| x.sub(code))
}

/// Names from fields `tags`, in the order of `tags`, cleaned and without repeats.
fn names(f: &[Field], tags: &[&str], name: impl Fn(&Field) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        for n in f.iter().filter(|x| x.is(tag)).filter_map(&name) {
            let n = clean(&n);
            if !n.is_empty() && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Subject headings from fields `tags`, in record order, without repeats.
fn subjects(f: &[Field], tags: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in f
        .iter()
        .filter(|x| tags.contains(&x.tag.as_str()))
        .filter_map(|x| x.sub('a'))
    {
        let s = clean(&s);
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn marc21(f: &[Field]) -> ImportRecord {
    let clc = f
        .iter()
        .filter(|x| x.is("084"))
        .find(|x| x.sub('2').is_some_and(|s| s.eq_ignore_ascii_case("clc")))
        .and_then(|x| x.sub('a'))
        .or_else(|| first(f, "084", 'a'))
        .or_else(|| first(f, "050", 'a'));
    let control_year = f
        .iter()
        .find(|x| x.is("008"))
        .and_then(|x| x.text.get(7..11))
        .and_then(year);
    let holdings = f
        .iter()
        .filter(|x| x.is("852"))
        .filter_map(|x| {
            let call_number = match (x.sub('h'), x.sub('i')) {
                (Some(h), Some(i)) if !h.contains('/') => format!("{h}/{i}"),
                (Some(h), _) => h,
                (None, i) => i.unwrap_or_default(),
            };
            Some(Holding {
                branch_code: x.sub('b')?,
                barcode: x.sub('p')?,
                call_number,
            })
        })
        .collect();
    let imprint = |code| first(f, "264", code).or_else(|| first(f, "260", code));
    ImportRecord {
        isbn: first(f, "020", 'a').and_then(|v| isbn(&v)),
        title: first(f, "245", 'a').map(|t| clean(&t)).unwrap_or_default(),
        subtitle: first(f, "245", 'b').and_then(|t| some(clean(&t))),
        authors: names(f, &["100", "110", "700", "710"], |x| x.sub('a')),
        publisher: imprint('b').and_then(|p| some(clean(&p))),
        pub_year: imprint('c').and_then(|y| year(&y)).or(control_year),
        clc_class: clc,
        subjects: subjects(f, &["600", "610", "650", "651"]),
        summary: first(f, "520", 'a'),
        price_cents: first(f, "020", 'c').and_then(|p| price(&p)),
        holdings,
    }
}

fn unimarc(f: &[Field]) -> ImportRecord {
    let person = |x: &Field| Some(x.sub('a')? + &x.sub('b').unwrap_or_default());
    let mut authors = names(f, &["700", "701", "702"], person);
    for n in names(f, &["710", "711", "712"], |x| x.sub('a')) {
        if !authors.contains(&n) {
            authors.push(n);
        }
    }
    if authors.is_empty() {
        authors = first(f, "200", 'f')
            .map(|resp| {
                resp.split(';')
                    .map(clean)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
    }
    let control_year = first(f, "100", 'a').and_then(|a| year(a.get(9..13)?));
    let holdings = f
        .iter()
        .filter(|x| x.is("905"))
        .filter_map(|x| {
            let call_number = match (x.sub('d')?, x.sub('e')) {
                (d, Some(e)) => format!("{d}/{e}"),
                (d, None) => d,
            };
            Some(Holding {
                branch_code: x.sub('a')?,
                barcode: x.sub('b')?,
                call_number,
            })
        })
        .collect();
    let imprint = |code| first(f, "210", code).or_else(|| first(f, "214", code));
    ImportRecord {
        isbn: first(f, "010", 'a').and_then(|v| isbn(&v)),
        title: first(f, "200", 'a').map(|t| clean(&t)).unwrap_or_default(),
        subtitle: first(f, "200", 'e').and_then(|t| some(clean(&t))),
        authors,
        publisher: imprint('c').and_then(|p| some(clean(&p))),
        pub_year: imprint('d').and_then(|y| year(&y)).or(control_year),
        clc_class: first(f, "690", 'a'),
        subjects: subjects(f, &["606"]),
        summary: first(f, "330", 'a'),
        price_cents: first(f, "010", 'd').and_then(|p| price(&p)),
        holdings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../shared/fixtures/marc/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(bytes: &[u8], flavour: Option<Flavour>) -> (Vec<ImportRecord>, Vec<Rejected>) {
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        for r in MarcReader::new(bytes, flavour) {
            match r {
                Ok(r) => good.push(r),
                Err(e) => bad.push(e),
            }
        }
        (good, bad)
    }

    /// A test-only ISO 2709 writer: `(tag, indicators + subfields or control data)`.
    fn record(leader9: u8, fields: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let (mut dir, mut data) = (Vec::new(), Vec::new());
        for (tag, body) in fields {
            let start = data.len();
            data.extend_from_slice(body);
            data.push(FIELD_END);
            dir.extend(format!("{tag}{:04}{start:05}", data.len() - start).bytes());
        }
        dir.push(FIELD_END);
        let base = LEADER + dir.len();
        let mut out = format!(
            "{:05}nam{}022{base:05}   450 ",
            base + data.len() + 1,
            leader9 as char
        )
        .into_bytes();
        out.extend(dir);
        out.extend(data);
        out.push(RECORD_END);
        out
    }

    fn field(ind: &str, subs: &[(char, &[u8])]) -> Vec<u8> {
        let mut d = ind.as_bytes().to_vec();
        for (code, value) in subs {
            d.push(SUBFIELD);
            d.push(*code as u8);
            d.extend_from_slice(value);
        }
        d
    }

    #[test]
    fn good_marc21_fixtures_read_completely() {
        for (name, n) in [
            ("marc.dat", 20),
            ("test.dat", 10),
            ("utf8_with_leader_flag.dat", 1),
        ] {
            let bytes = fixture(name);
            let mut reader = MarcReader::new(&bytes, None);
            let (good, bad): (Vec<_>, Vec<_>) = reader.by_ref().partition(Result::is_ok);
            assert!(bad.is_empty(), "{name}: {bad:?}");
            assert_eq!(good.len(), n, "{name}");
            assert_eq!(reader.bytes_read(), bytes.len());
            for r in good.into_iter().flatten() {
                assert!(
                    !r.title.is_empty() && !r.title.ends_with(['/', ':', ' ']),
                    "{name}: {r:?}"
                );
            }
        }
        let (good, _) = read(&fixture("marc.dat"), None);
        let r = &good[0];
        assert_eq!(r.title, "The pragmatic programmer");
        assert_eq!(r.subtitle.as_deref(), Some("from journeyman to master"));
        assert_eq!(r.isbn.as_deref(), Some("020161622X"));
        assert_eq!(r.authors, ["Hunt, Andrew", "Thomas, David"]);
        assert_eq!(r.publisher.as_deref(), Some("Addison-Wesley"));
        assert_eq!(r.pub_year, Some(2000));
        assert_eq!(r.clc_class.as_deref(), Some("QA76.6"));
        assert_eq!(r.subjects, ["Computer programming"]);
        assert_eq!(good[19].title, "ANSI Common Lisp");
        assert_eq!(good[19].isbn.as_deref(), Some("0133708756"));
        assert_eq!(good[19].pub_year, Some(1996));

        let (good, _) = read(&fixture("test.dat"), None);
        assert_eq!(good[0].title, "ActivePerl with ASP and ADO");
        assert_eq!(good[0].isbn.as_deref(), Some("0471383147"));
        assert!(good.iter().any(|r| r.authors == ["Brown, Martin C."]));
    }

    #[test]
    fn marc8_diacritics_come_out_as_unicode() {
        let marc8 = fixture("marc8.dat");
        let utf8 = fixture("utf8_with_leader_flag.dat");
        let (good, bad) = read(&marc8, None);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].title, "Escape from loneliness");
        assert_eq!(good[0].authors, ["Tournier, Paul"]);
        assert_eq!(
            good[0].subjects,
            [
                "Loneliness",
                "Self",
                "Social psychology",
                "Social Isolation"
            ]
        );
        assert_eq!(good, read(&utf8, None).0);
        // 240$a (uniform title) carries the diacritics: the same text as the UTF-8 copy.
        let uniform = |bytes: &[u8]| {
            let (_, fields) = fields(bytes, None).unwrap_or_else(|e| panic!("{e}"));
            first(&fields, "240", 'a')
        };
        let expected = "De la solitude a\u{300} la communaute\u{301}.";
        assert_eq!(uniform(&marc8).as_deref(), Some(expected));
        assert_eq!(uniform(&utf8).as_deref(), Some(expected));
    }

    #[test]
    fn unimarc_is_detected() {
        let bytes = fixture("testunimarc.dat");
        for flavour in [None, Some(Flavour::Unimarc)] {
            let (good, bad) = read(&bytes, flavour);
            assert!(bad.is_empty(), "{bad:?}");
            assert_eq!(good.len(), 1);
            let r = &good[0];
            // 200$a with its non-sorting markers (U+0088/U+0089) dropped.
            assert_eq!(r.title, "L'altra faccia della spirale");
            assert_eq!(r.isbn.as_deref(), Some("88-04-40682-8"));
            assert_eq!(r.authors[..2], ["Asimov, Isaac", "Fruttero, Carlo"]);
            assert_eq!(r.publisher.as_deref(), Some("A. Mondadori"));
            assert_eq!(r.pub_year, Some(1996));
        }
        let (good, bad) = read(&bytes, Some(Flavour::Marc21));
        assert_eq!((good.len(), bad[0].reason.as_str()), (0, NO_TITLE));
    }

    #[test]
    fn broken_fixtures_are_rejected_and_the_rest_read() {
        // Nine records: two good; bad base addresses (99937, 0, "f0037"), directories of 13
        // bytes, one with no fields (so no title) and a truncated last one are rejected.
        let (good, bad) = read(&fixture("bad_records.mrc"), None);
        assert_eq!((good.len(), bad.len()), (2, 7), "{bad:?}");
        assert!(good.iter().all(|r| r.title == "The pragmatic programmer"));
        let positions: Vec<usize> = bad.iter().map(|b| b.position).collect();
        assert_eq!(positions, [2, 3, 4, 5, 6, 7, 9]);
        assert_eq!(bad[0].offset, Some(127));
        assert!(
            bad[0].reason.contains("base address 99937"),
            "{}",
            bad[0].reason
        );
        assert!(
            bad[2].reason.contains("directory length 13"),
            "{}",
            bad[2].reason
        );
        assert!(bad[4].reason.contains("base address is not a number"));
        assert_eq!(bad[5].reason, NO_TITLE);
        assert!(
            bad[6].reason.starts_with("truncated record"),
            "{}",
            bad[6].reason
        );

        // One record whose 020 has no indicators (and a directory tag "0 2"); then padding.
        let (good, bad) = read(&fixture("bad_indicator.dat"), None);
        assert_eq!((good.len(), bad.len()), (0, 1), "{bad:?}");
        assert_eq!((bad[0].position, bad[0].offset), (1, Some(0)));

        // Flagged UTF-8 and valid UTF-8 (a U+FFFD from an earlier conversion sits in 260).
        let mut bytes = fixture("utf8_invalid.mrc");
        let (good, bad) = read(&bytes, None);
        assert_eq!((good.len(), bad.len()), (1, 0));
        assert_eq!(good[0].pub_year, Some(1994));
        // Break that sequence: the record is flagged UTF-8, so it is rejected.
        let at = bytes.windows(3).position(|w| w == [0xEF, 0xBF, 0xBD]);
        bytes[at.unwrap_or_default() + 1] = b'(';
        let (good, bad) = read(&bytes, None);
        assert_eq!(good.len(), 0);
        assert_eq!(bad[0].reason, "invalid UTF-8 in field 260");
    }

    #[test]
    fn resynchronises_after_broken_framing() {
        let good = record(b'a', &[("245", field("10", &[('a', b"Good")]))]);
        // Missing record terminator: the next leader is found at the declared length.
        let mut broken = good.clone();
        *broken.last_mut().unwrap_or(&mut 0) = b'X';
        let (ok, bad) = read(&[broken.as_slice(), &good].concat(), None);
        assert_eq!((ok.len(), bad.len()), (1, 1));
        assert!(bad[0].reason.contains("no record terminator"));
        // An overstated length: resume after the record's own terminator.
        let mut bytes = fixture("marc.dat");
        bytes[3] = b'7'; // 01060 → 01070
        let (ok, bad) = read(&bytes, None);
        assert_eq!((ok.len(), bad.len()), (19, 1));
        assert!(
            bad[0].reason.contains("ends after 1060"),
            "{}",
            bad[0].reason
        );
        // Garbage, whitespace and an end-of-file mark.
        let bytes = [b"junk\x1d\r\n".as_slice(), &good, b"\n\x1a"].concat();
        let (ok, bad) = read(&bytes, None);
        assert_eq!((ok.len(), bad.len()), (1, 1));
        assert!(read(b"  \r\n\x1a", None) == (vec![], vec![]));
    }

    #[test]
    fn truncated_and_mutated_input_never_panics() {
        let bytes = fixture("marc.dat");
        for cut in (0..bytes.len()).step_by(97) {
            let mut reader = MarcReader::new(&bytes[..cut], None);
            let n = reader.by_ref().take(cut + 1).count();
            assert!(n <= 21 && reader.next().is_none() && reader.bytes_read() == cut);
        }
        let mut seed: u32 = 12345;
        let mut rand = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 8) as usize
        };
        for round in 0..30000 {
            let mut m = bytes.clone();
            for _ in 0..1 + round % 16 {
                let at = rand() % m.len();
                m[at] = match rand() % 4 {
                    0 => RECORD_END,
                    1 => FIELD_END,
                    2 => b'0' + (rand() % 10) as u8,
                    _ => rand() as u8,
                };
            }
            let n = MarcReader::new(&m, None).take(m.len() + 1).count();
            assert!(n <= m.len());
        }
    }

    #[test]
    fn cnmarc_in_utf8_and_gb18030() {
        let gb = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
        let utf8 = |s: &str| s.as_bytes().to_vec();
        for enc in [utf8, gb] {
            let copy = |branch: &[u8], barcode: &[u8]| {
                let subs: [(char, &[u8]); 4] = [
                    ('a', branch),
                    ('b', barcode),
                    ('d', b"I247.5"),
                    ('e', b"123"),
                ];
                ("905", field("  ", &subs))
            };
            let rec = record(
                b' ',
                &[
                    ("001", b"012345".to_vec()),
                    (
                        "010",
                        field("  ", &[('a', b"978-7-5366-9293-0"), ('d', b"CNY23.00")]),
                    ),
                    (
                        "100",
                        field("  ", &[('a', b"20080101d2008    em y0chiy50      ea")]),
                    ),
                    (
                        "200",
                        field(
                            "1 ",
                            &[
                                ('a', &enc("三体")),
                                ('e', &enc("地球往事")),
                                ('f', &enc("刘慈欣著")),
                            ],
                        ),
                    ),
                    (
                        "210",
                        field(
                            "  ",
                            &[
                                ('a', &enc("重庆")),
                                ('c', &enc("重庆出版社")),
                                ('d', b"2008.1"),
                            ],
                        ),
                    ),
                    (
                        "330",
                        field("  ", &[('a', &enc("文化大革命如火如荼进行的同时……"))]),
                    ),
                    (
                        "606",
                        field("0 ", &[('a', &enc("科学幻想小说")), ('y', &enc("中国"))]),
                    ),
                    ("606", field("0 ", &[('a', &enc("长篇小说"))])),
                    ("690", field("  ", &[('a', b"I247.5"), ('v', b"5")])),
                    (
                        "701",
                        field(" 0", &[('a', &enc("刘慈欣")), ('4', &enc("著"))]),
                    ),
                    copy(b"ZJG", b"B001"),
                    copy(b"ZJG-JG", b"B002"),
                    ("905", field("  ", &[('a', b"ZJG"), ('d', b"I247.5")])),
                ],
            );
            let (good, bad) = read(&rec, None);
            assert!(bad.is_empty(), "{bad:?}");
            let r = &good[0];
            assert_eq!(r.isbn.as_deref(), Some("978-7-5366-9293-0"));
            assert_eq!(r.title, "三体");
            assert_eq!(r.subtitle.as_deref(), Some("地球往事"));
            assert_eq!(r.authors, ["刘慈欣"]);
            assert_eq!(r.publisher.as_deref(), Some("重庆出版社"));
            assert_eq!(r.pub_year, Some(2008));
            assert_eq!(r.clc_class.as_deref(), Some("I247.5"));
            assert_eq!(r.subjects, ["科学幻想小说", "长篇小说"]);
            assert_eq!(r.summary.as_deref(), Some("文化大革命如火如荼进行的同时……"));
            assert_eq!(r.price_cents, Some(2300));
            let h = |b: &str, c: &str| Holding {
                branch_code: b.into(),
                barcode: c.into(),
                call_number: "I247.5/123".into(),
            };
            assert_eq!(r.holdings, [h("ZJG", "B001"), h("ZJG-JG", "B002")]);
        }
        // Without 7XX the authors come from 200$f; without 210$d the year from 100$a.
        let rec = record(
            b' ',
            &[
                (
                    "100",
                    field("  ", &[('a', b"20080101d1999    em y0chiy50      ea")]),
                ),
                (
                    "200",
                    field(
                        "1 ",
                        &[('a', "活着".as_bytes()), ('f', "余华著; 张三译".as_bytes())],
                    ),
                ),
            ],
        );
        let r = MarcReader::new(&rec, Some(Flavour::Unimarc)).next();
        let r = r.and_then(Result::ok).unwrap_or_default();
        assert_eq!(
            (r.authors, r.pub_year),
            (vec!["余华著".into(), "张三译".into()], Some(1999))
        );
    }

    #[test]
    fn marc21_with_holdings() {
        let rec = record(
            b'a',
            &[
                ("008", b"080101s2008    ch            000 1 chi d".to_vec()),
                (
                    "020",
                    field(
                        "  ",
                        &[('a', b"9787536692930 (pbk.)"), ('c', "¥23.00".as_bytes())],
                    ),
                ),
                ("050", field(" 4", &[('a', b"PL2876.I82")])),
                ("084", field("  ", &[('a', b"I247.5"), ('2', b"CLC")])),
                ("100", field("1 ", &[('a', "刘慈欣,".as_bytes())])),
                (
                    "245",
                    field(
                        "10",
                        &[('a', "三体 :".as_bytes()), ('b', "地球往事 /".as_bytes())],
                    ),
                ),
                (
                    "264",
                    field(
                        " 1",
                        &[('a', "重庆 :".as_bytes()), ('b', "重庆出版社,".as_bytes())],
                    ),
                ),
                (
                    "650",
                    field(
                        " 0",
                        &[('a', b"Science fiction, Chinese."), ('x', b"History")],
                    ),
                ),
                ("700", field("1 ", &[('a', "刘慈欣,".as_bytes())])),
                (
                    "852",
                    field(
                        "  ",
                        &[
                            ('b', b"ZJG"),
                            ('h', b"I247.5"),
                            ('i', b"123"),
                            ('p', b"B001"),
                        ],
                    ),
                ),
                (
                    "852",
                    field(
                        "  ",
                        &[
                            ('b', b"ZJG-JG"),
                            ('h', b"I247.5/123"),
                            ('i', b"x"),
                            ('p', b"B002"),
                        ],
                    ),
                ),
                ("852", field("  ", &[('b', b"ZJG"), ('h', b"I247.5")])),
            ],
        );
        let r = MarcReader::new(&rec, None)
            .next()
            .and_then(Result::ok)
            .unwrap_or_default();
        assert_eq!(r.isbn.as_deref(), Some("9787536692930"));
        assert_eq!(r.price_cents, Some(2300));
        assert_eq!(
            (r.title.as_str(), r.subtitle.as_deref()),
            ("三体", Some("地球往事"))
        );
        assert_eq!(r.authors, ["刘慈欣"]);
        assert_eq!(r.publisher.as_deref(), Some("重庆出版社"));
        assert_eq!(r.pub_year, Some(2008));
        assert_eq!(r.clc_class.as_deref(), Some("I247.5"));
        assert_eq!(r.subjects, ["Science fiction, Chinese"]);
        let calls: Vec<(&str, &str)> = r
            .holdings
            .iter()
            .map(|h| (h.barcode.as_str(), h.call_number.as_str()))
            .collect();
        assert_eq!(calls, [("B001", "I247.5/123"), ("B002", "I247.5/123")]);
        assert_eq!(r.holdings[1].branch_code, "ZJG-JG");
    }

    #[test]
    fn bad_fields_are_reported() {
        let title = ("245", field("10", &[('a', b"T")]));
        let cases: [(Vec<u8>, &str); 3] = [
            (
                record(b'a', &[title.clone(), ("650", b"\x1fa".to_vec())]),
                "field 650 has bad indicators",
            ),
            (
                record(b'a', &[title.clone(), ("6 0", field("  ", &[]))]),
                "bad tag \"6 0\"",
            ),
            (
                record(b'a', &[("650", field(" 0", &[('a', b"x")]))]),
                NO_TITLE,
            ),
        ];
        for (rec, reason) in cases {
            let r = MarcReader::new(&rec, None).next();
            let reject = r
                .and_then(Result::err)
                .map(|e| e.reason)
                .unwrap_or_default();
            assert!(reject.contains(reason), "{reject}");
        }
        // A directory entry pointing outside the record.
        let mut rec = record(b'a', &[title]);
        rec[LEADER + 7..LEADER + 12].copy_from_slice(b"00900");
        let reject = read(&rec, None)
            .1
            .pop()
            .map(|e| e.reason)
            .unwrap_or_default();
        assert!(reject.contains("outside the record"), "{reject}");
    }

    #[test]
    fn helpers() {
        assert_eq!(clean(" Escape from loneliness /"), "Escape from loneliness");
        assert_eq!(clean("Gatewood, Willard B."), "Gatewood, Willard B.");
        assert_eq!(clean("Lutz, Mark."), "Lutz, Mark");
        assert_eq!(clean("Hunt, Andrew,"), "Hunt, Andrew");
        assert_eq!(clean("Design patterns :"), "Design patterns");
        assert_eq!(clean("... [et al.]."), "... [et al.]");
        for (s, cents) in [
            ("CNY23.00", 2300),
            ("¥23.00", 2300),
            ("$15.95", 1595),
            ("23.00元", 2300),
            ("CNY1,280.5", 128_050),
            ("CNY12", 1200),
        ] {
            assert_eq!(price(s), Some(cents), "{s}");
        }
        assert_eq!(price("free"), None);
        assert_eq!(price("CNY99999999999.00"), None);
        assert_eq!(year("c1990."), Some(1990));
        assert_eq!(year("[19--?], 2008"), Some(2008));
        assert_eq!(year("uuuu"), None);
        assert_eq!(
            isbn("7-5366-9293-5 : CNY23.00").as_deref(),
            Some("7-5366-9293-5")
        );
        assert_eq!(
            isbn("ISBN 978-7-5366-9293-0").as_deref(),
            Some("978-7-5366-9293-0")
        );
        assert_eq!(isbn("(pbk.)"), None);
    }

    #[test]
    fn flavours_parse() {
        assert_eq!("CNMARC".parse::<Flavour>().ok(), Some(Flavour::Unimarc));
        assert_eq!("unimarc".parse::<Flavour>().ok(), Some(Flavour::Unimarc));
        assert_eq!("MARC21".parse::<Flavour>().ok(), Some(Flavour::Marc21));
        assert!("ukmarc".parse::<Flavour>().is_err());
    }
}
