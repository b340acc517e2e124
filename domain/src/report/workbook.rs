//! The report as an Excel workbook laid out like a report, one sheet per section: 概览 (this
//! period against the same days last year), 月度趋势 and 每日借阅 (with charts), 配送, 热门,
//! 书柜 and 荐购. Headers and names in Simplified Chinese, money in yuan (`¥#,##0.00`),
//! counts with thousands separators. Cells are written as strings or numbers, never as
//! formulas, so a title a reader proposed cannot run.

use rust_xlsxwriter::{
    Chart, ChartType, ColNum, DocProperties, Format, FormatBorder, RowNum, Workbook, Worksheet,
    XlsxError,
};
use sea_orm::prelude::*;
use sea_orm::{Iterable, TransactionTrait};

use crate::auth::Principal;
use crate::i18n::Text;
use crate::lending::DeliveryMethod;
use crate::purchases::year_figures::{Circulation, Count};
use crate::{Error, Result};

use super::words::{clc_class, hours, method, state, zh};
use super::{ratio, Amount, Figure, Report};

/// The row of each sheet's column headers (its title is in the first row).
const HEADER_ROW: RowNum = 2;

/// A period's workbook, ready to download.
#[derive(Debug, Clone)]
pub struct Xlsx {
    /// `hongyan-stats-FROM-TO.xlsx`.
    pub filename: String,
    /// The `.xlsx` file.
    pub bytes: Vec<u8>,
}

/// The workbook of the figures from day `from` to day `to` (as [`super::report`]) for
/// `branch` or the whole library, compared with the same days a year earlier.
///
/// # Errors
/// As [`super::report`]; NOT_FOUND for an unknown branch; INTERNAL if writing fails.
pub async fn export(
    db: &(impl ConnectionTrait + TransactionTrait),
    who: &Principal,
    from: &str,
    to: &str,
    branch: Option<Uuid>,
) -> Result<Xlsx> {
    let c = super::compared(db, who, from, to, branch).await?;
    Ok(Xlsx {
        filename: format!("hongyan-stats-{}-{}.xlsx", c.this.from, c.this.to),
        bytes: workbook(&c.this, &c.last_year, &c.scope)?,
    })
}

/// The workbook of `this` period beside `last_year`'s, titled for `scope` (全馆 or a
/// branch's name).
///
/// # Errors
/// INTERNAL if writing fails.
pub fn workbook(this: &Report, last_year: &Report, scope: &str) -> Result<Vec<u8>> {
    let title = zh(&text!(
        "stats-title",
        scope = scope,
        from = this.from,
        to = this.to
    ));
    build(this, last_year, &title).map_err(Error::internal)
}

fn build(this: &Report, last_year: &Report, title: &str) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_title(title));
    for sheet in [
        summary(this, last_year, title, &styles)?,
        monthly(this, last_year, title, &styles)?,
        daily(this, title, &styles)?,
        delivery(this, title, &styles)?,
        top(this, title, &styles)?,
        lockers(this, title, &styles)?,
        purchases(this, title, &styles)?,
    ] {
        book.push_worksheet(sheet.finish()?);
    }
    book.save_to_buffer()
}

/// 概览: every headline figure, this period against last year's, with the change.
fn summary<'s>(
    this: &Report,
    last_year: &Report,
    title: &str,
    styles: &'s Styles,
) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-summary"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-figure"), 30.0),
            (text!("stats-col-this-period"), 14.0),
            (text!("stats-col-last-year"), 14.0),
            (text!("stats-col-change"), 14.0),
            (text!("stats-col-change-rate"), 10.0),
        ],
    )?;
    for (row, (now, then)) in
        (HEADER_ROW + 1..).zip(this.headline().into_iter().zip(last_year.headline()))
    {
        s.row(
            row,
            0,
            &[
                Cell::Text(zh(&now.name)),
                Cell::Amount(now.amount),
                Cell::Amount(then.amount),
                change(now.amount, then.amount).map_or(Cell::Empty, Cell::Amount),
                growth(now.amount, then.amount).map_or(Cell::Empty, Cell::Amount),
            ],
        )?;
    }
    Ok(s)
}

