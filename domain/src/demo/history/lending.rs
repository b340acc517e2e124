//! The demo year's lending: walk-in loans at the desks, and requests by every delivery
//! method carried through to the end (collected, expired on the hold shelf or in the
//! locker, or cancelled) with their history, the locker's own event log, and the loans they
//! started (most returned, some still out, a few overdue). Each copy serves one reader at a
//! time, so the copies still out are the ones the caller marks ON_LOAN.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::Rng;
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::calendar::{self, hours, Day};
use super::readers::{self, Member, Readers};
use crate::entity::loan::{self, LoanStatus};
use crate::entity::loan_request::{self, DeliveryMethod, RequestStatus};
use crate::entity::locker_event::{self, EventKind};
use crate::entity::reader_address;
use crate::entity::request_event::{self, ActorKind};

/// Loans and requests over the year, before the slow first weeks of a new service.
const ACTIVITIES: f64 = 24_000.0;
/// Readers after which the service is as busy as it gets.
const MATURE_READERS: f64 = 900.0;
/// How long a hold waits for its reader.
const HOLD_DAYS: i64 = 3;
/// The loan period.
const LOAN_DAYS: i64 = 30;

/// A copy that can be lent.
#[derive(Debug, Clone)]
pub struct Copy {
    /// The copy.
    pub id: Uuid,
    /// Its title.
    pub title: Uuid,
    /// Its barcode (the locker's parcel id).
    pub barcode: String,
    /// The branch owning it.
    pub home: Uuid,
}

/// A locker and its doors.
#[derive(Debug, Clone)]
pub struct Locker {
    /// The locker.
    pub id: Uuid,
    /// The branch serving it.
    pub branch: Uuid,
    /// Its compartments' labels.
    pub doors: Vec<String>,
}

/// The places and copies the year's lending used.
pub struct Stock<'a> {
    /// Copies, in catalogue order (the first titles are the more popular).
    pub copies: &'a [Copy],
    /// Branches with shelves and a hold shelf.
    pub branches: &'a [Uuid],
    /// Lockers.
    pub lockers: &'a [Locker],
}

/// The rows the year's lending left.
#[derive(Default)]
pub struct Lending {
    /// Requests, in their final state.
    pub requests: Vec<loan_request::ActiveModel>,
    /// Their history.
    pub events: Vec<request_event::ActiveModel>,
    /// Loans.
    pub loans: Vec<loan::ActiveModel>,
    /// What the lockers reported.
    pub locker_events: Vec<locker_event::ActiveModel>,
    /// Home delivery addresses readers saved.
    pub addresses: Vec<reader_address::ActiveModel>,
    /// Copies still lent at the end of the history.
    pub still_out: Vec<Uuid>,
}

/// Where a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Collected,
    Expired,
    Cancelled,
}

/// One step of a request's history.
type Step = (RequestStatus, ActorKind, Option<Uuid>, DateTime<Utc>);

/// When the first of `steps` moving to a state `to` matches happened (the request's
/// milestones, as `lending::request_log::milestones` stamps them on live requests).
fn first(steps: &[Step], to: impl Fn(RequestStatus) -> bool) -> Option<DateTime<Utc>> {
    steps.iter().find(|s| to(s.0)).map(|s| s.3)
}

struct Builder<'a> {
    stock: &'a Stock<'a>,
    end: DateTime<Utc>,
    /// When each copy (by index) is back on its shelf.
    free_at: Vec<DateTime<Utc>>,
    addresses: HashMap<Uuid, Uuid>,
    out: Lending,
}

