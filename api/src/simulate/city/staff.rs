//! The branches' staff, through the console's GraphQL: pickers work the picking list at
//! their pick rate while on shift, dispatchers send the vans at the round times and hand
//! HOME parcels to the library's courier, and the desk checks in what arrives and ends
//! delivered parcels.

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::clock;
use super::gql::{text, Refused};
use super::random;
use super::world::{Event, World};

impl World {
    /// Pickers on shift work each branch's picking list in shelf order, as many copies as
    /// their rate allows in the step.
    pub async fn pick(&mut self, now: DateTime<Utc>) {
        let hour = clock::hour(now);
        let rate = self.scenario.pickers.picks_per_hour;
        let step_hours = f64::from(self.scenario.step_minutes) / 60.0;
        for b in 0..self.city.branches.len() {
            let on_shift = self
                .scenario
                .pickers
                .on_shift(&self.city.branches[b].code, hour);
            if on_shift == 0 {
                self.desks[b].pick_budget = 0.0;
                continue;
            }
            let capacity = f64::from(on_shift) * rate * step_hours;
            self.figures.pickers[b].shift_hours += f64::from(on_shift) * step_hours;
            // Time left over from the last step carries over (the picker was mid-aisle),
            // idle time does not.
            let budget = self.desks[b].pick_budget.min(1.0) + capacity;
            match self.pick_at(b, budget, now).await {
                Ok(left) => self.desks[b].pick_budget = left,
                Err(e) => {
                    self.desks[b].pick_budget = 0.0;
                    self.problem("pick", &e);
                }
            }
        }
    }