/// 月度趋势: loans per month, this period and last year's, as a column chart.
fn monthly<'s>(
    this: &Report,
    last_year: &Report,
    title: &str,
    styles: &'s Styles,
) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-monthly"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-month"), 12.0),
            (text!("stats-col-this-period"), 12.0),
            (text!("stats-col-last-year"), 12.0),
        ],
    )?;
    let before = last_year.loans_per_month();
    let months = this.loans_per_month();
    for (i, m) in months.iter().enumerate() {
        let then = before.get(i).map_or(Cell::Empty, |b| count(b.n));
        s.row(
            data_row(i),
            0,
            &[
                Cell::Text(m.first_day.format("%Y-%m").to_string()),
                count(m.n),
                then,
            ],
        )?;
    }
    let total = [total_label(), count(this.loans()), count(last_year.loans())];
    s.row(data_row(months.len()), 0, &total)?;
    s.chart(
        ChartType::Column,
        text!("stats-chart-monthly"),
        months.len(),
        2,
    )?;
    Ok(s)
}

/// 每日借阅: loans per day, as a line chart.
fn daily<'s>(this: &Report, title: &str, styles: &'s Styles) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-daily"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-day"), 12.0),
            (text!("stats-col-this-period"), 12.0),
        ],
    )?;
    for (i, d) in this.loans_per_day.iter().enumerate() {
        s.row(data_row(i), 0, &[Cell::Text(d.day.to_string()), count(d.n)])?;
    }
    s.chart(
        ChartType::Line,
        text!("stats-chart-daily"),
        this.loans_per_day.len(),
        1,
    )?;
    Ok(s)
}

/// 配送: requests and loans by delivery method, with how long they took to be ready.
fn delivery<'s>(this: &Report, title: &str, styles: &'s Styles) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-delivery"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-method"), 14.0),
            (text!("stats-col-requests"), 12.0),
            (text!("stats-col-deliveries"), 12.0),
            (text!("stats-col-median-hours"), 18.0),
            (text!("stats-col-p90-hours"), 24.0),
        ],
    )?;
    let mut row = data_row(0);
    for m in DeliveryMethod::iter() {
        let times = this.secs_to_ready_by_method.iter().find(|t| t.method == m);
        let hours_of = |secs: Option<&Option<f64>>| {
            Cell::Amount(Amount::Hours(hours(secs.copied().flatten())))
        };
        s.row(
            row,
            0,
            &[
                Cell::Text(method(m.as_str())),
                count(key_count(&this.requests_by_method, m.as_str())),
                count(key_count(&this.deliveries_by_method, m.as_str())),
                hours_of(times.map(|t| &t.median_secs)),
                hours_of(times.map(|t| &t.p90_secs)),
            ],
        )?;
        row += 1;
    }
    let total = [
        total_label(),
        count(this.requests()),
        count(this.deliveries()),
        Cell::Amount(Amount::Hours(hours(this.median_secs_to_ready))),
    ];
    s.row(row, 0, &total)?;
    Ok(s)
}

/// 热门: the titles and the CLC classes requested most, side by side.
fn top<'s>(this: &Report, title: &str, styles: &'s Styles) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-top"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-rank"), 6.0),
            (text!("stats-col-title"), 36.0),
            (text!("stats-col-times-requested"), 10.0),
        ],
    )?;
    for (i, t) in this.top_titles.iter().enumerate() {
        s.row(
            data_row(i),
            0,
            &[rank(i), Cell::Text(t.title.clone()), count(t.n)],
        )?;
    }
    s.header(
        4,
        &[
            (text!("stats-col-rank"), 6.0),
            (text!("stats-col-class"), 12.0),
            (text!("stats-col-class-name"), 36.0),
            (text!("stats-col-times-requested"), 10.0),
        ],
    )?;
    for (i, c) in this.top_classes.iter().enumerate() {
        let cells = [
            rank(i),
            Cell::Text(c.key.clone()),
            Cell::Text(clc_class(&c.key)),
            count(c.n),
        ];
        s.row(data_row(i), 4, &cells)?;
    }
    Ok(s)
}

/// 书柜: each locker's use, then the locker holds and how many expired.
fn lockers<'s>(this: &Report, title: &str, styles: &'s Styles) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-lockers"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-locker-code"), 12.0),
            (text!("stats-col-locker-name"), 24.0),
            (text!("stats-col-compartments"), 10.0),
            (text!("stats-col-in-use"), 10.0),
            (text!("stats-col-deposits"), 10.0),
            (text!("stats-col-turns"), 14.0),
        ],
    )?;
    let days = this.days();
    for (i, l) in this.lockers.iter().enumerate() {
        let cells = [
            Cell::Text(l.code.clone()),
            Cell::Text(l.name.clone()),
            count(l.compartments),
            count(l.in_use),
            count(l.deposits),
            Cell::Amount(Amount::Decimal(l.turns_per_door_day(days))),
        ];
        s.row(data_row(i), 0, &cells)?;
    }
    let holds = [
        Figure::new(
            text!("stats-locker-holds"),
            Amount::Count(this.locker_holds),
        ),
        Figure::new(
            text!("stats-locker-expired"),
            Amount::Count(this.locker_holds_expired),
        ),
        Figure::new(
            text!("stats-locker-expiry-rate"),
            Amount::Share(this.locker_expiry_rate()),
        ),
    ];
    s.figures(data_row(this.lockers.len()) + 1, &holds)?;
    Ok(s)
}

