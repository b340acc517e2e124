//! Taking parcels back out of lockers: an uncollected parcel (its hold expired) gets a
//! `collect_return` command so the door opens for staff; their `collected` event frees the
//! door and the copy travels back to be checked in at the branch.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;

use super::commands::{self, Issued};
use crate::entity::compartment;
use crate::entity::item;
use crate::entity::locker_command::CommandKind;
use crate::lending::LoanRequest;
use crate::Result;

/// Issues the `collect_return` command for `req`'s parcel (when it is in a compartment).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn collect(
    db: &impl ConnectionTrait,
    req: &LoanRequest,
    copy: &item::Model,
    now: DateTime<Utc>,
) -> Result<Issued> {
    let (Some(locker), Some(door)) = (req.locker_id, req.compartment_id) else {
        return Ok(Issued::default());
    };
    let Some(door) = compartment::Entity::find_by_id(door).one(db).await? else {
        return Ok(Issued::default());
    };
    commands::issue(
        db,
        locker,
        CommandKind::CollectReturn,
        &door.label,
        &copy.barcode,
        Some(req.id),
        now,
    )
    .await
}
