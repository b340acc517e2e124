//! Net lending: requests with their history, loans, pick tasks and check-in results.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Description, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use hongyan_domain::catalog::books;
use hongyan_domain::dispatch::pickups;
use hongyan_domain::entity::item;
use hongyan_domain::lending::desk::{CheckIn, CheckInAction as DomainAction};
use hongyan_domain::lending::picking::PickLine;
use hongyan_domain::lending::request_log::{self, RequestEvent};
use hongyan_domain::lending::{self as domain_lending, destination, loans, waitlist};
use hongyan_domain::lockers;
use uuid::Uuid;

use super::book::{Book, Copy};
use super::places::{load_branch, Branch, Locker};
use crate::context::{domain, principal};
use crate::error::{loader_error, to_gql, GqlResult, IntoGql};
use crate::loaders::Loaders;
use crate::pagination::{self, Keyset};

/// Where a request is (docs/design.md, "Loan request").
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::lending::RequestStatus")]
pub enum RequestStatus {
    /// Accepted, not yet given a copy.
    Pending,
    /// No copy free: in the title's queue (see `waitlistPosition`).
    Waitlisted,
    /// A copy is reserved and on a branch's picking list.
    Routed,
    /// Off the shelf, waiting for dispatch.
    Picked,
    /// On its way.
    InTransit,
    /// Waiting for the reader (hold shelf or locker) until `pickupDeadline`.
    ReadyForPickup,
    /// The reader has it: a loan started.
    Fulfilled,
    /// Cancelled by the reader.
    Cancelled,
    /// Not collected in time.
    Expired,
    /// Could not be delivered (see `failureReason`).
    Failed,
}

/// How the reader gets the book.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::lending::DeliveryMethod")]
pub enum DeliveryMethod {
    /// To a smart book locker.
    Locker,
    /// To a branch's hold shelf.
    Branch,
    /// To the reader's door by courier.
    Home,
}

/// Where a loan is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::lending::LoanStatus")]
pub enum LoanStatus {
    /// The reader has the book.
    Active,
    /// Returned.
    Returned,
    /// Declared lost.
    Lost,
}

/// Where a pick task is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::lending::PickStatus")]
pub enum PickStatus {
    /// On the picking list.
    Open,
    /// Scanned off the shelf.
    Picked,
    /// The copy was not found.
    NotOnShelf,
    /// The request went away first.
    Cancelled,
}

/// A book as a request or loan shows it.
pub(crate) async fn load_book(ctx: &Context<'_>, id: Uuid) -> GqlResult<Book> {
    ctx.data::<Loaders>()?
        .books
        .load_one(id)
        .await
        .map_err(loader_error)?
        .map(Book)
        .ok_or_else(|| to_gql(hongyan_domain::Error::NotFound("book")))
}

/// A reader's request for a book (visible to its reader, and to staff).
#[derive(Description)]
pub struct LoanRequest(pub domain_lending::LoanRequest);

