//! The report as one HTML page with charts (`--html`): inline SVG and CSS, no script and
//! nothing fetched, so the file opens anywhere and can be mailed. Compared scenarios stand
//! side by side.

use std::fmt::Write as _;

use hongyan_domain::report::words;

use super::report::{Report, Spread, STAGES};

/// Chart width and height in SVG units.
const W: f64 = 560.0;
const H: f64 = 180.0;

/// `s` with HTML's special characters escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page of `runs` (a name and its report each).
pub fn page(runs: &[(String, &Report)]) -> String {
    let mut p = String::from(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>鸿雁城市模拟报告</title><style>\
         body{font-family:sans-serif;margin:1.5em;color:#222}\
         main{display:grid;gap:2em;grid-template-columns:repeat(auto-fit,minmax(600px,1fr))}\
         table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}\
         th:first-child,td:first-child{text-align:left}svg{max-width:100%;height:auto}\
         .p50{fill:#4a7fb5}.p90{fill:#b5d0ea}.line{fill:none;stroke:#c0392b;stroke-width:2}\
         .axis{stroke:#999}text{font-size:12px}</style></head><body>\n<h1>鸿雁城市模拟报告</h1>\n<main>\n",
    );
    for (name, report) in runs {
        p += &section(name, report);
    }
    p += "</main>\n</body></html>\n";
    p
}

fn section(name: &str, r: &Report) -> String {
    let china = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&super::clock::china())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mut s = format!(
        "<section><h2>{}</h2><p>请求时段 {} — {}，此后无新请求运行至 {}；请求 {} 个，用时 {:.0} 秒。</p>\n",
        esc(name),
        china(r.from),
        china(r.to),
        china(r.drained_until),
        r.requests["made"],
        r.run_seconds
    );
    let mut methods = vec![("全部".to_owned(), &r.to_ready)];
    methods.extend(
        r.to_ready_by_method
            .iter()
            .map(|(m, spread)| (words::method(m), spread)),
    );
    s += "<h3>从请求到可取书（小时）</h3>\n";
    s += &bars(&methods);
    s += &table(&methods);
    let branches: Vec<(String, &Spread)> = r
        .to_ready_by_branch
        .iter()
        .map(|(b, spread)| (b.clone(), spread))
        .collect();
    s += "<h3>各环节（小时，p50 / p90）</h3>\n<table><tr><th></th><th>请求→拣出</th><th>拣出→发出</th><th>发出→就绪</th></tr>\n";
    for (m, stages) in &r.stages_by_method {
        s += &format!("<tr><td>{}</td>", esc(&words::method(m)));
        for stage in STAGES.map(|name| &stages[name]) {
            let _ = write!(
                s,
                "<td>{} / {}</td>",
                cell(stage.p50_hours),
                cell(stage.p90_hours)
            );
        }
        s += "</tr>\n";
    }
    s += "</table>\n<h3>按出书分馆</h3>\n";
    s += &table(&branches);
    let in_use: Vec<f64> = r
        .hourly
        .iter()
        .map(|h| {
            // Door counts are small.
            #[allow(clippy::cast_precision_loss)]
            let share = h.locker_doors_in_use as f64 * 100.0 / (h.locker_doors.max(1) as f64);
            share
        })
        .collect();
    s += "<h3>书柜格口占用（%，每小时）</h3>\n";
    s += &line(&in_use);
    // Waitlists are short: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let waiting: Vec<f64> = r.hourly.iter().map(|h| h.waiting as f64).collect();
    s += "<h3>预约排队人数（每小时）</h3>\n";
    s += &line(&waiting);
    s += "<h3>拣书员利用率</h3>\n<table><tr><th>分馆</th><th>拣书（册）</th><th>忙（小时）</th><th>在岗（小时）</th><th>利用率</th></tr>\n";
    for (b, p) in &r.pickers {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td></tr>",
            esc(b),
            p["picks"],
            p["busyHours"],
            p["shiftHours"],
            p["utilisation"].as_f64().unwrap_or_default() * 100.0
        );
    }
    let _ = writeln!(
        s,
        "</table>\n<p>送书车次 {}，共 {} 件，平均每车 {} 件；书柜投递 {} 件，逾期未取 {} 件。</p></section>",
        r.rounds["count"],
        r.rounds["parcels"],
        r.rounds["meanParcels"],
        r.lockers["deposited"],
        r.lockers["expired"]
    );
    s
}

