//! Readers as the library's staff look after them: finding one ([`search`]), their
//! standing at the desk ([`standing`]: a block with its reason, loan and request limits, a
//! new PIN) and their category's lending terms ([`categories`]). Who a reader *is*
//! (applications, bindings, merges) is [`crate::identity`]'s.

pub mod categories;
pub mod search;
pub mod standing;
