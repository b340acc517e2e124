//! ISBN as a domain type: ISBN-10 or ISBN-13 in, checksum verified, always 13 digits out.

use std::fmt;

use crate::{Error, Result};

/// A valid ISBN, normalised to 13 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isbn13(String);

fn check13(d: &[u8]) -> u8 {
    let sum: u32 = d
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, &x)| u32::from(x) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

fn check10(d: &[u8]) -> u8 {
    let sum: u32 = d
        .iter()
        .take(9)
        .enumerate()
        .map(|(i, &x)| u32::from(x) * (10 - i as u32))
        .sum();
    u8::try_from((11 - sum % 11) % 11).unwrap_or(0)
}

impl Isbn13 {
    /// Parses an ISBN-10 or ISBN-13 as typed or printed (hyphens and spaces allowed).
    ///
    /// # Errors
    /// VALIDATION for a wrong length, stray characters or a wrong check digit.
    pub fn parse(s: &str) -> Result<Self> {
        let compact: Vec<char> = s
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .collect();
        let digits = |cs: &[char]| {
            cs.iter()
                .map(|c| c.to_digit(10).and_then(|d| u8::try_from(d).ok()))
                .collect::<Option<Vec<u8>>>()
        };
        match compact.len() {
            13 => {
                let d =
                    digits(&compact).ok_or_else(|| Error::validation(text!("isbn13-digits")))?;
                if !(d.starts_with(&[9, 7, 8]) || d.starts_with(&[9, 7, 9])) {
                    return Err(Error::validation(text!("isbn13-prefix")));
                }
                if check13(&d) != d[12] {
                    return Err(Error::validation(text!("isbn-check-digit")));
                }
                Ok(Isbn13(compact.iter().collect()))
            }
            10 => {
                let d = digits(&compact[..9])
                    .ok_or_else(|| Error::validation(text!("isbn10-digits")))?;
                let last = match compact[9] {
                    'X' | 'x' => 10,
                    c => c
                        .to_digit(10)
                        .and_then(|d| u8::try_from(d).ok())
                        .ok_or_else(|| Error::validation(text!("isbn10-digits")))?,
                };
                if check10(&d) != last {
                    return Err(Error::validation(text!("isbn-check-digit")));
                }
                let mut d13 = vec![9, 7, 8];
                d13.extend(d);
                d13.push(check13(&d13));
                Ok(Isbn13(d13.iter().map(|x| char::from(b'0' + x)).collect()))
            }
            _ => Err(Error::validation(text!("isbn-length"))),
        }
    }

    /// The ISBN-looking text at the start of a catalogue field such as MARC 020$a / 010$a,
    /// where it is often followed by a qualifier or a price: `"9787536692930 (pbk.)"`,
    /// `"7-5366-9293-5 : CNY23.00"`. Takes the leading run of digits, hyphens and `X` (after an
    /// optional `ISBN` label) without validating it, so an importer can report a bad one.
    pub fn leading(text: &str) -> Option<&str> {
        let text = text.trim_start();
        let text = match text.get(..4) {
            Some(label) if label.eq_ignore_ascii_case("isbn") => {
                text[4..].trim_start_matches([':', '：', ' '])
            }
            _ => text,
        };
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | 'X' | 'x')))
            .unwrap_or(text.len());
        let token = text[..end].trim_matches('-');
        (!token.is_empty()).then_some(token)
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISBN-10 form, for 978 ISBNs.
    pub fn to_isbn10(&self) -> Option<String> {
        let body = self.0.strip_prefix("978")?;
        let d: Vec<u8> = body.bytes().take(9).map(|b| b - b'0').collect();
        let c = check10(&d);
        Some(format!(
            "{}{}",
            &body[..9],
            if c == 10 { 'X' } else { char::from(b'0' + c) }
        ))
    }
}

