//! The simulated readers: they sign up with a card the first time they want a book, ask for
//! titles at the scenario's rhythm with their delivery choice, and come for what waits for
//! them (or never do). They act through the readers' GraphQL, and at the locker's keypad.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use hongyan_domain::lending::travel::Point;
use hongyan_domain::people;
use rand::Rng as _;
use serde_json::json;

use super::clock;
use super::gql::{text, Refused};
use super::random;
use super::world::{Tracked, World};

/// A reader of the city.
#[derive(Debug, Clone)]
pub struct Reader {
    /// Their card number.
    pub card: String,
    /// Their access token.
    pub token: String,
    /// Where they live.
    pub home: Point,
    /// The locker nearest their home (index), if the city has lockers.
    pub locker: Option<usize>,
    /// The branch with a desk nearest their home (index).
    pub desk: usize,
    /// Their saved home address, once they asked for a delivery home.
    pub address: Option<String>,
}

/// How a reader wants a book.
#[derive(Debug, Clone, Copy)]
enum Method {
    Locker,
    Branch,
    Home,
}

impl World {
    /// The requests that arrive in `(from, to]`, by the scenario's daily rhythm.
    pub async fn new_requests(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        let r = &self.scenario.requests;
        let day_share = r.hourly[clock::hour(from) as usize] / r.hourly.iter().sum::<f64>();
        let weekday = if clock::weekend(from) {
            r.weekend_factor
        } else {
            1.0
        };
        // Minutes of a step are few: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let step_hours = (to - from).num_minutes() as f64 / 60.0;
        let mean = f64::from(self.scenario.readers)
            * r.per_reader_per_day
            * weekday
            * day_share
            * step_hours;
        for _ in 0..random::poisson(&mut self.arrivals, mean) {
            let who = self.arrivals.random_range(0..self.scenario.readers);
            if let Err(e) = self.ask_for_a_book(who, to).await {
                match e.downcast_ref::<Refused>() {
                    Some(refused) => self.figures.refused(refused),
                    None => self.problem("requestBook", &e),
                }
            }
        }
    }

    /// Reader `who` (signed up now if new) asks for a title.
    async fn ask_for_a_book(&mut self, who: u32, now: DateTime<Utc>) -> anyhow::Result<()> {
        if !self.readers.contains_key(&who) {
            let reader = self.sign_up(who, now).await?;
            self.readers.insert(who, reader);
        }
        let d = &self.scenario.delivery;
        let method = match random::weighted(&mut self.arrivals, &[d.locker, d.branch, d.home]) {
            Some(0) => Method::Locker,
            Some(2) => Method::Home,
            _ => Method::Branch,
        };
        let title = random::skewed(
            &mut self.arrivals,
            self.titles.len(),
            self.scenario.requests.popularity_skew,
        );
        let book = self.titles[title].clone();
        let reader = self.readers[&who].clone();
        let delivery = match (method, reader.locker) {
            (Method::Locker, Some(l)) => {
                json!({"method": "LOCKER", "lockerId": self.city.lockers[l].id})
            }
            (Method::Home, _) => {
                let address = self.home_address(who, &reader).await?;
                json!({"method": "HOME", "addressId": address})
            }
            _ => json!({"method": "BRANCH", "branchId": self.city.branches[reader.desk].id}),
        };
        let data = self
            .api
            .call(
                Some(&reader.token),
                "mutation($input: RequestBookInput!) { requestBook(input: $input) { id status } }",
                json!({"input": {
                    "bookId": book, "delivery": delivery,
                    "idempotencyKey": uuid::Uuid::new_v4().to_string(),
                }}),
            )
            .await?;
        let request = &data["requestBook"];
        self.figures.asked(&text(&request["status"]));
        self.requests.insert(
            text(&request["id"]),
            Tracked {
                reader: who,
                barcode: None,
            },
        );
        Ok(())
    }

