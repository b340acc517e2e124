//! Where a picked or checked-in copy goes next, as the person holding it needs to hear it:
//! into the van for a locker (which door), onto a hold shelf (for whom), into a courier
//! parcel, or to another branch. The reader is named only as a hold shelf label does: the
//! family name and the card's last four digits.

use sea_orm::prelude::*;

use super::LoanRequest;
use crate::entity::loan_request::DeliveryMethod;
use crate::entity::{branch, compartment, locker, reader};
use crate::{Error, Result};

/// Where the copy serving a request goes from `here`.
#[derive(Debug, Clone)]
pub enum Destination {
    /// Into this branch's open delivery round to a locker, for door `door` (none before the
    /// pick claims one).
    Locker {
        /// The locker.
        locker: locker::Model,
        /// The door's label.
        door: Option<String>,
    },
    /// Onto this branch's hold shelf, labelled for `reader`.
    HoldShelf {
        /// The shelf label: e.g. `张** 0001`.
        reader: String,
    },
    /// Packed for the reader's door by courier.
    Home,
    /// Sent to the branch where the reader collects it.
    Transfer {
        /// That branch.
        to: branch::Model,
    },
}

/// Where the copy serving `request` goes from branch `here` now.
///
/// # Errors
/// NOT_FOUND when the request's locker or branch is gone; INTERNAL on a database fault.
pub async fn of_request(
    db: &impl ConnectionTrait,
    request: &LoanRequest,
    here: Uuid,
) -> Result<Destination> {
    match request.delivery_method {
        DeliveryMethod::Home => Ok(Destination::Home),
        DeliveryMethod::Locker => {
            let locker_id = request.locker_id.ok_or(Error::NotFound("locker"))?;
            let locker = locker::Entity::find_by_id(locker_id)
                .one(db)
                .await?
                .ok_or(Error::NotFound("locker"))?;
            let door = match request.compartment_id {
                Some(id) => compartment::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .map(|c| c.label),
                None => None,
            };
            Ok(Destination::Locker { locker, door })
        }
        DeliveryMethod::Branch => match request.pickup_branch_id {
            Some(b) if b != here => Ok(Destination::Transfer {
                to: branch::Entity::find_by_id(b)
                    .one(db)
                    .await?
                    .ok_or(Error::NotFound("branch"))?,
            }),
            _ => Ok(Destination::HoldShelf {
                reader: shelf_label(db, request.reader_id).await?,
            }),
        },
    }
}

/// How a hold shelf names a reader: the first character of the name, the rest hidden, and
/// the card's last four characters.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn shelf_label(db: &impl ConnectionTrait, reader_id: Uuid) -> Result<String> {
    let r = reader::Entity::find_by_id(reader_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    Ok(label(&r.name, r.card_number.as_deref().unwrap_or_default()))
}

fn label(name: &str, card: &str) -> String {
    let mut chars = name.chars();
    let first: String = chars.next().into_iter().collect();
    let hidden = "*".repeat(chars.count().max(1));
    let tail: String = card
        .chars()
        .skip(card.chars().count().saturating_sub(4))
        .collect();
    format!("{first}{hidden} {tail}").trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn a_label_hides_all_but_the_family_name_and_the_cards_tail() {
        assert_eq!(label("张小雨", "20250001"), "张** 0001");
        assert_eq!(label("王", "123"), "王* 123");
        assert_eq!(label("读者", ""), "读*");
    }
}
