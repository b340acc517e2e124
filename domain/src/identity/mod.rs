//! Who a reader is, for the library: a card applied for online ([`registration`]), a WeChat
//! identity binding the card its holder already has ([`binding`]), two accounts of one person
//! merged ([`merging`]), and the ID numbers
//! applications carry ([`id_number`]).
//!
//! A reader without a card, or with one still to be verified, may search, browse and
//! propose purchases but not borrow (`lending::eligibility` refuses with a reason the apps
//! turn into "bind or apply").

pub mod binding;
pub mod id_number;
pub mod merging;
pub mod registration;
