//! Mainland resident identity card numbers (GB 11643-1999): 17 digits and a check character.
//!
//! Parsed once into [`IdNumber`], whose only constructor checks the form, the birth date and
//! the check character, so a number in one is valid everywhere. It is personal data: its
//! `Debug` shows the masked form, the database keeps a keyed hash (one ID, one card) and the
//! masked form, and nothing ever prints it whole.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Error, Result};

/// Weights of the 17 digits in the check sum.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum modulo 11.
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid 18-character ID number, upper-case `X`.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    /// Parses what a reader typed (spaces and a lower-case `x` allowed).
    ///
    /// # Errors
    /// VALIDATION saying what is wrong: length, characters, birth date or check character.
    pub fn parse(input: &str, now: DateTime<Utc>) -> Result<Self> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(Error::validation(text!("id-number-length")));
        }
        let digits: Vec<u32> = chars[..17].iter().filter_map(|c| c.to_digit(10)).collect();
        if digits.len() != 17 || !(chars[17].is_ascii_digit() || chars[17] == 'X') {
            return Err(Error::validation(text!("id-number-characters")));
        }
        let birth: String = chars[6..14].iter().collect();
        let born = NaiveDate::parse_from_str(&birth, "%Y%m%d")
            .ok()
            .filter(|d| d.year() >= 1900 && *d <= crate::china_time::date_of(now));
        if born.is_none() || digits[0] == 0 {
            return Err(Error::validation(text!("id-number-region-or-birth")));
        }
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        if CHECK[usize::try_from(sum % 11).unwrap_or(0)] != chars[17] {
            return Err(Error::validation(text!("id-number-check-character")));
        }
        Ok(IdNumber(s))
    }

    /// The form staff and lists may show: the first three and last four characters.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// What the database keeps to find a second application with the same number: a keyed
    /// hash (numbers are few enough to be tried offline against a plain hash).
    pub fn lookup_hash(&self, secret: &[u8]) -> String {
        // An HMAC key may have any length: `new_from_slice` cannot fail for HMAC.
        let mut m = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
        m.update(b"id-number\0");
        m.update(self.0.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }
}

/// `text` with all but its first three and last four characters hidden.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 7;
    format!(
        "{}{}{}",
        chars[..3].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The day these tests are judged on.
    fn at() -> DateTime<Utc> {
        "2026-12-04T00:00:00Z".parse().expect("an instant")
    }

    /// A valid number for a birth date, with its check character computed.
    fn valid(body17: &str) -> String {
        let sum: u32 = body17
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip(WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        format!("{body17}{}", CHECK[(sum % 11) as usize])
    }

    #[test]
    fn the_check_character_decides() {
        let good = valid("32058219900307123");
        assert!(IdNumber::parse(&good, at()).is_ok(), "{good}");
        assert!(IdNumber::parse(&good.to_lowercase(), at()).is_ok());
        assert!(IdNumber::parse(&format!(" {} ", good), at()).is_ok());
        let last = good.chars().last().unwrap_or('0');
        let wrong = if last == '1' { '2' } else { '1' };
        let bad = format!("{}{wrong}", &good[..17]);
        assert!(IdNumber::parse(&bad, at()).is_err(), "{bad}");
        // The published example of the standard: 11010519491231002X.
        assert!(IdNumber::parse("11010519491231002X", at()).is_ok());
    }

    #[test]
    fn malformed_numbers_and_dates_are_refused() {
        for bad in [
            "",
            "1234",
            "32058219900307123A1",
            "3205821990030712AX",
            &valid("32058219901307123"),
            &valid("32058218500307123"),
            &valid("32058229990307123"),
            &valid("02058219900307123"),
        ] {
            assert!(IdNumber::parse(bad, at()).is_err(), "{bad}");
        }
    }

    #[test]
    fn it_never_shows_whole() {
        let id = IdNumber::parse("11010519491231002X", at()).expect("valid");
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110***********002X)");
        let h = id.lookup_hash(b"k");
        assert_eq!(h.len(), 64);
        assert_ne!(h, id.lookup_hash(b"other"));
    }
}
