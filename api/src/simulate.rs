//! `hongyan locker simulate`: a locker controller for demos and tests, speaking `/locker/v1`
//! as the devices do: it heartbeats, long-polls for commands, "opens the door" for each and
//! reports the event the door would (`deposited` for a deposit, `collected` for a
//! collection), and, with `--auto-pickup-secs`, plays the reader taking each parcel out. Like
//! a real controller it keeps its command cursor on disk, so a restart never carries out an
//! old command again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// How the simulator runs.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// `http://host:port` of a Hongyan API.
    pub server: String,
    /// The locker's device token.
    pub token: String,
    /// Report `picked_up` this long after each deposit.
    pub auto_pickup: Option<Duration>,
    /// The file the command cursor is kept in.
    pub state: PathBuf,
}

/// The default cursor file of the controller with `token`: named after a hash of the token
/// (never the token itself) in the system's temporary directory.
pub fn default_state_file(token: &str) -> PathBuf {
    let digest = Sha256::digest(token.as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("hongyan-locker-{name}.cursor"))
}

/// Prints a line of what the controller did; a closed standard output (a supervisor that
/// stopped reading) does not stop it.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// The cursor saved in `state`, or the start ("0") when there is none.
fn saved_cursor(state: &Path) -> String {
    std::fs::read_to_string(state)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| "0".to_owned())
}

/// Saves `cursor` to `state` (written beside it, then renamed: never half a cursor).
fn save_cursor(state: &Path, cursor: &str) -> std::io::Result<()> {
    let tmp = state.with_extension("tmp");
    std::fs::write(&tmp, cursor)?;
    std::fs::rename(tmp, state)
}

#[derive(Deserialize)]
struct Commands {
    cursor: String,
    commands: Vec<Command>,
}

#[derive(Deserialize)]
struct Command {
    id: String,
    kind: String,
    compartment: String,
    parcel: String,
}

/// A connected controller.
#[derive(Clone)]
struct Device {
    http: reqwest::Client,
    sim: Simulation,
}

impl Device {
    async fn heartbeat(&self) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/locker/v1/heartbeat", self.sim.server))
            .bearer_auth(&self.sim.token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    async fn poll(&self, cursor: &str) -> anyhow::Result<Commands> {
        Ok(self
            .http
            .get(format!("{}/locker/v1/commands", self.sim.server))
            .query(&[("cursor", cursor), ("wait", "25")])
            .bearer_auth(&self.sim.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    async fn report(&self, event_id: &str, kind: &str, c: &Command) -> anyhow::Result<()> {
        let body = json!({"events": [{
            "eventId": event_id, "kind": kind, "compartment": c.compartment,
            "parcel": c.parcel, "at": hongyan_domain::infra::clock::system_now(),
        }]});
        let resp = self
            .http
            .post(format!("{}/locker/v1/events", self.sim.server))
            .bearer_auth(&self.sim.token)
            .json(&body)
            .send()
            .await?;
        let status = resp.status();
        let answer: serde_json::Value = resp.json().await.unwrap_or_default();
        anyhow::ensure!(
            status.is_success(),
            "event {kind} refused ({status}): {answer}"
        );
        Ok(())
    }

    /// Does what the door would for one command.
    async fn carry_out(&self, c: Command) -> anyhow::Result<()> {
        match c.kind.as_str() {
            "deposit" => {
                self.report(&format!("{}-deposited", c.id), "deposited", &c)
                    .await?;
                say(format_args!(
                    "deposited {} in door {}",
                    c.parcel, c.compartment
                ));
                if let Some(after) = self.sim.auto_pickup {
                    let device = self.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(after).await;
                        match device
                            .report(&format!("{}-picked-up", c.id), "picked_up", &c)
                            .await
                        {
                            Ok(()) => say(format_args!(
                                "picked up {} from door {}",
                                c.parcel, c.compartment
                            )),
                            Err(e) => eprintln!("pickup of {} not reported: {e:#}", c.parcel),
                        }
                    });
                }
            }
            "collect_return" => {
                self.report(&format!("{}-collected", c.id), "collected", &c)
                    .await?;
                say(format_args!(
                    "collected {} from door {}",
                    c.parcel, c.compartment
                ));
            }
            other => say(format_args!(
                "{other}: door {} ({})",
                c.compartment, c.parcel
            )),
        }
        Ok(())
    }
}

/// Runs until interrupted, retrying with backoff while the server cannot be reached.
///
/// # Errors
/// Only when the HTTP client cannot be built.
pub async fn run(sim: Simulation) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(40))
        .build()
        .context("building the HTTP client")?;
    let mut cursor = saved_cursor(&sim.state);
    say(format_args!("resuming from cursor {cursor}"));
    let device = Device { http, sim };
    let mut backoff = Duration::from_millis(500);
    let mut beat = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = beat.tick() => {
                if let Err(e) = device.heartbeat().await {
                    eprintln!("heartbeat failed: {e:#}");
                }
            }
            polled = device.poll(&cursor) => match polled {
                Ok(batch) => {
                    backoff = Duration::from_millis(500);
                    for c in batch.commands {
                        if let Err(e) = device.carry_out(c).await {
                            eprintln!("{e:#}");
                        }
                    }
                    if batch.cursor != cursor {
                        if let Err(e) = save_cursor(&device.sim.state, &batch.cursor) {
                            eprintln!("could not save the cursor: {e}");
                        }
                    }
                    cursor = batch.cursor;
                }
                Err(e) => {
                    eprintln!("poll failed: {e:#}; retrying in {backoff:?}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            },
        }
    }
}
