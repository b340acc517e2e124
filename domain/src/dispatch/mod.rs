//! Dispatch: getting picked books to smart lockers (智能书柜) and back.
//!
//! - [`placement`]: a compartment for each picked LOCKER parcel (or another locker, or the
//!   hold shelf), and its delivery round.
//! - [`rounds`]: delivery rounds in driving order; starting one sends the locker its
//!   `deposit` commands.
//! - [`commands`]: each locker's command sequence, announced on a signal so long polls wake
//!   without asking the database.
//! - [`long_poll`]: long polls answered from memory until there is something to fetch.
//! - [`locker_reports`]: the controllers' door events, recorded once each, applied in any order.
//! - [`collection`]: taking uncollected parcels back out.
//! - [`pickups`]: pickup codes typed at the locker, with a lockout against guessing.
//! - [`returns`]: returns by locker (drop codes, `return_dropped`, collection).
//! - [`couriers`]: courier companies (signed HTTP API, or the library's own staff).
//! - [`home`]: HOME delivery: waybills, tracking webhooks.
//! - [`doorstep`]: how a HOME parcel ends (by webhook or marked by staff); the packing list.
//! - [`shipments`]: courier shipments as dispatchers watch them (stuck ones).
//! - [`codes`]: deriving pickup codes and their lookup hashes.

pub mod codes;
pub mod collection;
pub mod commands;
pub mod couriers;
pub mod doorstep;
pub mod home;
pub mod locker_reports;
pub mod long_poll;
pub mod pickups;
pub mod placement;
pub mod returns;
pub mod rounds;
pub mod shipments;
