//! The `hongyan` command line (the contract: docs/design.md and docs/configuration.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hongyan_domain::auth::StaffRole;
use hongyan_domain::config::LogFormat;
use hongyan_domain::Config;

use crate::{commands, telemetry};

/// Hongyan (鸿雁): online lending and book delivery for public libraries.
#[derive(Debug, Parser)]
#[command(name = "hongyan", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then run the API with an embedded worker.
    Serve(ServeArgs),
    /// Run job workers only (scale-out).
    Worker,
    /// Bring the database schema up to date.
    Migrate,
    /// Check that the database says one true thing about every request and copy (nothing
    /// lost, nothing twice); exit 1 when a rule is broken.
    Check,
    /// Load the demo library (branches, lockers, catalogue, demo logins, a year of history).
    Demo(DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage smart lockers.
    #[command(subcommand)]
    Locker(LockerCommand),
    /// Import a catalogue file (MARC or CSV) with a progress bar.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write the catalogue (every title with its copies) into a MARC or CSV file that
    /// `import` reads back.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage the search index.
    #[command(subcommand)]
    Index(IndexCommand),
    /// "You read, we pay" settings.
    #[command(subcommand)]
    Purchases(PurchasesCommand),
    /// The GraphQL schema.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Simulations against the real server (never in production).
    #[command(subcommand)]
    Simulate(SimulateCommand),
}

/// `simulate` subcommands.
#[derive(Debug, Subcommand)]
pub enum SimulateCommand {
    /// A simulated city day: the real server in this process on its own database, with an
    /// adjustable clock, and simulated readers, staff, couriers and lockers acting through
    /// its public API; prints how long readers wait for their books (docs/simulation.md).
    City(CityArgs),
}

/// `simulate city` options.
#[derive(Debug, Clone, Args)]
pub struct CityArgs {
    /// Simulated days (default: the scenario's, 1).
    #[arg(long)]
    pub days: Option<u32>,
    /// Readers in the city (default: the scenario's, 400).
    #[arg(long)]
    pub readers: Option<u32>,
    /// A scenario file (TOML; default: the demo city, as docs/scenarios/demo.toml).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// A second scenario file: run it too, each on a temporary database of its own, and
    /// print the two side by side ("what if").
    #[arg(long, conflicts_with = "what_if")]
    pub compare: Option<PathBuf>,
    /// Then run the scenario again with one more of each resource (a picker per branch, a
    /// late-shift picker per branch, a van round, a cabinet beside the fullest locker),
    /// each on a temporary database of its own, and print which shortens the wait most.
    #[arg(long)]
    pub what_if: bool,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also write the report as an HTML page with charts to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Run on this database (it gets the demo city and the simulated traffic; default:
    /// SQLite in a new temporary directory, removed afterwards).
    #[arg(long)]
    pub database_url: Option<String>,
}

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Leave out the generated year of history (readers, requests, loans, proposals), for a
    /// library where nothing has happened yet.
    #[arg(long)]
    pub no_history: bool,
}

/// `schema` subcommands.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the GraphQL schema (SDL), as `schema.graphql` at the repository root holds it.
    Print,
}

/// `purchases` subcommands.
#[derive(Debug, Subcommand)]
pub enum PurchasesCommand {
    /// The purchase rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Load a vendor's catalogue feed (the books it sells: ISBN, title, price, class…), which
    /// proposals are judged on; a row for an ISBN the vendor listed before replaces it.
    Offers {
        /// The vendor: its id or its exact name.
        vendor: String,
        /// The feed: CSV (header `isbn,title,price[,author,publisher,year,clc_class,stock]`)
        /// or ISO 2709 MARC; at most 8 MiB and 50,000 rows.
        file: PathBuf,
        /// csv or marc (default: from the file's extension: .csv, or .mrc/.iso/.marc).
        #[arg(long, value_enum)]
        format: Option<FeedFormat>,
    },
}

/// The format of a vendor's feed file.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FeedFormat {
    /// CSV with a header row.
    Csv,
    /// ISO 2709 (MARC 21 or CNMARC).
    Marc,
}

