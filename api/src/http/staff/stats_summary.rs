//! The printable statistics summary (A4): the headline figures beside last year's, the figures
//! entered from the library's other systems (marked so), the monthly loans as an SVG chart,
//! delivery methods, the most requested titles and classes, lockers and proposals. The
//! console prints it from a frame; every number comes from the same `Report` as `stats`.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use hongyan_domain::entered_figures;
use hongyan_domain::report::words::{clc_class, hours, method, state, zh};
use hongyan_domain::report::{Amount, Compared, Report};
use hongyan_domain::{china_time, text};

use super::escape;

/// The page's one inline stylesheet. The console prints the page from an `<iframe srcdoc>`
/// under its Content-Security-Policy, which allows this exact text by its hash (see
/// `console.rs`): keep it a constant.
pub const SUMMARY_STYLE: &str =
    "body{font:12px sans-serif;color:#1d2329;margin:12mm}h1{font-size:18px;margin:0 0 2px}\
    h2{font-size:14px;margin:14px 0 4px;border-bottom:1.5px solid #8c1c13}.sub,.foot{color:#5b6670}\
    table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d5dbe0;padding:3px 6px;\
    text-align:left}td.n,th.n{text-align:right}.entered td:first-child::after{content:\"（录入）\";\
    color:#5b6670}svg{width:100%;height:auto}.bar{fill:#8c1c13}.ly{fill:#fff;stroke:#1d2329;\
    stroke-width:1.5}.axis{stroke:#d5dbe0}.tick{font-size:10px;fill:#5b6670}.cols{display:flex;\
    gap:8mm}.cols>div{flex:1}@page{size:A4;margin:12mm}@media print{body{margin:0}h2{break-after:avoid}\
    table,svg{break-inside:avoid}}";

/// A count with thousands separators (`12,345`).
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// An amount as the summary shows it: counts grouped, money as `¥12,345.67`, hours with one
/// decimal, shares as percentages; `—` for none.
fn shown(a: Amount) -> String {
    match a {
        Amount::Count(n) => grouped(n),
        Amount::Cents(c) => format!("¥{}.{:02}", grouped(c / 100), (c % 100).abs()),
        Amount::Hours(h) => h.map_or_else(|| "—".into(), |h| format!("{h:.1}")),
        Amount::Share(s) => s.map_or_else(|| "—".into(), |s| format!("{:.1}%", s * 100.0)),
        Amount::Decimal(x) => format!("{x:.2}"),
    }
}

/// The change from `before` to `now` (`+12.5%`), or `—` without a base to compare with.
fn change(now: Amount, before: Amount) -> String {
    match (now.number(), before.number()) {
        (Some(n), Some(b)) if b != 0.0 => format!("{:+.1}%", (n - b) / b * 100.0),
        _ => "—".into(),
    }
}

/// The whole page.
pub fn html(c: &Compared, now: DateTime<Utc>) -> String {
    let (this, ly) = (&c.this, &c.last_year);
    let title = zh(&text!(
        "stats-title",
        scope = &c.scope,
        from = this.from,
        to = this.to
    ));
    let mut page = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>{SUMMARY_STYLE}</style></head><body><h1>{t}</h1>\
         <p class=\"sub\">与去年同期（{lf} 至 {lt}）比较</p>",
        t = escape(&title),
        lf = ly.from,
        lt = ly.to,
    );
    figures(&mut page, this, ly);
    page.push_str("<h2>每月借阅</h2>");
    page.push_str(&monthly_chart(this, ly));
    methods(&mut page, this);
    page.push_str("<div class=\"cols\"><div>");
    top(&mut page, this);
    page.push_str("</div><div>");
    lockers_and_proposals(&mut page, this);
    page.push_str("</div></div>");
    let _ = write!(
        page,
        "<p class=\"foot\">生成于 {}。标“录入”的数字由馆员从馆内其他系统按月录入（括号内为已录入的月数），其余由平台统计。</p></body></html>",
        china_time::date_of(now)
    );
    page
}

/// The headline figures beside last year's, then the entered ones.
fn figures(page: &mut String, this: &Report, ly: &Report) {
    page.push_str(
        "<h2>主要指标</h2><table><thead><tr><th>指标</th><th class=\"n\">本期</th>\
         <th class=\"n\">去年同期</th><th class=\"n\">增减</th></tr></thead><tbody>",
    );
    for (now, before) in this.headline().into_iter().zip(ly.headline()) {
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&zh(&now.name)),
            shown(now.amount),
            shown(before.amount),
            change(now.amount, before.amount),
        );
    }
    for f in &this.entered {
        let _ = write!(
            page,
            "<tr class=\"entered\"><td>{}（{}/{} 个月）</td><td class=\"n\">{}</td><td></td><td></td></tr>",
            escape(&zh(&entered_figures::kind_text(f.kind))),
            f.months_entered,
            f.months,
            if f.months_entered > 0 { grouped(f.value) } else { "—".into() },
        );
    }
    page.push_str("</tbody></table>");
}

