//! `hongyan simulate city`: a simulated day (or more) of a whole city against the real
//! server. The server runs in this process on its own database with an adjustable clock
//! ([`server`]); simulated readers, pickers, dispatchers, desk staff, couriers and lockers
//! act only through the public surface (GraphQL over HTTP, the locker protocol) while the
//! simulation moves the clock forward step by step ([`world`]). At the end it reports how
//! long readers waited for their books ([`report`], printed by [`table`]), checks the
//! database's consistency rules and where the books are ([`whereabouts`]), and fails when
//! either is broken. `--compare` runs a second scenario beside it ([`compare`]), `--what-if`
//! one more of each resource ([`what_if`]). docs/simulation.md describes it.

mod clock;
mod compare;
mod devices;
mod gql;
mod html;
mod places;
mod random;
mod readers;
mod report;
pub mod scenario;
mod server;
mod staff;
mod table;
mod what_if;
mod whereabouts;
mod world;

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use chrono::Duration;
use hongyan_domain::auth::StaffRole;
use hongyan_domain::lending::consistency;
use hongyan_domain::{people, Config};
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};
use serde_json::json;

use self::gql::{text, Api};
use self::places::City;
use self::report::{Figures, PickerFigures};
use self::scenario::Scenario;
use self::world::{Desk, World};
use crate::cli::CityArgs;
use crate::simulate::locker::LockerClient;

/// Runs the simulation and prints its report.
///
/// # Errors
/// Production (`HONGYAN_ENV=production`), a bad scenario, a server that cannot start, or a
/// city the simulation cannot set up.
pub async fn run(config: &Config, args: CityArgs) -> anyhow::Result<()> {
    if config.environment.is_production() {
        bail!(
            "simulate city refuses to run when HONGYAN_ENV=production: it moves the platform's \
             clock and fills a database with simulated readers (模拟会调快平台时钟，不能在生产环境运行)"
        );
    }
    if (args.compare.is_some() || args.what_if) && args.database_url.is_some() {
        bail!(
            "--compare and --what-if run each scenario on a temporary database of its own: \
             leave out --database-url"
        );
    }
    let scenario = scenario_from(args.scenario.as_ref(), &args)?;
    let other = match &args.compare {
        Some(path) => Some(scenario_from(Some(path), &args)?),
        None => None,
    };
    let report = run_one(args.database_url.clone(), scenario.clone()).await?;
    print!("{}", report.table());
    if args.what_if {
        return what_ifs(&args, scenario, report).await;
    }
    let name =
        |p: Option<&PathBuf>| p.map_or_else(|| "演示城市".to_owned(), |p| p.display().to_string());
    let mut runs = vec![(name(args.scenario.as_ref()), report)];
    if let Some(b) = other {
        let b = run_one(None, b).await?;
        print!("\n{}", b.table());
        print!(
            "{}",
            compare::table(&runs[0].0, &runs[0].1, &name(args.compare.as_ref()), &b)
        );
        runs.push((name(args.compare.as_ref()), b));
    }
    if let Some(path) = &args.json {
        let json = match runs.as_slice() {
            [(_, a), (_, b)] => serde_json::json!({"a": a, "b": b}),
            _ => serde_json::to_value(&runs[0].1)?,
        };
        write(path, &serde_json::to_vec_pretty(&json)?)?;
        println!("报告（JSON）已写入 {}", path.display());
    }
    if let Some(path) = &args.html {
        let pages: Vec<(String, &report::Report)> =
            runs.iter().map(|(n, r)| (n.clone(), r)).collect();
        write(path, html::page(&pages).as_bytes())?;
        println!("报告（网页）已写入 {}", path.display());
    }
    for (_, report) in &runs {
        ensure_consistent(report)?;
    }
    Ok(())
}

/// `--what-if`: the scenario's report, then each variant's run and the gains.
async fn what_ifs(
    args: &CityArgs,
    scenario: Scenario,
    report: report::Report,
) -> anyhow::Result<()> {
    let mut runs = Vec::new();
    for variant in what_if::variants(&scenario, &report) {
        println!("\n—— {} ——", variant.change);
        let r = run_one(None, variant.scenario.clone()).await?;
        let hours = table::hours;
        println!(
            "从请求到可取书 p50 {} 小时，p90 {} 小时",
            hours(r.to_ready.p50_hours),
            hours(r.to_ready.p90_hours)
        );
        runs.push((variant, r));
    }
    let gains = what_if::gains(&report, &runs);
    print!("{}", what_if::table(&report, &gains));
    if let Some(path) = &args.json {
        let json = serde_json::json!({
            "scenario": report,
            "whatIf": runs.iter().zip(&gains).map(|((_, r), g)| json!({"gain": g, "report": r})).collect::<Vec<_>>(),
            "limiting": what_if::limiting(&gains),
        });
        write(path, &serde_json::to_vec_pretty(&json)?)?;
        println!("报告（JSON）已写入 {}", path.display());
    }
    if let Some(path) = &args.html {
        let mut pages = vec![("现状".to_owned(), &report)];
        pages.extend(runs.iter().map(|(v, r)| (v.change.clone(), r)));
        write(path, html::page(&pages).as_bytes())?;
        println!("报告（网页）已写入 {}", path.display());
    }
    for r in std::iter::once(&report).chain(runs.iter().map(|(_, r)| r)) {
        ensure_consistent(r)?;
    }
    Ok(())
}

