//! `loan_request`: a reader's request for a title, from asking to collecting (see
//! `lending` for the state machine).

use sea_orm::entity::prelude::*;
use sea_orm::Iterable;

use crate::lifecycle::{Lifecycle, Stateful};
use RequestStatus::*;

/// Where a request is in its life (docs/design.md, "Loan request").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RequestStatus {
    /// Accepted, not yet given a copy.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// No copy free; in the title's FIFO queue.
    #[sea_orm(string_value = "WAITLISTED")]
    Waitlisted,
    /// A copy is reserved and on a branch's picking list.
    #[sea_orm(string_value = "ROUTED")]
    Routed,
    /// The copy is off the shelf, waiting for dispatch.
    #[sea_orm(string_value = "PICKED")]
    Picked,
    /// On its way to the pickup place or the reader's door.
    #[sea_orm(string_value = "IN_TRANSIT")]
    InTransit,
    /// On the hold shelf or in a locker, waiting for the reader.
    #[sea_orm(string_value = "READY_FOR_PICKUP")]
    ReadyForPickup,
    /// The reader has the book: a loan started.
    #[sea_orm(string_value = "FULFILLED")]
    Fulfilled,
    /// Cancelled by the reader.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// Not collected by the deadline.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
    /// Could not be delivered (see `failure_reason`).
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

impl RequestStatus {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "PENDING",
            RequestStatus::Waitlisted => "WAITLISTED",
            RequestStatus::Routed => "ROUTED",
            RequestStatus::Picked => "PICKED",
            RequestStatus::InTransit => "IN_TRANSIT",
            RequestStatus::ReadyForPickup => "READY_FOR_PICKUP",
            RequestStatus::Fulfilled => "FULFILLED",
            RequestStatus::Cancelled => "CANCELLED",
            RequestStatus::Expired => "EXPIRED",
            RequestStatus::Failed => "FAILED",
        }
    }

    /// The statuses that are still open.
    pub const OPEN: [RequestStatus; 6] = [
        RequestStatus::Pending,
        RequestStatus::Waitlisted,
        RequestStatus::Routed,
        RequestStatus::Picked,
        RequestStatus::InTransit,
        RequestStatus::ReadyForPickup,
    ];
}

impl Lifecycle for RequestStatus {
    const THING: &'static str = "request";
    const TITLE: &'static str = "Loan request";
    /// Created PENDING and, in the same transaction, routed or waitlisted: its history
    /// records both steps.
    const BEGINS: &'static [Self] = &[Pending];
    const MOVES: &'static [(Self, Self)] = &[
        // Routed to a free copy (when asked, or by the routing job), else waitlisted;
        // cancelled by its reader until the pick.
        (Pending, Waitlisted),
        (Pending, Routed),
        (Pending, Cancelled),
        // A copy came back for the head of the waitlist.
        (Waitlisted, Routed),
        (Waitlisted, Cancelled),
        // Picked; not on the shelf (routed again at once).
        (Routed, Pending),
        (Routed, Picked),
        (Routed, Cancelled),
        // A LOCKER parcel placed again (another locker, or a BRANCH request now); on the road
        // (a transfer, its round started, its waybill booked); on the hold shelf of the
        // branch where it was picked, or deposited before its round started.
        (Picked, Picked),
        (Picked, InTransit),
        (Picked, ReadyForPickup),
        // A door fault on the way (placed again); a HOME parcel the courier brings back;
        // deposited, checked in at the pickup branch, or a HOME parcel the staff brought
        // back; delivered at home.
        (InTransit, Picked),
        (InTransit, InTransit),
        (InTransit, ReadyForPickup),
        (InTransit, Fulfilled),
        // Collected at the desk or the locker; not collected by the deadline.
        (ReadyForPickup, Fulfilled),
        (ReadyForPickup, Expired),
        // A late `picked_up` from the locker.
        (Expired, Fulfilled),
    ];

    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// How the reader gets the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum DeliveryMethod {
    /// To a smart book locker.
    #[sea_orm(string_value = "LOCKER")]
    Locker,
    /// To a branch's hold shelf.
    #[sea_orm(string_value = "BRANCH")]
    Branch,
    /// To the reader's door by courier.
    #[sea_orm(string_value = "HOME")]
    Home,
}

impl DeliveryMethod {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMethod::Locker => "LOCKER",
            DeliveryMethod::Branch => "BRANCH",
            DeliveryMethod::Home => "HOME",
        }
    }
}

/// A loan request row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "loan_request")]
pub struct Model {
    /// Primary key (UUIDv7: ordered by creation, which is the waitlist's FIFO order).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Who asked.
    pub reader_id: Uuid,
    /// What they asked for.
    pub title_id: Uuid,
    /// The copy reserved for them, once routed.
    pub item_id: Option<Uuid>,
    /// Status.
    pub status: RequestStatus,
    /// Delivery method.
    pub delivery_method: DeliveryMethod,
    /// Target locker (LOCKER).
    pub locker_id: Option<Uuid>,
    /// Pickup branch (BRANCH; for LOCKER the locker's branch).
    pub pickup_branch_id: Option<Uuid>,
    /// Delivery address (HOME).
    pub address_id: Option<Uuid>,
    /// The branch the copy is picked in.
    pub source_branch_id: Option<Uuid>,
    /// Locker compartment (LOCKER, once deposited).
    pub compartment_id: Option<Uuid>,
    /// Hash of the one-time pickup code.
    pub pickup_code_hash: Option<String>,
    /// Generation of the pickup code (a resend moves to the next; the code is derived).
    pub pickup_code_gen: i32,
    /// Collect by then.
    pub pickup_deadline: Option<DateTimeUtc>,
    /// When the "collect within 24 hours" reminder was enqueued.
    pub deadline_reminded_at: Option<DateTimeUtc>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// The client's idempotency key.
    pub idempotency_key: Option<String>,
    /// When asked.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// When it first became ready: on a hold shelf or in a locker, or delivered at home
    /// (the statistics' ready times and locker holds).
    pub ready_at: Option<DateTimeUtc>,
    /// When it was lent (FULFILLED).
    pub fulfilled_at: Option<DateTimeUtc>,
    /// When it expired uncollected.
    pub expired_at: Option<DateTimeUtc>,
}

/// Relations are navigated by explicit queries in the domain modules.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Stateful for Entity {
    type State = RequestStatus;

    fn state_column() -> Column {
        Column::Status
    }

    fn id_column() -> Column {
        Column::Id
    }

    fn state_of(row: &Model) -> RequestStatus {
        row.status
    }
}
