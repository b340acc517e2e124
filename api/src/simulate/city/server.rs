//! The server a simulation runs against: the real [`Application`] (API and embedded worker)
//! in this process, on its own database, with an adjustable clock the simulation moves, and
//! the demo city loaded.

use std::collections::HashMap;
use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use anyhow::Context as _;
use hongyan_domain::{demo, Config, Ctx};

use super::scenario::Scenario;
use crate::startup::open_database;
use crate::{Application, Options};

/// A running simulated server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its context: the simulation moves its clock and opens the city's accounts with it.
    pub ctx: Ctx,
    handle: ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The temporary directory of the embedded database, removed when stopped.
    scratch: Option<PathBuf>,
}

/// The variables the simulated server runs with instead of the environment's: its own
/// database and Redis prefix, an adjustable clock, a port of its own, no messages to the
/// outside world (WeChat, a courier company: the library's own staff deliver; email only to
/// the environment's `HONGYAN_SMTP_URL`, meant for a local catcher), and no rate limits
/// (every simulated person calls from this machine).
fn overrides(database_url: String, scenario: &Scenario) -> HashMap<&'static str, Option<String>> {
    let set = |v: &str| Some(v.to_owned());
    HashMap::from([
        ("HONGYAN_DATABASE_URL", Some(database_url)),
        (
            "HONGYAN_REDIS_PREFIX",
            Some(format!("hongyan-sim:{}:", uuid::Uuid::new_v4().simple())),
        ),
        ("HONGYAN_CLOCK", set("adjustable")),
        ("HONGYAN_HTTP_ADDR", set("127.0.0.1:0")),
        ("HONGYAN_METRICS_ADDR", None),
        ("HONGYAN_INDEX_DIR", set(":memory:")),
        ("HONGYAN_HOLD_HOURS", Some(scenario.hold_hours.to_string())),
        ("HONGYAN_ROUTING", set(scenario.routing.as_str())),
        ("HONGYAN_SWEEP_INTERVAL_SECS", set("1")),
        ("HONGYAN_JOB_POLL_INTERVAL_MS", set("100")),
        ("HONGYAN_RATE_LIMIT_IP", set("off")),
        ("HONGYAN_RATE_LIMIT_READER", set("off")),
        ("HONGYAN_ACCESS_TOKEN_TTL_SECS", set("86400")),
        ("HONGYAN_WECHAT_APPID", None),
        ("HONGYAN_WECHAT_SECRET", None),
        ("HONGYAN_WECHAT_OA_APPID", None),
        ("HONGYAN_WECHAT_OA_SECRET", None),
        ("HONGYAN_COURIER_API_BASE", None),
    ])
}

/// Starts the server on `database_url` (none: a SQLite file in a new temporary
/// directory) and loads the demo city into it when it has none (without the demo's year of
/// history: the simulated day is the city's only traffic).
///
/// # Errors
/// The database cannot be opened or migrated, or the server cannot start.
pub async fn start(database_url: Option<String>, scenario: &Scenario) -> anyhow::Result<Server> {
    let (url, scratch) = match database_url {
        Some(url) => (url, None),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "hongyan-simulation-{}",
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            (
                format!("sqlite://{}/hongyan.db?mode=rwc", dir.display()),
                Some(dir),
            )
        }
    };
    let vars = overrides(url, scenario);
    let config = Config::from_lookup(|k| match vars.get(k) {
        Some(v) => v.clone(),
        None => std::env::var(k).ok(),
    })?;
    let db = open_database(&config).await?;
    let now = hongyan_domain::infra::clock::Clock::new(config.clock).now();
    demo::load_with(&db, now, false)
        .await
        .map_err(anyhow::Error::from)
        .context("loading the demo city")?;
    for code in &scenario.lockers.added_beside {
        add_cabinet_beside(&db, code, now)
            .await
            .with_context(|| format!("lockers.added_beside: {code}"))?;
    }
    db.close().await.context("closing the set-up connection")?;
    let app = Application::build(
        config,
        Options {
            worker: true,
            demo: false,
            http_workers: Some(2),
        },
    )
    .await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (ctx, handle) = (app.ctx().clone(), app.handle());
    let running = tokio::spawn(app.run_until_stopped());
    Ok(Server {
        base,
        ctx,
        handle,
        running,
        scratch,
    })
}

/// Registers a second cabinet beside the locker `code`: the same place, branch and doors,
/// code `CODE-2`, with the demo's device token for that code (the simulated controllers
/// use it).
async fn add_cabinet_beside(
    db: &sea_orm::DatabaseConnection,
    code: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use hongyan_domain::entity::{branch, locker};
    use hongyan_domain::lockers::{self, CompartmentSpec, NewLocker};
    use sea_orm::{ActiveEnum as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _};

    let beside = locker::Entity::find()
        .filter(locker::Column::Code.eq(code))
        .one(db)
        .await?
        .context("no locker has this code")?;
    let branch = branch::Entity::find_by_id(beside.branch_id)
        .one(db)
        .await?
        .context("the locker's branch")?;
    let doors = lockers::compartment_counts(db, &[beside.id])
        .await?
        .remove(&beside.id)
        .unwrap_or_default();
    let spec: CompartmentSpec = doors
        .iter()
        .map(|d| format!("{}={}", d.size.to_value(), d.total))
        .collect::<Vec<_>>()
        .join(",")
        .parse()
        .map_err(anyhow::Error::from)?;
    let new_code = format!("{code}-2");
    let new = NewLocker {
        code: new_code.clone(),
        name: format!("{}（二号柜）", beside.name),
        branch_code: branch.code,
        address: beside.address,
        position: beside.latitude.zip(beside.longitude),
    };
    lockers::register_with_token(db, new, &spec, &demo::locker_token(&new_code), now)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(())
}

impl Server {
    /// Whether the server still runs (a signal such as Ctrl-C stops it).
    pub fn is_running(&self) -> bool {
        !self.running.is_finished()
    }

    /// Stops the server and its worker, and removes the temporary database.
    ///
    /// # Errors
    /// The server failed while it ran.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.handle.stop(true).await;
        let ran = self.running.await;
        if let Some(dir) = self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
        ran.context("the simulated server")??;
        Ok(())
    }
}
