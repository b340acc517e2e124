//! The city as its people see it: the branches and lockers the public `branches` and
//! `lockers` queries list, with their coordinates.

use hongyan_domain::lending::travel::{Point, TravelModel};
use serde_json::{json, Value};

use super::gql::{text, Api};

/// A branch of the library.
#[derive(Debug, Clone)]
pub struct Branch {
    /// Its id.
    pub id: String,
    /// Its code, e.g. `ZJG`.
    pub code: String,
    /// A desk with a hold shelf where readers collect (the central library and branches;
    /// not the self-service study rooms).
    pub desk: bool,
    /// Where it stands.
    pub at: Point,
}

/// A smart locker.
#[derive(Debug, Clone)]
pub struct Locker {
    /// Its id.
    pub id: String,
    /// Its code, e.g. `L-ZJG-01`.
    pub code: String,
    /// The index (in [`City::branches`]) of the branch whose rounds fill it.
    pub branch: usize,
    /// Where it stands.
    pub at: Point,
}

/// The branches that hold stock and the lockers, in the API's order.
#[derive(Debug, Clone)]
pub struct City {
    /// Every branch with stock and coordinates (partner bookstores hold no stock).
    pub branches: Vec<Branch>,
    /// Every locker with coordinates whose branch is listed.
    pub lockers: Vec<Locker>,
}

fn point(v: &Value) -> Option<Point> {
    v["latitude"].as_f64().zip(v["longitude"].as_f64())
}

impl City {
    /// Reads the city through the public API.
    ///
    /// # Errors
    /// The API refused or could not be reached, or the city has no branch to simulate.
    pub async fn read(api: &Api) -> anyhow::Result<City> {
        let data = api
            .call(
                None,
                "{ branches { id code kind latitude longitude } \
                   lockers { id code latitude longitude branch { id } } }",
                json!({}),
            )
            .await?;
        let branches: Vec<Branch> = data["branches"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["kind"] != "BOOKSTORE")
            .filter_map(|b| {
                Some(Branch {
                    id: text(&b["id"]),
                    code: text(&b["code"]),
                    desk: matches!(b["kind"].as_str(), Some("CENTRAL" | "BRANCH")),
                    at: point(b)?,
                })
            })
            .collect();
        anyhow::ensure!(
            branches.iter().any(|b| b.desk),
            "the city has no branch with a desk and coordinates to simulate"
        );
        let lockers = data["lockers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| {
                let branch = branches.iter().position(|b| b.id == l["branch"]["id"])?;
                Some(Locker {
                    id: text(&l["id"]),
                    code: text(&l["code"]),
                    branch,
                    at: point(l)?,
                })
            })
            .collect();
        Ok(City { branches, lockers })
    }

    /// The index of the branch with `id`.
    pub fn branch_index(&self, id: &Value) -> Option<usize> {
        self.branches.iter().position(|b| b.id == *id)
    }

    /// The index of the locker with `id`.
    pub fn locker_index(&self, id: &Value) -> Option<usize> {
        self.lockers.iter().position(|l| l.id == *id)
    }

    /// The locker nearest to `p` by road.
    pub fn nearest_locker(&self, travel: &TravelModel, p: Point) -> Option<usize> {
        nearest(self.lockers.iter().map(|l| l.at).enumerate(), travel, p)
    }

    /// The branch with a desk nearest to `p` by road.
    pub fn nearest_desk(&self, travel: &TravelModel, p: Point) -> Option<usize> {
        let desks = self.branches.iter().enumerate().filter(|(_, b)| b.desk);
        nearest(desks.map(|(i, b)| (i, b.at)), travel, p)
    }
}

/// The index of the place nearest to `p` by road.
fn nearest(
    places: impl Iterator<Item = (usize, Point)>,
    travel: &TravelModel,
    p: Point,
) -> Option<usize> {
    places
        .min_by(|a, b| travel.road_km(p, a.1).total_cmp(&travel.road_km(p, b.1)))
        .map(|(i, _)| i)
}
