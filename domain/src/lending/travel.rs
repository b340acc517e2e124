//! How long a library van takes between two places of the city: the great-circle distance
//! ([`super::geo::distance_km`]) stretched by a road factor, driven at an average urban
//! speed, plus a fixed stop for parking and loading at the place it drives to. Simulations
//! of the delivery chain time their vans with it.

use chrono::Duration;

/// A van's driving at city speeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TravelModel {
    /// Road distance over great-circle distance (city streets are not straight; about 1.3
    /// in Chinese county-level cities).
    pub road_factor: f64,
    /// Average speed on the road, traffic lights included, in km/h.
    pub speed_kmh: f64,
    /// Parking, carrying and loading at each stop, in minutes.
    pub stop_minutes: f64,
}

impl Default for TravelModel {
    fn default() -> Self {
        TravelModel {
            road_factor: 1.3,
            speed_kmh: 30.0,
            stop_minutes: 5.0,
        }
    }
}

/// A WGS-84 point: (latitude, longitude) in degrees.
pub type Point = (f64, f64);

impl TravelModel {
    /// Road kilometres between `from` and `to`.
    pub fn road_km(&self, from: Point, to: Point) -> f64 {
        super::geo::distance_km(from, to) * self.road_factor
    }

    /// Driving time from `from` to `to`, without the stop.
    pub fn drive(&self, from: Point, to: Point) -> Duration {
        minutes(self.road_km(from, to) / self.speed_kmh * 60.0)
    }

    /// Driving from `from` to `to` and stopping there: when the van is ready to unload.
    pub fn leg(&self, from: Point, to: Point) -> Duration {
        self.drive(from, to) + minutes(self.stop_minutes)
    }

    /// A round from `start` through `stops` in order: for each stop, how long after leaving
    /// `start` the van has stopped there.
    pub fn arrivals(&self, start: Point, stops: &[Point]) -> Vec<Duration> {
        let mut at = Duration::zero();
        let mut here = start;
        stops
            .iter()
            .map(|&next| {
                at += self.leg(here, next);
                here = next;
                at
            })
            .collect()
    }
}

/// `m` minutes, to the second (negative or not finite: none).
fn minutes(m: f64) -> Duration {
    if !m.is_finite() || m <= 0.0 {
        return Duration::zero();
    }
    // Seconds of a city drive are far below i64::MAX.
    #[allow(clippy::cast_possible_truncation)]
    Duration::seconds((m * 60.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's central library and its 金港 branch: about 16.5 km apart as the crow
    /// flies.
    const CENTRAL: Point = (31.8756, 120.5531);
    const JINGANG: Point = (31.9490, 120.4015);

    #[test]
    fn a_cross_town_drive_takes_the_road_distance_at_city_speed() {
        let model = TravelModel::default();
        let km = model.road_km(CENTRAL, JINGANG);
        assert!((21.0..23.0).contains(&km), "{km}");
        // 21.4 road km at 30 km/h: 43 minutes.
        let drive = model.drive(CENTRAL, JINGANG).num_minutes();
        assert!((41..=44).contains(&drive), "{drive}");
        assert_eq!(
            model.leg(CENTRAL, JINGANG) - model.drive(CENTRAL, JINGANG),
            Duration::minutes(5)
        );
    }

    #[test]
    fn staying_put_costs_only_the_stop() {
        let model = TravelModel::default();
        assert_eq!(model.drive(CENTRAL, CENTRAL), Duration::zero());
        assert_eq!(model.leg(CENTRAL, CENTRAL), Duration::minutes(5));
    }

    #[test]
    fn the_known_long_distance_scales_with_the_model() {
        // Zhangjiagang → Suzhou city centre: about 64 km; at 1.0 and 64 km/h about an hour.
        let model = TravelModel {
            road_factor: 1.0,
            speed_kmh: 64.0,
            stop_minutes: 0.0,
        };
        let m = model
            .drive((31.8754, 120.5555), (31.2990, 120.5853))
            .num_minutes();
        assert!((58..=62).contains(&m), "{m}");
    }

    #[test]
    fn a_round_adds_up_its_legs_in_order() {
        let model = TravelModel::default();
        let lockers = [(31.8758, 120.5545), JINGANG];
        let at = model.arrivals(CENTRAL, &lockers);
        assert_eq!(at.len(), 2);
        assert_eq!(at[0], model.leg(CENTRAL, lockers[0]));
        assert_eq!(at[1], at[0] + model.leg(lockers[0], JINGANG));
        assert!(model.arrivals(CENTRAL, &[]).is_empty());
    }
}
