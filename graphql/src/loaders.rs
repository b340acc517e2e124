//! Per-request DataLoaders, so listing resolvers don't make one query per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use hongyan_domain::branches::{self, Branch};
use hongyan_domain::catalog::books::{self, Book};
use hongyan_domain::lockers::{self, SizeCount};
use hongyan_domain::Ctx;
use uuid::Uuid;

/// The loaders of one request.
pub struct Loaders {
    /// Branches by id.
    pub branches: DataLoader<BranchLoader>,
    /// Books (titles with availability) by id.
    pub books: DataLoader<BookLoader>,
    /// Lockers' door counts per size, by locker id.
    pub compartment_counts: DataLoader<CompartmentCountLoader>,
}

impl Loaders {
    /// Fresh loaders (empty caches) for one request.
    pub fn new(ctx: &Ctx) -> Self {
        Loaders {
            branches: DataLoader::new(BranchLoader(ctx.clone()), tokio::spawn),
            books: DataLoader::new(BookLoader(ctx.clone()), tokio::spawn),
            compartment_counts: DataLoader::new(CompartmentCountLoader(ctx.clone()), tokio::spawn),
        }
    }
}

/// Loads branches by id in one query.
pub struct BranchLoader(Ctx);

impl Loader<Uuid> for BranchLoader {
    type Value = Branch;
    type Error = Arc<hongyan_domain::Error>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Branch>, Self::Error> {
        let rows = branches::by_ids(&self.0.db, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|b| (b.id, b)).collect())
    }
}

/// Loads books (with availability) by id in one round of queries.
pub struct BookLoader(Ctx);

impl Loader<Uuid> for BookLoader {
    type Value = Book;
    type Error = Arc<hongyan_domain::Error>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Book>, Self::Error> {
        let rows = books::by_ids(&self.0.db, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|b| (b.title.id, b)).collect())
    }
}

/// Loads lockers' door counts per size in one query.
pub struct CompartmentCountLoader(Ctx);

impl Loader<Uuid> for CompartmentCountLoader {
    type Value = Vec<SizeCount>;
    type Error = Arc<hongyan_domain::Error>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<SizeCount>>, Self::Error> {
        lockers::compartment_counts(&self.0.db, keys)
            .await
            .map_err(Arc::new)
    }
}
