//! "You read, we pay" (你读书我买单): readers propose books, the library's [`rules`] and the
//! year's [`budget`] decide at once, librarians review the borderline ones
//! ([`proposals`]); bought books go to their proposer first ([`receiving`]).

pub mod budget;
pub mod proposals;
pub mod receiving;
pub mod rules;

pub use crate::entity::purchase_proposal::{Model as Proposal, ProposalChannel, ProposalStatus};
