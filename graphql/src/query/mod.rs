//! The Query root, merged from one object per resource.

mod account;
mod catalog;
mod dispatch;
pub(crate) mod lending;
mod notify;
mod operations;
mod places;
mod purchases;
mod stats;
mod stock;

use async_graphql::MergedObject;

/// Every query of the contract.
#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    catalog::CatalogQuery,
    lending::LendingQuery,
    dispatch::DispatchQuery,
    places::PlacesQuery,
    operations::OperationsQuery,
    notify::NotifyQuery,
    purchases::PurchasesQuery,
    stats::StatsQuery,
    stock::StockQuery,
);
