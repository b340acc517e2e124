//! The catalogue: titles, copies, search, import and export.
//!
//! - [`isbn`], [`call_number`]: the domain types of a book's identity and shelf place.
//! - [`books`], [`availability`]: titles with their copies, overall and per branch.
//! - [`search`]: what readers type, answered from the [`search_index`] kept current by the
//!   [`indexer`].
//! - [`import`]: MARC and CSV files into titles and copies; [`export`]: the catalogue back
//!   into such files, in the same field mapping ([`marc`] names the MARC fields).
//! - [`net_lending`]: the part of the collection online requests may be routed to.
//! - [`work`]: the book behind a title's editions, for "already held".

pub mod availability;
pub mod books;
pub mod call_number;
pub mod export;
pub mod import;
pub mod indexer;
pub mod isbn;
pub mod marc;
pub mod net_lending;
pub mod record;
pub mod search;
pub mod search_index;
pub mod work;
