//! Character sets found in MARC records: UTF-8, GB18030 (CNMARC from older Chinese systems)
//! and MARC-8 (older MARC21: ASCII plus ANSEL diacritics and special letters).
//!
//! Decoding never fails: what cannot be decoded becomes U+FFFD, so a record from an odd
//! system is imported with a visible flaw instead of stopping the import.

const ESC: u8 = 0x1B;

/// MARC-8's ANSEL spacing characters (0xA1–0xC8).
fn ansel_spacing(b: u8) -> Option<char> {
    Some(match b {
        0xA1 => 'Ł',
        0xA2 => 'Ø',
        0xA3 => 'Đ',
        0xA4 => 'Þ',
        0xA5 => 'Æ',
        0xA6 => 'Œ',
        0xA7 => 'ʹ',
        0xA8 => '·',
        0xA9 => '♭',
        0xAA => '®',
        0xAB => '±',
        0xAC => 'Ơ',
        0xAD => 'Ư',
        0xAE => 'ʼ',
        0xB0 => 'ʻ',
        0xB1 => 'ł',
        0xB2 => 'ø',
        0xB3 => 'đ',
        0xB4 => 'þ',
        0xB5 => 'æ',
        0xB6 => 'œ',
        0xB7 => 'ʺ',
        0xB8 => 'ı',
        0xB9 => '£',
        0xBA => 'ð',
        0xBC => 'ơ',
        0xBD => 'ư',
        0xC0 => '°',
        0xC1 => 'ℓ',
        0xC2 => '℗',
        0xC3 => '©',
        0xC4 => '♯',
        0xC5 => '¿',
        0xC6 => '¡',
        0xC7 => 'ß',
        0xC8 => '€',
        _ => return None,
    })
}

/// MARC-8's ANSEL combining diacritics (0xE0–0xFE), as Unicode combining marks.
fn ansel_combining(b: u8) -> Option<char> {
    Some(match b {
        0xE0 => '\u{0309}',
        0xE1 => '\u{0300}',
        0xE2 => '\u{0301}',
        0xE3 => '\u{0302}',
        0xE4 => '\u{0303}',
        0xE5 => '\u{0304}',
        0xE6 => '\u{0306}',
        0xE7 => '\u{0307}',
        0xE8 => '\u{0308}',
        0xE9 => '\u{030C}',
        0xEA => '\u{030A}',
        0xEB => '\u{FE20}',
        0xEC => '\u{FE21}',
        0xED => '\u{0315}',
        0xEE => '\u{030B}',
        0xEF => '\u{0310}',
        0xF0 => '\u{0327}',
        0xF1 => '\u{0328}',
        0xF2 => '\u{0323}',
        0xF3 => '\u{0324}',
        0xF4 => '\u{0325}',
        0xF5 => '\u{0333}',
        0xF6 => '\u{0332}',
        0xF7 => '\u{0326}',
        0xF8 => '\u{031C}',
        0xF9 => '\u{032E}',
        0xFA => '\u{FE22}',
        0xFB => '\u{FE23}',
        0xFE => '\u{0313}',
        _ => return None,
    })
}

/// Which graphic set an escape sequence selected.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Set {
    /// ASCII in G0, ANSEL in G1: the default.
    Latin,
    /// Another single-byte set (Greek, Cyrillic, Hebrew, Arabic, sub/superscripts…).
    Other,
    /// A three-byte set (EACC, for CJK).
    Multibyte,
}

/// Reads an escape sequence starting after ESC; returns its length and the set it selects.
fn escape(rest: &[u8]) -> (usize, Set) {
    // Final bytes: 'B' (ASCII), 'E' (ANSEL), 's' (back to ASCII) keep Latin text.
    let latin = |b: Option<&u8>| {
        if matches!(b, Some(b'B' | b'E' | b's')) {
            Set::Latin
        } else {
            Set::Other
        }
    };
    match rest.first() {
        Some(b'(' | b',' | b')' | b'-') => (2, latin(rest.get(1))),
        Some(b'$') => match rest.get(1) {
            Some(b',' | b'(' | b')' | b'-') => (3, Set::Multibyte),
            _ => (2, Set::Multibyte),
        },
        Some(b'g' | b'b' | b'p') => (1, Set::Other),
        Some(b's') => (1, Set::Latin),
        _ => (0, Set::Other),
    }
}

/// Decodes MARC-8 text. Combining marks, which MARC-8 writes before their base letter, are
/// moved after it as Unicode requires. Escapes to other character sets (e.g. EACC for CJK)
/// are not supported: their characters become U+FFFD until the escape back to ASCII.
pub fn marc8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut marks: Vec<char> = Vec::new();
    let mut set = Set::Latin;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let c = match b {
            ESC => {
                let (len, next) = escape(bytes.get(i..).unwrap_or_default());
                i += len;
                set = next;
                continue;
            }
            // Controls (including subfield delimiters) and spaces whatever the set.
            0x00..=0x20 => char::from(b),
            _ if set == Set::Multibyte => {
                i += 2;
                char::REPLACEMENT_CHARACTER
            }
            _ if set == Set::Other => char::REPLACEMENT_CHARACTER,
            0x21..=0x7F => char::from(b),
            0x8D => '\u{200D}',
            0x8E => '\u{200C}',
            // Other C1 controls, e.g. 0x88/0x89 (non-sorting markers): kept, dropped later.
            0x80..=0x9F => char::from(b),
            _ => {
                if let Some(mark) = ansel_combining(b) {
                    marks.push(mark);
                    continue;
                }
                ansel_spacing(b).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
        };
        out.push(c);
        out.extend(marks.drain(..));
    }
    out.extend(marks);
    out
}

/// Decodes GB18030 (a superset of GBK and GB2312).
pub fn gb18030(bytes: &[u8]) -> String {
    encoding_rs::GB18030
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marc8_moves_diacritics_after_their_letter() {
        assert_eq!(marc8(b"Caf\xE2e"), "Cafe\u{301}");
        assert_eq!(marc8(b"\xA5sop \xB2re \xC3 1999"), "Æsop øre © 1999");
        assert_eq!(marc8(b"\xE1\xE8a"), "a\u{300}\u{308}");
        assert_eq!(marc8(b"x\xE2"), "x\u{301}");
    }

    #[test]
    fn marc8_other_sets_become_replacement_characters() {
        // EACC (three bytes a character), then back to ASCII.
        assert_eq!(
            marc8(b"a\x1B$1\x21\x30\x21\x21\x30\x22\x1B(Bz"),
            "a\u{FFFD}\u{FFFD}z"
        );
        // Greek, with a subfield delimiter kept in place.
        assert_eq!(
            marc8(b"\x1B(Sab\x1Fc\x1B(Bd"),
            "\u{FFFD}\u{FFFD}\u{1F}\u{FFFD}d"
        );
        // Unknown bytes and a truncated escape never crash.
        assert_eq!(marc8(b"\xFF\xAF\x1B"), "\u{FFFD}\u{FFFD}");
        assert_eq!(marc8(b"\x1B$"), "");
    }

    #[test]
    fn gb18030_decodes_chinese() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("三体");
        assert_eq!(gb18030(&bytes), "三体");
        assert_eq!(gb18030(b"\x1Fa\xC8\xFD"), "\u{1F}a三");
    }
}
