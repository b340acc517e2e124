//! The scenario of a simulated city: who asks for what and when, how the library works, and
//! how fast its vans, couriers and readers are. Read from a TOML file (`--scenario`); every
//! field has a default, and the defaults are the demo city (docs/simulation.md lists them;
//! `docs/scenarios/demo.toml` spells them out).

use std::path::Path;

use anyhow::{bail, ensure};
use chrono::NaiveTime;
use hongyan_domain::lending::travel::TravelModel;
use serde::{Deserialize, Serialize};

/// A whole scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Seed of every random draw: the same scenario and seed ask for the same books.
    pub seed: u64,
    /// Simulated days (starting at the next midnight, China time).
    pub days: u32,
    /// Hours the clock runs on after the last day without new requests, so the last
    /// evening's requests can become ready before the report.
    pub drain_hours: u32,
    /// Readers in the city (accounts are opened as each first asks for a book).
    pub readers: u32,
    /// Minutes the clock moves per step (1–60).
    pub step_minutes: u32,
    /// How long a book waits for its reader, in hours (`HONGYAN_HOLD_HOURS` of the
    /// simulated server).
    pub hold_hours: u32,
    /// When readers ask for books.
    pub requests: Requests,
    /// How readers want their books.
    pub delivery: DeliveryMix,
    /// Pickers at each branch.
    pub pickers: Pickers,
    /// When dispatchers send the vans.
    pub rounds: Rounds,
    /// How fast the vans are.
    pub travel: Travel,
    /// How long couriers take from the branch to the reader's door.
    pub courier: Window,
    /// When readers collect what waits for them.
    pub collect: Collect,
    /// How long readers keep a book before bringing it back to a branch.
    pub loan: LoanLength,
    /// Which branch's copy serves a request (the server's `HONGYAN_ROUTING`).
    pub routing: Routing,
    /// Lockers added to the city.
    pub lockers: Lockers,
}

/// How the server chooses the branch whose copy serves a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Routing {
    /// The copy nearest the delivery target (the server's default).
    #[default]
    Nearest,
    /// The copy at the branch with the fewest open picks, distance breaking ties.
    Load,
}

impl Routing {
    /// The value of `HONGYAN_ROUTING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Nearest => "nearest",
            Routing::Load => "load",
        }
    }
}

/// Lockers the scenario adds to the demo city's.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lockers {
    /// A second cabinet, with as many doors, beside each of these lockers (by code).
    pub added_beside: Vec<String>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            seed: 2026,
            days: 1,
            drain_hours: 24,
            readers: 400,
            step_minutes: 5,
            hold_hours: 72,
            requests: Requests::default(),
            delivery: DeliveryMix::default(),
            pickers: Pickers::default(),
            rounds: Rounds::default(),
            travel: Travel::default(),
            courier: Window {
                median_hours: 4.0,
                p90_hours: 8.0,
                hours: [8, 20],
            },
            collect: Collect::default(),
            loan: LoanLength::default(),
            routing: Routing::default(),
            lockers: Lockers::default(),
        }
    }
}

/// The arrival pattern of requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Requests {
    /// Requests per reader per weekday.
    pub per_reader_per_day: f64,
    /// Saturdays and Sundays have this many times a weekday's requests.
    pub weekend_factor: f64,
    /// Relative weight of each hour of the day (China time, 0–23): the morning and
    /// evening peaks.
    pub hourly: Vec<f64>,
    /// Words whose search results are the titles readers ask for (public `searchBooks`).
    pub title_queries: Vec<String>,
    /// How much readers favour the first titles of the shuffled list (1: all alike; 2: the
    /// first tenth gets about a third of the requests).
    pub popularity_skew: f64,
}

impl Default for Requests {
    fn default() -> Self {
        Requests {
            per_reader_per_day: 0.25,
            weekend_factor: 1.4,
            hourly: vec![
                0.1, 0.0, 0.0, 0.0, 0.0, 0.2, 0.6, 1.5, 3.0, 3.0, 2.0, 1.5, 2.0, 1.5, 1.2, 1.2,
                1.5, 2.0, 2.5, 3.5, 3.5, 2.5, 1.2, 0.4,
            ],
            title_queries: [
                "小说", "中国", "科学", "文学", "历史", "儿童", "技术", "故事",
            ]
            .map(String::from)
            .to_vec(),
            popularity_skew: 2.0,
        }
    }
}

/// Shares of the delivery methods (they need not add up to 1: they are weighed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryMix {
    /// To a smart locker near home.
    pub locker: f64,
    /// To the hold shelf of the nearest staffed branch.
    pub branch: f64,
    /// To the door, by courier.
    pub home: f64,
}

impl Default for DeliveryMix {
    fn default() -> Self {
        DeliveryMix {
            locker: 0.5,
            branch: 0.35,
            home: 0.15,
        }
    }
}