impl fmt::Display for Isbn13 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn isbn13_from(body: &[u8]) -> String {
        let mut d = vec![9, 7, 8];
        d.extend_from_slice(body);
        d.push(check13(&d));
        d.iter().map(|x| char::from(b'0' + x)).collect()
    }

    proptest! {
        #[test]
        fn isbn10_to_13_and_back(body in prop::collection::vec(0u8..10, 9)) {
            let c = check10(&body);
            let ten: String = body.iter().map(|x| char::from(b'0' + x)).chain([if c == 10 { 'X' } else { char::from(b'0' + c) }]).collect();
            let isbn = Isbn13::parse(&ten).expect("valid ISBN-10");
            prop_assert_eq!(isbn.to_isbn10(), Some(ten));
        }

        #[test]
        fn hyphens_anywhere_are_ignored(body in prop::collection::vec(0u8..10, 9), cuts in prop::collection::vec(0usize..13, 0..4)) {
            let plain = isbn13_from(&body);
            let mut hyphenated = plain.clone();
            let mut cuts = cuts;
            cuts.sort_unstable();
            for at in cuts.into_iter().rev() {
                hyphenated.insert(at, '-');
            }
            let parsed = Isbn13::parse(&hyphenated).expect("valid");
            prop_assert_eq!(parsed.as_str(), plain.as_str());
        }

        #[test]
        fn one_changed_digit_breaks_the_checksum(body in prop::collection::vec(0u8..10, 9), at in 0usize..13, delta in 1u8..10) {
            let plain = isbn13_from(&body);
            let mut bytes = plain.into_bytes();
            bytes[at] = b'0' + (bytes[at] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert!(Isbn13::parse(&changed).is_err());
        }
    }

    #[test]
    fn forms_of_one_isbn() {
        for s in [
            "978-7-5366-9293-0",
            "7536692935",
            "7-5366-9293-5",
            "978 7 5366 9293 0",
        ] {
            assert_eq!(Isbn13::parse(s).expect(s).as_str(), "9787536692930");
        }
        assert_eq!(
            Isbn13::parse("7-5063-4307-X").expect("x").as_str(),
            "9787506343077"
        );
        assert_eq!(
            Isbn13::parse("9787506343077")
                .expect("13")
                .to_isbn10()
                .as_deref(),
            Some("750634307X")
        );
        for bad in ["9787536692931", "753669293X", "12345", "97875366929a0", ""] {
            assert!(Isbn13::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn isbn_979_and_other_prefixes() {
        let isbn = Isbn13::parse("979-10-90636-07-1").expect("979 is a valid prefix");
        assert_eq!(isbn.as_str(), "9791090636071");
        assert_eq!(isbn.to_isbn10(), None);
        assert!(
            Isbn13::parse("9791090636072").is_err(),
            "979 with a wrong check digit"
        );
        assert!(
            Isbn13::parse("9771090636071").is_err(),
            "977 is not an ISBN prefix"
        );
        assert!(Isbn13::parse("978-7-5366-9293-0-1").is_err(), "14 digits");
        assert!(Isbn13::parse("978_7536692930").is_err(), "underscore");
        assert!(
            Isbn13::parse("75366929X5").is_err(),
            "X only as the last ISBN-10 digit"
        );
        assert!(
            Isbn13::parse("978753669293X").is_err(),
            "no X in an ISBN-13"
        );
        assert_eq!(
            Isbn13::parse("7-5063-4307-x")
                .expect("lower-case x")
                .as_str(),
            "9787506343077"
        );
        assert_eq!(
            Isbn13::parse("9787536692930").expect("valid").to_string(),
            "9787536692930"
        );
    }

    #[test]
    fn isbn_found_in_marc_fields() {
        for field in [
            "9787536692930 (pbk.)",
            "7-5366-9293-5 : CNY23.00",
            "  978-7-5366-9293-0",
            "7536692935(精装)",
            "ISBN 978-7-5366-9293-0",
            "isbn:7536692935",
        ] {
            assert_eq!(
                Isbn13::leading(field)
                    .and_then(|t| Isbn13::parse(t).ok())
                    .map(|i| i.as_str().to_owned())
                    .as_deref(),
                Some("9787536692930"),
                "{field:?}"
            );
        }
        assert_eq!(
            Isbn13::leading("7-5063-4307-X : CNY12.80")
                .and_then(|t| Isbn13::parse(t).ok())
                .map(|i| i.to_string())
                .as_deref(),
            Some("9787506343077")
        );
        for field in [
            "",
            "(pbk.)",
            "CNY23.00",
            "9787536692931 (pbk.)",
            "12345 : CNY1",
        ] {
            assert_eq!(
                Isbn13::leading(field).and_then(|t| Isbn13::parse(t).ok()),
                None,
                "{field:?}"
            );
        }
    }
}
