//! `hongyan`: the net-lending platform's one binary.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    // One TLS crypto provider for every client in the process (reqwest, sqlx, lettre):
    // ring, installed before anything opens a connection.
    let _ = rustls::crypto::ring::default_provider().install_default();
    hongyan_api::cli::run(hongyan_api::cli::Cli::parse()).await
}
