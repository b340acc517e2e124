//! What each subcommand does.

use std::sync::Arc;

use actix_web::web;
use chrono::{DateTime, Utc};
use hongyan_domain::infra::clock::Clock;
use hongyan_domain::lending::consistency;
use hongyan_domain::lockers::{self, CompartmentSpec, NewLocker};
use hongyan_domain::purchases::rules;
use hongyan_domain::{accounts, demo, people, Config, Ctx};
use hongyan_worker::{Registry, Worker};
use tokio::sync::watch;

use crate::cli::{
    Command, LockerCommand, PurchasesCommand, RulesCommand, SchemaCommand, ServeArgs,
    SimulateCommand, UserCommand,
};
use crate::metrics::Metrics;
use crate::secret_input;
use crate::simulate::locker::{self as locker_sim, Simulation};
use crate::startup::{open_database, operators_server, seal_plain_codes};
use crate::{Application, Options};

/// Runs one subcommand.
///
/// # Errors
/// Whatever stopped it, for the command line to print.
pub async fn dispatch(command: Command, config: Config) -> anyhow::Result<()> {
    // A command runs once and is done: it reads its clock once, as the server would.
    let now = Clock::new(config.clock).now();
    match command {
        Command::Serve(args) => serve(config, args).await,
        Command::Worker => worker(config).await,
        Command::Migrate => {
            open_database(&config).await?;
            println!("database schema is up to date");
            Ok(())
        }
        Command::Check => {
            let db = open_database(&config).await?;
            let findings = consistency::check(&db, now).await?;
            print!("{}", consistency::summary(&findings));
            anyhow::ensure!(
                consistency::all_kept(&findings),
                "the database breaks the rules marked ✗ above (数据库有不一致之处，见上)"
            );
            println!("数据库一致：每个请求和每册书都只有一个真实的状态");
            Ok(())
        }
        Command::Demo(args) => {
            let db = open_database(&config).await?;
            if demo::load_with(&db, now, !args.no_history).await? {
                println!("demo library loaded");
            } else {
                println!("the demo library is already there; nothing changed");
            }
            if config.environment.is_production() {
                println!("HONGYAN_ENV=production: the demo's published logins are refused here.");
            } else {
                print_demo_logins();
            }
            Ok(())
        }
        Command::User(cmd) => user(config, cmd, now).await,
        Command::Locker(cmd) => locker(config, cmd, now).await,
        Command::Import(cmd) => {
            let ctx = Ctx::new(config.clone(), open_database(&config).await?)?;
            crate::import::import(&ctx, cmd).await.map(drop)
        }
        Command::Export(cmd) => {
            let db = open_database(&config).await?;
            crate::export::export(&db, cmd).await.map(drop)
        }
        Command::Index(cmd) => {
            let ctx = Ctx::new(config.clone(), open_database(&config).await?)?;
            crate::import::index(&ctx, cmd).await
        }
        Command::Purchases(PurchasesCommand::Rules(cmd)) => purchase_rules(config, cmd, now).await,
        Command::Purchases(PurchasesCommand::Offers {
            vendor,
            file,
            format,
        }) => {
            let ctx = Ctx::new(config.clone(), open_database(&config).await?)?;
            crate::import::vendor_offers(&ctx, &vendor, &file, format).await
        }
        Command::Schema(SchemaCommand::Print) => {
            print!("{}", hongyan_graphql::sdl());
            Ok(())
        }
        Command::Simulate(SimulateCommand::City(args)) => {
            crate::simulate::city::run(&config, args).await
        }
    }
}

async fn purchase_rules(
    config: Config,
    cmd: RulesCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let db = open_database(&config).await?;
    match cmd {
        RulesCommand::Show => print!("{}", rules::to_toml(&rules::current(&db).await?)?),
        RulesCommand::Apply { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let parsed = rules::from_toml(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.english()))?;
            rules::store(&db, parsed, None, now).await?;
            println!("purchase rules from {} are in force", file.display());
        }
    }
    Ok(())
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let addr = config.http_addr;
    // A real library's platform never gets the demo's public logins by default.
    let production = config.environment.is_production();
    let app = Application::build(
        config,
        Options {
            worker: !args.no_worker,
            demo: !args.no_demo && !production,
            http_workers: None,
        },
    )
    .await?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    println!("Hongyan is running.");
    println!("  GraphiQL:  http://{host}:{}/graphql", app.port());
    println!("  Readers:   http://{host}:{}/app/", app.port());
    println!("  Console:   http://{host}:{}/console  (staff)", app.port());
    println!("  Health:    http://{host}:{}/readyz", app.port());
    if app.demo_loaded() {
        println!("  The demo library was loaded into the empty database.");
    }
    if production {
        println!("  Production (HONGYAN_ENV=production): no demo library, demo logins refused.");
    } else {
        print_demo_logins();
    }
    app.run_until_stopped().await?;
    Ok(())
}

