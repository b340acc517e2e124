//! Distances on the earth's surface, for choosing the nearest branch.

/// A WGS-84 point: (latitude, longitude) in degrees.
pub type Point = (f64, f64);

/// Great-circle distance in kilometres (haversine).
pub fn distance_km(a: Point, b: Point) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlng = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

/// A point from optional coordinates.
pub fn point(lat: Option<f64>, lng: Option<f64>) -> Option<Point> {
    lat.zip(lng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // Zhangjiagang → Suzhou city centre: about 64 km due south.
        let d = distance_km((31.8754, 120.5555), (31.2990, 120.5853));
        assert!((62.0..66.0).contains(&d), "{d}");
        assert!(distance_km((31.0, 120.0), (31.0, 120.0)).abs() < 1e-9);
    }
}