#[Object(use_type_description)]
impl LoanRequest {
    /// The request's id (`request(id:)`, `cancelRequest`, `resendPickupCode`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where the request is now.
    async fn status(&self) -> RequestStatus {
        self.0.status.into()
    }
    /// How the reader gets the book. It can change on the way: a HOME parcel that could not
    /// be delivered (see `failureReason`), or a LOCKER parcel no locker had room for, waits
    /// on a branch's hold shelf instead (BRANCH).
    async fn delivery_method(&self) -> DeliveryMethod {
        self.0.delivery_method.into()
    }
    /// The book asked for.
    async fn book(&self, ctx: &Context<'_>) -> GqlResult<Book> {
        load_book(ctx, self.0.title_id).await
    }
    /// The code that opens the locker (its reader only, while it waits there; see
    /// `resendPickupCode`). Hold-shelf pickups use the library card.
    async fn pickup_code(&self, ctx: &Context<'_>) -> Option<String> {
        pickups::code_for(domain(ctx), principal(ctx).ok(), &self.0)
    }
    /// The locker door the book waits behind (its reader only, while it waits there).
    async fn compartment(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        pickups::door_for(domain(ctx), principal(ctx).ok(), &self.0)
            .await
            .gql()
    }
    /// Collect by then (RFC 3339, UTC).
    async fn pickup_deadline(&self) -> Option<DateTime<Utc>> {
        self.0.pickup_deadline
    }
    /// The target locker (LOCKER).
    async fn locker(&self, ctx: &Context<'_>) -> GqlResult<Option<Locker>> {
        match self.0.locker_id {
            Some(id) => Ok(Some(Locker(
                lockers::by_id(&domain(ctx).db, id).await.gql()?,
            ))),
            None => Ok(None),
        }
    }
    /// Where the reader collects it (BRANCH; for LOCKER, the locker's branch).
    async fn pickup_branch(&self, ctx: &Context<'_>) -> GqlResult<Option<Branch>> {
        match self.0.pickup_branch_id {
            Some(id) => load_branch(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
    /// The branch whose shelf the copy comes from, once routed.
    async fn source_branch(&self, ctx: &Context<'_>) -> GqlResult<Option<Branch>> {
        match self.0.source_branch_id {
            Some(id) => load_branch(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
    /// Place in the title's waitlist (1 = next), while WAITLISTED.
    async fn waitlist_position(&self, ctx: &Context<'_>) -> GqlResult<Option<u64>> {
        waitlist::waitlist_position(&domain(ctx).db, &self.0)
            .await
            .gql()
    }
    /// When the reader asked (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the request last changed (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Why a HOME delivery failed, as the courier or the library's staff gave it (null while
    /// nothing failed).
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure_reason.as_deref()
    }
    /// Every transition, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> GqlResult<Vec<RequestTransition>> {
        Ok(request_log::of_request(&domain(ctx).db, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(RequestTransition)
            .collect())
    }
}

/// One step in a request's history.
#[derive(Description)]
pub struct RequestTransition(RequestEvent);

#[Object(use_type_description)]
impl RequestTransition {
    /// Status before (none for the first).
    async fn from(&self) -> Option<RequestStatus> {
        self.0.from_status.map(Into::into)
    }
    /// Status after.
    async fn to(&self) -> RequestStatus {
        self.0.to_status.into()
    }
    /// READER, STAFF, SYSTEM, LOCKER or COURIER.
    async fn actor(&self) -> &'static str {
        use hongyan_domain::entity::request_event::ActorKind;
        match self.0.actor_kind {
            ActorKind::Reader => "READER",
            ActorKind::Staff => "STAFF",
            ActorKind::System => "SYSTEM",
            ActorKind::Locker => "LOCKER",
            ActorKind::Courier => "COURIER",
        }
    }
    /// What the reader was told with this step, in Chinese as it was said (a courier's or
    /// staff member's words are kept as given); null when nothing was said.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it happened (RFC 3339, UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A book lent to a reader (visible to its reader, and to staff).
#[derive(Description)]
pub struct Loan(pub domain_lending::Loan);

#[Object(use_type_description)]
impl Loan {
    /// The loan's id (`renewLoan`, `startReturn`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Whether the reader still has the book.
    async fn status(&self) -> LoanStatus {
        self.0.status.into()
    }
    /// Due back (RFC 3339, UTC).
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// Renewals so far; the reader's category (or the library's default terms) sets the
    /// limit.
    async fn renewals(&self) -> i32 {
        self.0.renewals
    }
    /// Past due and not yet back.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        loans::is_overdue(&self.0, domain(ctx).now())
    }
    /// When the loan started (RFC 3339, UTC).
    async fn checked_out_at(&self) -> DateTime<Utc> {
        self.0.checked_out_at
    }
    /// When the book came back (RFC 3339, UTC; null while it is out).
    async fn returned_at(&self) -> Option<DateTime<Utc>> {
        self.0.returned_at
    }
    /// The book lent.
    async fn book(&self, ctx: &Context<'_>) -> GqlResult<Book> {
        let copy = books::copy(&domain(ctx).db, self.0.item_id).await.gql()?;
        load_book(ctx, copy.title_id).await
    }
    /// The request it fulfilled, if any.
    async fn request_id(&self) -> Option<ID> {
        self.0.request_id.map(|id| ID(id.to_string()))
    }
}

/// One copy to take off a branch's shelf for a request (pickers, dispatchers and
/// librarians of the branch).
#[derive(Description)]
pub struct PickTask {
    task: domain_lending::PickTask,
    line: Option<PickLine>,
}

impl PickTask {
    /// A task just changed by a mutation.
    pub fn of(task: domain_lending::PickTask) -> Self {
        PickTask { task, line: None }
    }

    /// A line of a picking list.
    pub fn line(line: PickLine) -> Self {
        PickTask {
            task: line.task.clone(),
            line: Some(line),
        }
    }

    async fn copy(&self, ctx: &Context<'_>) -> GqlResult<item::Model> {
        match &self.line {
            Some(l) => Ok(l.copy.clone()),
            None => books::copy(&domain(ctx).db, self.task.item_id).await.gql(),
        }
    }
}

#[Object(use_type_description)]
impl PickTask {
    /// The task's id (`confirmPick`, `reportNotOnShelf`).
    async fn id(&self) -> ID {
        ID(self.task.id.to_string())
    }
    /// Where the task is.
    async fn status(&self) -> PickStatus {
        self.task.status.into()
    }
    /// Shelf place of the copy.
    async fn call_number(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self.copy(ctx).await?.call_number)
    }
    /// The copy to pick.
    async fn item(&self, ctx: &Context<'_>) -> GqlResult<Copy> {
        Ok(Copy(self.copy(ctx).await?))
    }
    /// The title of the copy.
    async fn book(&self, ctx: &Context<'_>) -> GqlResult<Book> {
        let title = self.copy(ctx).await?.title_id;
        load_book(ctx, title).await
    }
    /// How the request is delivered (where the picked copy goes next).
    async fn delivery_method(&self, ctx: &Context<'_>) -> GqlResult<DeliveryMethod> {
        match &self.line {
            Some(l) => Ok(l.request.delivery_method.into()),
            None => Ok(hongyan_domain::lending::requests::by_id(
                &domain(ctx).db,
                self.task.request_id,
            )
            .await
            .gql()?
            .delivery_method
            .into()),
        }
    }
    /// The request the copy is for.
    async fn request(&self) -> RequestRef {
        RequestRef {
            id: ID(self.task.request_id.to_string()),
        }
    }
    /// Where the copy goes once picked: the locker round and door, the hold shelf and whose,
    /// a courier parcel, or another branch.
    async fn destination(&self, ctx: &Context<'_>) -> GqlResult<Destination> {
        let db = &domain(ctx).db;
        let request = match &self.line {
            Some(l) => l.request.clone(),
            None => hongyan_domain::lending::requests::by_id(db, self.task.request_id)
                .await
                .gql()?,
        };
        Ok(Destination(
            destination::of_request(db, &request, self.task.branch_id)
                .await
                .gql()?,
        ))
    }
    /// The branch whose shelf holds the copy.
    async fn branch(&self, ctx: &Context<'_>) -> GqlResult<Branch> {
        load_branch(ctx, self.task.branch_id).await
    }
    /// When the task joined the picking list (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.task.created_at
    }
    /// When the copy was scanned off the shelf (RFC 3339, UTC; null until PICKED).
    async fn picked_at(&self) -> Option<DateTime<Utc>> {
        self.task.picked_at
    }
}

/// What kind of place a copy goes to next.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum DestinationKind {
    /// Into the branch's delivery round to a locker.
    Locker,
    /// Onto the branch's hold shelf.
    HoldShelf,
    /// Packed for the reader's door by courier.
    Home,
    /// Sent to the branch where the reader collects it.
    Transfer,
}

/// Where a copy goes next, for the staff member holding it.
#[derive(Description)]
pub struct Destination(pub destination::Destination);

#[Object(use_type_description)]
impl Destination {
    /// What kind of place; the other fields say which one.
    async fn kind(&self) -> DestinationKind {
        match &self.0 {
            destination::Destination::Locker { .. } => DestinationKind::Locker,
            destination::Destination::HoldShelf { .. } => DestinationKind::HoldShelf,
            destination::Destination::Home => DestinationKind::Home,
            destination::Destination::Transfer { .. } => DestinationKind::Transfer,
        }
    }
    /// The locker (LOCKER).
    async fn locker(&self) -> Option<Locker> {
        match &self.0 {
            destination::Destination::Locker { locker, .. } => Some(Locker(locker.clone())),
            _ => None,
        }
    }
    /// The locker door's label (LOCKER, once the pick claimed one).
    async fn door(&self) -> Option<&str> {
        match &self.0 {
            destination::Destination::Locker { door, .. } => door.as_deref(),
            _ => None,
        }
    }
    /// The hold shelf label: the reader's family name and card's last four (HOLD_SHELF).
    async fn hold_for(&self) -> Option<&str> {
        match &self.0 {
            destination::Destination::HoldShelf { reader } => Some(reader),
            _ => None,
        }
    }
    /// The branch it is sent to (TRANSFER).
    async fn to_branch(&self) -> Option<Branch> {
        match &self.0 {
            destination::Destination::Transfer { to } => Some(Branch(to.clone())),
            _ => None,
        }
    }
}

/// A request as staff see it from a pick task: its id only (readers' data stays theirs).
#[derive(SimpleObject)]
pub struct RequestRef {
    /// The request's id.
    pub id: ID,
}

/// What the desk does with a copy it checked in.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CheckInAction {
    /// A transfer for a request collected here: put it on the hold shelf.
    HoldShelf,
    /// It serves a waiting reader: it is on this branch's picking list now.
    ServesWaitlist,
    /// Back on this branch's shelf.
    Shelve,
    /// Send it to its home branch (`toBranch`).
    SendHome,
    /// In transit for a request elsewhere: send it on to `toBranch`.
    Forward,
    /// Bought at a bookstore counter and back for the first time: keep it here and
    /// catalogue it (`catalogueCopy`).
    Catalogue,
}

