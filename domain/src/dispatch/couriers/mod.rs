//! Couriers to the reader's door. A courier company is one implementation of [`Courier`]
//! (one file): [`http::HttpCourier`] speaks the signed JSON API at
//! `HONGYAN_COURIER_API_BASE`; [`manual::ManualCourier`] is for libraries whose own staff
//! deliver. Requests to and webhooks from a courier are signed alike ([`sign`]): header
//! `X-Hongyan-Timestamp` (Unix seconds) and `X-Hongyan-Signature`, the hex HMAC-SHA256 of
//! `"{timestamp}.{body}"` under `HONGYAN_COURIER_SECRET`.

pub mod http;
pub mod manual;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::config::Config;

/// Header carrying the signing time.
pub const TIMESTAMP_HEADER: &str = "x-hongyan-timestamp";
/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-hongyan-signature";
/// How far a signed message's time may be from ours.
pub const MAX_SKEW_SECS: i64 = 300;

/// A parcel to carry: to a reader's door, or back from it (a return pickup). Personal data
/// in it is sent to the courier and never logged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Our shipment id: the courier deduplicates by it, so retries book one waybill.
    pub order_id: String,
    /// Sender (a branch, or the reader for a return pickup).
    pub sender_name: String,
    /// Sender's phone (empty for a branch).
    pub sender_phone: String,
    /// Where the courier collects the parcel.
    pub sender_address: String,
    /// Recipient.
    pub recipient_name: String,
    /// Recipient's phone.
    pub recipient_phone: String,
    /// Recipient's address.
    pub recipient_address: String,
    /// What is inside (the book's barcode).
    pub parcel: String,
}

/// A booked waybill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waybill {
    /// The courier's waybill number.
    pub number: String,
    /// What the courier charges, in cents.
    pub fee_cents: i32,
}

/// A courier company.
#[async_trait]
pub trait Courier: Send + Sync {
    /// Its name, stored on shipments and shown to readers.
    fn name(&self) -> &str;

    /// Books a waybill for `order` (the same order id twice gives the same waybill).
    ///
    /// # Errors
    /// Any failure to get a waybill: the job retries with backoff.
    async fn book(&self, order: &Order) -> anyhow::Result<Waybill>;
}

/// The courier the configuration names: the HTTP courier when `HONGYAN_COURIER_API_BASE`
/// is set, else the library's own staff.
///
/// # Errors
/// When the HTTP client cannot be built.
pub fn from_config(config: &Config) -> anyhow::Result<std::sync::Arc<dyn Courier>> {
    Ok(match (&config.courier_api_base, &config.courier_secret) {
        (Some(base), secret) => std::sync::Arc::new(http::HttpCourier::new(
            base.clone(),
            secret.clone().unwrap_or_default(),
        )?),
        (None, _) => std::sync::Arc::new(manual::ManualCourier),
    })
}

/// The signature of `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // An HMAC key may have any length: `new_from_slice` cannot fail for HMAC.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `signature` is `body`'s at `timestamp` (compared in constant time) and the
/// timestamp is within [`MAX_SKEW_SECS`] of `now`.
pub fn verify(secret: &str, timestamp: i64, signature: &str, body: &[u8], now: i64) -> bool {
    if (now - timestamp).abs() > MAX_SKEW_SECS {
        return false;
    }
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_fresh_and_intact() {
        let s = sign("k", 1_000, b"{}");
        assert!(verify("k", 1_000, &s, b"{}", 1_100));
        assert!(!verify("k", 1_000, &s, b"{ }", 1_100), "body changed");
        assert!(!verify("other", 1_000, &s, b"{}", 1_100), "other secret");
        assert!(
            !verify("k", 1_000, &s, b"{}", 1_000 + MAX_SKEW_SECS + 1),
            "stale"
        );
        assert!(!verify("k", 1_000, "zz", b"{}", 1_000));
    }
}
