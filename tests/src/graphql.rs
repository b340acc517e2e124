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

    /// The `extensions.reason` of the first error, if it has one.
    pub fn reason(&self) -> Option<String> {
        self.0["errors"][0]["extensions"]["reason"]
            .as_str()
            .map(str::to_owned)
    }

    /// Asserts what every answer in the default language must be: each error says Chinese
    /// words (the APQ protocol's `PersistedQueryNotFound` aside) and each CONFLICT or
    /// FORBIDDEN carries a reason. Every request of the suites passes through this.
    pub fn assert_errors_speak_chinese(&self) {
        for e in self.0["errors"].as_array().into_iter().flatten() {
            let code = e["extensions"]["code"].as_str().unwrap_or_default();
            if code == "PERSISTED_QUERY_NOT_FOUND" {
                continue;
            }
            let message = e["message"].as_str().unwrap_or_default();
            if let Some(why) = crate::chinese::not_chinese(message) {
                panic!("an error message {why}: {e}");
            }
            if matches!(code, "CONFLICT" | "FORBIDDEN") {
                assert!(
                    e["extensions"]["reason"].is_string(),
                    "{code} without a reason: {e}"
                );
            }
        }
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
