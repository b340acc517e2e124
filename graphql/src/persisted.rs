//! Automatic persisted queries (the Apollo convention): a phone on a slow network sends
//! `extensions.persistedQuery = {version: 1, sha256Hash}` without the query; the first time a
//! process has not seen the hash it answers `PERSISTED_QUERY_NOT_FOUND`, the client sends the
//! query once with its hash, and from then on the hash alone runs it. Each process keeps the
//! queries it was taught (bounded); another process simply asks to be taught too, as the
//! convention expects. The query text is kept, not its parse, so every other check (text
//! limits, admission) runs on it as on any query.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{ErrorExtensionValues, Request, ServerError, ServerResult, Value};
use hongyan_domain::text;
use sha2::{Digest, Sha256};

/// Queries one process remembers at most (the map is emptied when full: clients re-send).
const MAX_QUERIES: usize = 10_000;
/// Longest query remembered, in bytes (a longer one runs but is not kept).
const MAX_QUERY_BYTES: usize = 64 * 1024;

/// The extension: one store shared by every request of the schema.
#[derive(Default)]
pub struct PersistedQueries {
    known: Arc<Mutex<HashMap<String, String>>>,
}

impl ExtensionFactory for PersistedQueries {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Lookup {
            known: self.known.clone(),
        })
    }
}

struct Lookup {
    known: Arc<Mutex<HashMap<String, String>>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for Lookup {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(persisted) = request.extensions.remove("persistedQuery") {
            let hash = wanted_hash(&persisted)?;
            if request.query.is_empty() {
                let known = self
                    .known
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&hash)
                    .cloned();
                request.query = known
                    .ok_or_else(|| coded("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND"))?;
            } else {
                let actual = hex(&Sha256::digest(request.query.as_bytes()));
                if actual != hash {
                    return Err(invalid(text!("apq-hash-mismatch")));
                }
                if request.query.len() <= MAX_QUERY_BYTES {
                    let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
                    if known.len() >= MAX_QUERIES {
                        known.clear();
                    }
                    known.insert(hash, request.query.clone());
                }
            }
        }
        next.run(ctx, request).await
    }
}

/// The hash a `persistedQuery` extension names: version 1, 64 lower-case hex digits.
fn wanted_hash(value: &Value) -> ServerResult<String> {
    let Value::Object(fields) = value else {
        return Err(invalid(text!("apq-not-object")));
    };
    if fields.get("version") != Some(&Value::from(1)) {
        return Err(invalid(text!("apq-version")));
    }
    match fields.get("sha256Hash") {
        Some(Value::String(h)) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(h.to_ascii_lowercase())
        }
        _ => Err(invalid(text!("apq-hash-format"))),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A VALIDATION error saying `text`.
fn invalid(text: hongyan_domain::Text) -> ServerError {
    crate::error::to_gql(hongyan_domain::Error::validation(text))
        .into_server_error(async_graphql::Pos::default())
}

/// The APQ protocol's answer to an unknown hash: clients (Apollo's among them) match this exact
/// message and code, so it is a protocol word, not a sentence, and never translated.
fn coded(message: &str, code: &str) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    e.extensions = Some(ext);
    e
}
