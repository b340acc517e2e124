//! Building and running the application: configuration → database → migrations → demo →
//! domain context → GraphQL schema → HTTP server (+ embedded worker).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context as _;
use hongyan_domain::catalog::{indexer, work};
use hongyan_domain::config::ConfigError;
use hongyan_domain::dispatch::long_poll::CommandWatch;
use hongyan_domain::dispatch::returns;
use hongyan_domain::{demo, infra::db, Config, Ctx};
use hongyan_migrations::{Migrator, MigratorTrait};
use hongyan_worker::{Registry, Worker};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing_actix_web::TracingLogger;

use crate::http;
use crate::metrics::{GraphqlTiming, Metrics};

/// What `serve` runs besides the API.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Run the job worker in this process.
    pub worker: bool,
    /// Load the demo library into an empty database.
    pub demo: bool,
    /// HTTP worker threads (default: one per core).
    pub http_workers: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            worker: true,
            demo: true,
            http_workers: None,
        }
    }
}

/// A built, not yet running, Hongyan: the listener is bound, so the port is known.
pub struct Application {
    port: u16,
    server: Server,
    operators: Option<Server>,
    ctx: Ctx,
    worker: Option<(watch::Sender<bool>, JoinHandle<()>)>,
    demo_loaded: bool,
}

/// Opens the database named by the configuration and brings its schema up to date.
///
/// # Errors
/// A [`ConfigError`] for `HONGYAN_DATABASE_URL` when it cannot be reached or migrated.
pub async fn open_database(config: &Config) -> Result<sea_orm::DatabaseConnection, ConfigError> {
    let conn = db::connect(&config.database_url, config.database_pool)
        .await
        .map_err(|e| ConfigError {
            var: "HONGYAN_DATABASE_URL",
            message: format!("cannot connect: {e}"),
        })?;
    Migrator::up(&conn, None).await.map_err(|e| ConfigError {
        var: "HONGYAN_DATABASE_URL",
        message: format!("migrations failed: {e}"),
    })?;
    Ok(conn)
}

/// The operators' listener on `addr` (`/healthz`, `/metrics`), one worker thread; `var`
/// names the setting for a bind error.
///
/// # Errors
/// A [`ConfigError`] naming `var` when `addr` cannot be bound.
pub fn operators_server(
    ctx: &Ctx,
    metrics: &web::Data<Arc<Metrics>>,
    addr: std::net::SocketAddr,
    var: &'static str,
) -> Result<Server, ConfigError> {
    let (ctx, metrics) = (web::Data::new(ctx.clone()), metrics.clone());
    Ok(HttpServer::new(move || {
        App::new()
            .wrap(from_fn(http::secure_headers))
            .app_data(ctx.clone())
            .app_data(metrics.clone())
            .configure(http::worker_routes)
    })
    .workers(1)
    .bind(addr)
    .map_err(|e| ConfigError {
        var,
        message: format!("cannot listen: {e}"),
    })?
    .run())
}

/// Hashes drop codes an older version stored in plain text (see
/// [`returns::seal_plain_codes`]).
///
/// # Errors
/// A database fault.
pub async fn seal_plain_codes(ctx: &Ctx) -> anyhow::Result<()> {
    let sealed = returns::seal_plain_codes(ctx)
        .await
        .map_err(anyhow::Error::from)
        .context("hashing plain drop codes")?;
    if sealed > 0 {
        tracing::info!(sealed, "drop codes stored in plain text are now hashed");
    }
    Ok(())
}

/// Gives titles written by an older version their work and import keys (see
/// [`hongyan_domain::catalog::work::key_all`]).
///
/// # Errors
/// A database fault.
async fn key_works(ctx: &Ctx) -> anyhow::Result<()> {
    let keyed = work::key_all(&ctx.db)
        .await
        .map_err(anyhow::Error::from)
        .context("keying titles by work")?;
    if keyed > 0 {
        tracing::info!(keyed, "titles are now keyed by work");
    }
    Ok(())
}

impl Application {
    /// Connects, migrates, loads the demo if asked and the database is empty, and binds
    /// `config.http_addr` (port 0 picks a free port).
    ///
    /// # Errors
    /// A configuration problem naming its variable, or a bind/start-up failure.
    pub async fn build(config: Config, options: Options) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.http_addr).map_err(|e| ConfigError {
            var: "HONGYAN_HTTP_ADDR",
            message: format!("cannot listen: {e}"),
        })?;
        let port = listener.local_addr()?.port();
        let conn = open_database(&config).await?;
        let ctx = Ctx::new(config, conn)?;
        seal_plain_codes(&ctx).await?;
        key_works(&ctx).await?;
        let demo_loaded = options.demo
            && demo::load_if_empty(&ctx.db, ctx.now())
                .await
                .map_err(anyhow::Error::from)
                .context("loading the demo library")?;
        let search = indexer::start(&ctx, ctx.config.index_dir.as_deref())
            .await
            .map_err(anyhow::Error::from)
            .context("opening the search index")?;
        let metrics = Arc::new(Metrics::new());
        let schema = hongyan_graphql::builder(ctx.clone(), search)
            .extension(GraphqlTiming(Arc::clone(&metrics)))
            .finish();
        let worker = options.worker.then(|| {
            let (stop, stopped) = watch::channel(false);
            let w = Worker::new(ctx.clone(), Registry::platform(&ctx.config))
                .with_metrics(Arc::clone(&metrics.jobs));
            (stop, tokio::spawn(w.run(stopped)))
        });
        let (app_ctx, app_schema, app_metrics, app_watch, app_sockets) = (
            web::Data::new(ctx.clone()),
            web::Data::new(schema),
            web::Data::new(metrics),
            web::Data::from(CommandWatch::start(&ctx)),
            web::Data::new(http::sockets::Sockets::default()),
        );
        let operators_metrics = app_metrics.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(http::language))
                .wrap(Compress::default())
                .wrap(from_fn(http::secure_headers))
                .wrap(from_fn(http::observe))
                .wrap(TracingLogger::default())
                .app_data(app_ctx.clone())
                .app_data(app_schema.clone())
                .app_data(app_metrics.clone())
                .app_data(app_watch.clone())
                .app_data(app_sockets.clone())
                .configure(http::routes)
                .default_service(web::to(http::not_found))
        })
        .shutdown_timeout(10);
        if let Some(n) = options.http_workers {
            server = server.workers(n);
        }
        let server = server.listen(listener)?.run();
        let operators = match ctx.config.exposure.metrics_addr {
            Some(addr) => Some(operators_server(
                &ctx,
                &operators_metrics,
                addr,
                "HONGYAN_METRICS_ADDR",
            )?),
            None => None,
        };
        Ok(Application {
            port,
            server,
            operators,
            ctx,
            worker,
            demo_loaded,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this start-up loaded the demo library.
    pub fn demo_loaded(&self) -> bool {
        self.demo_loaded
    }

    /// The domain context (tests use it to reach the same database and signals).
    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    /// A handle that stops the HTTP server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (Ctrl-C, SIGTERM or [`ServerHandle::stop`]), then
    /// stops the embedded worker gracefully.
    ///
    /// # Errors
    /// An I/O error from the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let operators = self.operators.map(|server| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let result = self.server.await;
        if let Some(handle) = operators {
            handle.stop(true).await;
        }
        if let Some((stop, handle)) = self.worker {
            let _ = stop.send(true);
            let _ = handle.await;
        }
        result
    }
}