/// What a check-in (`checkIn`, `catalogueCopy`) did with a copy, and what the desk does
/// with it next.
#[derive(Description)]
pub struct CheckInResult(pub CheckIn);

#[Object(use_type_description)]
impl CheckInResult {
    /// What to do with the copy now.
    async fn action(&self) -> CheckInAction {
        match self.0.action {
            DomainAction::HoldShelf(_) => CheckInAction::HoldShelf,
            DomainAction::ServesWaitlist(..) => CheckInAction::ServesWaitlist,
            DomainAction::Shelve => CheckInAction::Shelve,
            DomainAction::SendHome(_) => CheckInAction::SendHome,
            DomainAction::Forward(_) => CheckInAction::Forward,
            DomainAction::Catalogue => CheckInAction::Catalogue,
        }
    }
    /// The loan that ended, if the copy was lent.
    async fn loan(&self) -> Option<Loan> {
        self.0.loan.clone().map(Loan)
    }
    /// The copy as it is now.
    async fn item(&self) -> Copy {
        Copy(self.0.copy.clone())
    }
    /// The request it now serves (hold shelf or waitlist).
    async fn request(&self) -> Option<RequestRef> {
        match &self.0.action {
            DomainAction::HoldShelf(r) | DomainAction::ServesWaitlist(r, _) => Some(RequestRef {
                id: ID(r.id.to_string()),
            }),
            _ => None,
        }
    }
    /// The pick task it went onto (waitlist).
    async fn pick_task(&self) -> Option<PickTask> {
        match &self.0.action {
            DomainAction::ServesWaitlist(_, t) => Some(PickTask::of(t.clone())),
            _ => None,
        }
    }
    /// Whose it is on the hold shelf (HOLD_SHELF): the reader's family name and card's last
    /// four.
    async fn hold_for(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        match &self.0.action {
            DomainAction::HoldShelf(r) => Ok(Some(
                destination::shelf_label(&domain(ctx).db, r.reader_id)
                    .await
                    .gql()?,
            )),
            _ => Ok(None),
        }
    }
    /// Where to send it (SEND_HOME, FORWARD).
    async fn to_branch(&self, ctx: &Context<'_>) -> GqlResult<Option<Branch>> {
        match self.0.action {
            DomainAction::SendHome(b) | DomainAction::Forward(b) => {
                load_branch(ctx, b).await.map(Some)
            }
            _ => Ok(None),
        }
    }
}

