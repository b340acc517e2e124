//! The period report managers pull for their annual figures.

use async_graphql::{Context, Description, Object, SimpleObject, ID};
use hongyan_domain::report;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::figures::PeriodEnteredFigure;
use crate::types::lending::DeliveryMethod;
use crate::types::purchases::{Budget, Circulation, KeyCount};

/// Loans started on one day.
#[derive(SimpleObject)]
pub struct DayCount {
    /// China-time date, `YYYY-MM-DD`.
    pub day: String,
    /// Loans.
    pub count: i64,
}

/// Loans started in one month of the period.
#[derive(SimpleObject)]
pub struct MonthCount {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Loans (of the days of the month inside the period).
    pub count: i64,
}

/// How long requests of one delivery method took to become ready.
#[derive(SimpleObject)]
pub struct ReadyTimes {
    /// The delivery method.
    pub method: DeliveryMethod,
    /// Median hours from request to ready; null when no request of the method was ready in
    /// the period.
    pub median_hours: Option<f64>,
    /// 90th-percentile hours (nearest rank) from request to ready; null as `medianHours`.
    pub p90_hours: Option<f64>,
}

/// A title and how often it was requested in the period.
#[derive(SimpleObject)]
pub struct TopTitle {
    /// The title's id.
    pub title_id: ID,
    /// The title's name.
    pub title: String,
    /// Requests made in the period.
    pub requests: i64,
}

/// How one locker was used in the period.
#[derive(SimpleObject)]
pub struct LockerUse {
    /// The locker's id.
    pub locker_id: ID,
    /// The locker's short code, e.g. `L-XH-01`.
    pub code: String,
    /// The locker's display name.
    pub name: String,
    /// Its compartments.
    pub compartments: i64,
    /// Compartments holding or awaiting a parcel now.
    pub in_use: i64,
    /// Parcels deposited in the period.
    pub deposits: i64,
    /// Deposits per compartment per day.
    pub turns_per_door_day: f64,
}

/// A period's figures for one branch or the whole library (`stats`): readers, loans,
/// deliveries, lockers and purchases; amounts in cents (分).
#[derive(Description)]
pub struct Stats(pub report::Report);

/// Monthly figures as clients see them.
fn months(of: Vec<report::Month>) -> Vec<MonthCount> {
    of.iter()
        .map(|m| MonthCount {
            month: m.first_day.format("%Y-%m").to_string(),
            count: m.n,
        })
        .collect()
}