fn cell(h: Option<f64>) -> String {
    h.map_or_else(|| "—".to_owned(), |h| format!("{h:.1}"))
}

fn table(rows: &[(String, &Spread)]) -> String {
    let mut t = String::from(
        "<table><tr><th></th><th>已就绪</th><th>未就绪</th><th>p50</th><th>p90</th><th>p99</th></tr>\n",
    );
    for (name, s) in rows {
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            s.ready,
            s.not_ready,
            cell(s.p50_hours),
            cell(s.p90_hours),
            cell(s.p99_hours)
        );
    }
    t + "</table>\n"
}

/// Horizontal bars: each row's p90 (light) with its p50 (dark) over it.
fn bars(rows: &[(String, &Spread)]) -> String {
    let max = rows
        .iter()
        .filter_map(|(_, s)| s.p90_hours)
        .fold(1.0, f64::max);
    let row_h = 26.0;
    // A handful of rows.
    #[allow(clippy::cast_precision_loss)]
    let height = row_h * rows.len() as f64 + 10.0;
    let mut svg = format!("<svg viewBox=\"0 0 {W} {height}\" role=\"img\">\n");
    // Room for the names on the left and the figures on the right.
    let scale = (W - 200.0) / max;
    for (i, (name, s)) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = row_h * i as f64 + 4.0;
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{:.0}\">{}</text>",
            y + 15.0,
            esc(name)
        );
        for (class, v, hh) in [("p90", s.p90_hours, 20.0), ("p50", s.p50_hours, 12.0)] {
            if let Some(v) = v {
                let _ = writeln!(
                    svg,
                    "<rect class=\"{class}\" x=\"80\" y=\"{:.0}\" width=\"{:.1}\" height=\"{hh}\"><title>{class} {v:.1} 小时</title></rect>",
                    y + (20.0 - hh) / 2.0,
                    v * scale
                );
            }
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.0}\">p50 {} / p90 {}</text>",
            85.0 + s.p90_hours.unwrap_or_default() * scale,
            y + 15.0,
            cell(s.p50_hours),
            cell(s.p90_hours)
        );
    }
    svg + "</svg>\n"
}

/// A line over the hourly readings, with its highest value marked.
fn line(values: &[f64]) -> String {
    let max = values.iter().copied().fold(1.0, f64::max);
    // Hours of a run are few.
    #[allow(clippy::cast_precision_loss)]
    let step = (W - 40.0) / (values.len().max(2) - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            #[allow(clippy::cast_precision_loss)]
            let x = 30.0 + step * i as f64;
            format!("{x:.1},{:.1}", H - 20.0 - v / max * (H - 40.0))
        })
        .collect();
    format!(
        "<svg viewBox=\"0 0 {W} {H}\" role=\"img\">\
         <line class=\"axis\" x1=\"30\" y1=\"{b}\" x2=\"{W}\" y2=\"{b}\"/>\
         <line class=\"axis\" x1=\"30\" y1=\"20\" x2=\"30\" y2=\"{b}\"/>\
         <text x=\"0\" y=\"24\">{max:.0}</text><text x=\"0\" y=\"{b}\">0</text>\
         <text x=\"32\" y=\"{t}\">第 1 小时</text><text x=\"{e}\" y=\"{t}\">第 {n} 小时</text>\
         <polyline class=\"line\" points=\"{}\"/></svg>\n",
        points.join(" "),
        b = H - 20.0,
        t = H - 4.0,
        e = W - 80.0,
        n = values.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_lines_fit_their_chart() {
        assert_eq!(
            esc("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        let svg = line(&[0.0, 5.0, 10.0]);
        assert!(
            svg.contains("points=\"30.0,160.0 290.0,90.0 550.0,20.0\""),
            "{svg}"
        );
    }
}
