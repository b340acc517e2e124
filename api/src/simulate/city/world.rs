//! The simulated city at one moment: its people, what each is waiting to do and when
//! (the [`Agenda`]), and one step of the clock ([`World::step`]). Readers act in
//! [`super::readers`], staff in [`super::staff`], the lockers in [`super::devices`].

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use hongyan_domain::lending::travel::TravelModel;
use hongyan_domain::Ctx;
use rand::rngs::StdRng;

use super::clock;
use super::devices::Device;
use super::gql::Api;
use super::places::City;
use super::readers::Reader;
use super::report::Figures;
use super::scenario::Scenario;
use super::whereabouts::Whereabouts;

/// Something a simulated person will do at a set time.
#[derive(Debug, Clone)]
pub enum Event {
    /// A van stops at a locker and the driver puts in the parcels it has commands for.
    VanAtLocker {
        /// The locker's index.
        locker: usize,
    },
    /// A copy is handed in at a branch's desk: a loan returned, a transfer or an
    /// uncollected parcel arriving.
    CheckIn {
        /// The branch's index.
        branch: usize,
        /// The copy.
        barcode: String,
    },
    /// A reader comes for a book that waits for them.
    Collect {
        /// The request.
        request: String,
    },
    /// The library's own courier rings the reader's bell.
    HomeDelivered {
        /// The sending branch's index.
        branch: usize,
        /// The shipment.
        shipment: String,
        /// The request it delivers.
        request: String,
    },
}

/// What is due when: events in time order (ties in the order they were planned).
#[derive(Debug, Default)]
pub struct Agenda {
    events: BTreeMap<(DateTime<Utc>, u64), Event>,
    planned: u64,
}

impl Agenda {
    /// Plans `event` at `at`.
    pub fn at(&mut self, at: DateTime<Utc>, event: Event) {
        self.planned += 1;
        self.events.insert((at, self.planned), event);
    }

    /// Takes the next event due by `now`.
    pub fn next_due(&mut self, now: DateTime<Utc>) -> Option<Event> {
        let entry = self.events.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        Some(entry.remove())
    }
}

/// A request a simulated reader made, as the simulation follows it.
#[derive(Debug, Clone)]
pub struct Tracked {
    /// The reader (their number in the city).
    pub reader: u32,
    /// The copy, once picked.
    pub barcode: Option<String>,
}

/// A branch's staff as the simulation runs them.
#[derive(Debug, Default)]
pub struct Desk {
    /// The access token of the branch's dispatcher account (who also picks and works the
    /// desk).
    pub token: String,
    /// Picks the pickers on shift can still make in this step.
    pub pick_budget: f64,
    /// Picked books for other branches, leaving with the next van: (barcode, branch).
    pub transfers: Vec<(String, usize)>,
    /// HOME parcels picked whose courier hand-over is not planned yet.
    pub home_waiting: usize,
}

/// Everything the simulation knows and does.
pub struct World {
    /// The server's context (its clock, and its database for opening accounts).
    pub ctx: Ctx,
    /// The public GraphQL API.
    pub api: Api,
    /// The scenario.
    pub scenario: Scenario,
    /// The vans' speed.
    pub travel: TravelModel,
    /// When the vans leave.
    pub round_times: Vec<NaiveTime>,
    /// The branches and lockers.
    pub city: City,
    /// The seeded draws of who asks for what, when and how: a stream of their own, so two
    /// scenarios compared get the same requests.
    pub arrivals: StdRng,
    /// The seeded draws of everything else (delays, who never comes).
    pub rng: StdRng,
    /// Readers who have signed up so far, by number.
    pub readers: HashMap<u32, Reader>,
    /// The PIN every simulated reader's card has.
    pub pin: String,
    /// A tag of this run in card numbers, so a database can hold several runs.
    pub run_tag: String,
    /// The titles readers choose from, most wanted first.
    pub titles: Vec<String>,
    /// Each branch's staff, as [`City::branches`].
    pub desks: Vec<Desk>,
    /// Each locker's controller, as [`City::lockers`].
    pub devices: Vec<Device>,
    /// Requests made, by id.
    pub requests: HashMap<String, Tracked>,
    /// HOME shipments whose delivery is planned.
    pub shipments: HashSet<String>,
    /// What is planned.
    pub agenda: Agenda,
    /// What the report counts.
    pub figures: Figures,
    /// Where the simulation put the books it handled.
    pub whereabouts: Whereabouts,
}