/// `purchases rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print the rules in force as a rules file.
    Show,
    /// Put the rules of a TOML file in force (see config/purchase-rules.toml).
    Apply {
        /// The file.
        file: std::path::PathBuf,
    },
}

/// `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// ISO 2709 (binary MARC) records, MARC21 or CNMARC/UNIMARC.
    Marc {
        /// The file.
        file: std::path::PathBuf,
        /// marc21 or cnmarc (default: detected per record).
        #[arg(long)]
        flavour: Option<String>,
        /// Put the copies held at this location (852 `$c`, 905 `$c`) in the net-lending
        /// stock and the file's other copies out of it.
        #[arg(long)]
        net_lending_location: Option<String>,
        /// The holdings field's subfield (852 / 905) that says whether a copy is in the
        /// net-lending stock (default: 9).
        #[arg(long, value_parser = subfield_code)]
        net_lending_subfield: Option<u8>,
        /// The holdings field's subfield that gives the copy's status in the library's own
        /// system (剔除/注销/报废: withdrawn; 丢失/遗失: missing).
        #[arg(long, value_parser = subfield_code)]
        status_subfield: Option<u8>,
        /// What to do with what the file no longer lists, and whether to write at all.
        #[command(flatten)]
        sync: SyncArgs,
    },
    /// CSV with a header row (columns are listed in docs/catalogue.md).
    Csv {
        /// The file.
        file: std::path::PathBuf,
        /// Put the copies whose `location` is this in the net-lending stock and the file's
        /// other copies out of it (a row's own `net_lending` wins).
        #[arg(long)]
        net_lending_location: Option<String>,
        /// The column that says whether a copy is in the net-lending stock (default:
        /// `net_lending`).
        #[arg(long)]
        net_lending_column: Option<String>,
        /// The column that gives the copy's status in the library's own system (default:
        /// `status`; 剔除/注销/报废: withdrawn; 丢失/遗失: missing).
        #[arg(long)]
        status_column: Option<String>,
        /// What to do with what the file no longer lists, and whether to write at all.
        #[command(flatten)]
        sync: SyncArgs,
    },
}

/// A MARC subfield code: one ASCII letter or digit.
fn subfield_code(s: &str) -> Result<u8, String> {
    match s.as_bytes() {
        [c] if c.is_ascii_alphanumeric() => Ok(*c),
        _ => Err("a subfield code is one letter or digit, e.g. 9".into()),
    }
}

/// Options of an import that keeps the catalogue in sync with the library's other system.
#[derive(Debug, Args, Default, Clone)]
pub struct SyncArgs {
    /// The file is the whole catalogue of `--branch`: withdraw that branch's copies it no
    /// longer lists (copies in circulation are kept until a later sync).
    #[arg(long, requires = "branch")]
    pub withdraw_missing: bool,
    /// The branch (code) whose whole catalogue the file is.
    #[arg(long, requires = "withdraw_missing")]
    pub branch: Option<String>,
    /// Read and check the whole file and say what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// ISO 2709 (binary MARC) records in UTF-8, MARC21 or CNMARC.
    Marc {
        /// The file (`-`: standard output).
        file: std::path::PathBuf,
        /// marc21 or cnmarc.
        #[arg(long, default_value = "marc21")]
        flavour: String,
    },
    /// CSV with the import's header row, one row per copy.
    Csv {
        /// The file (`-`: standard output).
        file: std::path::PathBuf,
    },
}

/// `index` subcommands.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Re-index every title in every running process (and in the others when they start).
    Rebuild,
}

/// Options of `serve`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Do not run the job worker in this process.
    #[arg(long)]
    pub no_worker: bool,
    /// Do not load the demo library into an empty database (production never loads it:
    /// run `hongyan demo` to load it by name).
    #[arg(long)]
    pub no_demo: bool,
}

