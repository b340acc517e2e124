//! Delivery rounds for dispatchers: parcels by locker, in driving order.

use async_graphql::{Context, Description, Enum, Object, ID};
use chrono::{DateTime, Utc};
use hongyan_domain::dispatch::rounds::{Parcel as DomainParcel, RoundView};
use hongyan_domain::lockers;

use super::book::{Book, Copy};
use super::lending::RequestRef;
use super::places::Locker;
use crate::context::domain;
use crate::error::{GqlResult, IntoGql};

/// Where a delivery round is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::entity::delivery_round::RoundStatus")]
pub enum RoundStatus {
    /// Collecting parcels.
    Open,
    /// The van left; the locker has its deposit commands.
    Started,
    /// Done.
    Completed,
}

/// One van trip from a branch to a locker (dispatchers and librarians of the branch).
#[derive(Description)]
pub struct DeliveryRound(pub RoundView);

#[Object(use_type_description)]
impl DeliveryRound {
    /// The round's id (`startDeliveryRound`).
    async fn id(&self) -> ID {
        ID(self.0.round.id.to_string())
    }
    /// Where the round is.
    async fn status(&self) -> RoundStatus {
        self.0.round.status.into()
    }
    /// The locker the round fills.
    async fn locker(&self) -> Locker {
        Locker(self.0.locker.clone())
    }
    /// When the van left.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.round.started_at
    }
    /// What goes into the locker, in the order the parcels joined the round.
    async fn parcels(&self) -> Vec<Parcel> {
        self.0.parcels.iter().cloned().map(Parcel).collect()
    }
}

/// A parcel: one copy for one request, into one compartment.
#[derive(Description)]
pub struct Parcel(pub DomainParcel);

#[Object(use_type_description)]
impl Parcel {
    /// The request it serves.
    async fn request(&self) -> RequestRef {
        RequestRef {
            id: ID(self.0.request.id.to_string()),
        }
    }
    /// The copy; its barcode is the parcel id the locker knows.
    async fn item(&self) -> Copy {
        Copy(self.0.copy.clone())
    }
    /// Compartment label, e.g. `A03`.
    async fn compartment(&self) -> &str {
        &self.0.compartment.label
    }
}

/// How a book comes back.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::entity::return_ticket::ReturnMethod")]
pub enum ReturnMethod {
    /// At any branch desk.
    Branch,
    /// Into a smart locker, with the ticket's drop code.
    Locker,
    /// Collected by a courier.
    Courier,
}

/// Where an announced return is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::entity::return_ticket::TicketStatus")]
pub enum ReturnStatus {
    /// Announced; the code works.
    Open,
    /// In the locker: the loan has ended.
    Dropped,
    /// Staff have it.
    Received,
    /// Replaced or given up.
    Cancelled,
}

/// An announced return (its reader only).
#[derive(Description)]
pub struct ReturnTicket(pub hongyan_domain::dispatch::returns::ReturnTicket);

#[Object(use_type_description)]
impl ReturnTicket {
    /// The ticket's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The drop code to type at the ticket's locker (8 digits; only LOCKER returns use it).
    async fn code(&self, ctx: &async_graphql::Context<'_>) -> String {
        hongyan_domain::dispatch::returns::drop_code(domain(ctx), &self.0)
    }
    /// How the book comes back.
    async fn method(&self) -> ReturnMethod {
        self.0.method.into()
    }
    /// Where the return is.
    async fn status(&self) -> ReturnStatus {
        self.0.status.into()
    }
    /// The locker to drop the book in (LOCKER; null otherwise).
    async fn locker(&self, ctx: &async_graphql::Context<'_>) -> GqlResult<Option<Locker>> {
        match self.0.locker_id {
            Some(id) => Ok(Some(Locker(
                lockers::by_id(&domain(ctx).db, id).await.gql()?,
            ))),
            None => Ok(None),
        }
    }
}

