//! GraphQL object types: wrappers over domain models, so tables never leak into the API.

mod book;
pub mod dispatch;
pub mod figures;
mod jobs;
pub mod lending;
pub mod notify;
pub mod people;
mod places;
pub mod purchases;
pub mod stats;

use async_graphql::{Description, Enum, Object, SimpleObject, ID};
use hongyan_domain::auth::AuthTokens;
use hongyan_domain::entity::reader::ReaderStatus as ReaderStatusRow;
use hongyan_domain::people::Reader as ReaderRow;
use uuid::Uuid;

pub use book::{Book, BookConnection, SearchTotals};
pub use jobs::DeadJob;
pub use places::{Branch, Locker};

/// Parses an opaque id; an id that cannot exist is simply not found.
pub fn parse_id(id: &ID, what: &'static str) -> Result<Uuid, hongyan_domain::Error> {
    Uuid::parse_str(id.as_str()).map_err(|_| hongyan_domain::Error::NotFound(what))
}

/// Parses an optional branch id (none: the whole library).
pub fn parse_branch(id: Option<ID>) -> Result<Option<Uuid>, hongyan_domain::Error> {
    id.map(|b| parse_id(&b, "branch")).transpose()
}

/// Tokens returned by logins and refreshes.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// One-time token for `refreshToken`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl From<AuthTokens> for AuthPayload {
    fn from(t: AuthTokens) -> Self {
        AuthPayload {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
        }
    }
}

/// A library reader's own account, as the reader sees it (`me`, `bindCard`,
/// `registerReader`); `verifyReader` also returns the verified reader in this form.
#[derive(Description)]
pub struct Reader(pub ReaderRow);

#[Object(use_type_description)]
impl Reader {
    /// The reader's id (opaque; stable for the account).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name; a card-less reader made by a first WeChat sign-in is `微信读者` until they
    /// bind a card or apply for one.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Library card number, if a card was issued.
    async fn card_number(&self) -> Option<&str> {
        self.0.card_number.as_deref()
    }
    /// Whether the reader has linked WeChat.
    async fn wechat_linked(&self) -> bool {
        self.0.wechat_openid.is_some()
    }
    /// Lending is blocked by staff.
    async fn blocked(&self) -> bool {
        self.0.blocked
    }
    /// Why lending is blocked, as staff gave it.
    async fn blocked_reason(&self) -> Option<&str> {
        self.0.blocked_reason.as_deref()
    }
    /// ACTIVE, PENDING (a card applied for online, until a desk checks the ID) or CLOSED
    /// (merged into another account).
    async fn status(&self) -> ReaderStatus {
        self.0.status.into()
    }
    /// Whether the reader may borrow now: a card, not pending, not blocked. When not, the
    /// app offers to bind a card or apply for one.
    async fn can_borrow(&self) -> bool {
        self.0.card_number.is_some() && self.0.status == ReaderStatusRow::Active && !self.0.blocked
    }
    /// The ID number given with an online application, all but 7 characters hidden.
    async fn id_number_masked(&self) -> Option<&str> {
        self.0.id_number_masked.as_deref()
    }
    /// The reader's mobile number, all but 7 digits hidden.
    async fn mobile_masked(&self) -> Option<String> {
        self.0
            .phone
            .as_deref()
            .map(hongyan_domain::identity::id_number::mask)
    }
    /// Books the reader may have at once: loans and open requests together count against
    /// it (set by staff or by the reader's category).
    async fn max_loans(&self) -> i32 {
        self.0.max_loans
    }
    /// Requests the reader may have open at once (not yet fulfilled, cancelled, expired or
    /// failed).
    async fn max_open_requests(&self) -> i32 {
        self.0.max_open_requests
    }
    /// Email address for messages.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Whether the library's WeChat official account can reach the reader.
    async fn wechat_official_account_linked(&self) -> bool {
        self.0.wechat_oa_openid.is_some()
    }
    /// How the reader wants to be told.
    async fn notification_settings(&self) -> notify::NotificationSettings {
        hongyan_domain::notify::prefs::Prefs::of(&self.0).into()
    }
}

/// Where a reader's account stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReaderStatus {
    /// In good standing.
    Active,
    /// A card applied for online, waiting for a desk to check the ID.
    Pending,
    /// Merged into another account.
    Closed,
}

impl From<ReaderStatus> for ReaderStatusRow {
    fn from(s: ReaderStatus) -> Self {
        match s {
            ReaderStatus::Active => ReaderStatusRow::Active,
            ReaderStatus::Pending => ReaderStatusRow::Pending,
            ReaderStatus::Closed => ReaderStatusRow::Closed,
        }
    }
}

impl From<ReaderStatusRow> for ReaderStatus {
    fn from(s: ReaderStatusRow) -> Self {
        match s {
            ReaderStatusRow::Active => ReaderStatus::Active,
            ReaderStatusRow::Pending => ReaderStatus::Pending,
            ReaderStatusRow::Closed => ReaderStatus::Closed,
        }
    }
}

/// A delivery address the reader saved for HOME delivery and courier returns (visible to
/// its owner only; at most 10 per reader).
#[derive(Description)]
pub struct Address(pub hongyan_domain::addresses::Address);

#[Object(use_type_description)]
impl Address {
    /// The address's id, for `DeliveryInput.addressId`, `startReturn` and
    /// `updateAddress`/`removeAddress`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The reader's name for it, e.g. 家.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Who receives the parcel (1–32 characters).
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    /// The recipient's mainland mobile number: 11 digits, without `+86`, spaces or hyphens.
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    /// Street address as the reader typed it (1–200 characters).
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// WGS-84 latitude in degrees (null when the client did not give a position).
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// WGS-84 longitude in degrees (null when the client did not give a position).
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
}
