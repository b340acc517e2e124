//! `--compare`: two scenarios' days side by side, so a manager can ask "what if" (one more
//! picker, another round, a longer shift) and see what it changes.

use super::report::{Report, Spread};
use super::table::{hours, pad};
use hongyan_domain::report::words;

/// `b` against `a`: request → ready p50 and p90 of every method, and how much `b` changes
/// them, as a short Chinese table.
pub fn table(a_name: &str, a: &Report, b_name: &str, b: &Report) -> String {
    let mut t = format!(
        "\n对比（小时）：A = {a_name}，B = {b_name}\n  方式        p50 A    p50 B     变化    p90 A    p90 B     变化\n"
    );
    t += &row("全部", &a.to_ready, &b.to_ready);
    let mut methods: Vec<&String> = a
        .to_ready_by_method
        .keys()
        .chain(b.to_ready_by_method.keys())
        .collect();
    methods.sort();
    methods.dedup();
    let none = Spread::of(vec![], 0);
    for m in methods {
        t += &row(
            &words::method(m),
            a.to_ready_by_method.get(m).unwrap_or(&none),
            b.to_ready_by_method.get(m).unwrap_or(&none),
        );
    }
    t += &format!(
        "  送书车次 A {} / B {}；书柜投递 A {} / B {}\n",
        a.rounds["count"], b.rounds["count"], a.lockers["deposited"], b.lockers["deposited"]
    );
    t
}

fn row(name: &str, a: &Spread, b: &Spread) -> String {
    let change = |x: Option<f64>, y: Option<f64>| {
        x.zip(y)
            .map_or_else(|| "—".to_owned(), |(x, y)| format!("{:+.1}", y - x))
    };
    format!(
        "  {} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        pad(name, 10),
        hours(a.p50_hours),
        hours(b.p50_hours),
        change(a.p50_hours, b.p50_hours),
        hours(a.p90_hours),
        hours(b.p90_hours),
        change(a.p90_hours, b.p90_hours)
    )
}
