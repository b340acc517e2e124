//! Where the books are: the simulation keeps its own account of the books it put in readers'
//! hands and in lockers' doors, and at the end compares it with what the database says (the
//! active loans, the occupied doors). A book the database lost track of, or one it thinks is
//! somewhere it is not, shows up here.

use std::collections::{BTreeMap, HashMap, HashSet};

use hongyan_domain::entity::compartment::{self, State};
use hongyan_domain::entity::loan::{self, LoanStatus};
use hongyan_domain::entity::{item, locker};
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};
use serde::Serialize;

/// The simulation's own account of where the books are.
#[derive(Debug, Default)]
pub struct Whereabouts {
    /// Books readers took home (barcodes), until they bring them back.
    with_readers: HashSet<String>,
    /// Parcels in lockers: barcode → locker code.
    in_lockers: HashMap<String, String>,
}

/// The account against the database at the end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    /// Books the simulated readers hold.
    pub with_readers: usize,
    /// Active loans in the database.
    pub lent_in_database: usize,
    /// Parcels the simulation put in lockers and nobody took out.
    pub locker_parcels: usize,
    /// Occupied locker doors in the database.
    pub occupied_doors: usize,
    /// Where the two disagree (at most 20 lines).
    pub disagreements: Vec<String>,
}

/// Lines of disagreement kept.
const KEPT: usize = 20;

impl Whereabouts {
    /// A reader took `barcode` home (from a locker, a desk or the courier).
    pub fn lent(&mut self, barcode: &str) {
        self.in_lockers.remove(barcode);
        self.with_readers.insert(barcode.to_owned());
    }

    /// `barcode` was handed in at a desk (a return, or a copy passing through).
    pub fn handed_in(&mut self, barcode: &str) {
        self.with_readers.remove(barcode);
    }

    /// The driver put `barcode` into locker `code`.
    pub fn deposited(&mut self, barcode: &str, code: &str) {
        self.in_lockers.insert(barcode.to_owned(), code.to_owned());
    }

    /// Staff took `barcode` out of its locker.
    pub fn taken_out(&mut self, barcode: &str) {
        self.in_lockers.remove(barcode);
    }

    /// Compares the account with `db`'s active loans and occupied doors.
    ///
    /// # Errors
    /// A database fault.
    pub async fn compare(&self, db: &DatabaseConnection) -> anyhow::Result<Agreement> {
        // The simulation's database holds one city: its copies fit in memory.
        let barcodes: HashMap<uuid::Uuid, String> = item::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.id, i.barcode))
            .collect();
        let lent: HashSet<String> = loan::Entity::find()
            .filter(loan::Column::Status.eq(LoanStatus::Active))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|l| barcodes.get(&l.item_id).cloned())
            .collect();
        let codes: HashMap<uuid::Uuid, String> = locker::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.id, l.code))
            .collect();
        let mut occupied: BTreeMap<String, usize> = BTreeMap::new();
        for door in compartment::Entity::find()
            .filter(compartment::Column::State.eq(State::Occupied))
            .all(db)
            .await?
        {
            let code = codes.get(&door.locker_id).cloned().unwrap_or_default();
            *occupied.entry(code).or_default() += 1;
        }
        let mut parcels: BTreeMap<String, usize> = BTreeMap::new();
        for code in self.in_lockers.values() {
            *parcels.entry(code.clone()).or_default() += 1;
        }

        let mut disagreements = Vec::new();
        let mut only = |set: &HashSet<String>, other: &HashSet<String>, what: &str| {
            let mut missing: Vec<&String> = set.difference(other).collect();
            missing.sort();
            for barcode in missing {
                disagreements.push(format!("{barcode}: {what}"));
            }
        };
        only(&self.with_readers, &lent, "在读者手中，数据库却无未还借阅");
        only(&lent, &self.with_readers, "数据库记为借出，读者手中却没有");
        for code in occupied.keys().chain(parcels.keys()) {
            let (db_doors, ours) = (
                occupied.get(code).copied().unwrap_or(0),
                parcels.get(code).copied().unwrap_or(0),
            );
            if db_doors != ours {
                disagreements.push(format!(
                    "书柜 {code}：柜中 {ours} 件，数据库记占用格口 {db_doors} 个"
                ));
            }
        }
        disagreements.dedup();
        disagreements.truncate(KEPT);
        Ok(Agreement {
            with_readers: self.with_readers.len(),
            lent_in_database: lent.len(),
            locker_parcels: self.in_lockers.len(),
            occupied_doors: occupied.values().sum(),
            disagreements,
        })
    }
}
