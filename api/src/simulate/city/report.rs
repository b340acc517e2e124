//! What a simulated day shows: request → ready times per delivery method and per branch
//! (from each request's history, as its reader reads it through GraphQL), the pickers' use
//! of their shifts, the lockers' occupancy over the day and the holds that expired, the
//! waitlists, the parcels per van round and the database's consistency at the end. Written
//! as JSON; [`super::table`] prints it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hongyan_domain::lending::consistency::Finding;
use serde::Serialize;
use serde_json::{json, Value};

use super::gql::{text, Refused};
use super::whereabouts::Agreement;
use super::world::World;

/// One picking desk's work.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickerFigures {
    /// Copies picked.
    pub picks: u32,
    /// Hours of picking those took at the scenario's rate.
    pub busy_hours: f64,
    /// Picker hours on shift.
    pub shift_hours: f64,
}

/// A reading taken every simulated hour.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// When.
    pub at: DateTime<Utc>,
    /// Locker doors not free (holding or reserved for a parcel, or faulty).
    pub locker_doors_in_use: i64,
    /// Locker doors in all.
    pub locker_doors: i64,
    /// Requests waiting for a copy, over every branch's waitlists.
    pub waiting: i64,
    /// Each locker's share of doors in use, by code.
    #[serde(skip)]
    pub by_locker: Vec<(String, f64)>,
}

/// What the simulation counts as it goes.
#[derive(Debug, Default)]
pub struct Figures {
    /// Per branch, as the city lists them.
    pub pickers: Vec<PickerFigures>,
    /// Parcels of each van round started.
    pub rounds: Vec<usize>,
    /// Books sent to another branch's hold shelf.
    pub transfers: u32,
    /// Requests by the status `requestBook` answered.
    pub asked: BTreeMap<String, u32>,
    /// Requests refused, by code and reason.
    pub refusals: BTreeMap<String, u32>,
    /// Parcels put into lockers.
    pub deposited: u32,
    /// Uncollected parcels staff took out of lockers.
    pub taken_back: u32,
    /// Books readers collected (locker or desk).
    pub collected: u32,
    /// Readers who came after their hold had expired.
    pub came_too_late: u32,
    /// Readers who were never going to come.
    pub never_collected: u32,
    /// HOME parcels delivered.
    pub home_delivered: u32,
    /// Copies checked in at desks (returns, transfers, uncollected parcels).
    pub checked_in: u32,
    /// Hourly readings.
    pub samples: Vec<Sample>,
    /// Each locker's highest share of doors in use at an hourly reading, by code.
    pub locker_peaks: BTreeMap<String, f64>,
    /// Unexpected failures by operation, with the first message of each.
    pub problems: BTreeMap<String, (u32, String)>,
}

impl Figures {
    /// Counts `requestBook`'s answer.
    pub fn asked(&mut self, status: &str) {
        *self.asked.entry(status.to_owned()).or_default() += 1;
    }

    /// Counts a refused request.
    pub fn refused(&mut self, r: &Refused) {
        let key = if r.reason.is_empty() {
            r.code.clone()
        } else {
            format!("{}/{}", r.code, r.reason)
        };
        *self.refusals.entry(key).or_default() += 1;
    }

    /// Counts an unexpected failure of `what`.
    pub fn problem(&mut self, what: &str, e: &anyhow::Error) {
        let entry = self
            .problems
            .entry(what.to_owned())
            .or_insert_with(|| (0, format!("{e:#}")));
        entry.0 += 1;
    }
}

/// p50, p90 and p99 of hours (nearest rank), with how many there were.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    /// Requests that became ready.
    pub ready: usize,
    /// Requests not ready when the simulation ended.
    pub not_ready: usize,
    /// Median hours from request to ready.
    pub p50_hours: Option<f64>,
    /// 90th percentile.
    pub p90_hours: Option<f64>,
    /// 99th percentile.
    pub p99_hours: Option<f64>,
}

impl Spread {
    /// The spread of `hours`, with `not_ready` requests that did not get there.
    pub fn of(mut hours: Vec<f64>, not_ready: usize) -> Self {
        hours.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            // A count of requests fits an f64; the rank is within the list.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = ((p * hours.len() as f64).ceil() as usize).max(1) - 1;
            hours
                .get(i.min(hours.len().saturating_sub(1)))
                .map(|h| round2(*h))
        };
        Spread {
            ready: hours.len(),
            not_ready,
            p50_hours: rank(0.5),
            p90_hours: rank(0.9),
            p99_hours: rank(0.99),
        }
    }
}

