//! Pickup codes (6 digits, one active per parcel) and return drop codes (8 digits, one per
//! return ticket): never stored.
//!
//! A code is derived from the server secret, the request and the code's generation (HMAC),
//! so the platform can show it to its reader again without keeping it; a resend moves to the
//! next generation and the old code stops working. The database keeps only a keyed hash of
//! (locker, code) to find the parcel when a reader types it at the locker: a stolen database
//! copy reveals no code, and without the secret 6 digits cannot be tried offline.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // An HMAC key may have any length: `new_from_slice` cannot fail for HMAC.
    let mut m = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    for p in parts {
        m.update(p);
        m.update(&[0]);
    }
    m.finalize().into_bytes().into()
}

/// The pickup code of `request` at `generation`: six digits, leading zeros kept.
pub fn code(secret: &[u8], request: Uuid, generation: i32) -> String {
    let d = mac(
        secret,
        &[
            b"pickup-code",
            request.as_bytes(),
            &generation.to_be_bytes(),
        ],
    );
    let n = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 1_000_000;
    format!("{n:06}")
}

/// What the database stores to find the parcel for `code` typed at `locker`.
pub fn lookup_hash(secret: &[u8], locker: Uuid, code: &str) -> String {
    hex::encode(mac(
        secret,
        &[b"pickup-lookup", locker.as_bytes(), code.as_bytes()],
    ))
}

/// The drop code of return ticket `ticket`: eight digits, leading zeros kept.
pub fn drop_code(secret: &[u8], ticket: Uuid) -> String {
    let d = mac(secret, &[b"drop-code", ticket.as_bytes()]);
    let n = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 100_000_000;
    format!("{n:08}")
}

/// What the database stores to find the return ticket of drop code `code` (drop codes are
/// unique among tickets, so the locker is not part of it).
pub fn drop_lookup_hash(secret: &[u8], code: &str) -> String {
    hex::encode(mac(secret, &[b"drop-lookup", code.as_bytes()]))
}

/// Whether `s` has the form of a pickup code (exactly six ASCII digits).
pub fn well_formed(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_stable_and_change_with_the_generation() {
        let r = Uuid::from_u128(42);
        let c = code(b"secret", r, 0);
        assert!(well_formed(&c), "{c}");
        assert_eq!(c, code(b"secret", r, 0));
        assert_ne!(c, code(b"secret", r, 1));
        assert_ne!(c, code(b"other secret", r, 0));
        assert_ne!(
            lookup_hash(b"secret", r, &c),
            lookup_hash(b"secret", Uuid::from_u128(7), &c)
        );
        assert!(!well_formed("12345"));
        assert!(!well_formed("12345a"));
        assert!(!well_formed("１２３４５６"));
    }

    #[test]
    fn drop_codes_are_eight_digits_and_only_their_keyed_hash_is_kept() {
        let t = Uuid::from_u128(9);
        let c = drop_code(b"secret", t);
        assert!(c.len() == 8 && c.bytes().all(|b| b.is_ascii_digit()), "{c}");
        assert_eq!(c, drop_code(b"secret", t));
        assert_ne!(c, drop_code(b"other", t));
        let h = drop_lookup_hash(b"secret", &c);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&c));
        assert_ne!(h, drop_lookup_hash(b"other", &c));
    }
}
