//! Attacks that once worked (security review, issue 17), each kept as a regression test
//! through the public surface: hostile paging arguments, production start-up with demo
//! credentials or a placeholder secret, and login brute force.

mod complexity;
mod exports;
mod imports;
mod keypads;
mod logins;
mod pagination;
mod production;
mod proxies;
mod sockets;
