//! The Query root, merged from one object per resource.

mod account;
mod operations;
mod places;

use async_graphql::MergedObject;

/// Every query of the contract.
#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    places::PlacesQuery,
    operations::OperationsQuery,
);
