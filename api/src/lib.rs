//! The `hongyan` binary as a library: the HTTP server ([`Application`]) and the command
//! line ([`cli`]). Tests start the real [`Application`] on port 0.

pub mod cli;
mod commands;
mod export;
mod http;
mod import;
mod metrics;
mod secret_input;
mod simulate;
mod startup;
pub mod telemetry;

pub use http::sockets;
pub use startup::{Application, Options};