/// One request at the end, as its reader sees it.
struct Outcome {
    status: String,
    method: String,
    branch: String,
    /// Hours from asking to ready (HOME: to delivered).
    to_ready: Option<f64>,
    /// Hours of each [`STAGES`] the request went through.
    stages: [Option<f64>; 3],
}

/// The stages of the way to ready, as the report names them: asking → picked (waiting for
/// a copy and a picker), picked → on the road (waiting for the van or the courier's
/// booking), on the road → ready (driving, or the courier).
pub const STAGES: [&str; 3] = ["picked", "left", "arrived"];

/// The report of a run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The simulated period: readers asked for books from then…
    pub from: DateTime<Utc>,
    /// … until then.
    pub to: DateTime<Utc>,
    /// The end of the run: the requests' progress until then counts.
    pub drained_until: DateTime<Utc>,
    /// Seconds the run took.
    pub run_seconds: f64,
    /// Requests made, and refused by code/reason.
    pub requests: Value,
    /// Requests by their status at the end.
    pub statuses: BTreeMap<String, usize>,
    /// Request → ready over all requests.
    pub to_ready: Spread,
    /// By delivery method (the one the request ended with).
    pub to_ready_by_method: BTreeMap<String, Spread>,
    /// By the branch whose shelf the copy came from.
    pub to_ready_by_branch: BTreeMap<String, Spread>,
    /// Per delivery method, the hours of each stage (`picked`: asking → picked; `left`:
    /// picked → on the road; `arrived`: on the road → ready), over the requests that went
    /// through it (`ready` counts them): where the time goes.
    pub stages_by_method: BTreeMap<String, BTreeMap<&'static str, Spread>>,
    /// Per branch: picks, busy and shift hours, utilisation.
    pub pickers: BTreeMap<String, Value>,
    /// Van rounds: how many, parcels in all, per round on average and at most.
    pub rounds: Value,
    /// Lockers: parcels deposited, holds expired, uncollected parcels taken back, the
    /// highest share of doors in use.
    pub lockers: Value,
    /// Waitlists: the longest over the day.
    pub waitlist: Value,
    /// Deliveries and the desk.
    pub flows: Value,
    /// Hourly readings of lockers and waitlists.
    pub hourly: Vec<Sample>,
    /// Failures the simulation did not expect, by operation: (count, first message).
    pub problems: BTreeMap<String, (u32, String)>,
    /// The database's consistency at the end: every rule, and what broke it.
    pub consistency: Vec<Finding>,
    /// The books readers hold and the parcels in lockers, as the simulation handled them,
    /// against the database's loans and occupied doors.
    pub whereabouts: Option<Agreement>,
}

impl World {
    /// Reads the lockers' doors and the waitlists through the staff's GraphQL.
    pub async fn sample(&mut self, now: DateTime<Utc>) {
        match self.try_sample(now).await {
            Ok(s) => {
                for (code, share) in &s.by_locker {
                    let peak = self.figures.locker_peaks.entry(code.clone()).or_default();
                    *peak = peak.max(*share);
                }
                self.figures.samples.push(s);
            }
            Err(e) => self.problem("sample", &e),
        }
    }

    async fn try_sample(&self, now: DateTime<Utc>) -> anyhow::Result<Sample> {
        let mut sample = Sample {
            at: now,
            locker_doors_in_use: 0,
            locker_doors: 0,
            waiting: 0,
            by_locker: Vec::new(),
        };
        let any = &self.desks[0].token;
        let data = self
            .api
            .call(
                Some(any),
                "{ lockers { code freeCompartments { free total } } }",
                json!({}),
            )
            .await?;
        for locker in data["lockers"].as_array().into_iter().flatten() {
            let (mut in_use, mut doors) = (0, 0);
            for size in locker["freeCompartments"].as_array().into_iter().flatten() {
                let (free, total) = (
                    size["free"].as_i64().unwrap_or_default(),
                    size["total"].as_i64().unwrap_or_default(),
                );
                doors += total;
                in_use += total - free;
            }
            sample.locker_doors += doors;
            sample.locker_doors_in_use += in_use;
            if doors > 0 {
                // Door counts are small.
                #[allow(clippy::cast_precision_loss)]
                let share = in_use as f64 / doors as f64;
                sample.by_locker.push((text(&locker["code"]), share));
            }
        }
        for (b, desk) in self.city.branches.iter().zip(&self.desks) {
            let data = self
                .api
                .call(
                    Some(&desk.token),
                    "query($b: ID!) { waitlists(branchId: $b) { waiting } }",
                    json!({"b": b.id}),
                )
                .await?;
            sample.waiting += data["waitlists"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|w| w["waiting"].as_i64().unwrap_or_default())
                .sum::<i64>();
        }
        Ok(sample)
    }