    /// Opens reader `who`'s card (as the desk does: `hongyan user add-reader`) and signs
    /// them in; they live near one of the city's branches.
    async fn sign_up(&mut self, who: u32, now: DateTime<Utc>) -> anyhow::Result<Reader> {
        let card = format!("S{}{who:07}", self.run_tag);
        let name = format!("模拟读者{who}");
        people::add_reader(&self.ctx.db, &card, &self.pin, &name, now)
            .await
            .map_err(anyhow::Error::from)
            .context("opening a simulated reader's card")?;
        let token = self.api.reader_login(&card, &self.pin).await?;
        if self.ctx.config.smtp_url.is_some() {
            // Messages by email, to an address of the run (the catcher gets them all).
            self.api
                .call(
                    Some(&token),
                    "mutation($e: String!) { updateNotificationSettings(input: \
                     {email: $e, channels: [EMAIL]}) { channels } }",
                    json!({"e": format!("{card}@readers.hongyan.invalid")}),
                )
                .await
                .context("giving a simulated reader an email address")?;
        }
        let near = self.arrivals.random_range(0..self.city.branches.len());
        let (lat, lng) = self.city.branches[near].at;
        // Within about 2 km of that branch.
        let home = (
            lat + self.arrivals.random_range(-0.018..0.018),
            lng + self.arrivals.random_range(-0.021..0.021),
        );
        let desk = self
            .city
            .nearest_desk(&self.travel, home)
            .context("no branch with a desk")?;
        Ok(Reader {
            card,
            token,
            home,
            locker: self.city.nearest_locker(&self.travel, home),
            desk,
            address: None,
        })
    }

    /// Reader `who`'s saved home address, saved now if they have none yet.
    async fn home_address(&mut self, who: u32, reader: &Reader) -> anyhow::Result<String> {
        if let Some(a) = &reader.address {
            return Ok(a.clone());
        }
        let data = self
            .api
            .call(
                Some(&reader.token),
                "mutation($a: AddressInput!) { addAddress(input: $a) { id } }",
                json!({"a": {
                    "label": "家", "recipient": format!("模拟读者{who}"),
                    "phone": format!("139{:08}", who % 100_000_000),
                    "address": format!("江苏省张家港市模拟路{who}号"),
                    "latitude": reader.home.0, "longitude": reader.home.1,
                }}),
            )
            .await?;
        let id = text(&data["addAddress"]["id"]);
        if let Some(r) = self.readers.get_mut(&who) {
            r.address = Some(id.clone());
        }
        Ok(id)
    }

    /// The reader of `request` comes for it: types the pickup code at the locker, or shows
    /// the card at the desk. A hold that expired meanwhile is not there any more.
    pub async fn collect(&mut self, request: &str, now: DateTime<Utc>) {
        if let Err(e) = self.try_collect(request, now).await {
            self.problem("collect", &e);
        }
    }

    async fn try_collect(&mut self, request: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        let Some(tracked) = self.requests.get(request).cloned() else {
            return Ok(());
        };
        let reader = self.readers[&tracked.reader].clone();
        let data = self
            .api
            .call(
                Some(&reader.token),
                "query($id: ID!) { request(id: $id) { status deliveryMethod pickupCode \
                 pickupDeadline locker { id } pickupBranch { id } } }",
                json!({"id": request}),
            )
            .await?;
        let r = &data["request"];
        // Past the deadline the app shows, the hold is over even before the sweep says so.
        let deadline = r["pickupDeadline"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        if r["status"] != "READY_FOR_PICKUP" || deadline.is_none_or(|d| d <= now) {
            self.figures.came_too_late += 1;
            return Ok(());
        }
        let barcode = tracked.barcode.context("a ready request without a copy")?;
        if r["deliveryMethod"] == "LOCKER" {
            let locker = self
                .city
                .locker_index(&r["locker"]["id"])
                .context("an unknown locker")?;
            let code = text(&r["pickupCode"]);
            if !self.devices[locker].pick_up(&code, request, now).await? {
                self.figures.came_too_late += 1;
                return Ok(());
            }
        } else {
            let branch = self
                .city
                .branch_index(&r["pickupBranch"]["id"])
                .context("an unknown pickup branch")?;
            self.api
                .call(
                    Some(&self.desks[branch].token),
                    "mutation($b: String!, $c: String!) { checkOut(barcode: $b, cardNumber: $c) { id } }",
                    json!({"b": barcode, "c": reader.card}),
                )
                .await?;
        }
        self.figures.collected += 1;
        self.whereabouts.lent(&barcode);
        self.plan_return(tracked.reader, &barcode, now);
        Ok(())
    }
}