/// Pickers: the same at every branch unless a branch's code says otherwise.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pickers {
    /// Pickers on shift at each branch.
    pub per_branch: u32,
    /// The shift, from and to the hour (China time).
    pub shift: [u32; 2],
    /// Pickers on the late shift at each branch.
    pub late: u32,
    /// The late shift, from and to the hour.
    pub late_shift: [u32; 2],
    /// Copies one picker finds and scans per hour.
    pub picks_per_hour: f64,
    /// Branches that differ, by branch code.
    pub branches: std::collections::BTreeMap<String, BranchPickers>,
}

impl Default for Pickers {
    fn default() -> Self {
        Pickers {
            per_branch: 1,
            shift: [9, 17],
            late: 1,
            late_shift: [13, 21],
            picks_per_hour: 20.0,
            branches: [(
                "ZJG".to_owned(),
                BranchPickers {
                    count: 2,
                    shift: [8, 20],
                    late: None,
                },
            )]
            .into(),
        }
    }
}

/// One branch's pickers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchPickers {
    /// Pickers on shift.
    pub count: u32,
    /// The shift, from and to the hour.
    pub shift: [u32; 2],
    /// Pickers on the late shift (default: `pickers.late`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late: Option<u32>,
}

impl Pickers {
    /// Pickers on shift at the branch with `code` at `hour` (China time).
    pub fn on_shift(&self, code: &str, hour: u32) -> u32 {
        let (count, shift, late) = match self.branches.get(code) {
            Some(b) => (b.count, b.shift, b.late.unwrap_or(self.late)),
            None => (self.per_branch, self.shift, self.late),
        };
        let on = |[from, to]: [u32; 2]| (from..to).contains(&hour);
        u32::from(on(shift)) * count + u32::from(on(self.late_shift)) * late
    }
}

/// The dispatchers' timetable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rounds {
    /// Times of day (China time, `HH:MM`) a van leaves each branch with the parcels for
    /// its lockers and the books sent to other branches.
    pub times: Vec<String>,
}

impl Default for Rounds {
    fn default() -> Self {
        Rounds {
            times: ["10:00", "12:00", "14:00", "16:00", "18:30"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl Rounds {
    /// The times as times of day.
    ///
    /// # Errors
    /// A time that is not `HH:MM`.
    pub fn parsed(&self) -> anyhow::Result<Vec<NaiveTime>> {
        self.times
            .iter()
            .map(|t| {
                NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
                    anyhow::anyhow!("rounds.times: {t:?} is not a time of day like \"10:30\"")
                })
            })
            .collect()
    }
}

/// The vans' driving ([`TravelModel`]).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Travel {
    /// Road distance over great-circle distance.
    pub road_factor: f64,
    /// Average speed in the city, km/h.
    pub speed_kmh: f64,
    /// Minutes at each stop.
    pub stop_minutes: f64,
}

impl Default for Travel {
    fn default() -> Self {
        let m = TravelModel::default();
        Travel {
            road_factor: m.road_factor,
            speed_kmh: m.speed_kmh,
            stop_minutes: m.stop_minutes,
        }
    }
}

impl From<Travel> for TravelModel {
    fn from(t: Travel) -> Self {
        TravelModel {
            road_factor: t.road_factor,
            speed_kmh: t.speed_kmh,
            stop_minutes: t.stop_minutes,
        }
    }
}

/// A delay (log-normal, given by its median and 90th percentile) that ends only within
/// daily hours.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Half the delays are shorter.
    pub median_hours: f64,
    /// Nine in ten are shorter.
    pub p90_hours: f64,
    /// From and to the hour (China time) the delay may end; later ends move to the next
    /// opening.
    pub hours: [u32; 2],
}

/// Readers collecting.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Collect {
    /// Share of readers who never come for their book (the hold expires).
    pub never_share: f64,
    /// From "ready" to the reader at the locker or desk.
    pub delay: Window,
    /// Hours the branches' desks are open (hold-shelf pickups and returns).
    pub desk_hours: [u32; 2],
}

impl Default for Collect {
    fn default() -> Self {
        Collect {
            never_share: 0.05,
            delay: Window {
                median_hours: 6.0,
                p90_hours: 30.0,
                hours: [7, 22],
            },
            desk_hours: [9, 21],
        }
    }
}

/// How long loans last.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoanLength {
    /// Half the loans are returned sooner, in days.
    pub median_days: f64,
    /// Nine in ten are returned sooner.
    pub p90_days: f64,
}

impl Default for LoanLength {
    fn default() -> Self {
        LoanLength {
            median_days: 14.0,
            p90_days: 28.0,
        }
    }
}

