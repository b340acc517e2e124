//! Typed helpers for calling the GraphQL API.

use serde_json::{json, Value};

/// A GraphQL response.
#[derive(Debug, Clone)]
pub struct Gql(pub Value);

impl Gql {
    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.0.get("errors").is_none(),
            "unexpected errors: {}",
            self.0
        );
        &self.0["data"]
    }

    /// The `extensions.code` of the first error, asserting there was one.
    pub fn code(&self) -> String {
        let errors = self.0["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors, got {}", self.0));
        errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without extensions.code: {}", self.0))
            .to_owned()
    }

    /// Every error's code (each error must have one).
    pub fn codes(&self) -> Vec<String> {
        self.0["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or_else(|| panic!("no code: {e}"))
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Builds the JSON body of a request.
pub fn body(query: &str, variables: Value) -> Value {
    json!({ "query": query, "variables": variables })
}
