//! JWT access tokens.
//!
//! HS256 only (the algorithm is pinned: `alg: none` or any other algorithm is refused),
//! with `iss`, `aud`, `exp`, `iat` and `sub` required, and the role in the claims, so a
//! request is authorised without a database round trip. Lifetime: 15 minutes by default.

use std::time::Duration;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Principal, StaffRole};
use crate::{Error, Result};

/// Who issues Hongyan tokens.
pub const ISSUER: &str = "hongyan";
/// Who Hongyan access tokens are for.
pub const AUDIENCE: &str = "hongyan-api";

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: Uuid,
    exp: u64,
    iat: u64,
    /// `READER` or a staff role.
    role: String,
    /// Branch scope (staff only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    branches: Vec<Uuid>,
}

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Who it speaks for.
    pub principal: Principal,
    /// When it stops being valid.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl Verified {
    /// Whether it has expired by now.
    pub fn expired(&self) -> bool {
        self.expires_at <= crate::infra::clock::system_now()
    }
}

/// Issues and verifies access tokens with one secret.
#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenIssuer {
    /// A token issuer for `secret`, issuing tokens valid for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenIssuer {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// Lifetime of the tokens this issuer makes.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs an access token for `principal`.
    ///
    /// # Errors
    /// [`Error::Internal`] if signing fails.
    pub fn issue(&self, principal: &Principal) -> Result<String> {
        let now = unix_now();
        let (sub, role, branches) = match principal {
            Principal::Reader { id } => (*id, "READER".to_owned(), vec![]),
            Principal::Staff { id, role, branches } => (*id, role_name(*role), branches.clone()),
        };
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub,
            iat: now,
            exp: now + self.ttl.as_secs(),
            role,
            branches,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(Error::internal)
    }

    /// Verifies a bearer token and returns who it speaks for and until when.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for any token that is malformed, expired, signed with
    /// another key or algorithm, or meant for another issuer or audience.
    pub fn verify(&self, token: &str) -> Result<Verified> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            Error::unauthenticated(match e.kind() {
                ErrorKind::ExpiredSignature => text!("access-token-expired"),
                _ => text!("access-token-invalid"),
            })
        })?;
        let c = data.claims;
        let principal = if c.role == "READER" {
            Principal::Reader { id: c.sub }
        } else {
            let role = serde_json::from_value::<StaffRole>(serde_json::Value::String(c.role))
                .map_err(|_| Error::unauthenticated(text!("access-token-invalid")))?;
            Principal::Staff {
                id: c.sub,
                role,
                branches: c.branches,
            }
        };
        let expires_at = i64::try_from(c.exp)
            .ok()
            .and_then(|exp| chrono::DateTime::from_timestamp(exp, 0))
            .ok_or_else(|| Error::unauthenticated(text!("access-token-invalid")))?;
        Ok(Verified {
            principal,
            expires_at,
        })
    }
}

fn role_name(role: StaffRole) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn unix_now() -> u64 {
    u64::try_from(crate::infra::clock::system_now().timestamp()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_round_trip_keeps_role_and_scope() {
        let issuer = TokenIssuer::new(&[7u8; 32], Duration::from_secs(60));
        let p = Principal::Staff {
            id: Uuid::now_v7(),
            role: StaffRole::BookstoreClerk,
            branches: vec![Uuid::now_v7()],
        };
        let token = issuer.issue(&p).expect("issue");
        let verified = issuer.verify(&token).expect("verify");
        assert_eq!(verified.principal, p);
        assert!(!verified.expired());
        let other = TokenIssuer::new(&[8u8; 32], Duration::from_secs(60));
        assert!(other.verify(&token).is_err());
    }
}