    /// Every request as its reader sees it now.
    async fn outcomes(&mut self) -> Vec<Outcome> {
        let ids: Vec<(String, u32)> = self
            .requests
            .iter()
            .map(|(id, t)| (id.clone(), t.reader))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for (id, reader) in ids {
            let token = self.readers[&reader].token.clone();
            let answer = self
                .api
                .call(
                    Some(&token),
                    "query($id: ID!) { request(id: $id) { status deliveryMethod createdAt \
                     sourceBranch { code } history { to at } } }",
                    json!({"id": id}),
                )
                .await;
            match answer {
                Ok(d) => out.push(outcome(&d["request"])),
                Err(e) => self.problem("request", &e),
            }
        }
        out
    }

    /// The report of the run whose readers asked from `from` to `to`, run on until
    /// `drained_until`, in `run_seconds`.
    pub async fn report(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        drained_until: DateTime<Utc>,
        run_seconds: f64,
    ) -> Report {
        let outcomes = self.outcomes().await;
        let spread = |pick: &dyn Fn(&Outcome) -> bool| {
            let chosen: Vec<&Outcome> = outcomes.iter().filter(|o| pick(o)).collect();
            let hours: Vec<f64> = chosen.iter().filter_map(|o| o.to_ready).collect();
            Spread::of(hours.clone(), chosen.len() - hours.len())
        };
        let mut statuses = BTreeMap::new();
        for o in &outcomes {
            *statuses.entry(o.status.clone()).or_insert(0) += 1;
        }
        let methods: Vec<String> = dedup(outcomes.iter().map(|o| o.method.clone()));
        let branches: Vec<String> = dedup(outcomes.iter().map(|o| o.branch.clone()));
        let f = &self.figures;
        let pickers = self
            .city
            .branches
            .iter()
            .zip(&f.pickers)
            .filter(|(_, p)| p.shift_hours > 0.0)
            .map(|(b, p)| {
                let use_ = (p.busy_hours / p.shift_hours * 1000.0).round() / 1000.0;
                (
                    b.code.clone(),
                    json!({"picks": p.picks, "busyHours": round2(p.busy_hours),
                           "shiftHours": round2(p.shift_hours), "utilisation": use_}),
                )
            })
            .collect();
        let parcels: usize = f.rounds.iter().sum();
        let peak_use = f
            .samples
            .iter()
            .filter(|s| s.locker_doors > 0)
            .map(|s| {
                // Door counts are small.
                #[allow(clippy::cast_precision_loss)]
                let share = s.locker_doors_in_use as f64 / s.locker_doors as f64;
                share
            })
            .fold(0.0, f64::max);
        #[allow(clippy::cast_precision_loss)]
        let mean_parcels = if f.rounds.is_empty() {
            0.0
        } else {
            parcels as f64 / f.rounds.len() as f64
        };
        Report {
            from,
            to,
            drained_until,
            run_seconds: round2(run_seconds),
            requests: json!({"made": outcomes.len(), "answered": f.asked, "refused": f.refusals}),
            statuses: statuses.clone(),
            to_ready: spread(&|_| true),
            to_ready_by_method: methods
                .iter()
                .map(|m| (m.clone(), spread(&|o| o.method == *m)))
                .collect(),
            to_ready_by_branch: branches
                .iter()
                .map(|b| (b.clone(), spread(&|o| o.branch == *b)))
                .collect(),
            stages_by_method: methods
                .iter()
                .map(|m| {
                    let of_method: Vec<&Outcome> =
                        outcomes.iter().filter(|o| o.method == *m).collect();
                    let stages = STAGES
                        .iter()
                        .enumerate()
                        .map(|(i, stage)| {
                            let hours = of_method.iter().filter_map(|o| o.stages[i]).collect();
                            (*stage, Spread::of(hours, 0))
                        })
                        .collect();
                    (m.clone(), stages)
                })
                .collect(),
            pickers,
            rounds: json!({"count": f.rounds.len(), "parcels": parcels,
                           "meanParcels": round2(mean_parcels),
                           "maxParcels": f.rounds.iter().max().copied().unwrap_or(0)}),
            lockers: json!({"deposited": f.deposited,
                            "expired": statuses.get("EXPIRED").copied().unwrap_or(0),
                            "takenBack": f.taken_back,
                            "peakDoorsInUse": round2(peak_use),
                            "fullest": fullest(&f.locker_peaks)}),
            waitlist: json!({"peak": f.samples.iter().map(|s| s.waiting).max().unwrap_or(0),
                             "atEnd": f.samples.last().map_or(0, |s| s.waiting)}),
            flows: json!({"collected": f.collected, "cameTooLate": f.came_too_late,
                          "neverCollect": f.never_collected, "homeDelivered": f.home_delivered,
                          "transfers": f.transfers, "checkedIn": f.checked_in}),
            hourly: f.samples.clone(),
            problems: f.problems.clone(),
            consistency: Vec::new(),
            whereabouts: None,
        }
    }
}