    /// Picks at branch `b` with `budget` picks of time; returns what is left (0 when the
    /// list ran out first).
    async fn pick_at(
        &mut self,
        b: usize,
        mut budget: f64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<f64> {
        let token = self.desks[b].token.clone();
        let data = self
            .api
            .call(
                Some(&token),
                "query($b: ID!) { pickingList(branchId: $b) { id item { barcode } request { id } } }",
                json!({"b": self.city.branches[b].id}),
            )
            .await?;
        let tasks = data["pickingList"].as_array().cloned().unwrap_or_default();
        let open = tasks.len();
        let mut picked: u32 = 0;
        for task in tasks {
            if budget < 1.0 {
                break;
            }
            budget -= 1.0;
            picked += 1;
            let barcode = text(&task["item"]["barcode"]);
            let answer = self
                .api
                .call(
                    Some(&token),
                    "mutation($t: ID!, $c: String!) { confirmPick(pickTaskId: $t, barcode: $c) { \
                     destination { kind toBranch { id } } } }",
                    json!({"t": task["id"], "c": barcode}),
                )
                .await;
            match answer {
                Ok(d) => {
                    self.figures.pickers[b].picks += 1;
                    let request = text(&task["request"]["id"]);
                    self.picked(b, &request, barcode, &d["confirmPick"]["destination"], now);
                }
                Err(e) => self.problem("confirmPick", &e),
            }
        }
        self.figures.pickers[b].busy_hours +=
            f64::from(picked) / self.scenario.pickers.picks_per_hour;
        Ok(if (picked as usize) < open {
            budget
        } else {
            0.0
        })
    }

    /// Where a picked copy goes next.
    fn picked(
        &mut self,
        b: usize,
        request: &str,
        barcode: String,
        destination: &Value,
        now: DateTime<Utc>,
    ) {
        if let Some(t) = self.requests.get_mut(request) {
            t.barcode = Some(barcode.clone());
        }
        match destination["kind"].as_str() {
            Some("HOLD_SHELF") => self.plan_collect(request, now, self.scenario.collect.desk_hours),
            Some("HOME") => self.desks[b].home_waiting += 1,
            Some("TRANSFER") => {
                if let Some(to) = self.city.branch_index(&destination["toBranch"]["id"]) {
                    self.desks[b].transfers.push((barcode, to));
                }
            }
            // LOCKER: the parcel waits in its round for the van.
            _ => {}
        }
    }

    /// Dispatchers of branches with HOME parcels hand the booked ones to the courier, who
    /// delivers after the scenario's courier time.
    pub async fn hand_home_parcels_over(&mut self, now: DateTime<Utc>) {
        for b in 0..self.desks.len() {
            if self.desks[b].home_waiting == 0 {
                continue;
            }
            if let Err(e) = self.hand_over_at(b, now).await {
                self.problem("homeParcels", &e);
            }
        }
    }

    async fn hand_over_at(&mut self, b: usize, now: DateTime<Utc>) -> anyhow::Result<()> {
        let data = self
            .api
            .call(
                Some(&self.desks[b].token),
                "query($b: ID!) { homeParcels(branchId: $b) { shipment { id } request { id } } }",
                json!({"b": self.city.branches[b].id}),
            )
            .await?;
        for parcel in data["homeParcels"].as_array().into_iter().flatten() {
            let shipment = text(&parcel["shipment"]["id"]);
            if !self.shipments.insert(shipment.clone()) {
                continue;
            }
            self.desks[b].home_waiting = self.desks[b].home_waiting.saturating_sub(1);
            let at = random::after(&mut self.rng, now, self.scenario.courier);
            self.agenda.at(
                at,
                Event::HomeDelivered {
                    branch: b,
                    shipment,
                    request: text(&parcel["request"]["id"]),
                },
            );
        }
        Ok(())
    }

    /// The courier rings: the dispatcher marks the parcel delivered and the loan starts.
    pub async fn deliver_home(
        &mut self,
        b: usize,
        shipment: &str,
        request: &str,
        now: DateTime<Utc>,
    ) {
        let answer = self
            .api
            .call(
                Some(&self.desks[b].token),
                "mutation($s: ID!) { markShipmentDelivered(shipmentId: $s) { id } }",
                json!({"s": shipment}),
            )
            .await;
        match answer {
            Ok(_) => {
                self.figures.home_delivered += 1;
                if let Some(t) = self.requests.get(request).cloned() {
                    if let Some(barcode) = t.barcode {
                        self.whereabouts.lent(&barcode);
                        self.plan_return(t.reader, &barcode, now);
                    }
                }
            }
            // The courier came before the waybill job had booked the parcel: ring again.
            Err(e)
                if e.downcast_ref::<Refused>()
                    .is_some_and(|r| r.reason == "NOT_SHIPPED") =>
            {
                self.agenda.at(
                    now + Duration::minutes(10),
                    Event::HomeDelivered {
                        branch: b,
                        shipment: shipment.to_owned(),
                        request: request.to_owned(),
                    },
                );
            }
            Err(e) => self.problem("markShipmentDelivered", &e),
        }
    }

    /// At a round time every branch's dispatcher starts its open rounds (the van drives to
    /// the lockers in the listed order) and sends the books for other branches.
    pub async fn send_vans(&mut self, now: DateTime<Utc>) {
        for b in 0..self.desks.len() {
            if let Err(e) = self.send_van(b, now).await {
                self.problem("startDeliveryRound", &e);
            }
            for (barcode, to) in std::mem::take(&mut self.desks[b].transfers) {
                self.figures.transfers += 1;
                let at = now + self.branch_leg(b, to);
                self.agenda.at(
                    at,
                    Event::CheckIn {
                        branch: to,
                        barcode,
                    },
                );
            }
        }
    }

    async fn send_van(&mut self, b: usize, now: DateTime<Utc>) -> anyhow::Result<()> {
        let token = self.desks[b].token.clone();
        let data = self
            .api
            .call(
                Some(&token),
                "query($b: ID!) { deliveryRounds(branchId: $b) { id status locker { id } parcels { item { barcode } } } }",
                json!({"b": self.city.branches[b].id}),
            )
            .await?;
        let mut stops = Vec::new();
        for round in data["deliveryRounds"].as_array().into_iter().flatten() {
            let parcels = round["parcels"].as_array().map_or(0, Vec::len);
            if round["status"] != "OPEN" || parcels == 0 {
                continue;
            }
            let locker = self
                .city
                .locker_index(&round["locker"]["id"])
                .context("a round to an unknown locker")?;
            self.api
                .call(
                    Some(&token),
                    "mutation($r: ID!) { startDeliveryRound(id: $r) { id } }",
                    json!({"r": round["id"]}),
                )
                .await?;
            self.figures.rounds.push(parcels);
            stops.push(locker);
        }
        let points: Vec<_> = stops.iter().map(|l| self.city.lockers[*l].at).collect();
        let arrivals = self.travel.arrivals(self.city.branches[b].at, &points);
        for (locker, after) in stops.into_iter().zip(arrivals) {
            self.agenda.at(now + after, Event::VanAtLocker { locker });
        }
        Ok(())
    }

    /// A copy arrives at branch `b`'s desk and is checked in; the desk does what the answer
    /// says: the hold shelf (its reader is told), or on to another branch.
    pub async fn check_in(&mut self, b: usize, barcode: &str, now: DateTime<Utc>) {
        let answer = self
            .api
            .call(
                Some(&self.desks[b].token),
                "mutation($c: String!, $b: ID!) { checkIn(barcode: $c, branchId: $b) { \
                 action request { id } toBranch { id } } }",
                json!({"c": barcode, "b": self.city.branches[b].id}),
            )
            .await;
        let result = match answer {
            Ok(d) => d["checkIn"].clone(),
            Err(e) => return self.problem("checkIn", &e),
        };
        self.figures.checked_in += 1;
        self.whereabouts.handed_in(barcode);
        match result["action"].as_str() {
            Some("HOLD_SHELF") => {
                let request = text(&result["request"]["id"]);
                if let Some(t) = self.requests.get_mut(&request) {
                    t.barcode = Some(barcode.to_owned());
                    self.plan_collect(&request, now, self.scenario.collect.desk_hours);
                }
            }
            Some("SEND_HOME" | "FORWARD") => {
                if let Some(to) = self.city.branch_index(&result["toBranch"]["id"]) {
                    let at = now + self.branch_leg(b, to);
                    self.agenda.at(
                        at,
                        Event::CheckIn {
                            branch: to,
                            barcode: barcode.to_owned(),
                        },
                    );
                }
            }
            // SHELVE, SERVES_WAITLIST (a pick task joins this branch's list), CATALOGUE.
            _ => {}
        }
    }
}
