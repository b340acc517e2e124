//! The random draws of a simulation: how many requests arrive, delays, choices by weight.
//! All from one seeded generator, so a scenario and its seed replay the same city.

use chrono::{DateTime, Duration, Timelike, Utc};
use rand::rngs::StdRng;
use rand::Rng;

use super::clock::china;
use super::scenario::Window;

/// z of the 90th percentile of the standard normal distribution.
const Z90: f64 = 1.281_551_6;

/// A Poisson draw with mean `mean` (Knuth's method; means here are small).
pub fn poisson(rng: &mut StdRng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let limit = (-mean).exp();
    let (mut k, mut p) = (0, rng.random::<f64>());
    while p > limit && k < 10_000 {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}

/// A log-normal draw with the given median and 90th percentile.
pub fn lognormal(rng: &mut StdRng, median: f64, p90: f64) -> f64 {
    let sigma = (p90 / median).ln() / Z90;
    // Box–Muller: a standard normal from two uniforms (the first kept off zero).
    let u1 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2 = rng.random::<f64>();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    median * (sigma * z).exp()
}

/// `h` hours as a duration, to the second.
pub fn hours(h: f64) -> Duration {
    // Delays of a simulation are far below i64::MAX seconds.
    #[allow(clippy::cast_possible_truncation)]
    Duration::seconds((h * 3600.0).round().max(0.0) as i64)
}

/// When a delay drawn from `w` that starts at `from` ends, moved into the window's hours.
pub fn after(rng: &mut StdRng, from: DateTime<Utc>, w: Window) -> DateTime<Utc> {
    within_hours(
        from + hours(lognormal(rng, w.median_hours, w.p90_hours)),
        w.hours,
    )
}

/// `at`, or the next opening when `at` falls outside the daily hours `[open, close)`
/// (China time).
pub fn within_hours(at: DateTime<Utc>, [open, close]: [u32; 2]) -> DateTime<Utc> {
    let local = at.with_timezone(&china());
    if (open..close).contains(&local.hour()) {
        return at;
    }
    let day = if local.hour() >= close {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    let opening = day
        .and_hms_opt(open, 0, 0)
        .and_then(|t| t.and_local_timezone(china()).single());
    opening.map_or(at, |t| t.with_timezone(&Utc))
}

/// An index into `weights` drawn by weight (`None` when all are 0).
pub fn weighted(rng: &mut StdRng, weights: &[f64]) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return Some(i);
        }
        x -= w;
    }
    weights.iter().rposition(|w| *w > 0.0)
}

/// An index below `n`, the first ones more often: `u^skew` of a uniform `u`.
pub fn skewed(rng: &mut StdRng, n: usize, skew: f64) -> usize {
    // An index of a list in memory fits an f64's integer range.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = (rng.random::<f64>().powf(skew) * n as f64) as usize;
    i.min(n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn lognormal_draws_have_their_median_and_p90() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut draws: Vec<f64> = (0..20_000)
            .map(|_| lognormal(&mut rng, 6.0, 30.0))
            .collect();
        draws.sort_by(f64::total_cmp);
        let (median, p90) = (draws[10_000], draws[18_000]);
        assert!((5.5..6.5).contains(&median), "{median}");
        assert!((27.0..33.0).contains(&p90), "{p90}");
    }

    #[test]
    fn poisson_draws_have_their_mean() {
        let mut rng = StdRng::seed_from_u64(7);
        let sum: u32 = (0..10_000).map(|_| poisson(&mut rng, 2.5)).sum();
        let mean = f64::from(sum) / 10_000.0;
        assert!((2.4..2.6).contains(&mean), "{mean}");
        assert_eq!(poisson(&mut rng, 0.0), 0);
    }

    #[test]
    fn late_ends_move_to_the_next_opening() {
        let at = |h| {
            china()
                .with_ymd_and_hms(2026, 12, 7, h, 30, 0)
                .unwrap()
                .to_utc()
        };
        assert_eq!(within_hours(at(10), [9, 20]), at(10));
        let next = china()
            .with_ymd_and_hms(2026, 12, 8, 9, 0, 0)
            .unwrap()
            .to_utc();
        assert_eq!(within_hours(at(21), [9, 20]), next);
        let same = china()
            .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .unwrap()
            .to_utc();
        assert_eq!(within_hours(at(3), [9, 20]), same);
    }
}
