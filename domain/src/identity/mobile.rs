//! Mainland mobile numbers: eleven digits beginning 13–19 (a `+86` or `86` prefix and
//! spaces or hyphens allowed as typed). Personal data: never logged.

use crate::{Error, Result};

/// A valid mainland mobile number, digits only.
#[derive(Clone, PartialEq, Eq)]
pub struct Mobile(String);

impl std::fmt::Debug for Mobile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mobile({})", super::id_number::mask(&self.0))
    }
}

impl Mobile {
    /// Parses what a reader typed.
    ///
    /// # Errors
    /// VALIDATION for anything but an 11-digit number beginning 13–19.
    pub fn parse(input: &str) -> Result<Self> {
        let digits: String = input
            .trim()
            .trim_start_matches('+')
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let digits = match digits.strip_prefix("86") {
            Some(rest) if rest.len() == 11 => rest.to_owned(),
            _ => digits,
        };
        let ok = digits.len() == 11
            && digits.chars().all(|c| c.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if ok {
            Ok(Mobile(digits))
        } else {
            Err(Error::validation("手机号应为 11 位数字，以 13–19 开头"))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_numbers() {
        for ok in ["13812345678", "+86 138 1234 5678", "86-19912345678"] {
            assert!(Mobile::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1381234567",
            "12812345678",
            "23812345678",
            "1381234567a",
        ] {
            assert!(Mobile::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            format!("{:?}", Mobile::parse("13812345678").expect("ok")),
            "Mobile(138****5678)"
        );
    }
}