/// The year's lending over `days` by `readers`, ending at `end` (nothing after it).
pub fn generate(
    days: &[Day],
    readers: &Readers,
    stock: &Stock<'_>,
    end: DateTime<Utc>,
    rng: &mut StdRng,
) -> Lending {
    let mut b = Builder {
        stock,
        end,
        free_at: vec![DateTime::<Utc>::MIN_UTC; stock.copies.len()],
        addresses: HashMap::new(),
        out: Lending::default(),
    };
    if stock.copies.is_empty() || stock.branches.is_empty() {
        return b.out;
    }
    for (day, n) in days.iter().zip(calendar::spread(days, ACTIVITIES)) {
        let joined = readers.members.partition_point(|m| m.joined < day.start);
        // Few readers in the first weeks, so little lending.
        #[allow(clippy::cast_precision_loss)]
        let maturity = ((joined as f64 + 30.0) / MATURE_READERS).min(1.0);
        let mut times: Vec<DateTime<Utc>> = Vec::with_capacity(n);
        for _ in 0..n {
            if rng.random_bool(maturity) {
                times.push(calendar::opening_hours(day, rng));
            }
        }
        times.sort_unstable();
        for at in times {
            let Some(reader) = readers.pick(at, rng) else {
                continue;
            };
            let Some(copy) = b.free_copy(at, rng) else {
                continue;
            };
            if rng.random_bool(0.4) {
                b.loan(reader, copy, at, None, rng);
            } else {
                b.request(reader, copy, at, rng);
            }
        }
    }
    b.out.still_out = b
        .free_at
        .iter()
        .zip(stock.copies)
        .filter(|(t, _)| **t == DateTime::<Utc>::MAX_UTC)
        .map(|(_, c)| c.id)
        .collect();
    b.out
}

/// A loan of copy `item` (of branch `home`) to `reader` from `at`, for `request` or at a
/// desk, returned at `home`'s desk unless still out at `end`; and when it came back.
pub fn loan(
    reader: Uuid,
    item: Uuid,
    home: Uuid,
    at: DateTime<Utc>,
    request: Option<Uuid>,
    end: DateTime<Utc>,
    rng: &mut StdRng,
) -> (loan::ActiveModel, Option<DateTime<Utc>>) {
    let kept = match rng.random_range(0..100) {
        // Most come back within the loan period, some late, a few very late.
        0..82 => hours(rng, 24.0, 29.0 * 24.0),
        82..95 => hours(rng, 31.0 * 24.0, 55.0 * 24.0),
        _ => hours(rng, 60.0 * 24.0, 120.0 * 24.0),
    };
    // A reader keeping a book long renewed it once, half the time.
    let mut renewals = i32::from(kept > Duration::days(LOAN_DAYS) && rng.random_bool(0.5));
    let mut due = at + Duration::days(LOAN_DAYS * (1 + i64::from(renewals)));
    let back = at + kept;
    let returned = (back < end).then_some(back);
    // A book still out falls due, or is reminded of, on another day than the load's: it was
    // renewed again. So nothing of the past is told on the day the demo is loaded.
    let today = |t: DateTime<Utc>| t >= end && t < end + Duration::days(1);
    if returned.is_none() && (today(due) || today(due - Duration::days(3))) {
        renewals += 1;
        due += Duration::days(LOAN_DAYS);
    }
    let status = if returned.is_some() {
        LoanStatus::Returned
    } else {
        LoanStatus::Active
    };
    let until = returned.unwrap_or(end);
    let reminded = due - Duration::days(3);
    let flagged = due + Duration::hours(2);
    let row = loan::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader),
        item_id: Set(item),
        request_id: Set(request),
        status: Set(status),
        checked_out_at: Set(at),
        due_at: Set(due),
        renewals: Set(renewals),
        returned_at: Set(returned),
        return_branch_id: Set(returned.map(|_| home)),
        // The reminder and the overdue notice went out when they were due.
        overdue_flagged_at: Set((flagged < until).then_some(flagged)),
        due_reminded_at: Set((reminded < until).then_some(reminded)),
    };
    (row, returned)
}

