//! Refuses requests carrying text no real input contains: the NUL character. PostgreSQL
//! cannot store it in text, so it would otherwise surface as an INTERNAL error from deep in
//! whichever resolver first wrote it; here it is one VALIDATION error before anything runs.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, ServerResult, Value, Variables};

/// The extension (see the module docs).
pub struct TextGuard;

impl ExtensionFactory for TextGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TextGuard)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for TextGuard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let in_variables = variables.iter().any(|(_, v)| has_nul(v));
        if in_variables || document_has_nul(&doc) {
            let e = hongyan_domain::Error::validation(hongyan_domain::text!("text-has-nul"));
            return Err(crate::error::to_gql(e).into_server_error(Pos::default()));
        }
        Ok(doc)
    }
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(has_nul),
        Value::Object(fields) => fields.values().any(has_nul),
        _ => false,
    }
}

fn document_has_nul(doc: &ExecutableDocument) -> bool {
    doc.operations
        .iter()
        .any(|(_, op)| selection_has_nul(&op.node.selection_set.node))
        || doc
            .fragments
            .values()
            .any(|f| selection_has_nul(&f.node.selection_set.node))
}

fn selection_has_nul(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(f) => {
            f.node.arguments.iter().any(|(_, v)| {
                // Variables are checked on their own: stand in null for them here.
                v.node
                    .clone()
                    .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null))
                    .is_ok_and(|c| has_nul(&c))
            }) || selection_has_nul(&f.node.selection_set.node)
        }
        Selection::InlineFragment(f) => selection_has_nul(&f.node.selection_set.node),
        Selection::FragmentSpread(_) => false,
    })
}
