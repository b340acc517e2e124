//! Every job kind the platform runs, registered in one place.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use hongyan_domain::jobs::Job;
use hongyan_domain::Ctx;
use sea_orm::DatabaseTransaction;

/// Runs one kind of job from its stored payload.
#[async_trait]
pub trait Handler: Send + Sync {
    /// Decodes the payload and performs the job inside `txn`.
    ///
    /// # Errors
    /// A payload that does not decode, or the job's own failure.
    async fn run(
        &self,
        ctx: &Ctx,
        txn: &DatabaseTransaction,
        payload: serde_json::Value,
    ) -> anyhow::Result<()>;
}

struct Typed<J>(PhantomData<fn() -> J>);

#[async_trait]
impl<J: Job> Handler for Typed<J> {
    async fn run(
        &self,
        ctx: &Ctx,
        txn: &DatabaseTransaction,
        payload: serde_json::Value,
    ) -> anyhow::Result<()> {
        let job: J = serde_json::from_value(payload)
            .map_err(|e| anyhow::anyhow!("bad payload for {}: {e}", J::KIND))?;
        job.perform(ctx, txn).await
    }
}

/// Job kinds by name.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
}

impl Registry {
    /// The platform's job kinds. New kinds are added here and nowhere else.
    pub fn platform() -> Self {
        Registry::default()
    }

    /// Adds a job kind.
    #[must_use]
    pub fn with<J: Job>(mut self) -> Self {
        self.handlers
            .insert(J::KIND, Arc::new(Typed::<J>(PhantomData)));
        self
    }

    /// The handler for `kind`.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.get(kind).cloned()
    }
}