impl World {
    /// One step of the clock: from `from` (done) to `to` (the clock says `to` now), with
    /// new requests arriving when `arrivals`.
    ///
    /// # Errors
    /// Only what stops the whole simulation (a step's refusals are counted instead).
    pub async fn step(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        arrivals: bool,
    ) -> anyhow::Result<()> {
        self.lockers_report(to).await;
        while let Some(event) = self.agenda.next_due(to) {
            self.handle(event, to).await;
        }
        if arrivals {
            self.new_requests(from, to).await;
        }
        self.pick(to).await;
        self.hand_home_parcels_over(to).await;
        if self.round_due(from, to) {
            self.send_vans(to).await;
        }
        if clock::hour(from) != clock::hour(to) {
            self.sample(to).await;
        }
        Ok(())
    }

    /// Whether a van leaves in `(from, to]`.
    fn round_due(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        let (a, b) = (
            from.with_timezone(&clock::china()),
            to.with_timezone(&clock::china()),
        );
        self.round_times.iter().any(|t| {
            [a.date_naive(), b.date_naive()]
                .iter()
                .filter_map(|d| d.and_time(*t).and_local_timezone(clock::china()).single())
                .any(|at| at > a && at <= b)
        })
    }

    async fn handle(&mut self, event: Event, now: DateTime<Utc>) {
        match event {
            Event::VanAtLocker { locker } => self.van_at_locker(locker, now).await,
            Event::CheckIn { branch, barcode } => self.check_in(branch, &barcode, now).await,
            Event::Collect { request } => self.collect(&request, now).await,
            Event::HomeDelivered {
                branch,
                shipment,
                request,
            } => self.deliver_home(branch, &shipment, &request, now).await,
        }
    }

    /// Counts what went wrong in a step without stopping the day.
    pub fn problem(&mut self, what: &str, e: &anyhow::Error) {
        self.figures.problem(what, e);
    }

    /// Plans the reader of `request` coming for it (unless they are one of those who never
    /// come), after their delay and within `hours`.
    pub fn plan_collect(&mut self, request: &str, now: DateTime<Utc>, hours: [u32; 2]) {
        use rand::Rng as _;
        if self.rng.random::<f64>() < self.scenario.collect.never_share {
            self.figures.never_collected += 1;
            return;
        }
        let mut window = self.scenario.collect.delay;
        window.hours = [window.hours[0].max(hours[0]), window.hours[1].min(hours[1])];
        let at = super::random::after(&mut self.rng, now, window);
        self.agenda.at(
            at,
            Event::Collect {
                request: request.to_owned(),
            },
        );
    }

    /// Plans a loan's return by its reader at their branch.
    pub fn plan_return(&mut self, reader: u32, barcode: &str, now: DateTime<Utc>) {
        let loan = self.scenario.loan;
        let days = super::random::lognormal(&mut self.rng, loan.median_days, loan.p90_days);
        let at = super::random::within_hours(
            now + super::random::hours(days * 24.0),
            self.scenario.collect.desk_hours,
        );
        if let Some(branch) = self.readers.get(&reader).map(|r| r.desk) {
            self.agenda.at(
                at,
                Event::CheckIn {
                    branch,
                    barcode: barcode.to_owned(),
                },
            );
        }
    }

    /// The leg of a van from branch `from` to branch `to`.
    pub fn branch_leg(&self, from: usize, to: usize) -> Duration {
        self.travel
            .leg(self.city.branches[from].at, self.city.branches[to].at)
    }
}