fn print_demo_logins() {
    println!("Demo logins (when the demo library is loaded):");
    for (what, how) in demo::LOGINS {
        println!("  {what:<34} {how}");
    }
}

async fn worker(config: Config) -> anyhow::Result<()> {
    let db = open_database(&config).await?;
    let ctx = Ctx::new(config, db)?;
    seal_plain_codes(&ctx).await?;
    let (stop, stopped) = watch::channel(false);
    let registry = Registry::platform(&ctx.config);
    let mut worker = Worker::new(ctx.clone(), registry);
    // Job and notification outcomes are counted in this process: serve them if asked to.
    let metrics_server = match ctx.config.worker_metrics_addr {
        Some(addr) => {
            let metrics = Arc::new(Metrics::new());
            worker = worker.with_metrics(Arc::clone(&metrics.jobs));
            Some(operators_server(
                &ctx,
                &web::Data::new(metrics),
                addr,
                "HONGYAN_WORKER_METRICS_ADDR",
            )?)
        }
        None => None,
    };
    let running = tokio::spawn(worker.run(stopped));
    let handle = metrics_server.as_ref().map(actix_web::dev::Server::handle);
    if let Some(server) = metrics_server {
        tokio::spawn(server);
    }
    shutdown_signal().await;
    let _ = stop.send(true);
    if let Some(h) = handle {
        h.stop(true).await;
    }
    running.await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

async fn user(config: Config, cmd: UserCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let db = open_database(&config).await?;
    match cmd {
        UserCommand::AddStaff {
            username,
            password_file,
            password,
            role,
            branches,
        } => {
            let secret = secret_input::read(
                "password",
                secret_input::source(password_file.as_deref(), password),
            )?;
            let s = people::add_staff(&db, &username, &secret, role.into(), &branches, now).await?;
            println!("staff {} created ({:?})", s.username, s.role);
        }
        UserCommand::AddReader {
            card,
            pin_file,
            pin,
            name,
        } => {
            let pin = secret_input::read("PIN", secret_input::source(pin_file.as_deref(), pin))?;
            let r = people::add_reader(&db, &card, &pin, &name, now).await?;
            println!(
                "reader {} created with card {}",
                r.name,
                r.card_number.unwrap_or_default()
            );
        }
        UserCommand::SetPassword {
            username,
            password_file,
        } => {
            let secret = secret_input::read(
                "password",
                secret_input::source(password_file.as_deref(), None),
            )?;
            let ctx = Ctx::new(config, db)?;
            accounts::set_password_of(&ctx, &username, &secret).await?;
            println!("the password of {username} is changed; its devices sign in again");
        }
    }
    Ok(())
}

async fn locker(config: Config, cmd: LockerCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    match cmd {
        LockerCommand::Simulate {
            server,
            token,
            auto_pickup_secs,
            state_file,
        } => {
            let state = state_file.unwrap_or_else(|| locker_sim::default_state_file(&token));
            locker_sim::run(Simulation {
                server: server.trim_end_matches('/').to_owned(),
                token,
                auto_pickup: auto_pickup_secs.map(std::time::Duration::from_secs),
                state,
            })
            .await?;
        }
        LockerCommand::Register {
            code,
            branch,
            compartments,
            name,
            address,
            lat,
            lng,
        } => {
            let db = open_database(&config).await?;
            let spec: CompartmentSpec = compartments.parse()?;
            let position = lat.zip(lng);
            let (locker, token) = lockers::register(
                &db,
                NewLocker {
                    code,
                    name,
                    branch_code: branch,
                    address,
                    position,
                },
                &spec,
                now,
            )
            .await?;
            println!(
                "locker {} registered; its device token (shown once) is on the next line",
                locker.code
            );
            println!("{token}");
        }
    }
    Ok(())
}
