//! People as staff see them: the signed-in staff member (`staffMe`), a reader looked up
//! by card at the desk (`readerByCard`), and staff accounts as admins manage them.

use async_graphql::{Context, Description, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use hongyan_domain::accounts::Account;
use hongyan_domain::entity::reader::Model as ReaderRow;
use hongyan_domain::identity::id_number;
use hongyan_domain::notify::sent;
use hongyan_domain::patrons::categories;
use hongyan_domain::people::{self, StaffProfile};

use super::lending::{Loan, LoanRequest};
use super::notify::Notification;
use super::places::Branch;
use super::ReaderStatus;
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

/// The signed-in staff member, with the role and branches this session acts in
/// (`staffMe`).
#[derive(Description)]
pub struct StaffMe(pub StaffProfile);

#[Object(use_type_description)]
impl StaffMe {
    /// The staff account's id (`setStaffPassword` takes it for one's own password).
    async fn id(&self) -> ID {
        ID(self.0.staff.id.to_string())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.0.staff.username
    }
    /// The name the console shows for the account (currently always its login name).
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
#[derive(Description)]
pub struct DeskReader(pub ReaderRow);

#[Object(use_type_description)]
impl DeskReader {
    /// The reader's id (`readerId` arguments, `deskReader(id:)`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name (`微信读者` for a card-less reader made by a WeChat sign-in).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Library card number.
    async fn card_number(&self) -> Option<&str> {
        self.0.card_number.as_deref()
    }
    /// ACTIVE, PENDING (an online application: check the ID, then `verifyReader`) or CLOSED
    /// (merged into another account).
    async fn status(&self) -> ReaderStatus {
        self.0.status.into()
    }
    /// Lending is blocked by staff.
    async fn blocked(&self) -> bool {
        self.0.blocked
    }
    /// Why lending is blocked, as staff gave it.
    async fn blocked_reason(&self) -> Option<&str> {
        self.0.blocked_reason.as_deref()
    }
    /// Loans the reader may hold at once.
    async fn max_loans(&self) -> i32 {
        self.0.max_loans
    }
    /// Requests the reader may have open at once.
    async fn max_open_requests(&self) -> i32 {
        self.0.max_open_requests
    }
    /// The mobile number, all but 7 digits hidden.
    async fn mobile_masked(&self) -> Option<String> {
        self.0.phone.as_deref().map(id_number::mask)
    }
    /// The ID number of an online application, all but 7 characters hidden (compare with
    /// the ID card before `verifyReader`).
    async fn id_number_masked(&self) -> Option<&str> {
        self.0.id_number_masked.as_deref()
    }
    /// Whether WeChat is linked.
    async fn wechat_linked(&self) -> bool {
        self.0.wechat_openid.is_some() || self.0.wechat_oa_openid.is_some()
    }
    /// When the account was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The reader's category, else the library's default (null: neither).
    async fn category(&self, ctx: &Context<'_>) -> GqlResult<Option<PatronCategory>> {
        Ok(categories::of_reader(&domain(ctx).db, &self.0)
            .await
            .gql()?
            .map(Into::into))
    }
    /// Whether the category is the reader's own (false: the library's default applies).
    async fn has_own_category(&self) -> bool {
        self.0.category_id.is_some()
    }
    /// Requests still under way, newest first (at most 100).
    async fn open_requests(&self, ctx: &Context<'_>) -> GqlResult<Vec<LoanRequest>> {
        let who = principal(ctx).gql()?;
        let rows = people::open_requests_of(&domain(ctx).db, who, self.0.id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(LoanRequest).collect())
    }
    /// Books the reader has now, newest loan first (at most 100).
    async fn active_loans(&self, ctx: &Context<'_>) -> GqlResult<Vec<Loan>> {
        let who = principal(ctx).gql()?;
        let rows = people::active_loans_of(&domain(ctx).db, who, self.0.id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Loan).collect())
    }
    /// Messages sent to the reader, newest first.
    #[graphql(complexity = "crate::pagination::cost(Some(first), child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1–100 (default 20).")] first: i32,
    ) -> GqlResult<Vec<Notification>> {
        let limit = crate::pagination::list_size(first).gql()?;
        let rows = sent::of_reader(&domain(ctx).db, principal(ctx).gql()?, self.0.id, limit)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Notification).collect())
    }
}

/// A kind of reader with its own lending terms (adult, child, student card…).
#[derive(SimpleObject)]
pub struct PatronCategory {
    /// The category's id.
    pub id: ID,
    /// Short code, e.g. `CHILD`.
    pub code: String,
    /// Name, e.g. 少儿证.
    pub name: String,
    /// Loans at once.
    pub max_loans: i32,
    /// Open requests at once.
    pub max_open_requests: i32,
    /// Loan period in days (and what a renewal adds).
    pub loan_days: i32,
    /// Renewals per loan.
    pub max_renewals: i32,
    /// The library's default, for readers given none.
    pub is_default: bool,
}

impl From<categories::Category> for PatronCategory {
    fn from(c: categories::Category) -> Self {
        PatronCategory {
            id: ID(c.id.to_string()),
            code: c.code,
            name: c.name,
            max_loans: c.max_loans,
            max_open_requests: c.max_open_requests,
            loan_days: c.loan_days,
            max_renewals: c.max_renewals,
            is_default: c.is_default,
        }
    }
}

/// A PIN the desk issued: hand it to the reader, who can sign in with it at once.
#[derive(SimpleObject)]
pub struct PinReset {
    /// The reader.
    pub reader: DeskReader,
    /// The new PIN (6 digits), shown this once.
    pub pin: String,
}

/// A staff account (admins).
#[derive(Description)]
pub struct StaffAccount(pub Account);

#[Object(use_type_description)]
impl StaffAccount {
    /// The account's id (`setStaffAccountDisabled`, `setStaffRole`, `setStaffPassword`).
    async fn id(&self) -> ID {
        ID(self.0.staff.id.to_string())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.0.staff.username
    }
    /// The name the console shows for the account (currently always its login name).
    async fn display_name(&self) -> &str {
        &self.0.staff.display_name
    }
    /// What the account may do.
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
