//! `hongyan locker simulate`: a locker controller for demos and tests, speaking `/locker/v1`
//! as the devices do: it heartbeats, long-polls for commands, "opens the door" for each and
//! reports the event the door would (`deposited` for a deposit, `collected` for a
//! collection), and, with `--auto-pickup-secs`, plays the reader taking each parcel out. Like
//! a real controller it keeps its command cursor on disk, so a restart never carries out an
//! old command again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
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

/// A batch of commands and the cursor after it (`GET /locker/v1/commands`).
#[derive(Deserialize)]
pub(crate) struct Commands {
    /// Send it back with the next poll.
    pub cursor: String,
    /// The commands after the cursor sent.
    pub commands: Vec<Command>,
}

/// One command for a door.
#[derive(Deserialize)]
pub(crate) struct Command {
    /// The command's id (events made from it are named after it).
    pub id: String,
    /// `deposit`, `collect_return` or `release`.
    pub kind: String,
    /// The door's label.
    pub compartment: String,
    /// The parcel (the copy's barcode).
    pub parcel: String,
    /// The request the parcel serves (deposits).
    #[serde(default, rename = "requestId")]
    pub request_id: Option<String>,
}

/// The door a pickup code opens (`POST /locker/v1/pickups/verify`).
#[derive(Deserialize)]
pub(crate) struct Opened {
    /// The door's label.
    pub compartment: String,
    /// The parcel behind it.
    pub parcel: String,
}

/// A locker controller's side of `/locker/v1`, as one device speaks it.
#[derive(Clone)]
pub(crate) struct LockerClient {
    http: reqwest::Client,
    server: String,
    token: String,
}

impl LockerClient {
    /// The controller with device `token` at `server` (`http://host:port`).
    pub fn new(http: reqwest::Client, server: &str, token: String) -> Self {
        LockerClient {
            http,
            server: server.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// Tells the server the locker is online.
    pub async fn heartbeat(&self) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/locker/v1/heartbeat", self.server))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// The commands after `cursor`, waiting up to `wait` seconds for one.
    pub async fn poll(&self, cursor: &str, wait: u32) -> anyhow::Result<Commands> {
        Ok(self
            .http
            .get(format!("{}/locker/v1/commands", self.server))
            .query(&[("cursor", cursor), ("wait", &wait.to_string())])
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Reports that door event `kind` happened to `c` at `at` (the device's clock), as
    /// event `event_id`.
    pub async fn report(
        &self,
        event_id: &str,
        kind: &str,
        c: &Command,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let body = json!({"events": [{
            "eventId": event_id, "kind": kind, "compartment": c.compartment,
            "parcel": c.parcel, "at": at,
        }]});
        let resp = self
            .http
            .post(format!("{}/locker/v1/events", self.server))
            .bearer_auth(&self.token)
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

    /// The door a reader's pickup `code` opens (`None`: a wrong or expired code).
    pub async fn verify_pickup(&self, code: &str) -> anyhow::Result<Option<Opened>> {
        let resp = self
            .http
            .post(format!("{}/locker/v1/pickups/verify", self.server))
            .bearer_auth(&self.token)
            .json(&json!({ "code": code }))
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(resp.error_for_status()?.json().await?))
    }
}

/// A connected controller.
#[derive(Clone)]
struct Device {
    client: LockerClient,
    auto_pickup: Option<Duration>,
}

impl Device {
    /// Does what the door would for one command.
    async fn carry_out(&self, c: Command) -> anyhow::Result<()> {
        let now = hongyan_domain::infra::clock::system_now;
        match c.kind.as_str() {
            "deposit" => {
                self.client
                    .report(&format!("{}-deposited", c.id), "deposited", &c, now())
                    .await?;
                say(format_args!(
                    "deposited {} in door {}",
                    c.parcel, c.compartment
                ));
                if let Some(after) = self.auto_pickup {
                    let device = self.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(after).await;
                        match device
                            .client
                            .report(&format!("{}-picked-up", c.id), "picked_up", &c, now())
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
                self.client
                    .report(&format!("{}-collected", c.id), "collected", &c, now())
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
    let device = Device {
        client: LockerClient::new(http, &sim.server, sim.token.clone()),
        auto_pickup: sim.auto_pickup,
    };
    let mut backoff = Duration::from_millis(500);
    let mut beat = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = beat.tick() => {
                if let Err(e) = device.client.heartbeat().await {
                    eprintln!("heartbeat failed: {e:#}");
                }
            }
            polled = device.client.poll(&cursor, 25) => match polled {
                Ok(batch) => {
                    backoff = Duration::from_millis(500);
                    for c in batch.commands {
                        if let Err(e) = device.carry_out(c).await {
                            eprintln!("{e:#}");
                        }
                    }
                    if batch.cursor != cursor {
                        if let Err(e) = save_cursor(&sim.state, &batch.cursor) {
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
