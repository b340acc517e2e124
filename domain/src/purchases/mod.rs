//! "You read, we pay" (你读书我买单): readers propose books, the library's [`rules`] and the
//! year's [`budget`] decide at once, librarians review the borderline ones
//! ([`proposals`]); bought books go to their proposer first ([`receiving`]); at a partner
//! bookstore the reader leaves with the book as a loan ([`in_store`]), and the store is
//! paid by monthly [`statements`].

pub mod budget;
pub mod in_store;
pub mod proposals;
pub mod receiving;
pub mod rules;
pub mod statements;

pub use crate::entity::purchase_proposal::{Model as Proposal, ProposalChannel, ProposalStatus};
