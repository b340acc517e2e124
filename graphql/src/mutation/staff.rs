//! Staff accounts (admins): create one, switch one off or on, change its role and branches,
//! set a password.

use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::accounts::{self, NewAccount};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::parse_id;
use crate::types::people::{StaffAccount, StaffRole};

/// A new staff account.
#[derive(InputObject)]
pub struct StaffAccountInput {
    /// Login name: 3-64 letters, digits, '.', '_' or '-'.
    pub username: String,
    /// Initial password: at least 10 characters, not a common password, not containing the
    /// login name, and hard to guess.
    pub password: String,
    /// What the account may do.
    pub role: StaffRole,
    /// Codes of the branches it works in (at least one, except for admins).
    pub branch_codes: Vec<String>,
}

/// Staff account mutations.
#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// Creates a staff account (admins; audited).
    async fn create_staff_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: StaffAccountInput,
    ) -> GqlResult<StaffAccount> {
        let who = principal(ctx).gql()?;
        let new = NewAccount {
            username: input.username,
            password: input.password,
            role: input.role.into(),
            branch_codes: input.branch_codes,
        };
        Ok(StaffAccount(
            accounts::create(domain(ctx), who, new).await.gql()?,
        ))
    }

    /// Switches a staff account off (it can no longer log in) or on again (admins; not
    /// their own; audited). Returns the account.
    async fn set_staff_account_disabled(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account (`StaffAccount.id`).")] id: ID,
        #[graphql(desc = "True to switch it off, false to switch it on again.")] disabled: bool,
    ) -> GqlResult<StaffAccount> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "staff account").gql()?;
        Ok(StaffAccount(
            accounts::set_disabled(domain(ctx), who, id, disabled)
                .await
                .gql()?,
        ))
    }

    /// Gives a staff account another role and branches (admins; not their own; audited). It
    /// signs in again: its sessions end at once.
    async fn set_staff_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account (`StaffAccount.id`).")] id: ID,
        #[graphql(desc = "Its new role.")] role: StaffRole,
        #[graphql(desc = "Codes of the branches it works in (at least one, except for admins).")]
        branch_codes: Vec<String>,
    ) -> GqlResult<StaffAccount> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "staff account").gql()?;
        Ok(StaffAccount(
            accounts::set_role(domain(ctx), who, id, role.into(), &branch_codes)
                .await
                .gql()?,
        ))
    }

    /// Gives a staff account a new password (admins for anyone, staff for themselves; it
    /// must be strong enough). Every device of the account signs in again. Audited.
    async fn set_staff_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account (`StaffAccount.id`, or `StaffMe.id` for one's own).")] id: ID,
        #[graphql(
            desc = "The new password: at least 10 characters, not a common password, not containing the login name, and hard to guess."
        )]
        password: String,
    ) -> GqlResult<StaffAccount> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&id, "staff account").gql()?;
        Ok(StaffAccount(
            accounts::set_password(domain(ctx), who, id, &password)
                .await
                .gql()?,
        ))
    }
}
