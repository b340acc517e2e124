//! What every operation passes before it runs, on every transport (a POST to `/graphql` and
//! each operation on a `/graphql/ws` socket alike):
//!
//! - the caller's rate limits ([`hongyan_domain::infra::rate_limit::admit`]): per signed-in reader and per client
//!   address, counted per operation;
//! - the caller's account is still allowed to act ([`AccountCheck`]): a staff account
//!   switched off stops working at once, even on an open socket;
//! - at most [`crate::MAX_COMPLEXITY`] fields selected by any operation, counting what the
//!   schema's complexity limit does not (`__typename`, aliases of it), each fragment as
//!   often as it is spread;
//! - at most one login per operation: aliases would otherwise try hundreds of PINs in one
//!   request;
//! - schema introspection only for whom `HONGYAN_INTROSPECTION` allows it (production:
//!   signed-in staff).
//!
//! A refusal here is an error without a `path` (the operation never ran); the HTTP transport
//! answers RATE_LIMITED ones with 429 and `Retry-After`.
//!
//! [`AccountCheck`]: hongyan_domain::auth::revocation::AccountCheck

use hongyan_domain::text;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Pos, ServerError, ServerResult, Variables};
use hongyan_domain::auth::Principal;
use hongyan_domain::{infra::rate_limit, Ctx, Error};

use crate::error::to_gql;
use crate::{Caller, ClientAddr};

/// Mutations that check a secret or mint tokens: one of them per operation.
pub const LOGIN_FIELDS: &[&str] = &[
    "loginWithCard",
    "loginWithWechat",
    "loginWithWechatWeb",
    "bindCard",
    "staffLogin",
    "refreshToken",
];

/// The extension (see the module docs).
pub struct Admission;

impl ExtensionFactory for Admission {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Admission)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Admission {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let domain = ctx.data_unchecked::<Ctx>();
        let caller = ctx.data_opt::<Caller>();
        let client = ctx.data_opt::<ClientAddr>().and_then(|c| c.0);
        let reader = match caller {
            Some(Caller::Authenticated(v)) => match v.principal {
                Principal::Reader { id } => Some(id),
                Principal::Staff { .. } => None,
            },
            _ => None,
        };
        rate_limit::admit(domain, reader, client)
            .await
            .map_err(refusal)?;
        if let Some(Caller::Authenticated(v)) = caller {
            domain
                .accounts
                .ensure_active(&domain.db, &v.principal)
                .await
                .map_err(refusal)?;
        }
        let doc = next.run(ctx, query, variables).await?;
        if most_logins(&doc) > 1 {
            return Err(refusal(Error::validation(text!("login-once"))));
        }
        let fields = most_fields(&doc);
        if fields > crate::MAX_COMPLEXITY {
            return Err(refusal(Error::validation(text!(
                "too-many-fields",
                fields = fields,
                max = crate::MAX_COMPLEXITY
            ))));
        }
        if introspects(&doc) && !crate::introspection_allowed(domain, caller) {
            return Err(refusal(Error::validation(text!(
                "introspection-staff-only"
            ))));
        }
        Ok(doc)
    }
}

fn refusal(e: Error) -> ServerError {
    to_gql(e).into_server_error(Pos::default())
}

/// The most login fields any one mutation of `doc` selects (aliases and fragments count).
fn most_logins(doc: &ExecutableDocument) -> usize {
    doc.operations
        .iter()
        .filter(|(_, op)| op.node.ty == OperationType::Mutation)
        .map(|(_, op)| {
            root_fields(doc, &op.node.selection_set.node, &mut HashSet::new())
                .iter()
                .filter(|f| LOGIN_FIELDS.contains(f))
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Whether any operation of `doc` asks for the schema (`__schema`, `__type`).
fn introspects(doc: &ExecutableDocument) -> bool {
    doc.operations.iter().any(|(_, op)| {
        root_fields(doc, &op.node.selection_set.node, &mut HashSet::new())
            .iter()
            .any(|f| matches!(*f, "__schema" | "__type"))
    })
}

/// The names of the fields `set` selects at its own level, through inline fragments and
/// fragment spreads (each fragment once: spreading it twice selects the same fields, and a
/// cycle, which validation refuses later, ends here).
fn root_fields<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    seen: &mut HashSet<&'d str>,
) -> Vec<&'d str> {
    let mut names = Vec::new();
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => names.push(f.node.name.node.as_str()),
            Selection::InlineFragment(f) => {
                names.extend(root_fields(doc, &f.node.selection_set.node, seen));
            }
            Selection::FragmentSpread(s) => {
                let name = &s.node.fragment_name.node;
                if seen.insert(name.as_str()) {
                    if let Some(f) = doc.fragments.get(name) {
                        names.extend(root_fields(doc, &f.node.selection_set.node, seen));
                    }
                }
            }
        }
    }
    names
}

/// The most fields any operation of `doc` selects, `__typename` included, fragments
/// counted each time they are spread (saturating: a document built to explode counts as
/// huge, in time linear in its size).
fn most_fields(doc: &ExecutableDocument) -> usize {
    let mut memo = HashMap::new();
    doc.operations
        .iter()
        .map(|(_, op)| fields_in(doc, &op.node.selection_set.node, &mut memo))
        .max()
        .unwrap_or(0)
}

/// Fields `set` selects at every depth; `memo` holds each fragment's count (None while it
/// is being counted: a cycle, refused by validation later, counts nothing more).
fn fields_in<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    memo: &mut HashMap<&'d str, Option<usize>>,
) -> usize {
    set.items.iter().fold(0usize, |total, item| {
        let n = match &item.node {
            Selection::Field(f) => {
                1usize.saturating_add(fields_in(doc, &f.node.selection_set.node, memo))
            }
            Selection::InlineFragment(f) => fields_in(doc, &f.node.selection_set.node, memo),
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                match memo.get(name.as_str()) {
                    Some(known) => known.unwrap_or(0),
                    None => {
                        memo.insert(name.as_str(), None);
                        let n = doc
                            .fragments
                            .get(name)
                            .map_or(0, |f| fields_in(doc, &f.node.selection_set.node, memo));
                        memo.insert(name.as_str(), Some(n));
                        n
                    }
                }
            }
        };
        total.saturating_add(n)
    })
}
