//! What was sent to whom: a reader's notifications for staff at the desk, and their own.

use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

use super::Notification;
use crate::auth::Principal;
use crate::entity::notification;
use crate::entity::notification_attempt::{self, Model as Attempt};
use crate::{Error, Result};

/// The reader's notifications, newest first: staff who work a desk (and admins) see
/// anyone's, a reader only their own.
///
/// # Errors
/// NOT_FOUND when a reader asks about another reader (never revealing who exists);
/// FORBIDDEN for other staff (bookstore clerks).
pub async fn of_reader(
    db: &impl ConnectionTrait,
    who: &Principal,
    reader: Uuid,
    limit: u64,
) -> Result<Vec<Notification>> {
    match who {
        Principal::Staff { .. } => who.require_staff(crate::lending::desk::DESK)?,
        Principal::Reader { id } if *id == reader => {}
        Principal::Reader { .. } => return Err(Error::NotFound("reader")),
    }
    Ok(notification::Entity::find()
        .filter(notification::Column::ReaderId.eq(reader))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Every attempt at sending a notification, oldest first.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn attempts(db: &impl ConnectionTrait, notification: Uuid) -> Result<Vec<Attempt>> {
    Ok(notification_attempt::Entity::find()
        .filter(notification_attempt::Column::NotificationId.eq(notification))
        .order_by_asc(notification_attempt::Column::Id)
        .all(db)
        .await?)
}
