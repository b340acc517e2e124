//! The report as a short Chinese table for the terminal: request → ready per method and
//! branch, the stages and what the slowest wait for, the pickers, rounds, lockers, waitlists,
//! unexpected failures and the database's consistency.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hongyan_domain::lending::consistency;
use hongyan_domain::report::words;

use super::report::{Report, Spread, STAGES};

/// What each of [`STAGES`] waits for, in the table's words.
const WAITS_FOR: [&str; 3] = [
    "有书且拣书员在岗（拣书员的班次与人数）",
    "下一班送书车或快递揽收（发车时刻）",
    "路上（路程、快递）",
];

/// The stage whose p90 is longest (index into [`STAGES`]), if any was timed.
fn longest(stages: &BTreeMap<&'static str, Spread>) -> Option<usize> {
    STAGES
        .iter()
        .enumerate()
        .filter_map(|(i, s)| stages.get(s)?.p90_hours.map(|h| (i, h)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Hours to one decimal, or a dash for none.
pub fn hours(h: Option<f64>) -> String {
    h.map_or_else(|| "—".to_owned(), |h| format!("{h:.1}"))
}

/// `s` padded with spaces to `width` columns of a terminal (a Chinese character takes two).
pub fn pad(s: &str, width: usize) -> String {
    // Dashes and other general punctuation take one column, CJK characters two.
    let used: usize = s
        .chars()
        .map(|c| {
            if c.is_ascii() || ('\u{2000}'..='\u{206f}').contains(&c) {
                1
            } else {
                2
            }
        })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

fn row(name: &str, s: &Spread) -> String {
    format!(
        "  {} {:>6} {:>6} {:>8} {:>8} {:>8}\n",
        pad(name, 10),
        s.ready,
        s.not_ready,
        hours(s.p50_hours),
        hours(s.p90_hours),
        hours(s.p99_hours)
    )
}

impl Report {
    /// The report as a short Chinese table.
    pub fn table(&self) -> String {
        let local = |t: DateTime<Utc>| {
            t.with_timezone(&super::clock::china())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let mut t = format!(
            "模拟时段 {} — {}，此后无新请求运行至 {}（用时 {:.0} 秒）\n",
            local(self.from),
            local(self.to),
            local(self.drained_until),
            self.run_seconds
        );
        t += &format!("请求 {} 个；结束时状态：", self.requests["made"]);
        t += &self
            .statuses
            .iter()
            .map(|(s, n)| format!("{} {n}", words::state(s)))
            .collect::<Vec<_>>()
            .join("，");
        t += "\n\n从请求到可取书（小时）\n  方式/分馆  已就绪 未就绪      p50      p90      p99\n";
        t += &row("全部", &self.to_ready);
        for (m, s) in &self.to_ready_by_method {
            t += &row(&words::method(m), s);
        }
        for (b, s) in &self.to_ready_by_branch {
            t += &row(b, s);
        }
        t += "\n各环节（小时，p50 / p90）  请求→拣出     拣出→发出     发出→就绪\n";
        for (m, stages) in &self.stages_by_method {
            t += &format!("  {}", pad(&words::method(m), 22));
            for stage in STAGES {
                let s = &stages[stage];
                let both = format!("{} / {}", hours(s.p50_hours), hours(s.p90_hours));
                t += &format!(" {both:>13}");
            }
            t += "\n";
        }
        for (m, stages) in &self.stages_by_method {
            if let Some(i) = longest(stages) {
                t += &format!(
                    "  {}最慢的一成请求主要在等：{}\n",
                    words::method(m),
                    WAITS_FOR[i]
                );
            }
        }
        t += "\n拣书员利用率\n";
        for (b, p) in &self.pickers {
            t += &format!(
                "  {} 拣书 {:>4} 册，忙 {:>6} 小时 / 在岗 {:>6} 小时，利用率 {:.0}%\n",
                pad(b, 10),
                p["picks"],
                p["busyHours"],
                p["shiftHours"],
                p["utilisation"].as_f64().unwrap_or_default() * 100.0
            );
        }
        t += &format!(
            "\n送书车次 {}，共 {} 件，平均每车 {} 件，最多 {} 件\n",
            self.rounds["count"],
            self.rounds["parcels"],
            self.rounds["meanParcels"],
            self.rounds["maxParcels"]
        );
        t += &format!(
            "书柜：投递 {} 件，逾期未取 {} 件，取回 {} 件，格口最高占用 {:.0}%\n",
            self.lockers["deposited"],
            self.lockers["expired"],
            self.lockers["takenBack"],
            self.lockers["peakDoorsInUse"].as_f64().unwrap_or_default() * 100.0
        );
        t += &format!(
            "预约排队：最多 {} 人，结束时 {} 人\n",
            self.waitlist["peak"], self.waitlist["atEnd"]
        );
        if !self.problems.is_empty() {
            t += "\n意外的失败（按操作）：\n";
            for (what, (n, first)) in &self.problems {
                t += &format!("  {what}：{n} 次，首次：{first}\n");
            }
        }
        t += "\n数据库一致性（结束时）\n";
        t += &consistency::summary(&self.consistency);
        if let Some(w) = &self.whereabouts {
            t += &format!(
                "  {} 书在何处：读者手中 {} 册（数据库未还借阅 {} 笔），书柜中 {} 件（数据库占用格口 {} 个）\n",
                if w.disagreements.is_empty() { "✓" } else { "✗" },
                w.with_readers,
                w.lent_in_database,
                w.locker_parcels,
                w.occupied_doors
            );
            for d in &w.disagreements {
                t += &format!("    {d}\n");
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_stage_is_the_one_with_the_longest_p90() {
        let stages = BTreeMap::from([
            ("picked", Spread::of(vec![0.1, 13.0], 0)),
            ("left", Spread::of(vec![1.0, 3.0], 0)),
            ("arrived", Spread::of(vec![], 0)),
        ]);
        assert_eq!(longest(&stages), Some(0));
        assert_eq!(longest(&BTreeMap::new()), None);
    }
}