#[Object(use_type_description)]
impl Stats {
    /// First day, `YYYY-MM-DD`.
    async fn from(&self) -> String {
        self.0.from.to_string()
    }
    /// Last day (inclusive).
    async fn to(&self) -> String {
        self.0.to.to_string()
    }
    /// The branch, or null for the whole library.
    async fn branch_id(&self) -> Option<ID> {
        self.0.branch.map(|b| ID(b.to_string()))
    }
    /// Readers registered by the end of the period. Of a branch: readers whose home branch
    /// it is; readers without one count at the branch owning the copy of their first loan
    /// (before the period ends), else at the pickup branch of their first request; readers
    /// who never borrowed or requested count for the whole library only. An account merged
    /// into another is not counted: the person counts once, as the account kept.
    async fn registered_readers(&self) -> i64 {
        self.0.readers
    }
    /// Readers registered in the period (of a branch: attributed as `registeredReaders`).
    async fn new_readers(&self) -> i64 {
        self.0.new_readers
    }
    /// Cards issued in the period that lend at once without a deposit (信用办证, online
    /// applications under the credit policy; of a branch: attributed as `registeredReaders`).
    async fn new_credit_cards(&self) -> i64 {
        self.0.new_credit_cards
    }
    /// Readers registered in each calendar month of the period (zeros included; of a branch:
    /// attributed as `registeredReaders`).
    async fn new_readers_per_month(&self) -> Vec<MonthCount> {
        months(self.0.new_readers_per_month())
    }
    /// Loans started in the period (of the branch's copies).
    async fn loans(&self) -> i64 {
        self.0.loans()
    }
    /// Loans returned in the period (of a branch: returned at it, whoever owns the copy).
    async fn returns(&self) -> i64 {
        self.0.returns()
    }
    /// Loans returned in each calendar month of the period (zeros included).
    async fn returns_per_month(&self) -> Vec<MonthCount> {
        months(self.0.returns_per_month())
    }
    /// Loans started per day, every day of the period.
    async fn loans_per_day(&self) -> Vec<DayCount> {
        self.0
            .loans_per_day
            .iter()
            .map(|d| DayCount {
                day: d.day.to_string(),
                count: d.n,
            })
            .collect()
    }
    /// Requests made, by delivery method (`LOCKER`, `BRANCH`, `HOME`).
    async fn requests_by_delivery(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.requests_by_method)
    }
    /// Requests delivered and lent, by delivery method.
    async fn deliveries_by_method(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.deliveries_by_method)
    }
    /// Median hours from request to ready (at a locker or the hold shelf, or delivered
    /// home), of requests ready in the period; null when none was.
    async fn median_hours_to_ready(&self) -> Option<f64> {
        self.0.median_secs_to_ready.map(|s| s / 3600.0)
    }
    /// Loans started per calendar month of the period, every month, for trend charts.
    async fn loans_per_month(&self) -> Vec<MonthCount> {
        months(self.0.loans_per_month())
    }
    /// Median and 90th-percentile hours from request to ready, for every delivery method.
    async fn ready_times_by_method(&self) -> Vec<ReadyTimes> {
        self.0
            .secs_to_ready_by_method
            .iter()
            .map(|t| ReadyTimes {
                method: t.method.into(),
                median_hours: t.median_secs.map(|s| s / 3600.0),
                p90_hours: t.p90_secs.map(|s| s / 3600.0),
            })
            .collect()
    }
    /// The ten titles requested most in the period, most first (ties by title).
    async fn top_titles(&self) -> Vec<TopTitle> {
        self.0
            .top_titles
            .iter()
            .map(|t| TopTitle {
                title_id: ID(t.title_id.to_string()),
                title: t.title.clone(),
                requests: t.n,
            })
            .collect()
    }
    /// The ten CLC main classes (the class number's first letter, e.g. `I`; `?` for titles
    /// without one) requested most in the period, most first.
    async fn top_classes(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.top_classes)
    }
    /// Locker holds that became ready (deposited for collection) in the period.
    async fn locker_holds(&self) -> i64 {
        self.0.locker_holds
    }
    /// Locker holds that expired uncollected in the period.
    async fn locker_holds_expired(&self) -> i64 {
        self.0.locker_holds_expired
    }
    /// `lockerHoldsExpired / lockerHolds`; null without locker holds.
    async fn locker_expiry_rate(&self) -> Option<f64> {
        self.0.locker_expiry_rate()
    }
    /// The same figures for the same days a year earlier (29 February becomes the 28th),
    /// same branch and same access rules, to compare with last year.
    async fn last_year(&self, ctx: &Context<'_>) -> GqlResult<Stats> {
        let who = principal(ctx).gql()?;
        Ok(Stats(
            report::last_year(&domain(ctx).db, who, &self.0)
                .await
                .gql()?,
        ))
    }
    /// Lockers (of the branch) and their use.
    async fn lockers(&self) -> Vec<LockerUse> {
        let days = self.0.days();
        self.0
            .lockers
            .iter()
            .map(|l| LockerUse {
                locker_id: ID(l.locker_id.to_string()),
                code: l.code.clone(),
                name: l.name.clone(),
                compartments: l.compartments,
                in_use: l.in_use,
                deposits: l.deposits,
                turns_per_door_day: l.turns_per_door_day(days),
            })
            .collect()
    }
    /// Figures staff entered from the library's other systems (the whole network's loans,
    /// visits), summed over the period's whole months: entered, not measured. One per kind.
    async fn entered_figures(&self) -> Vec<PeriodEnteredFigure> {
        self.0.entered.iter().copied().map(Into::into).collect()
    }
    /// The platform's share of the whole network's loans (`loans` / entered network loans),
    /// when the period is whole months and the network's loans were entered for every one of
    /// them; null otherwise.
    async fn platform_share_of_network_loans(&self) -> Option<f64> {
        self.0.platform_share_of_network_loans()
    }
    /// Requests made in each calendar month of the period (zeros included).
    async fn requests_per_month(&self) -> Vec<MonthCount> {
        months(self.0.requests_per_month())
    }
    /// Copies in the net-lending stock now (of the branch): in the collection and flagged
    /// for net lending. The stock keeps no history: today's, whatever the period.
    async fn net_lending_stock(&self) -> i64 {
        self.0.net_lending_copies
    }
    /// Purchase proposals made in the period, by channel.
    async fn proposals_by_channel(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.purchases.by_channel)
    }
    /// Proposals made in the period and rejected, by the rule that failed (`librarian`:
    /// rejected on review; a proposal may fail several rules).
    async fn proposals_rejected_by_rule(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.purchases.rejected_by_rule)
    }
    /// Cents spent on proposals in the period (whatever the budget's year), by channel.
    async fn spent_by_channel_cents(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.purchases.spent_by_channel)
    }
    /// Readers a proposal of theirs bought a book for, lent to them in the period.
    async fn readers_served(&self) -> i64 {
        self.0.purchases.readers_served
    }
    /// Purchase proposals made in the period, by status.
    async fn proposals_by_status(&self) -> Vec<KeyCount> {
        KeyCount::all(&self.0.purchases.by_status)
    }
    /// Book budget spent in the period (cents).
    async fn budget_spent_cents(&self) -> i64 {
        self.0.budget_spent_cents
    }
    /// The budget of the fiscal year the period ends in.
    async fn budget(&self) -> Option<Budget> {
        self.0.budget.clone().map(Budget)
    }
    /// New copies (catalogued in the period) bought on readers' proposals.
    async fn new_books_on_demand(&self) -> Circulation {
        self.0.new_on_demand.into()
    }
    /// Other new copies.
    async fn new_books_other(&self) -> Circulation {
        self.0.new_other.into()
    }
    /// Every figure as CSV for spreadsheets: `指标,项目,数值` rows, names in Chinese, money in
    /// yuan (`1234.50`). The same figures as an Excel workbook: `GET /staff/stats.xlsx`.
    async fn csv(&self) -> GqlResult<String> {
        self.0.csv().gql()
    }
}
