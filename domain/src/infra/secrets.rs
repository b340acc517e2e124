//! Random secrets and one-way hashes for tokens that are stored only as hashes
//! (refresh tokens, locker device tokens, pickup codes).

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    buf
}

/// A URL-safe random token carrying 256 bits of entropy.
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// The SHA-256 of a high-entropy token, hex-encoded: what the database stores.
///
/// Plain SHA-256 is right here (not a password hash) because the tokens are random and long.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `n` random decimal digits (a code people type on a keypad).
pub fn random_digits(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}
