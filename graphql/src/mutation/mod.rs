//! The Mutation root, merged from one object per resource.

mod account;
mod auth;
mod dispatch;
mod figures;
mod identity;
pub(crate) mod lending;
mod notify;
mod operations;
pub(crate) mod patrons;
mod places;
mod purchases;
mod staff;
mod stock;

use async_graphql::MergedObject;

/// Every mutation of the contract.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    auth::AuthMutation,
    lending::LendingMutation,
    dispatch::DispatchMutation,
    figures::FiguresMutation,
    identity::IdentityMutation,
    operations::OperationsMutation,
    patrons::PatronsMutation,
    places::PlacesMutation,
    notify::NotifyMutation,
    purchases::PurchasesMutation,
    staff::StaffMutation,
    stock::StockMutation,
);
