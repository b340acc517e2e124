//! The Query root, merged from one object per resource.

mod account;
mod catalog;
mod operations;
mod places;

use async_graphql::MergedObject;

/// Every query of the contract.
#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    catalog::CatalogQuery,
    places::PlacesQuery,
    operations::OperationsQuery,
);
