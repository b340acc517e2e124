//! Every type, field, argument, input field and enum value of the schema says what it is:
//! the API is a product, and a mini-program team reads it in GraphiQL, not in our code.
//! Descriptions are in English (the project's choice for the contract; what people read in
//! the apps is Chinese).

use async_graphql::Schema;
use hongyan_graphql::{Mutation, Query, Subscription};
use serde_json::Value;

const INTROSPECTION: &str = r#"{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) { name description args { name description } }
      inputFields { name description }
      enumValues(includeDeprecated: true) { name description }
    }
  }
}"#;

fn described(v: &Value) -> bool {
    v["description"]
        .as_str()
        .is_some_and(|d| d.trim().chars().count() >= 3)
}

#[tokio::test]
async fn everything_in_the_schema_has_a_description() {
    let schema = Schema::build(Query::default(), Mutation::default(), Subscription).finish();
    let answer = schema.execute(INTROSPECTION).await;
    assert!(answer.errors.is_empty(), "{:?}", answer.errors);
    let data = answer.data.into_json().expect("json");
    let types = data["__schema"]["types"].as_array().expect("types");
    assert!(
        types.len() > 50,
        "only {} types: is the schema built?",
        types.len()
    );
    let mut missing = Vec::new();
    for t in types {
        let name = t["name"].as_str().unwrap_or_default();
        // The introspection types and the built-in scalars are GraphQL's own.
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if !described(t) {
            missing.push(format!("type {name}"));
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            let field = f["name"].as_str().unwrap_or_default();
            if !described(f) {
                missing.push(format!("field {name}.{field}"));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if !described(a) {
                    missing.push(format!("argument {name}.{field}({})", a["name"]));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if !described(f) {
                missing.push(format!("input field {name}.{}", f["name"]));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if !described(v) {
                missing.push(format!("enum value {name}.{}", v["name"]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} without a description:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