/// 荐购: proposals by status, the budget in yuan, and how books bought on readers'
/// proposals circulate against the other new books.
fn purchases<'s>(this: &Report, title: &str, styles: &'s Styles) -> Result<Sheet<'s>, XlsxError> {
    let mut s = Sheet::new(text!("stats-sheet-purchases"), title, styles)?;
    s.header(
        0,
        &[
            (text!("stats-col-status"), 22.0),
            (text!("stats-col-proposals"), 14.0),
        ],
    )?;
    let statuses = &this.purchases.by_status;
    for (i, c) in statuses.iter().enumerate() {
        s.row(data_row(i), 0, &[Cell::Text(state(&c.key)), count(c.n)])?;
    }
    let proposals: i64 = statuses.iter().map(|c| c.n).sum();
    s.row(
        data_row(statuses.len()),
        0,
        &[total_label(), count(proposals)],
    )?;
    let mut row = data_row(statuses.len()) + 2;
    let mut money = vec![Figure::new(
        text!("stats-budget-spent"),
        Amount::Cents(this.budget_spent_cents),
    )];
    if let Some(b) = &this.budget {
        money.insert(
            0,
            Figure::new(text!("stats-budget-total"), Amount::Cents(b.total_cents)),
        );
    }
    row = s.figures(row, &money)? + 1;
    s.header_at(
        row,
        0,
        &[
            (text!("stats-col-group"), 22.0),
            (text!("stats-col-new-items"), 14.0),
            (text!("stats-col-lent"), 10.0),
            (text!("stats-col-lent-to-others"), 14.0),
            (text!("stats-col-loans"), 10.0),
            (text!("stats-col-circulation"), 10.0),
        ],
    )?;
    for (group, c) in [
        (text!("stats-group-on-demand"), this.new_on_demand),
        (text!("stats-group-other"), this.new_other),
    ] {
        row += 1;
        s.row(row, 0, &circulation(&group, c))?;
    }
    Ok(s)
}

/// A row of the circulation table.
fn circulation(group: &Text, c: Circulation) -> [Cell; 6] {
    let rate = (c.items > 0).then(|| ratio(c.lent, c.items));
    [
        Cell::Text(zh(group)),
        count(c.items),
        count(c.lent),
        count(c.lent_to_others),
        count(c.loans),
        Cell::Amount(Amount::Share(rate)),
    ]
}

/// The change from `then` to `now`, in the same unit; None when either is missing.
fn change(now: Amount, then: Amount) -> Option<Amount> {
    Some(match (now, then) {
        (Amount::Count(a), Amount::Count(b)) => Amount::Count(a - b),
        (Amount::Cents(a), Amount::Cents(b)) => Amount::Cents(a - b),
        (Amount::Hours(Some(a)), Amount::Hours(Some(b))) => Amount::Hours(Some(a - b)),
        (Amount::Share(Some(a)), Amount::Share(Some(b))) => Amount::Share(Some(a - b)),
        _ => return None,
    })
}

/// Year-on-year growth of a count or an amount of money; None without last year's.
fn growth(now: Amount, then: Amount) -> Option<Amount> {
    match (now, then) {
        (Amount::Count(a), Amount::Count(b)) | (Amount::Cents(a), Amount::Cents(b)) if b != 0 => {
            Some(Amount::Share(Some(ratio(a - b, b))))
        }
        _ => None,
    }
}

/// The count under `key`, 0 if absent.
fn key_count(counts: &[Count], key: &str) -> i64 {
    counts.iter().find(|c| c.key == key).map_or(0, |c| c.n)
}

/// The sheet row of the `i`-th data row of a table under [`HEADER_ROW`].
fn data_row(i: usize) -> RowNum {
    HEADER_ROW + 1 + RowNum::try_from(i).unwrap_or(RowNum::MAX - HEADER_ROW - 1)
}

fn count(n: i64) -> Cell {
    Cell::Amount(Amount::Count(n))
}

fn rank(i: usize) -> Cell {
    count(i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1))
}

fn total_label() -> Cell {
    Cell::Total(zh(&text!("stats-total")))
}

/// One cell of a table.
enum Cell {
    /// Words.
    Text(String),
    /// A number, formatted by its kind.
    Amount(Amount),
    /// The label of a totals row.
    Total(String),
    /// Nothing.
    Empty,
}

