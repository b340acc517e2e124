//! Logging: `tracing` to stderr, human-readable or JSON (`HONGYAN_LOG_FORMAT=json`),
//! filtered by `RUST_LOG` (default `info`, with the SQL layers quietened).

use hongyan_domain::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init(format: LogFormat) {
    init_with(format, "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn");
}

/// Installs the global subscriber once with `default` as the filter when `RUST_LOG` is not
/// set.
pub fn init_with(format: LogFormat, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
