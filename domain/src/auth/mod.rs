//! Who is calling, and what they may do.
//!
//! - [`password`]: argon2id hashes for reader PINs and staff passwords.
//! - [`access_tokens`]: short-lived JWT access tokens (one pinned algorithm, issuer and audience).
//! - [`sessions`]: the login flows and refresh-token rotation.
//! - [`wechat_login`]: the WeChat `jscode2session` exchange behind `loginWithWechat`.
//! - [`revocation`]: whether a valid token's account may still act (switched-off staff).

pub mod access_tokens;
pub mod password;
pub mod revocation;
pub mod sessions;
pub mod wechat_login;

pub use access_tokens::Verified;

use uuid::Uuid;

pub use crate::entity::staff::StaffRole;
use crate::{Ctx, Error, Reason, Result};

/// Who a bearer token speaks for, when it is valid and its account may act now.
///
/// # Errors
/// UNAUTHENTICATED for an invalid or expired token or a switched-off account; INTERNAL or
/// UNAVAILABLE on a database fault.
pub async fn authenticate(ctx: &Ctx, token: &str) -> Result<Verified> {
    let verified = ctx.tokens.verify(token)?;
    ctx.accounts
        .ensure_active(&ctx.db, &verified.principal)
        .await?;
    Ok(verified)
}

/// An authenticated caller of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A reader: sees and acts on their own data only.
    Reader {
        /// The reader's id.
        id: Uuid,
    },
    /// A staff member, scoped to branches unless an admin.
    Staff {
        /// The staff member's id.
        id: Uuid,
        /// Their role.
        role: StaffRole,
        /// Branches their role applies to.
        branches: Vec<Uuid>,
    },
}

impl Principal {
    /// The staff member's id (None for readers).
    pub fn staff_id(&self) -> Option<Uuid> {
        match self {
            Principal::Staff { id, .. } => Some(*id),
            Principal::Reader { .. } => None,
        }
    }

    /// The reader's id, or FORBIDDEN for staff.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when the caller is not a reader.
    pub fn reader_id(&self) -> Result<Uuid> {
        match self {
            Principal::Reader { id } => Ok(*id),
            Principal::Staff { .. } => Err(Error::forbidden(Reason::ReadersOnly)),
        }
    }

    /// Succeeds when the caller is staff with one of `roles` (admins always pass).
    ///
    /// # Errors
    /// [`Error::Forbidden`] otherwise.
    pub fn require_staff(&self, roles: &[StaffRole]) -> Result<()> {
        match self {
            Principal::Staff {
                role: StaffRole::Admin,
                ..
            } => Ok(()),
            Principal::Staff { role, .. } if roles.contains(role) => Ok(()),
            _ => Err(Error::forbidden(Reason::StaffRoleRequired)),
        }
    }

    /// Succeeds for any staff member, whatever the role.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for readers.
    pub fn require_any_staff(&self) -> Result<()> {
        match self {
            Principal::Staff { .. } => Ok(()),
            Principal::Reader { .. } => Err(Error::forbidden(Reason::StaffOnly)),
        }
    }

    /// Succeeds when the caller is staff with one of `roles` whose scope includes `branch`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] otherwise.
    pub fn require_staff_at(&self, roles: &[StaffRole], branch: Uuid) -> Result<()> {
        self.require_staff(roles)?;
        match self {
            Principal::Staff {
                role: StaffRole::Admin,
                ..
            } => Ok(()),
            Principal::Staff { branches, .. } if branches.contains(&branch) => Ok(()),
            _ => Err(Error::forbidden(Reason::NotYourBranch)),
        }
    }
}

/// What a successful login or refresh returns.
#[derive(Debug, Clone)]
pub struct AuthTokens {
    /// The JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// The one-time refresh token.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_follow_role_and_branch_scope() {
        let (here, there) = (Uuid::now_v7(), Uuid::now_v7());
        let reader = Principal::Reader { id: Uuid::now_v7() };
        let picker = Principal::Staff {
            id: Uuid::now_v7(),
            role: StaffRole::Picker,
            branches: vec![here],
        };
        let admin = Principal::Staff {
            id: Uuid::now_v7(),
            role: StaffRole::Admin,
            branches: vec![],
        };
        assert!(reader.reader_id().is_ok() && picker.reader_id().is_err());
        assert!(reader.require_any_staff().is_err() && picker.require_any_staff().is_ok());
        assert!(picker.require_staff(&[StaffRole::Picker]).is_ok());
        assert!(picker.require_staff(&[StaffRole::Librarian]).is_err());
        assert!(picker.require_staff_at(&[StaffRole::Picker], here).is_ok());
        assert!(
            picker
                .require_staff_at(&[StaffRole::Picker], there)
                .is_err(),
            "another branch"
        );
        assert!(
            admin.require_staff_at(&[StaffRole::Picker], there).is_ok(),
            "admins everywhere"
        );
        assert!(reader.require_staff(&[]).is_err());
    }
}
