//! Character sets found in MARC records: UTF-8, GB18030 (CNMARC from older Chinese systems)
//! and MARC-8 (older MARC21: ASCII plus ANSEL diacritics and special letters).
//!
//! Decoding never fails: what cannot be decoded becomes U+FFFD, so a record from an odd
//! system is imported with a visible flaw instead of stopping the import.

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

/// Decodes MARC-8 text. Combining marks, which MARC-8 writes before their base letter, are
/// moved after it as Unicode requires. Escapes to other character sets (e.g. EACC for CJK)
/// are not supported: their characters become U+FFFD until the escape back to ASCII.
pub fn marc8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut pending: Vec<char> = Vec::new();
    let mut other_set = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == 0x1B {
            // ESC ( B and ESC s return to ASCII; anything else switches away from it.
            let next = bytes.get(i).copied();
            let (len, back) = match next {
                Some(b's') => (1, true),
                // G0 (`(`, `,`) or G1 (`)`, `-`): ASCII `B` and ANSEL `E` are what we read.
                Some(b'(' | b',' | b')' | b'-') => {
                    (2, matches!(bytes.get(i + 1), Some(b'B' | b'E')))
                }
                Some(b'$') => (
                    if matches!(bytes.get(i + 1), Some(b',' | b')' | b'(')) {
                        3
                    } else {
                        2
                    },
                    false,
                ),
                _ => (1, false),
            };
            i += len;
            other_set = !back;
            continue;
        }
        if other_set {
            out.push(if b > 0x20 {
                char::REPLACEMENT_CHARACTER
            } else {
                char::from(b)
            });
            continue;
        }
        match b {
            0x00..=0x7F => {
                out.push(char::from(b));
                out.extend(pending.drain(..));
            }
            _ => {
                if let Some(mark) = ansel_combining(b) {
                    pending.push(mark);
                } else {
                    out.push(ansel_spacing(b).unwrap_or(char::REPLACEMENT_CHARACTER));
                    out.extend(pending.drain(..));
                }
            }
        }
    }
    out.extend(pending);
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
        assert_eq!(marc8(b"\xA5sop"), "Æsop");
        assert_eq!(
            marc8(b"a\x1B$1\x21\x30\x21\x1B(Bz"),
            "a\u{FFFD}\u{FFFD}\u{FFFD}z"
        );
        // Designating ANSEL as G1 explicitly changes nothing; Greek keeps its spaces.
        assert_eq!(marc8(b"\x1B)Ecaf\xE2e"), "cafe\u{301}");
        assert_eq!(marc8(b"\x1B(Sab c\x1B(Bd"), "\u{FFFD}\u{FFFD} \u{FFFD}d");
    }

    #[test]
    fn gb18030_decodes_chinese() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("三体");
        assert_eq!(gb18030(&bytes), "三体");
    }
}
