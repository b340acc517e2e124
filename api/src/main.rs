//! `hongyan`: the net-lending platform's one binary.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    hongyan_api::cli::run(hongyan_api::cli::Cli::parse()).await
}
