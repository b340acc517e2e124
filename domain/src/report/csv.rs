//! The report as a CSV table librarians open in a spreadsheet: `指标,项目,数值`, names in
//! Simplified Chinese, money in yuan. Written through [`csv_export::table`], which keeps
//! cells (a title a reader proposed) from running as formulas.

use crate::i18n::Text;
use crate::infra::csv_export;
use crate::purchases::year_figures::Count;
use crate::Result;

use super::words::{clc_class, hours, method, state, zh};
use super::{Amount, Report};

/// A breakdown: its name, and each item with its amount.
type Breakdown = (Text, Vec<(String, Amount)>);

impl Report {
    /// The figures as a CSV table (`指标,项目,数值`): the headline figures, then every
    /// breakdown (per month, per day, per delivery method, top lists, lockers, proposals,
    /// new books) one row per item; money in yuan (`1234.50`), hours with two decimals.
    ///
    /// # Errors
    /// INTERNAL if writing fails (it does not, into memory).
    pub fn csv(&self) -> Result<String> {
        let mut rows: Vec<[String; 3]> = self
            .headline()
            .into_iter()
            .map(|f| [zh(&f.name), String::new(), f.amount.text()])
            .collect();
        for (name, items) in self.breakdowns() {
            let name = zh(&name);
            rows.extend(
                items
                    .into_iter()
                    .map(|(item, amount)| [name.clone(), item, amount.text()]),
            );
        }
        let header = [
            text!("stats-col-figure"),
            text!("stats-col-item"),
            text!("stats-col-value"),
        ]
        .map(|t| zh(&t));
        csv_export::table(header.each_ref().map(String::as_str), rows)
    }

    /// Every breakdown, in the order the CSV lists them.
    fn breakdowns(&self) -> Vec<Breakdown> {
        let days = self.days();
        let ready = |p90: bool| {
            self.secs_to_ready_by_method
                .iter()
                .map(|t| {
                    let secs = if p90 { t.p90_secs } else { t.median_secs };
                    (method(t.method.as_str()), Amount::Hours(hours(secs)))
                })
                .collect()
        };
        let groups = |of: fn(&crate::purchases::year_figures::Circulation) -> i64| {
            vec![
                (
                    zh(&text!("stats-group-on-demand")),
                    Amount::Count(of(&self.new_on_demand)),
                ),
                (
                    zh(&text!("stats-group-other")),
                    Amount::Count(of(&self.new_other)),
                ),
            ]
        };
        let budget = self
            .budget
            .iter()
            .map(|b| (String::new(), Amount::Cents(b.total_cents)));
        vec![
            (
                text!("stats-loans-per-month"),
                self.loans_per_month()
                    .iter()
                    .map(|m| (m.first_day.format("%Y-%m").to_string(), Amount::Count(m.n)))
                    .collect(),
            ),
            (
                text!("stats-loans-per-day"),
                self.loans_per_day
                    .iter()
                    .map(|d| (d.day.to_string(), Amount::Count(d.n)))
                    .collect(),
            ),
            (
                text!("stats-requests-by-method"),
                counts(&self.requests_by_method, method),
            ),
            (
                text!("stats-deliveries-by-method"),
                counts(&self.deliveries_by_method, method),
            ),
            (text!("stats-median-hours-by-method"), ready(false)),
            (text!("stats-p90-hours-by-method"), ready(true)),
            (
                text!("stats-top-titles"),
                self.top_titles
                    .iter()
                    .map(|t| (t.title.clone(), Amount::Count(t.n)))
                    .collect(),
            ),
            (
                text!("stats-top-classes"),
                counts(&self.top_classes, |k| format!("{k} {}", clc_class(k))),
            ),
            (
                text!("stats-locker-deposits"),
                self.lockers
                    .iter()
                    .map(|l| (l.code.clone(), Amount::Count(l.deposits)))
                    .collect(),
            ),
            (
                text!("stats-locker-turns"),
                self.lockers
                    .iter()
                    .map(|l| (l.code.clone(), Amount::Decimal(l.turns_per_door_day(days))))
                    .collect(),
            ),
            (
                text!("stats-proposals-by-status"),
                counts(&self.purchases.by_status, state),
            ),
            (text!("stats-budget-total"), budget.collect()),
            (text!("stats-new-items-by-group"), groups(|c| c.items)),
            (text!("stats-new-items-lent-by-group"), groups(|c| c.lent)),
            (text!("stats-new-items-loans-by-group"), groups(|c| c.loans)),
        ]
    }
}

/// Counts as items named by `name` (of their key).
fn counts(counts: &[Count], name: impl Fn(&str) -> String) -> Vec<(String, Amount)> {
    counts
        .iter()
        .map(|c| (name(&c.key), Amount::Count(c.n)))
        .collect()
}
