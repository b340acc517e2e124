//! `reader`: a registered library user.

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use ReaderStatus::*;

/// Whether a reader's account may borrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ReaderStatus {
    /// In good standing (a card-less account still cannot borrow).
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// A card applied for online, waiting for a desk to check who the reader is.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Merged into another account ([`Model::merged_into`]); it can no longer act.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

impl Lifecycle for ReaderStatus {
    const THING: &'static str = "reader";
    const TITLE: &'static str = "Reader account";
    /// Signed up (a card at the desk, a WeChat sign-in, or a card applied for online on
    /// credit); a card applied for online waiting for a desk to check the ID.
    const BEGINS: &'static [Self] = &[Active, Pending];
    const MOVES: &'static [(Self, Self)] = &[
        // A card-less account applies for a card that waits for the desk; merged into
        // another (`bindCard`, `mergeReaders`).
        (Active, Pending),
        (Active, Closed),
        // The desk checked the ID (`verifyReader`); merged into another.
        (Pending, Active),
        (Pending, Closed),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        match self {
            Active => "ACTIVE",
            Pending => "PENDING",
            Closed => "CLOSED",
        }
    }
}

/// A reader row. `phone` and the WeChat ids are personal data: never logged.
#[derive(Clone, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reader")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Library card number; absent for readers who only used WeChat so far.
    pub card_number: Option<String>,
    /// Argon2id PHC string of the PIN.
    pub pin_hash: Option<String>,
    /// Display name.
    pub name: String,
    /// WeChat mini-program openid.
    pub wechat_openid: Option<String>,
    /// WeChat unionid, when the app is in an open platform account.
    pub wechat_unionid: Option<String>,
    /// The openid the library's official account knows the reader by (template messages).
    pub wechat_oa_openid: Option<String>,
    /// Channels the reader wants, in order of preference (`WECHAT,EMAIL`); later ones are
    /// the fallback.
    pub notify_channels: String,
    /// Kinds of notification the reader muted, comma-separated.
    pub muted_kinds: String,
    /// Mobile number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// The reader's home branch.
    pub home_branch_id: Option<Uuid>,
    /// Lending blocked by staff.
    pub blocked: bool,
    /// Why, as staff told it (shown to the desk and the reader).
    pub blocked_reason: Option<String>,
    /// Loans the reader may hold at once.
    pub max_loans: i32,
    /// Requests the reader may have open at once.
    pub max_open_requests: i32,
    /// When the row was made.
    pub created_at: DateTimeUtc,
    /// Whether the account may borrow.
    pub status: ReaderStatus,
    /// Keyed hash of the ID number given when the card was applied for online.
    pub id_number_hash: Option<String>,
    /// That ID number with all but its first three and last four characters hidden.
    pub id_number_masked: Option<String>,
    /// The account this one was merged into (CLOSED).
    pub merged_into: Option<Uuid>,
    /// The reader's category (none: the library's default category, if any).
    pub category_id: Option<Uuid>,
    /// When the reader got a card that lends at once without a deposit (信用办证), if so.
    pub credit_card_at: Option<DateTimeUtc>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = ReaderStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> ReaderStatus {
        row.status
    }
}
