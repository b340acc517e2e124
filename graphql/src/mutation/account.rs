//! The caller's own account: saved delivery addresses.

use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::addresses::{self, NewAddress};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::{parse_id, Address};

/// A delivery address to save.
#[derive(InputObject)]
pub struct AddressInput {
    /// The reader's name for it, e.g. 家 or 公司.
    pub label: String,
    /// Who receives the parcel.
    pub recipient: String,
    /// Their mobile number.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// WGS-84 latitude, when known.
    pub latitude: Option<f64>,
    /// WGS-84 longitude, when known.
    pub longitude: Option<f64>,
}

impl From<AddressInput> for NewAddress {
    fn from(input: AddressInput) -> Self {
        NewAddress {
            label: input.label,
            recipient: input.recipient,
            phone: input.phone,
            address: input.address,
            position: input.latitude.zip(input.longitude),
        }
    }
}

/// Mutations of the caller's own account (readers).
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Saves a delivery address for HOME delivery (at most 10).
    async fn add_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to save.")] input: AddressInput,
    ) -> GqlResult<Address> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        Ok(Address(
            addresses::add(&domain(ctx).db, reader, input.into(), domain(ctx).now())
                .await
                .gql()?,
        ))
    }

    /// Changes one of the caller's saved addresses.
    async fn update_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to change (`Address.id`).")] id: ID,
        #[graphql(desc = "The whole address as it should be now (every field is replaced).")]
        input: AddressInput,
    ) -> GqlResult<Address> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&id, "address").gql()?;
        Ok(Address(
            addresses::update(&domain(ctx).db, reader, id, input.into())
                .await
                .gql()?,
        ))
    }

    /// Deletes one of the caller's saved addresses.
    async fn remove_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to delete (`Address.id`).")] id: ID,
    ) -> GqlResult<bool> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        addresses::remove(&domain(ctx).db, reader, parse_id(&id, "address").gql()?)
            .await
            .gql()?;
        Ok(true)
    }
}
