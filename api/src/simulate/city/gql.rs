//! The simulated people's GraphQL: `POST /graphql` over HTTP, as the apps and the console
//! send it.

use anyhow::Context as _;
use serde_json::{json, Value};

/// A refusal the API answered with (`extensions.code` and `extensions.reason`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {code} {reason}: {message}")]
pub struct Refused {
    /// The operation's first field.
    pub operation: String,
    /// `extensions.code`, e.g. `QUOTA_EXCEEDED`.
    pub code: String,
    /// `extensions.reason` (empty when none).
    pub reason: String,
    /// The message, as the API said it.
    pub message: String,
}

/// A GraphQL endpoint.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    /// The API of the server at `base` (`http://host:port`).
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Api {
            http,
            url: format!("{base}/graphql"),
        }
    }

    /// Runs `query` as the holder of `token` (none: anonymously) and returns `data`.
    ///
    /// # Errors
    /// [`Refused`] when the answer carries an error, or a transport failure.
    pub async fn call(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .post(&self.url)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let answer: Value = req
            .send()
            .await
            .context("POST /graphql")?
            .json()
            .await
            .context("the answer of /graphql")?;
        if let Some(e) = answer["errors"].as_array().and_then(|e| e.first()) {
            let operation = query
                .split(['{', '('])
                .nth(1)
                .unwrap_or_default()
                .trim()
                .to_owned();
            return Err(Refused {
                operation,
                code: text(&e["extensions"]["code"]),
                reason: text(&e["extensions"]["reason"]),
                message: text(&e["message"]),
            }
            .into());
        }
        Ok(answer["data"].clone())
    }

    /// Signs a reader in by card; returns the access token.
    ///
    /// # Errors
    /// A refused sign-in or a transport failure.
    pub async fn reader_login(&self, card: &str, pin: &str) -> anyhow::Result<String> {
        let data = self
            .call(
                None,
                "mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken } }",
                json!({"c": card, "p": pin}),
            )
            .await?;
        token(&data["loginWithCard"])
    }

    /// Signs a staff member in; returns the access token.
    ///
    /// # Errors
    /// A refused sign-in or a transport failure.
    pub async fn staff_login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let data = self
            .call(
                None,
                "mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { accessToken } }",
                json!({"u": username, "p": password}),
            )
            .await?;
        token(&data["staffLogin"])
    }
}

fn token(payload: &Value) -> anyhow::Result<String> {
    payload["accessToken"]
        .as_str()
        .map(str::to_owned)
        .context("no access token in the answer")
}

/// The string at `v` (empty when it is not one).
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