/// `user` subcommands. Passwords and PINs are typed at a prompt (not echoed) or read from
/// the first line of standard input, or of a file: never from the command line, where `ps`
/// and the shell history would keep them.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account (the password is asked for).
    AddStaff {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Read the password from the first line of this file.
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// Deprecated: visible to `ps` and kept in shell history; use a prompt, standard
        /// input or --password-file.
        #[arg(long, hide = true)]
        password: Option<String>,
        /// Role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Branch code in the account's scope (repeatable; not needed for admins).
        #[arg(long = "branch")]
        branches: Vec<String>,
    },
    /// Register a reader with a library card (the PIN is asked for).
    AddReader {
        /// Card number.
        #[arg(long)]
        card: String,
        /// Read the PIN (4-12 digits) from the first line of this file.
        #[arg(long)]
        pin_file: Option<PathBuf>,
        /// Deprecated: visible to `ps`; use a prompt, standard input or --pin-file.
        #[arg(long, hide = true)]
        pin: Option<String>,
        /// Name.
        #[arg(long)]
        name: String,
    },
    /// Give a staff account a new password (the password is asked for); its devices sign
    /// in again.
    SetPassword {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Read the password from the first line of this file.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

/// Staff roles as typed on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Works picking lists.
    Picker,
    /// Packs and dispatches.
    Dispatcher,
    /// Librarian.
    Librarian,
    /// Administrator.
    Admin,
    /// Partner bookstore clerk.
    BookstoreClerk,
}

impl From<RoleArg> for StaffRole {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Picker => StaffRole::Picker,
            RoleArg::Dispatcher => StaffRole::Dispatcher,
            RoleArg::Librarian => StaffRole::Librarian,
            RoleArg::Admin => StaffRole::Admin,
            RoleArg::BookstoreClerk => StaffRole::BookstoreClerk,
        }
    }
}

/// `locker` subcommands.
#[derive(Debug, Subcommand)]
pub enum LockerCommand {
    /// Register a locker and print its device token (shown once, alone on the last line).
    Register {
        /// Unique locker code.
        #[arg(long)]
        code: String,
        /// Code of the branch that fills it.
        #[arg(long)]
        branch: String,
        /// Compartments by size, e.g. S=12,M=8,L=4.
        #[arg(long)]
        compartments: String,
        /// Display name (default: the code).
        #[arg(long, default_value = "")]
        name: String,
        /// Where it stands.
        #[arg(long, default_value = "")]
        address: String,
        /// WGS-84 latitude.
        #[arg(long, requires = "lng", allow_hyphen_values = true)]
        lat: Option<f64>,
        /// WGS-84 longitude.
        #[arg(long, requires = "lat", allow_hyphen_values = true)]
        lng: Option<f64>,
    },
    /// Run a simulated locker controller against a server (for demos and tests).
    Simulate {
        /// The Hongyan API, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        /// The locker's device token.
        #[arg(long)]
        token: String,
        /// Play a reader taking each parcel out this many seconds after it is deposited.
        #[arg(long)]
        auto_pickup_secs: Option<u64>,
        /// Where the controller keeps the cursor of the last command it carried out, so a
        /// restart resumes there instead of opening old doors again (default: a file named
        /// after the token in the system's temporary directory).
        #[arg(long)]
        state_file: Option<std::path::PathBuf>,
    },
}

/// Runs the command line: exit 0 on success, 2 for configuration errors, 1 otherwise.
pub async fn run(cli: Cli) -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hongyan: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    // A simulation prints its report; the server it runs says only what goes wrong.
    match cli.command {
        Some(Command::Simulate(_)) => telemetry::init_with(config.log_format, "warn"),
        _ => telemetry::init(config.log_format),
    }
    if config.log_format == LogFormat::Text && config.jwt_secret.generated {
        tracing::warn!(
            "HONGYAN_JWT_SECRET is not set: using a random development secret; tokens will not survive a restart"
        );
    }
    match commands::dispatch(
        cli.command.unwrap_or(Command::Serve(ServeArgs::default())),
        config,
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<hongyan_domain::config::ConfigError>() {
                Some(ce) => eprintln!("hongyan: configuration error: {ce}"),
                None => eprintln!("hongyan: {e:#}"),
            }
            if e.downcast_ref::<hongyan_domain::config::ConfigError>()
                .is_some()
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
