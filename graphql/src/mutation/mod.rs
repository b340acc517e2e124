//! The Mutation root, merged from one object per resource.

mod auth;
mod operations;

use async_graphql::MergedObject;

/// Every mutation of the contract.
#[derive(MergedObject, Default)]
pub struct Mutation(auth::AuthMutation, operations::OperationsMutation);
