//! Readers' saved delivery addresses (for HOME delivery by courier).

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, PaginatorTrait, QueryOrder};

use crate::entity::reader_address;
use crate::i18n::Text;
use crate::{Error, Reason, Result};

pub use reader_address::Model as Address;

/// Addresses one reader may keep.
pub const MAX_ADDRESSES: u64 = 10;

/// A mainland China mobile number: 11 digits starting with 1 and 3–9 (`+86` and spaces or
/// hyphens allowed when typed).
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses a mobile number as typed.
    ///
    /// # Errors
    /// VALIDATION when it is not an 11-digit mobile number.
    pub fn parse(s: &str) -> Result<Self> {
        let digits: String = s
            .trim()
            .trim_start_matches("+86")
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let b = digits.as_bytes();
        if b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
        {
            Ok(Phone(digits))
        } else {
            Err(Error::validation(text!("phone-format")))
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

/// A new address as the reader types it.
#[derive(Clone)]
pub struct NewAddress {
    /// The reader's name for it.
    pub label: String,
    /// Who receives the parcel.
    pub recipient: String,
    /// Their mobile number.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// WGS-84 (latitude, longitude), when the client knows it.
    pub position: Option<(f64, f64)>,
}

/// `value` trimmed, when it has 1 to `max` characters; else VALIDATION in `field` saying
/// `message` (given `max`, as `{ $max }`).
fn text(value: &str, field: &'static str, max: usize, message: Text) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(Error::validation(message.arg("max", max)).in_field(field));
    }
    Ok(v.to_owned())
}

/// Saves an address for `reader`.
///
/// # Errors
/// VALIDATION for a malformed field; QUOTA_EXCEEDED beyond [`MAX_ADDRESSES`].
pub async fn add(
    db: &impl ConnectionTrait,
    reader: Uuid,
    new: NewAddress,
    now: DateTime<Utc>,
) -> Result<Address> {
    let mut row = checked(new)?;
    row.id = Set(Uuid::now_v7());
    row.reader_id = Set(reader);
    row.created_at = Set(now);
    let count = reader_address::Entity::find()
        .filter(reader_address::Column::ReaderId.eq(reader))
        .count(db)
        .await?;
    if count >= MAX_ADDRESSES {
        return Err(Error::QuotaExceeded(text!(
            "address-quota",
            max = MAX_ADDRESSES
        )));
    }
    Ok(row.insert(db).await?)
}

/// Changes one of `reader`'s addresses (a request already on its way keeps the address it
/// was sent to: the courier has it on the waybill).
///
/// # Errors
/// VALIDATION for a malformed field; NOT_FOUND when it is not theirs.
pub async fn update(
    db: &impl ConnectionTrait,
    reader: Uuid,
    id: Uuid,
    new: NewAddress,
) -> Result<Address> {
    let found = reader_address::Entity::find_by_id(id)
        .filter(reader_address::Column::ReaderId.eq(reader))
        .one(db)
        .await?
        .ok_or(Error::NotFound("address"))?;
    let mut row = checked(new)?;
    row.id = sea_orm::ActiveValue::Unchanged(found.id);
    Ok(row.update(db).await?)
}

/// The fields of `new`, checked, as a row to insert or update.
fn checked(new: NewAddress) -> Result<reader_address::ActiveModel> {
    let phone = Phone::parse(&new.phone).map_err(|e| e.in_field("phone"))?;
    if let Some((lat, lng)) = new.position {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
            return Err(Error::validation(text!("address-position-range")));
        }
    }
    Ok(reader_address::ActiveModel {
        label: Set(text(
            &new.label,
            "label",
            16,
            text!("address-label-length"),
        )?),
        recipient: Set(text(
            &new.recipient,
            "recipient",
            32,
            text!("address-recipient-length"),
        )?),
        phone: Set(phone.0),
        address: Set(text(
            &new.address,
            "address",
            200,
            text!("address-street-length"),
        )?),
        latitude: Set(new.position.map(|p| p.0)),
        longitude: Set(new.position.map(|p| p.1)),
        ..Default::default()
    })
}

/// The reader's addresses, oldest first.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn of_reader(db: &impl ConnectionTrait, reader: Uuid) -> Result<Vec<Address>> {
    Ok(reader_address::Entity::find()
        .filter(reader_address::Column::ReaderId.eq(reader))
        .order_by_asc(reader_address::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Deletes one of the reader's addresses.
///
/// # Errors
/// NOT_FOUND when it is not theirs (or does not exist); CONFLICT while a request delivers to it.
pub async fn remove(db: &impl ConnectionTrait, reader: Uuid, id: Uuid) -> Result<()> {
    let res = reader_address::Entity::delete_many()
        .filter(reader_address::Column::Id.eq(id))
        .filter(reader_address::Column::ReaderId.eq(reader))
        .exec(db)
        .await
        .map_err(|e| {
            if crate::infra::db::is_foreign_key_violation(&e) {
                Error::conflict(Reason::AddressInUse)
            } else {
                e.into()
            }
        })?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("address"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers() {
        for ok in ["13812345678", "+86 138-1234-5678", " 19912345678 "] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "abc",
            "23812345678",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            format!("{:?}", Phone::parse("13812345678").expect("ok")),
            "Phone(<redacted>)"
        );
    }
}