/// Fails the command when a run left its database inconsistent, or the books elsewhere than
/// the database says.
fn ensure_consistent(report: &report::Report) -> anyhow::Result<()> {
    anyhow::ensure!(
        consistency::all_kept(&report.consistency),
        "the database breaks the consistency rules marked ✗ in the report \
         (模拟结束时数据库有不一致之处)"
    );
    anyhow::ensure!(
        report
            .whereabouts
            .as_ref()
            .is_none_or(|w| w.disagreements.is_empty()),
        "books are not where the database says (模拟结束时书的位置与数据库不符，见报告)"
    );
    Ok(())
}

fn write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The scenario of `path` (none: the demo city's) with the command line's `--days` and
/// `--readers`.
fn scenario_from(path: Option<&PathBuf>, args: &CityArgs) -> anyhow::Result<Scenario> {
    let mut scenario = match path {
        Some(path) => Scenario::from_file(path)?,
        None => Scenario::default(),
    };
    scenario.days = args.days.unwrap_or(scenario.days);
    scenario.readers = args.readers.unwrap_or(scenario.readers);
    scenario.check()?;
    Ok(scenario)
}

/// Runs `scenario` on a server of its own and returns its report.
async fn run_one(
    database_url: Option<String>,
    scenario: Scenario,
) -> anyhow::Result<report::Report> {
    let started = std::time::Instant::now();
    let server = server::start(database_url, &scenario).await?;
    let result = simulate(&server, scenario, started).await;
    server.stop().await?;
    result
}

async fn simulate(
    server: &server::Server,
    scenario: Scenario,
    started: std::time::Instant,
) -> anyhow::Result<report::Report> {
    let mut world = set_up(server, scenario).await?;
    let ctx = &server.ctx;
    let from = clock::next_midnight(ctx.now());
    clock::advance_to(ctx, from)?;
    let to = from + Duration::days(i64::from(world.scenario.days));
    let drained = to + Duration::hours(i64::from(world.scenario.drain_hours));
    let step = Duration::minutes(i64::from(world.scenario.step_minutes));
    let mut now = from;
    while now < drained {
        anyhow::ensure!(
            server.is_running(),
            "the simulated server stopped (a signal?): the simulation stops too"
        );
        let next = now + step;
        clock::settle(ctx).await?;
        clock::advance_to(ctx, next)?;
        world.step(now, next, next <= to).await?;
        now = next;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut report = world.report(from, to, drained, seconds).await;
    report.consistency = consistency::check(&ctx.db, ctx.now())
        .await
        .map_err(anyhow::Error::from)
        .context("checking the database's consistency")?;
    report.whereabouts = Some(world.whereabouts.compare(&ctx.db).await?);
    Ok(report)
}

/// Reads the city, opens a dispatcher account at each branch (as `hongyan user
/// add-staff` does), and gathers the titles readers will ask for.
async fn set_up(server: &server::Server, scenario: Scenario) -> anyhow::Result<World> {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .context("building the HTTP client")?;
    let api = Api::new(http.clone(), &server.base);
    let city = City::read(&api).await?;
    let mut rng = StdRng::seed_from_u64(scenario.seed ^ 0x5eed);
    // Not drawn from the seed: a database may hold several runs of one scenario.
    let run_tag = uuid::Uuid::new_v4().simple().to_string()[..4].to_owned();
    let now = server.ctx.now();
    let mut desks = Vec::new();
    for b in &city.branches {
        let username = format!("sim-{run_tag}-{}", b.code.to_lowercase());
        let password = format!("Sim!{}", uuid::Uuid::new_v4().simple());
        people::add_staff(
            &server.ctx.db,
            &username,
            &password,
            StaffRole::Dispatcher,
            std::slice::from_ref(&b.code),
            now,
        )
        .await
        .map_err(anyhow::Error::from)
        .context("opening a simulated dispatcher's account")?;
        desks.push(Desk {
            token: api.staff_login(&username, &password).await?,
            ..Desk::default()
        });
    }
    let mut titles = titles(&api, &scenario.requests.title_queries).await?;
    titles.shuffle(&mut rng);
    let devices = city
        .lockers
        .iter()
        .map(|l| {
            let token = hongyan_domain::demo::locker_token(&l.code);
            devices::Device::new(LockerClient::new(http.clone(), &server.base, token))
        })
        .collect();
    let pin = format!("{:06}", rng.random_range(0..1_000_000));
    Ok(World {
        ctx: server.ctx.clone(),
        api,
        travel: scenario.travel.into(),
        round_times: scenario.rounds.parsed()?,
        figures: Figures {
            pickers: vec![PickerFigures::default(); city.branches.len()],
            ..Figures::default()
        },
        city,
        arrivals: StdRng::seed_from_u64(scenario.seed),
        rng,
        readers: Default::default(),
        pin,
        run_tag,
        titles,
        desks,
        devices,
        requests: Default::default(),
        shipments: Default::default(),
        agenda: world::Agenda::default(),
        whereabouts: whereabouts::Whereabouts::default(),
        scenario,
    })
}

/// The ids of the titles the public search finds for `queries` (each up to its first
/// 1,000 matches), without repeats.
async fn titles(api: &Api, queries: &[String]) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for q in queries {
        let mut after: Option<String> = None;
        loop {
            let data = api
                .call(
                    None,
                    "query($q: String!, $a: String) { searchBooks(query: $q, first: 100, after: $a) { \
                     nodes { id } pageInfo { hasNextPage endCursor } } }",
                    json!({"q": q, "a": after}),
                )
                .await?;
            let page = &data["searchBooks"];
            ids.extend(
                page["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| text(&b["id"])),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
    }
    ids.sort();
    ids.dedup();
    anyhow::ensure!(
        !ids.is_empty(),
        "the search finds no titles for the scenario's words"
    );
    Ok(ids)
}
