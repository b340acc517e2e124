//! Argon2id hashing for reader PINs and staff passwords (PHC strings in the database).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::{Error, Result};

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
