//! Argon2id hashing for reader PINs and staff passwords (PHC strings in the database), and
//! the strength a staff password needs ([`require_strong`]).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::{Error, Result};

/// Shortest staff password, in characters (spaces around it not counted).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Passwords common in China that the estimator's (English) dictionaries rank too well.
const COMMON_HERE: &[&str] = &[
    "woaini1314",
    "woaini520",
    "woaini123",
    "woaini1314520",
    "5201314520",
    "1314520520",
    "aini1314520",
    "qq123456789",
    "wang123456",
    "zhang123456",
    "li123456789",
    "abc123456789",
    "a1234567890",
    "123456789a",
    "1234567890a",
    "123456qwer",
    "qwer123456",
    "tushuguan123",
    "library123",
    "admin123456",
    "admin@123456",
    "hongyan123",
];

/// Refuses a staff password that is short, common or easy to guess: at least
/// [`MIN_PASSWORD_CHARS`] characters, not on a common-password list, and rated "safely
/// unguessable" (zxcvbn score 3: over 10^8 guesses) with `context` (the user name) and the
/// library's own words counted as known to an attacker.
///
/// # Errors
/// VALIDATION saying what is wrong.
pub fn require_strong(secret: &str, context: &[&str]) -> Result<()> {
    if secret.trim().chars().count() < MIN_PASSWORD_CHARS {
        return Err(
            Error::validation(text!("password-too-short", min = MIN_PASSWORD_CHARS))
                .in_field("password"),
        );
    }
    let lower = secret.to_lowercase();
    let names_itself = context
        .iter()
        .any(|c| c.chars().count() >= 3 && lower.contains(&c.to_lowercase()));
    if names_itself {
        return Err(Error::validation(text!("password-has-username")).in_field("password"));
    }
    let mut known: Vec<&str> = context.to_vec();
    known.extend(["hongyan", "鸿雁", "library", "tushuguan", "图书馆"]);
    let weak = COMMON_HERE.contains(&lower.as_str())
        || zxcvbn::zxcvbn(secret, &known).score() < zxcvbn::Score::Three;
    if weak {
        return Err(Error::validation(text!("password-too-weak")).in_field("password"));
    }
    Ok(())
}

/// Hashes a secret with argon2id and a random salt.
///
/// # Errors
/// [`Error::Internal`] if hashing fails (it does not with the default parameters).
pub fn hash(secret: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(anyhow::anyhow!("argon2: {e}")))
}

/// True when `secret` matches the stored PHC string. A malformed hash never matches.
pub fn verify(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A well-formed hash that matches nothing a user types, verified against when the account
/// does not exist, so an unknown name answers as slowly as a wrong password.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1c7u9Qzg6+3fNQ4tRCOxnbcDdHzUSUkbZQdvhtvmxKY";

/// Verifies off the async executor (argon2 takes tens of milliseconds of CPU).
/// `phc: None` (no such account) spends the same time and answers false.
pub async fn check(secret: &str, phc: Option<&str>) -> bool {
    let secret = secret.to_owned();
    let (phc, real) = match phc {
        Some(p) => (p.to_owned(), true),
        None => (DUMMY.to_owned(), false),
    };
    tokio::task::spawn_blocking(move || verify(&secret, &phc) && real)
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = hash("123456").expect("hash");
        assert!(verify("123456", &h));
        assert!(!verify("123457", &h));
        assert!(!verify("123456", "not a hash"));
    }

    #[test]
    fn weak_staff_passwords_are_refused() {
        for weak in [
            "12345678",
            "password",
            "        ",
            "          x",
            "1234567890",
            "qwertyuiop",
            "password123",
            "woaini1314",
            "admin-admin",
            "hongyan-admin",
            "long-enough",
            "pick-pick-pick",
        ] {
            assert!(require_strong(weak, &["admin"]).is_err(), "{weak:?}");
        }
        for strong in [
            "correct horse",
            "desk-pass-2468",
            "Zhangjiagang2026",
            "pick-shelf-2468",
        ] {
            assert!(require_strong(strong, &["picker"]).is_ok(), "{strong:?}");
        }
    }

    #[test]
    fn the_dummy_costs_what_a_real_hash_costs() {
        // Unknown accounts are verified against DUMMY: it must parse and carry the very
        // parameters real hashes get, or an unknown name would answer faster.
        let dummy = PasswordHash::new(DUMMY).expect("the dummy parses");
        let real_hash = hash("123456").expect("hash");
        let real = PasswordHash::new(&real_hash).expect("parses");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.params, real.params);
        assert_eq!(dummy.version, real.version);
    }
}
