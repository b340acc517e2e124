//! `--what-if`: which resource limits how fast readers get their books, and by how much one
//! more of it would shorten the wait. After the scenario's own run, each resource gets one
//! more unit in a run of its own (the same seed, so the same requests): a picker at every
//! branch on the same shift, a picker at every branch on the late shift, one more van round
//! in the longest gap of the timetable, a second cabinet beside the fullest locker. The
//! gains in request → ready p50 and p90 say which one limits, and by how much.

use chrono::{NaiveTime, Timelike as _};
use serde::Serialize;

use super::report::Report;
use super::scenario::Scenario;
use super::table::{hours, pad};

/// One more unit of one resource.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The resource, in the report's words (`拣书员`).
    pub resource: &'static str,
    /// What changed, for the table (`每馆加一名拣书员（9–17 时）`).
    pub change: String,
    /// The scenario with the change.
    pub scenario: Scenario,
}

/// What one more of a resource changed, in hours (negative: shorter).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gain {
    /// The resource.
    pub resource: &'static str,
    /// What changed.
    pub change: String,
    /// Request → ready p50 with the change.
    pub p50_hours: Option<f64>,
    /// … and its change against the scenario.
    pub p50_change: Option<f64>,
    /// Request → ready p90 with the change.
    pub p90_hours: Option<f64>,
    /// … and its change against the scenario.
    pub p90_change: Option<f64>,
}

/// The what-ifs of `base`, whose own run reported `report` (it names the fullest locker).
pub fn variants(base: &Scenario, report: &Report) -> Vec<Variant> {
    let mut out = Vec::new();

    let mut more = base.clone();
    more.pickers.per_branch += 1;
    for b in more.pickers.branches.values_mut() {
        b.count += 1;
    }
    out.push(Variant {
        resource: "拣书员",
        change: "每馆加一名拣书员（原班次）".to_owned(),
        scenario: more,
    });

    let mut late = base.clone();
    late.pickers.late += 1;
    for b in late.pickers.branches.values_mut() {
        b.late = Some(b.late.unwrap_or(base.pickers.late) + 1);
    }
    let [from, to] = base.pickers.late_shift;
    out.push(Variant {
        resource: "拣书员班次",
        change: format!("每馆加一名晚班拣书员（{from}–{to} 时）"),
        scenario: late,
    });

    if let Some(at) = extra_round(base) {
        let mut rounds = base.clone();
        rounds.rounds.times.push(at.format("%H:%M").to_string());
        rounds.rounds.times.sort();
        out.push(Variant {
            resource: "送书车次",
            change: format!("加一班送书车（{}）", at.format("%H:%M")),
            scenario: rounds,
        });
    }

    if let Some(code) = report.lockers["fullest"]["code"].as_str() {
        let mut cabinet = base.clone();
        cabinet.lockers.added_beside.push(code.to_owned());
        out.push(Variant {
            resource: "书柜",
            change: format!("最满的书柜 {code} 旁加一个同样的柜"),
            scenario: cabinet,
        });
    }
    out
}

/// The time of one more van round: the middle (to the half hour) of the longest gap in the
/// timetable between the first picker's arrival and the last one's leaving, the ends of
/// the working day counting as gaps' ends. None when no gap is an hour long.
pub fn extra_round(s: &Scenario) -> Option<NaiveTime> {
    let shifts = std::iter::once(s.pickers.shift)
        .chain(s.pickers.branches.values().map(|b| b.shift))
        .chain((s.pickers.late > 0).then_some(s.pickers.late_shift));
    let (start, end) = shifts.fold((24, 0), |(a, b), [from, to]| (a.min(from), b.max(to)));
    let minutes = |t: NaiveTime| t.hour() * 60 + t.minute();
    let mut points: Vec<u32> = s.rounds.parsed().ok()?.into_iter().map(minutes).collect();
    points.push(start * 60);
    points.push(end.min(24) * 60);
    points.sort_unstable();
    let (a, b) = points
        .windows(2)
        .map(|w| (w[0], w[1]))
        .max_by_key(|(a, b)| b - a)?;
    if b - a < 60 {
        return None;
    }
    let middle = (a + b) / 2 / 30 * 30;
    NaiveTime::from_hms_opt(middle / 60, middle % 60, 0)
}