/// What a shipment carries.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::entity::shipment::ShipmentKind")]
pub enum ShipmentKind {
    /// To a locker.
    Locker,
    /// To a reader's door.
    Home,
    /// Between branches.
    Transfer,
    /// Back from a reader.
    Return,
}

/// Where a shipment is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "hongyan_domain::entity::shipment::ShipmentStatus")]
pub enum ShipmentStatus {
    /// Not yet with the carrier (for couriers: the waybill is being booked).
    Created,
    /// On the road.
    InTransit,
    /// Arrived.
    Delivered,
    /// The carrier gave up (see the request's history for why).
    Failed,
    /// Taken off.
    Cancelled,
}

/// A parcel on the road (staff).
#[derive(Description)]
pub struct Shipment(pub hongyan_domain::dispatch::shipments::Shipment);

#[Object(use_type_description)]
impl Shipment {
    /// The shipment's id (`markShipmentDelivered`, `markShipmentFailed`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it carries.
    async fn kind(&self) -> ShipmentKind {
        self.0.kind.into()
    }
    /// Where it is.
    async fn status(&self) -> ShipmentStatus {
        self.0.status.into()
    }
    /// The courier.
    async fn carrier(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }
    /// The waybill number once the parcel is booked with its carrier (null before, and for
    /// shipments no carrier takes).
    async fn waybill_no(&self) -> Option<&str> {
        self.0.waybill_no.as_deref()
    }
    /// What the courier charges (分); waived or not, it is kept.
    async fn fee_cents(&self) -> i32 {
        self.0.fee_cents
    }
    /// The request it delivers (null for a RETURN, which carries a loan back).
    async fn request(&self) -> Option<RequestRef> {
        self.0.request_id.map(|id| RequestRef {
            id: ID(id.to_string()),
        })
    }
    /// When it was booked (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A HOME parcel to pack and hand over (dispatchers of the sending branch).
#[derive(Description)]
pub struct HomeParcel(pub hongyan_domain::dispatch::doorstep::HomeParcel);

#[Object(use_type_description)]
impl HomeParcel {
    /// The shipment: its id ends it (`markShipmentDelivered` / `markShipmentFailed`).
    async fn shipment(&self) -> Shipment {
        Shipment(self.0.shipment.clone())
    }
    /// The request it delivers.
    async fn request(&self) -> RequestRef {
        RequestRef {
            id: ID(self.0.request.id.to_string()),
        }
    }
    /// The reader who asked for it.
    async fn reader_name(&self) -> &str {
        &self.0.reader_name
    }
    /// Who receives it at the door.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    /// Their phone with the middle digits hidden, as on privacy waybills.
    async fn phone_masked(&self) -> &str {
        &self.0.phone_masked
    }
    /// Where it goes: the street address the reader saved for it.
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// What goes in the parcel.
    async fn books(&self) -> Vec<ParcelBook> {
        vec![ParcelBook {
            title: self.0.title.clone(),
            copy: self.0.copy.clone(),
        }]
    }
}

/// A book in a parcel.
#[derive(Description)]
pub struct ParcelBook {
    title: String,
    copy: hongyan_domain::entity::item::Model,
}

#[Object(use_type_description)]
impl ParcelBook {
    /// The book's title, for the packing list.
    async fn title(&self) -> &str {
        &self.title
    }
    /// The copy to pack (scan its barcode).
    async fn copy(&self) -> Copy {
        Copy(self.copy.clone())
    }
}

/// A title readers are queued for at a branch.
#[derive(Description)]
pub struct Waitlist(pub hongyan_domain::lending::branch_watch::Waitlist);

#[Object(use_type_description)]
impl Waitlist {
    /// The book.
    async fn book(&self, ctx: &Context<'_>) -> GqlResult<Book> {
        crate::types::lending::load_book(ctx, self.0.title_id).await
    }
    /// Requests waiting for a copy.
    async fn waiting(&self) -> i64 {
        self.0.waiting
    }
    /// When the longest-waiting request was made.
    async fn oldest_since(&self) -> DateTime<Utc> {
        self.0.oldest
    }
}