/// Loans per month as columns, last year's same months as dots, with a value axis.
fn monthly_chart(this: &Report, ly: &Report) -> String {
    let months = this.loans_per_month();
    let before = ly.loans_per_month();
    let top = months
        .iter()
        .chain(&before)
        .map(|m| m.n)
        .max()
        .unwrap_or(0)
        .max(1);
    let (width, height, left) = (700.0, 180.0, 48.0);
    let step = (width - left) / months.len().max(1) as f64;
    let y = |n: i64| height - (n as f64 / top as f64) * (height - 12.0);
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {}\" role=\"img\" aria-label=\"每月借阅\">\
         <line class=\"axis\" x1=\"{left}\" y1=\"{height}\" x2=\"{width}\" y2=\"{height}\"/>\
         <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
         <text class=\"tick\" x=\"{}\" y=\"{height}\" text-anchor=\"end\">0</text>",
        height + 16.0,
        left - 4.0,
        y(top) + 4.0,
        grouped(top),
        left - 4.0,
    );
    for (i, m) in months.iter().enumerate() {
        let x = left + i as f64 * step;
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}：{}</title></rect>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}月</text>",
            x + step * 0.15,
            y(m.n),
            step * 0.7,
            height - y(m.n),
            m.first_day.format("%Y-%m"),
            grouped(m.n),
            x + step / 2.0,
            height + 14.0,
            m.first_day.format("%-m"),
        );
        if let Some(b) = before.get(i) {
            let _ = write!(
                svg,
                "<circle class=\"ly\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>去年同月：{}</title></circle>",
                x + step / 2.0,
                y(b.n),
                grouped(b.n),
            );
        }
    }
    svg.push_str("</svg><p class=\"sub\">柱：本期；圆点：去年同期。</p>");
    svg
}

/// Requests, loans and waits per delivery method.
fn methods(page: &mut String, this: &Report) {
    page.push_str(
        "<h2>配送方式</h2><table><thead><tr><th>方式</th><th class=\"n\">预约</th>\
         <th class=\"n\">借出</th><th class=\"n\">等待中位数（小时）</th>\
         <th class=\"n\">90% 不超过（小时）</th></tr></thead><tbody>",
    );
    for t in &this.secs_to_ready_by_method {
        let key = t.method.as_str();
        let count = |list: &[hongyan_domain::purchases::year_figures::Count]| {
            list.iter().find(|c| c.key == key).map_or(0, |c| c.n)
        };
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&method(key)),
            grouped(count(&this.requests_by_method)),
            grouped(count(&this.deliveries_by_method)),
            shown(Amount::Hours(hours(t.median_secs))),
            shown(Amount::Hours(hours(t.p90_secs))),
        );
    }
    page.push_str("</tbody></table>");
}

/// The most requested titles and CLC classes.
fn top(page: &mut String, this: &Report) {
    page.push_str("<h2>最受欢迎的图书</h2><table><tbody>");
    for (i, t) in this.top_titles.iter().enumerate() {
        let _ = write!(
            page,
            "<tr><td>{}. {}</td><td class=\"n\">{} 次</td></tr>",
            i + 1,
            escape(&t.title),
            grouped(t.n)
        );
    }
    page.push_str("</tbody></table><h2>最受欢迎的中图法大类</h2><table><tbody>");
    for c in &this.top_classes {
        let _ = write!(
            page,
            "<tr><td>{} {}</td><td class=\"n\">{} 次</td></tr>",
            escape(&c.key),
            escape(&clc_class(&c.key)),
            grouped(c.n)
        );
    }
    page.push_str("</tbody></table>");
}

/// Locker use, and proposals by state with the budget.
fn lockers_and_proposals(page: &mut String, this: &Report) {
    page.push_str("<h2>智能书柜</h2><table><tbody>");
    for l in &this.lockers {
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">投递 {}</td><td class=\"n\">每格口每天 {:.2} 次</td></tr>",
            escape(&l.name),
            grouped(l.deposits),
            l.turns_per_door_day(this.days()),
        );
    }
    page.push_str("</tbody></table><h2>荐购</h2><table><tbody>");
    for p in &this.purchases.by_status {
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&state(&p.key)),
            grouped(p.n)
        );
    }
    if let Some(b) = &this.budget {
        let _ = write!(
            page,
            "<tr><td>{} 年预算</td><td class=\"n\">{}</td></tr>",
            b.fiscal_year,
            shown(Amount::Cents(b.total_cents))
        );
    }
    page.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_separators_and_yuan() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-1_000), "-1,000");
        assert_eq!(shown(Amount::Cents(123_456_789)), "¥1,234,567.89");
        assert_eq!(shown(Amount::Hours(None)), "—");
        assert_eq!(change(Amount::Count(150), Amount::Count(100)), "+50.0%");
        assert_eq!(change(Amount::Count(5), Amount::Count(0)), "—");
    }
}