impl Builder<'_> {
    /// A copy on its shelf at `at`, the popular first titles more often.
    fn free_copy(&self, at: DateTime<Utc>, rng: &mut StdRng) -> Option<usize> {
        let n = self.stock.copies.len();
        (0..12).find_map(|_| {
            // u^1.6 puts more weight on the catalogue's first (popular) titles.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = ((rng.random::<f64>().powf(1.6) * n as f64) as usize).min(n - 1);
            (self.free_at[i] <= at).then_some(i)
        })
    }

    /// A request made at `at` for copy `copy`, carried to its end if that came before the
    /// history's end.
    fn request(&mut self, reader: Member, copy: usize, at: DateTime<Utc>, rng: &mut StdRng) {
        let stock = self.stock;
        let item = &stock.copies[copy];
        let method = match rng.random_range(0..100) {
            0..40 => DeliveryMethod::Locker,
            40..75 => DeliveryMethod::Branch,
            _ => DeliveryMethod::Home,
        };
        let end = match (method, rng.random_range(0..100)) {
            (_, 0..5) => End::Cancelled,
            (DeliveryMethod::Locker | DeliveryMethod::Branch, 5..12) => End::Expired,
            _ => End::Collected,
        };
        let locker = (method == DeliveryMethod::Locker && !stock.lockers.is_empty())
            .then(|| &stock.lockers[rng.random_range(0..stock.lockers.len())]);
        if method == DeliveryMethod::Locker && locker.is_none() {
            return;
        }
        let pickup = match method {
            DeliveryMethod::Locker => locker.map(|l| l.branch),
            DeliveryMethod::Branch => Some(
                reader
                    .home
                    .unwrap_or_else(|| stock.branches[rng.random_range(0..stock.branches.len())]),
            ),
            DeliveryMethod::Home => None,
        };
        let who = Some(reader.id);
        let mut steps: Vec<Step> = vec![(RequestStatus::Pending, ActorKind::Reader, who, at)];
        let routed = at + Duration::minutes(rng.random_range(1..15));
        steps.push((RequestStatus::Routed, ActorKind::System, None, routed));
        // The copy is busy from the request to its release.
        let (released, loan_at, deadline) = if end == End::Cancelled {
            let cancelled = routed + hours(rng, 0.2, 5.0);
            steps.push((RequestStatus::Cancelled, ActorKind::Reader, who, cancelled));
            (cancelled, None, None)
        } else {
            let picked = routed + hours(rng, 0.5, 6.0);
            steps.push((RequestStatus::Picked, ActorKind::Staff, None, picked));
            let travels = method != DeliveryMethod::Branch || pickup != Some(item.home);
            let arrived = if travels {
                let left = picked + hours(rng, 0.5, 3.0);
                let actor = if method == DeliveryMethod::Home {
                    ActorKind::Courier
                } else {
                    ActorKind::Staff
                };
                steps.push((RequestStatus::InTransit, actor, None, left));
                match method {
                    DeliveryMethod::Home => left + hours(rng, 5.0, 40.0),
                    DeliveryMethod::Locker => left + hours(rng, 1.0, 10.0),
                    DeliveryMethod::Branch => left + hours(rng, 2.0, 20.0),
                }
            } else {
                picked + hours(rng, 0.2, 1.0)
            };
            if method == DeliveryMethod::Home {
                steps.push((RequestStatus::Fulfilled, ActorKind::Courier, None, arrived));
                (arrived, Some(arrived), None)
            } else {
                let (actor, actor_id) = match locker {
                    Some(l) => (ActorKind::Locker, Some(l.id)),
                    None => (ActorKind::Staff, None),
                };
                steps.push((RequestStatus::ReadyForPickup, actor, actor_id, arrived));
                let deadline = arrived + Duration::days(HOLD_DAYS);
                if end == End::Expired {
                    steps.push((RequestStatus::Expired, ActorKind::System, None, deadline));
                    (deadline + hours(rng, 2.0, 20.0), None, Some(deadline))
                } else {
                    let collected = arrived + hours(rng, 0.3, 60.0);
                    steps.push((RequestStatus::Fulfilled, actor, actor_id, collected));
                    (collected, Some(collected), Some(deadline))
                }
            }
        };
        if released >= self.end {
            return;
        }
        let (status, last) = steps
            .last()
            .map_or((RequestStatus::Pending, at), |s| (s.0, s.3));
        let id = Uuid::now_v7();
        let address = (method == DeliveryMethod::Home).then(|| self.address(reader.id, at, rng));
        self.out.requests.push(loan_request::ActiveModel {
            id: Set(id),
            reader_id: Set(reader.id),
            title_id: Set(item.title),
            item_id: Set(Some(item.id)),
            status: Set(status),
            delivery_method: Set(method),
            locker_id: Set(locker.map(|l| l.id)),
            pickup_branch_id: Set(pickup),
            address_id: Set(address),
            source_branch_id: Set(Some(item.home)),
            compartment_id: Set(None),
            pickup_code_hash: Set(None),
            pickup_code_gen: Set(0),
            pickup_deadline: Set(deadline),
            deadline_reminded_at: Set(deadline.map(|d| d - Duration::hours(24))),
            failure_reason: Set(None),
            idempotency_key: Set(None),
            created_at: Set(at),
            updated_at: Set(last),
            ready_at: Set(first(&steps, |to| {
                to == RequestStatus::ReadyForPickup
                    || (to == RequestStatus::Fulfilled && method == DeliveryMethod::Home)
            })),
            fulfilled_at: Set(first(&steps, |to| to == RequestStatus::Fulfilled)),
            expired_at: Set(first(&steps, |to| to == RequestStatus::Expired)),
        });
        let mut from = None;
        for (to, actor_kind, actor_id, when) in steps {
            self.out.events.push(request_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                request_id: Set(id),
                from_status: Set(from),
                to_status: Set(to),
                actor_kind: Set(actor_kind),
                actor_id: Set(actor_id),
                note: Set(None),
                at: Set(when),
            });
            from = Some(to);
        }
        if let (Some(l), Some(ready)) = (locker, deadline.map(|d| d - Duration::days(HOLD_DAYS))) {
            let door = l.doors[rng.random_range(0..l.doors.len())].clone();
            self.locker_event(l.id, EventKind::Deposited, &door, &item.barcode, ready);
            match loan_at {
                Some(t) => self.locker_event(l.id, EventKind::PickedUp, &door, &item.barcode, t),
                None => {
                    self.locker_event(l.id, EventKind::Collected, &door, &item.barcode, released);
                }
            }
        }
        self.free_at[copy] = released;
        if let Some(t) = loan_at {
            self.loan(reader, copy, t, Some(id), rng);
        }
    }

    /// A loan of copy `copy` from `at` (for request `request`, or at the desk).
    fn loan(
        &mut self,
        reader: Member,
        copy: usize,
        at: DateTime<Utc>,
        request: Option<Uuid>,
        rng: &mut StdRng,
    ) {
        let item = &self.stock.copies[copy];
        let (row, returned) = loan(reader.id, item.id, item.home, at, request, self.end, rng);
        self.out.loans.push(row);
        self.free_at[copy] = returned.unwrap_or(DateTime::<Utc>::MAX_UTC);
    }

    /// The reader's home address, saved with their first home delivery.
    fn address(&mut self, reader: Uuid, at: DateTime<Utc>, rng: &mut StdRng) -> Uuid {
        if let Some(id) = self.addresses.get(&reader) {
            return *id;
        }
        let row = readers::address(reader, at, rng);
        let id = *row.id.as_ref();
        self.out.addresses.push(row);
        self.addresses.insert(reader, id);
        id
    }

    fn locker_event(
        &mut self,
        locker: Uuid,
        kind: EventKind,
        door: &str,
        parcel: &str,
        at: DateTime<Utc>,
    ) {
        let n = self.out.locker_events.len() + 1;
        self.out.locker_events.push(locker_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            locker_id: Set(locker),
            event_id: Set(format!("demo-history-{n:07}")),
            kind: Set(kind),
            compartment: Set(door.to_owned()),
            parcel: Set(Some(parcel.to_owned())),
            at: Set(at),
            received_at: Set(at),
        });
    }
}