/// The workbook's cell formats.
struct Styles {
    title: Format,
    header: Format,
    total: Format,
    count: Format,
    yuan: Format,
    hours: Format,
    share: Format,
    decimal: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(0x00DD_EBF7)
                .set_border_bottom(FormatBorder::Thin),
            total: Format::new().set_bold(),
            count: Format::new().set_num_format("#,##0"),
            yuan: Format::new().set_num_format("¥#,##0.00"),
            hours: Format::new().set_num_format("#,##0.0"),
            share: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("0.000"),
        }
    }

    fn of(&self, amount: Amount) -> &Format {
        match amount {
            Amount::Count(_) => &self.count,
            Amount::Cents(_) => &self.yuan,
            Amount::Hours(_) => &self.hours,
            Amount::Share(_) => &self.share,
            Amount::Decimal(_) => &self.decimal,
        }
    }
}

/// A sheet being written: its title in the first row, tables under it.
struct Sheet<'s> {
    ws: Worksheet,
    name: String,
    styles: &'s Styles,
    widths: Vec<f64>,
}

impl<'s> Sheet<'s> {
    fn new(name: Text, title: &str, styles: &'s Styles) -> Result<Self, XlsxError> {
        let name = zh(&name);
        let mut ws = Worksheet::new();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, title, &styles.title)?;
        Ok(Sheet {
            ws,
            name,
            styles,
            widths: Vec::new(),
        })
    }

    /// A table's header at [`HEADER_ROW`] from column `col`, frozen above the data.
    fn header(&mut self, col: ColNum, columns: &[(Text, f64)]) -> Result<(), XlsxError> {
        self.header_at(HEADER_ROW, col, columns)?;
        self.ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
        Ok(())
    }

    /// A table's header at `row` from column `col`: the columns' names and widths.
    fn header_at(
        &mut self,
        row: RowNum,
        col: ColNum,
        columns: &[(Text, f64)],
    ) -> Result<(), XlsxError> {
        for (c, (name, width)) in (col..).zip(columns) {
            self.ws
                .write_string_with_format(row, c, zh(name), &self.styles.header)?;
            let i = usize::from(c);
            if self.widths.len() <= i {
                self.widths.resize(i + 1, 0.0);
            }
            self.widths[i] = self.widths[i].max(*width);
        }
        Ok(())
    }

    /// `cells` in `row` from column `col`.
    fn row(&mut self, row: RowNum, col: ColNum, cells: &[Cell]) -> Result<(), XlsxError> {
        for (c, cell) in (col..).zip(cells) {
            match cell {
                Cell::Text(s) => {
                    self.ws.write_string(row, c, s)?;
                }
                Cell::Total(s) => {
                    self.ws
                        .write_string_with_format(row, c, s, &self.styles.total)?;
                }
                Cell::Amount(a) => {
                    if let Some(x) = a.number() {
                        self.ws
                            .write_number_with_format(row, c, x, self.styles.of(*a))?;
                    }
                }
                Cell::Empty => {}
            }
        }
        Ok(())
    }

    /// Figures as name and amount rows from `row`; the row after them.
    fn figures(&mut self, mut row: RowNum, figures: &[Figure]) -> Result<RowNum, XlsxError> {
        for f in figures {
            self.row(row, 0, &[Cell::Text(zh(&f.name)), Cell::Amount(f.amount)])?;
            row += 1;
        }
        Ok(row)
    }

    /// A chart of the first `rows` data rows: categories in column A, one series per
    /// column B onwards up to `last_col` (named by its header), placed right of the table.
    fn chart(
        &mut self,
        kind: ChartType,
        title: Text,
        rows: usize,
        last_col: ColNum,
    ) -> Result<(), XlsxError> {
        if rows == 0 {
            return Ok(());
        }
        let (first, last) = (data_row(0), data_row(rows - 1));
        let mut chart = Chart::new(kind);
        chart.title().set_name(&zh(&title));
        for col in 1..=last_col {
            chart
                .add_series()
                .set_name((self.name.as_str(), HEADER_ROW, col))
                .set_categories((self.name.as_str(), first, 0, last, 0))
                .set_values((self.name.as_str(), first, col, last, col));
        }
        chart.set_width(720).set_height(360);
        self.ws.insert_chart(HEADER_ROW, last_col + 2, &chart)?;
        Ok(())
    }

    /// The sheet, its columns widened to fit their headers.
    fn finish(mut self) -> Result<Worksheet, XlsxError> {
        for (c, width) in (0..).zip(&self.widths) {
            if *width > 0.0 {
                self.ws.set_column_width(c, *width)?;
            }
        }
        Ok(self.ws)
    }
}