impl Scenario {
    /// Reads and checks a scenario file.
    ///
    /// # Errors
    /// The file cannot be read, is not TOML of this shape (the message names the line and
    /// the field), or holds a value out of range.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the scenario {}: {e}", path.display()))?;
        Self::from_toml(&text).map_err(|e| anyhow::anyhow!("scenario {}: {e:#}", path.display()))
    }

    /// Parses and checks a scenario.
    ///
    /// # Errors
    /// Not TOML of this shape, or a value out of range.
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        scenario.check()?;
        Ok(scenario)
    }

    /// Checks the values' ranges.
    ///
    /// # Errors
    /// The first value out of range, named by its field.
    pub fn check(&self) -> anyhow::Result<()> {
        ensure!((1..=366).contains(&self.days), "days: 1 to 366");
        ensure!(self.drain_hours <= 720, "drain_hours: 0 to 720");
        ensure!(
            (1..=1_000_000).contains(&self.readers),
            "readers: 1 to 1000000"
        );
        ensure!(
            (1..=60).contains(&self.step_minutes),
            "step_minutes: 1 to 60"
        );
        ensure!((1..=720).contains(&self.hold_hours), "hold_hours: 1 to 720");
        let r = &self.requests;
        ensure!(
            r.per_reader_per_day >= 0.0 && r.per_reader_per_day <= 10.0,
            "requests.per_reader_per_day: 0 to 10"
        );
        ensure!(
            r.weekend_factor >= 0.0,
            "requests.weekend_factor: 0 or more"
        );
        ensure!(
            r.hourly.len() == 24
                && r.hourly.iter().all(|w| *w >= 0.0)
                && r.hourly.iter().sum::<f64>() > 0.0,
            "requests.hourly: 24 weights, none negative, not all 0"
        );
        ensure!(
            !r.title_queries.is_empty(),
            "requests.title_queries: at least one word"
        );
        ensure!(
            (1.0..=10.0).contains(&r.popularity_skew),
            "requests.popularity_skew: 1 to 10"
        );
        let d = &self.delivery;
        ensure!(
            [d.locker, d.branch, d.home].iter().all(|s| *s >= 0.0)
                && d.locker + d.branch + d.home > 0.0,
            "delivery: shares 0 or more, not all 0"
        );
        check_hours("pickers.shift", self.pickers.shift)?;
        check_hours("pickers.late_shift", self.pickers.late_shift)?;
        for (code, b) in &self.pickers.branches {
            check_hours(&format!("pickers.branches.{code}.shift"), b.shift)?;
        }
        ensure!(
            self.pickers.picks_per_hour > 0.0 && self.pickers.picks_per_hour <= 600.0,
            "pickers.picks_per_hour: more than 0, at most 600"
        );
        self.rounds.parsed()?;
        let t = &self.travel;
        ensure!(
            t.road_factor >= 1.0 && t.road_factor <= 5.0,
            "travel.road_factor: 1 to 5"
        );
        ensure!(
            t.speed_kmh > 0.0 && t.speed_kmh <= 200.0,
            "travel.speed_kmh: more than 0, at most 200"
        );
        ensure!(
            (0.0..=240.0).contains(&t.stop_minutes),
            "travel.stop_minutes: 0 to 240"
        );
        check_window("courier", self.courier)?;
        check_window("collect.delay", self.collect.delay)?;
        check_hours("collect.desk_hours", self.collect.desk_hours)?;
        ensure!(
            (0.0..=1.0).contains(&self.collect.never_share),
            "collect.never_share: 0 to 1"
        );
        let l = self.loan;
        if !(l.median_days > 0.0 && l.p90_days >= l.median_days) {
            bail!("loan: median_days more than 0, p90_days at least median_days");
        }
        Ok(())
    }
}

/// Hours `[from, to]` of a day: 0 ≤ from < to ≤ 24.
fn check_hours(field: &str, [from, to]: [u32; 2]) -> anyhow::Result<()> {
    ensure!(
        from < to && to <= 24,
        "{field}: [from, to] with 0 <= from < to <= 24"
    );
    Ok(())
}

fn check_window(field: &str, w: Window) -> anyhow::Result<()> {
    ensure!(
        w.median_hours > 0.0 && w.p90_hours >= w.median_hours,
        "{field}: median_hours more than 0, p90_hours at least median_hours"
    );
    check_hours(&format!("{field}.hours"), w.hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_file_is_the_defaults() {
        let sample = include_str!("../../../../docs/scenarios/demo.toml");
        let parsed = Scenario::from_toml(sample).expect("the sample parses");
        assert_eq!(
            toml::to_string(&parsed).expect("toml"),
            toml::to_string(&Scenario::default()).expect("toml")
        );
    }

    #[test]
    fn an_empty_file_is_the_demo_city_and_fields_may_be_left_out() {
        let s = Scenario::from_toml("readers = 50\n[pickers]\nper_branch = 3\n").expect("ok");
        assert_eq!(s.readers, 50);
        assert_eq!(s.pickers.per_branch, 3);
        assert_eq!(s.pickers.picks_per_hour, 20.0);
        assert_eq!(s.days, 1);
        Scenario::from_toml("").expect("defaults");
    }

    #[test]
    fn mistakes_are_named() {
        let unknown = Scenario::from_toml("reeders = 5").expect_err("unknown field");
        assert!(format!("{unknown}").contains("reeders"), "{unknown}");
        let range = Scenario::from_toml("step_minutes = 0").expect_err("range");
        assert!(format!("{range}").contains("step_minutes"), "{range}");
        let time = Scenario::from_toml("[rounds]\ntimes = [\"25:00\"]").expect_err("time");
        assert!(format!("{time}").contains("25:00"), "{time}");
        let hours = Scenario::from_toml("[requests]\nhourly = [1.0]").expect_err("hourly");
        assert!(format!("{hours}").contains("requests.hourly"), "{hours}");
    }
}
