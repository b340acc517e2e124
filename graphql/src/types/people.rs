//! People as staff see them: the signed-in staff member (`staffMe`), a reader looked up
//! by card at the desk (`readerByCard`), and staff accounts as admins manage them.

use async_graphql::{Context, Enum, Object, ID};
use hongyan_domain::accounts::Account;
use hongyan_domain::notify::history;
use hongyan_domain::people::{DeskReader as DeskReaderView, StaffProfile};

use super::lending::{Loan, LoanRequest};
use super::notify::Notification;
use super::places::Branch;
use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};

/// What a staff member may do.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::auth::StaffRole")]
pub enum StaffRole {
    /// Works picking lists in their branches.
    Picker,
    /// Packs, hands over to couriers, runs locker rounds.
    Dispatcher,
    /// Reviews proposals, runs the desk.
    Librarian,
    /// Everything, everywhere.
    Admin,
    /// A partner bookstore's clerk.
    BookstoreClerk,
}

/// The signed-in staff member.
pub struct StaffMe(pub StaffProfile);

#[Object]
impl StaffMe {
    async fn id(&self) -> ID {
        ID(self.0.staff.id.to_string())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.0.staff.username
    }
    async fn display_name(&self) -> &str {
        &self.0.staff.display_name
    }
    /// The role this session acts in.
    async fn role(&self) -> StaffRole {
        self.0.role.into()
    }
    /// The branches the role applies to, by code (every branch for admins).
    async fn branches(&self) -> Vec<Branch> {
        self.0.branches.iter().cloned().map(Branch).collect()
    }
}

/// A reader as the desk sees them (staff).
pub struct DeskReader(pub DeskReaderView);

#[Object]
impl DeskReader {
    async fn id(&self) -> ID {
        ID(self.0.reader.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.reader.name
    }
    /// Library card number.
    async fn card_number(&self) -> Option<&str> {
        self.0.reader.card_number.as_deref()
    }
    /// Lending is blocked by staff.
    async fn blocked(&self) -> bool {
        self.0.reader.blocked
    }
    /// Requests still under way, newest first.
    async fn open_requests(&self) -> Vec<LoanRequest> {
        self.0
            .open_requests
            .iter()
            .cloned()
            .map(LoanRequest)
            .collect()
    }
    /// Books the reader has now, newest loan first.
    async fn active_loans(&self) -> Vec<Loan> {
        self.0.active_loans.iter().cloned().map(Loan).collect()
    }
    /// Messages sent to the reader, newest first.
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let limit = crate::pagination::list_size(first).gql()?;
        let rows = history::of_reader(
            &domain(ctx).db,
            principal(ctx).gql()?,
            self.0.reader.id,
            limit,
        )
        .await
        .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }
}

/// A staff account (admins).
pub struct StaffAccount(pub Account);

#[Object]
impl StaffAccount {
    async fn id(&self) -> ID {
        ID(self.0.staff.id.to_string())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.0.staff.username
    }
    async fn display_name(&self) -> &str {
        &self.0.staff.display_name
    }
    async fn role(&self) -> StaffRole {
        self.0.staff.role.into()
    }
    /// Branches the account works in (none for admins: they work everywhere).
    async fn branches(&self) -> Vec<Branch> {
        self.0.branches.iter().cloned().map(Branch).collect()
    }
    /// Switched off: cannot log in.
    async fn disabled(&self) -> bool {
        self.0.staff.disabled
    }
}