/// The locker whose doors were the most in use at an hourly reading, with that share.
fn fullest(peaks: &BTreeMap<String, f64>) -> Value {
    peaks.iter().max_by(|a, b| a.1.total_cmp(b.1)).map_or(
        Value::Null,
        |(code, share)| json!({"code": code, "peakDoorsInUse": round2(*share)}),
    )
}

fn outcome(r: &Value) -> Outcome {
    let method = text(&r["deliveryMethod"]);
    let at = |t: &Value| {
        t.as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
    };
    let history = r["history"].as_array().cloned().unwrap_or_default();
    let first = |state: &str| {
        history
            .iter()
            .find(|h| h["to"] == state)
            .and_then(|h| at(&h["at"]))
    };
    let created = at(&r["createdAt"]);
    let ready = first(if method == "HOME" {
        "FULFILLED"
    } else {
        "READY_FOR_PICKUP"
    });
    let picked = first("PICKED");
    // On the road only when it left before it was ready (not a hold-shelf copy picked at
    // its pickup branch, nor a parcel deposited before its round started).
    let left = first("IN_TRANSIT").filter(|l| ready.is_none_or(|r| *l <= r));
    Outcome {
        status: text(&r["status"]),
        method,
        branch: r["sourceBranch"]["code"]
            .as_str()
            .unwrap_or("未分配")
            .to_owned(),
        to_ready: between(created, ready),
        stages: [
            between(created, picked),
            between(picked, left),
            between(left, ready),
        ],
    }
}

/// Hours from `a` to `b`, when both happened.
fn between<T: chrono::TimeZone>(a: Option<DateTime<T>>, b: Option<DateTime<T>>) -> Option<f64> {
    a.zip(b).map(|(a, b)| {
        // Milliseconds of a simulation fit an f64 exactly.
        #[allow(clippy::cast_precision_loss)]
        let ms = (b - a).num_milliseconds() as f64;
        ms / 3_600_000.0
    })
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let s = Spread::of((1..=100).map(f64::from).collect(), 3);
        assert_eq!((s.ready, s.not_ready), (100, 3));
        assert_eq!(s.p50_hours, Some(50.0));
        assert_eq!(s.p90_hours, Some(90.0));
        assert_eq!(s.p99_hours, Some(99.0));
        let none = Spread::of(vec![], 2);
        assert_eq!(none.p50_hours, None);
    }

    #[test]
    fn a_home_request_is_ready_when_delivered() {
        let r = json!({"status": "FULFILLED", "deliveryMethod": "HOME",
            "createdAt": "2026-12-07T01:00:00Z", "sourceBranch": {"code": "ZJG"},
            "history": [{"to": "ROUTED", "at": "2026-12-07T01:00:00Z"},
                        {"to": "IN_TRANSIT", "at": "2026-12-07T03:00:00Z"},
                        {"to": "FULFILLED", "at": "2026-12-07T07:30:00Z"}]});
        let o = outcome(&r);
        assert_eq!(o.to_ready, Some(6.5));
        // Never PICKED in this history: only the road is timed.
        assert_eq!(o.stages, [None, None, Some(4.5)]);
        assert_eq!(o.branch, "ZJG");
    }
}
