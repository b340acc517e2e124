//! "You read, we pay" (你读书我买单): readers propose books, the library's [`rules`] and the
//! year's [`budget`] decide at once, librarians review the borderline ones
//! ([`proposals`]); bought books go to their proposer first ([`receiving`]); at a partner
//! bookstore the reader leaves with the book as a loan ([`in_store`]), and the store is
//! paid by monthly [`statements`]; online purchases go to vendors on [`orders`]. Readers
//! and librarians withdraw proposals through [`cancelling`]; [`year_figures`] has the figures
//! libraries report. Vendors' feeds ([`offers`]) are the data proposals are judged on.

pub mod budget;
pub mod cancelling;
pub mod in_store;
pub mod offers;
pub mod orders;
pub mod proposals;
pub mod receiving;
pub mod rules;
pub mod statements;
pub mod year_figures;

pub use crate::entity::purchase_proposal::{Model as Proposal, ProposalChannel, ProposalStatus};

/// An amount in cents as yuan with two decimals (`59.00`), as bookstores read them.
fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}
