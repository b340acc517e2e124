//! The city's smart lockers, played through the locker protocol with the locker
//! simulator's client: every step they heartbeat and fetch their commands; the driver puts
//! parcels in when the van stops; staff take out what readers left uncollected; readers type
//! their pickup codes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::world::{Event, World};
use crate::simulate::locker::{Command, LockerClient};

/// One locker's controller.
pub struct Device {
    client: LockerClient,
    cursor: String,
    /// Deposit commands waiting for the van, by parcel.
    deposits: BTreeMap<String, Command>,
    /// Events reported, for their device-made ids.
    events: u64,
}

impl Device {
    /// The controller speaking as `client`.
    pub fn new(client: LockerClient) -> Self {
        Device {
            client,
            cursor: "0".to_owned(),
            deposits: BTreeMap::new(),
            events: 0,
        }
    }

    /// Reports door event `kind` for `c` at `at` under a new event id.
    async fn report(&mut self, kind: &str, c: &Command, at: DateTime<Utc>) -> anyhow::Result<()> {
        self.events += 1;
        let id = format!("sim-{}-{}", self.events, c.id);
        self.client.report(&id, kind, c, at).await
    }

    /// The reader types `code`: the door opens and they take the parcel of `request`.
    /// Returns false when the code opens no door (the hold expired as they came).
    ///
    /// # Errors
    /// A refused report, or the locker cannot be reached.
    pub async fn pick_up(
        &mut self,
        code: &str,
        request: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let Some(opened) = self.client.verify_pickup(code).await? else {
            return Ok(false);
        };
        let c = Command {
            id: format!("pickup-{request}"),
            kind: "pickup".to_owned(),
            compartment: opened.compartment,
            parcel: opened.parcel,
            request_id: Some(request.to_owned()),
        };
        self.report("picked_up", &c, at).await?;
        Ok(true)
    }
}

impl World {
    /// Every locker heartbeats and fetches its commands: deposits wait for the van,
    /// released parcels are forgotten, and uncollected parcels are taken out by staff and
    /// sent back to the locker's branch.
    pub async fn lockers_report(&mut self, now: DateTime<Utc>) {
        for i in 0..self.devices.len() {
            if let Err(e) = self.locker_step(i, now).await {
                self.problem("locker", &e);
            }
        }
    }

    async fn locker_step(&mut self, i: usize, now: DateTime<Utc>) -> anyhow::Result<()> {
        let device = &mut self.devices[i];
        device.client.heartbeat().await?;
        let batch = device.client.poll(&device.cursor, 0).await?;
        device.cursor = batch.cursor;
        let mut collected = Vec::new();
        for c in batch.commands {
            match c.kind.as_str() {
                "deposit" => {
                    device.deposits.insert(c.parcel.clone(), c);
                }
                "release" => {
                    device.deposits.remove(&c.parcel);
                }
                "collect_return" => {
                    device.report("collected", &c, now).await?;
                    collected.push(c.parcel);
                }
                _ => {}
            }
        }
        let (branch, leg) = {
            let locker = &self.city.lockers[i];
            let branch = locker.branch;
            (
                branch,
                self.travel.leg(locker.at, self.city.branches[branch].at),
            )
        };
        for barcode in collected {
            self.figures.taken_back += 1;
            self.whereabouts.taken_out(&barcode);
            self.agenda
                .at(now + leg, Event::CheckIn { branch, barcode });
        }
        Ok(())
    }

    /// The van stops at locker `i`: the driver puts in every parcel it has a deposit command
    /// for, and their readers are told to come.
    pub async fn van_at_locker(&mut self, i: usize, now: DateTime<Utc>) {
        if let Err(e) = self.locker_step(i, now).await {
            self.problem("locker", &e);
        }
        let parcels: Vec<Command> = std::mem::take(&mut self.devices[i].deposits)
            .into_values()
            .collect();
        for c in parcels {
            match self.devices[i].report("deposited", &c, now).await {
                Ok(()) => {
                    self.figures.deposited += 1;
                    self.whereabouts
                        .deposited(&c.parcel, &self.city.lockers[i].code);
                    if let Some(request) = &c.request_id {
                        self.plan_collect(request, now, [0, 24]);
                    }
                }
                Err(e) => self.problem("deposited", &e),
            }
        }
    }
}