crate::pagination::connection! {
    /// A page of the caller's requests, newest first (Relay connection: pass
    /// `pageInfo.endCursor` as `after` for the next page).
    LoanRequestConnection of LoanRequest {
        page_info: "Whether more requests follow, and the cursors of this page's first and last one.",
        edges: "The requests of this page, each with its cursor.",
        nodes: "The requests of this page, without cursors.",
    }
}

crate::pagination::connection! {
    /// A page of the caller's loans, newest first (Relay connection: pass `pageInfo.endCursor`
    /// as `after` for the next page).
    LoanConnection of Loan {
        page_info: "Whether more loans follow, and the cursors of this page's first and last one.",
        edges: "The loans of this page, each with its cursor.",
        nodes: "The loans of this page, without cursors.",
    }
}

/// A Relay page of keyset list `list` from rows keyed by id, newest first; each edge's
/// cursor is opaque ([`crate::pagination`]).
pub fn page<R, T>(
    list: &str,
    rows: Vec<R>,
    more: bool,
    asked: Keyset,
    id: impl Fn(&R) -> Uuid,
    wrap: impl Fn(R) -> T,
) -> Connection<String, T>
where
    T: async_graphql::OutputType,
{
    let mut conn = Connection::new(asked.after.is_some(), more);
    conn.edges.extend(
        rows.into_iter()
            .map(|r| Edge::new(pagination::encode(list, id(&r)), wrap(r))),
    );
    conn
}
