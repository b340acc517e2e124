//! Abuse limits: depth and complexity stop hostile queries, the standard introspection
//! query still works, and every error has a code.

use hongyan_tests::TestApp;
use serde_json::json;

/// graphql-core's `get_introspection_query()` (descriptions on), as GraphiQL and codegen
/// tools send it.
const INTROSPECTION: &str = r"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_passes_the_limits() {
    let app = TestApp::spawn().await;
    let r = app.gql(INTROSPECTION, json!({})).await;
    let types = r.data()["__schema"]["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["name"] == "Locker"));
    assert_eq!(r.data()["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_deep_and_too_complex_queries_are_refused_with_a_code() {
    let app = TestApp::spawn().await;
    let mut deep = String::from("kind");
    for _ in 0..20 {
        deep = format!("ofType {{ {deep} }}");
    }
    let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}");
    assert_eq!(app.gql(&deep, json!({})).await.code(), "VALIDATION");

    let wide: String = (0..1100)
        .map(|i| format!("a{i}: branches {{ id }} "))
        .collect();
    let r = app.gql(&format!("{{ {wide} }}"), json!({})).await;
    assert_eq!(r.code(), "VALIDATION");
    assert!(r.0["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("complex"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_carries_a_code() {
    let app = TestApp::spawn().await;
    for bad in [
        "{ branches { id ",
        "{ noSuchField }",
        "mutation { loginWithCard(cardNumber: 1) { accessToken } }",
        "",
    ] {
        let r = app.gql(bad, json!({})).await;
        assert!(!r.codes().is_empty(), "{bad:?} gave no error");
        assert!(
            r.codes().iter().all(|c| c == "VALIDATION"),
            "{bad:?}: {:?}",
            r.codes()
        );
    }
}
