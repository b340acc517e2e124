//! Shipments as dispatchers watch them: courier parcels of their branch, and the stuck
//! ones — not booked with the courier after [`BOOKING_GRACE`] (the courier API is down: the
//! job keeps retrying), on the road longer than [`ROAD_LIMIT`], or failed.

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{Condition, QueryOrder, QuerySelect};

use super::rounds::DISPATCHERS;
use crate::auth::Principal;
use crate::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use crate::Result;

pub use shipment::Model as Shipment;

/// A courier booking should not take longer than this.
pub const BOOKING_GRACE: Duration = Duration::minutes(10);
/// A parcel should not be on the road longer than this.
pub const ROAD_LIMIT: Duration = Duration::days(5);

/// The branch's courier shipments (HOME and RETURN), newest first; only the stuck ones when
/// `stuck`.
///
/// # Errors
/// FORBIDDEN for readers and staff of other branches.
pub async fn of_branch(
    db: &impl ConnectionTrait,
    who: &Principal,
    branch: Uuid,
    stuck: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Shipment>> {
    who.require_staff_at(DISPATCHERS, branch)?;
    let mut query = shipment::Entity::find()
        .filter(shipment::Column::Kind.is_in([ShipmentKind::Home, ShipmentKind::Return]))
        .filter(
            Condition::any()
                .add(shipment::Column::FromBranchId.eq(branch))
                .add(shipment::Column::ToBranchId.eq(branch)),
        );
    if stuck {
        query = query.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(shipment::Column::Status.eq(ShipmentStatus::Created))
                        .add(shipment::Column::CreatedAt.lt(now - BOOKING_GRACE)),
                )
                .add(
                    Condition::all()
                        .add(shipment::Column::Status.eq(ShipmentStatus::InTransit))
                        .add(shipment::Column::UpdatedAt.lt(now - ROAD_LIMIT)),
                )
                .add(shipment::Column::Status.eq(ShipmentStatus::Failed)),
        );
    }
    Ok(query
        .order_by_desc(shipment::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}