/// The gain of each variant's report against the scenario's own.
pub fn gains(base: &Report, runs: &[(Variant, Report)]) -> Vec<Gain> {
    let change =
        |x: Option<f64>, y: Option<f64>| x.zip(y).map(|(x, y)| ((y - x) * 100.0).round() / 100.0);
    runs.iter()
        .map(|(v, r)| Gain {
            resource: v.resource,
            change: v.change.clone(),
            p50_hours: r.to_ready.p50_hours,
            p50_change: change(base.to_ready.p50_hours, r.to_ready.p50_hours),
            p90_hours: r.to_ready.p90_hours,
            p90_change: change(base.to_ready.p90_hours, r.to_ready.p90_hours),
        })
        .collect()
}

/// The resource that limits: the one whose extra unit shortens p90 the most (p50 breaking
/// ties), if any shortens it at all.
pub fn limiting(gains: &[Gain]) -> Option<&Gain> {
    let key = |g: &Gain| (g.p90_change.unwrap_or(0.0), g.p50_change.unwrap_or(0.0));
    gains
        .iter()
        .filter(|g| key(g).0 < 0.0 || key(g).1 < 0.0)
        .min_by(|a, b| {
            let (a, b) = (key(a), key(b));
            a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
        })
}

/// The gains as a short Chinese table, naming the resource that limits.
pub fn table(base: &Report, gains: &[Gain]) -> String {
    let signed = |h: Option<f64>| h.map_or_else(|| "—".to_owned(), |h| format!("{h:+.1}"));
    let mut t = String::from(
        "\n什么限制了取书时间：每次只多一份资源，同样的请求（小时）\n  改动                                    p50    变化     p90    变化\n",
    );
    t += &format!(
        "  {} {:>6} {:>7} {:>7} {:>7}\n",
        pad("现状", 38),
        hours(base.to_ready.p50_hours),
        "",
        hours(base.to_ready.p90_hours),
        ""
    );
    for g in gains {
        t += &format!(
            "  {} {:>6} {:>7} {:>7} {:>7}\n",
            pad(&g.change, 38),
            hours(g.p50_hours),
            signed(g.p50_change),
            hours(g.p90_hours),
            signed(g.p90_change)
        );
    }
    t += &match limiting(gains) {
        Some(g) => format!(
            "限制最大的是{}：{}，p50 {} 小时，p90 {} 小时\n",
            g.resource,
            g.change,
            signed(g.p50_change),
            signed(g.p90_change)
        ),
        None => "多一份哪种资源都不缩短等待：时间花在读者自己和路上\n".to_owned(),
    };
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_round_goes_in_the_longest_gap_of_the_working_day() {
        let demo = Scenario::default();
        // Pickers from 8:00 (the central library) to 21:00 (the late shift), vans 10:00,
        // 12:00, 14:00, 16:00, 18:30: the longest gap is the last, 18:30–21:00.
        assert_eq!(extra_round(&demo), NaiveTime::from_hms_opt(19, 30, 0));
        let mut morning = demo.clone();
        morning.rounds.times = vec!["08:30".into(), "11:00".into(), "13:00".into()];
        // 13:00–21:00 is longest: its middle is 17:00.
        assert_eq!(extra_round(&morning), NaiveTime::from_hms_opt(17, 0, 0));
        let mut full = demo;
        full.pickers.branches.clear();
        full.pickers.late = 0;
        full.pickers.shift = [9, 11];
        full.rounds.times = vec!["09:30".into(), "10:15".into()];
        assert_eq!(extra_round(&full), None);
    }

    #[test]
    fn the_limit_is_the_largest_gain_and_none_when_nothing_helps() {
        let gain = |resource, p50, p90| Gain {
            resource,
            change: String::new(),
            p50_hours: None,
            p50_change: Some(p50),
            p90_hours: None,
            p90_change: Some(p90),
        };
        let gains = [
            gain("拣书员", 0.0, 0.0),
            gain("送书车次", -1.0, -3.5),
            gain("拣书员班次", -2.0, -3.5),
        ];
        assert_eq!(limiting(&gains).map(|g| g.resource), Some("拣书员班次"));
        assert!(limiting(&gains[..1]).is_none());
    }
}
