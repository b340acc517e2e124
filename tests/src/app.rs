//! [`TestApp`]: one running Hongyan with its own database (PostgreSQL or SQLite), Redis
//! prefix and fake WeChat.

use std::collections::HashMap;

use actix_web::dev::ServerHandle;
use hongyan_api::{Application, Options};
use hongyan_domain::{Config, Ctx};
use serde_json::{json, Value};

use crate::databases::{self, Backend, TestDatabase};
use crate::fake_wechat::{self, FakeWechat};
use crate::graphql::{body, Gql};
use crate::{postgres_url, redis_url, JWT_SECRET};

/// How to start a test app.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Run the embedded worker.
    pub worker: bool,
    /// Load the demo library.
    pub demo: bool,
    /// Redis to use (`None`: in-process signals).
    pub redis_url: Option<String>,
    /// The database to run on (by default the one `HONGYAN_TEST_BACKEND` names).
    pub backend: Backend,
    /// Extra or overriding `HONGYAN_*` variables.
    pub env: Vec<(&'static str, String)>,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            worker: true,
            demo: false,
            redis_url: Some(redis_url()),
            backend: Backend::from_env(),
            env: vec![],
        }
    }
}

/// A running Hongyan for one test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// HTTP client.
    pub http: reqwest::Client,
    /// The fake WeChat server this app talks to.
    pub wechat: FakeWechat,
    /// The app's domain context (same database and signals), for arranging test data.
    pub ctx: Ctx,
    /// The configuration variables the app was started with (for running the CLI alike).
    pub env: HashMap<String, String>,
    /// The database this app owns and removes when dropped (`None`: another's).
    database: Option<TestDatabase>,
    server: ServerHandle,
}

impl TestApp {
    /// Starts an app with the default options (worker on, no demo, Redis on).
    pub async fn spawn() -> Self {
        Self::spawn_with(TestOptions::default()).await
    }

    /// Starts an app on a fresh database of `opts.backend`.
    pub async fn spawn_with(opts: TestOptions) -> Self {
        let database = TestDatabase::create(opts.backend).await;
        Self::spawn_inner(database.url(), Some(database), opts).await
    }

    /// Starts an app on an existing database of the PostgreSQL test server (a benchmark's
    /// generated data set), which it leaves in place when dropped; `opts.backend` is not
    /// used.
    pub async fn spawn_on(db_name: &str, opts: TestOptions) -> Self {
        Self::spawn_inner(databases::url(&postgres_url(), db_name), None, opts).await
    }

    async fn spawn_inner(
        database_url: String,
        database: Option<TestDatabase>,
        opts: TestOptions,
    ) -> Self {
        let wechat = FakeWechat::start().await;
        let mut env: HashMap<String, String> = [
            ("HONGYAN_DATABASE_URL", database_url),
            (
                "HONGYAN_REDIS_PREFIX",
                format!("hongyan-test:{}:", uuid::Uuid::new_v4().simple()),
            ),
            ("HONGYAN_HTTP_ADDR", "127.0.0.1:0".into()),
            ("HONGYAN_INDEX_DIR", ":memory:".into()),
            ("HONGYAN_JWT_SECRET", JWT_SECRET.into()),
            ("HONGYAN_WECHAT_APPID", fake_wechat::APPID.into()),
            ("HONGYAN_WECHAT_SECRET", fake_wechat::SECRET.into()),
            ("HONGYAN_WECHAT_API_BASE", wechat.base_url.clone()),
            ("HONGYAN_JOB_POLL_INTERVAL_MS", "250".into()),
            ("HONGYAN_JOB_BACKOFF_BASE_MS", "20".into()),
            // Tests move time with `ctx.clock.advance` instead of waiting or rewriting rows.
            ("HONGYAN_CLOCK", "adjustable".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(url) = &opts.redis_url {
            require_redis(url).await;
            env.insert("HONGYAN_REDIS_URL".into(), url.clone());
        }
        for (k, v) in &opts.env {
            env.insert((*k).to_owned(), v.clone());
        }
        let options = Options {
            worker: opts.worker,
            demo: opts.demo,
            http_workers: Some(2),
        };
        Self::start(env, options, wechat, database).await
    }

    async fn start(
        env: HashMap<String, String>,
        options: Options,
        wechat: FakeWechat,
        database: Option<TestDatabase>,
    ) -> Self {
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test configuration");
        let app = Application::build(config, options)
            .await
            .expect("application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (ctx, server) = (app.ctx().clone(), app.handle());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            http: crate::http_client(),
            wechat,
            ctx,
            env,
            database,
            server,
        }
    }

    /// Starts a second API process (no worker, its own search index) on the same database and
    /// Redis, as a scaled-out deployment runs them. `env` overrides variables.
    pub async fn sibling(&self, env: &[(&'static str, String)]) -> TestApp {
        let mut vars = self.env.clone();
        for (k, v) in env {
            vars.insert((*k).to_owned(), v.clone());
        }
        let options = Options {
            worker: false,
            demo: false,
            http_workers: Some(1),
        };
        Self::start(vars, options, FakeWechat::start().await, None).await
    }

    /// Stops this process's HTTP server and waits until it has stopped.
    pub async fn stop(&self) {
        self.server.stop(true).await;
    }

    /// Sends a GraphQL request, with a bearer token when given.
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.address))
            .json(&body(query, variables));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("graphql request");
        assert!(
            resp.status().is_success(),
            "HTTP {} from /graphql",
            resp.status()
        );
        let answer = Gql(resp.json().await.expect("graphql json"));
        answer.assert_errors_speak_chinese();
        answer
    }

    /// The text of `GET path` (e.g. `/metrics`).
    pub async fn get_text(&self, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Sends an anonymous GraphQL request.
    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        self.gql_as(None, query, variables).await
    }

    /// Logs a reader in by card; returns the access token.
    pub async fn reader_token(&self, card: &str, pin: &str) -> String {
        let r = self
            .gql(
                "mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken } }",
                json!({"c": card, "p": pin}),
            )
            .await;
        r.data()["loginWithCard"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Logs a staff member in; returns the access token.
    pub async fn staff_token(&self, username: &str, password: &str) -> String {
        let r = self
            .gql(
                "mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { accessToken } }",
                json!({"u": username, "p": password}),
            )
            .await;
        r.data()["staffLogin"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Runs the `hongyan` binary against this app's database and Redis.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_with_input(args, "")
    }

    /// Runs the `hongyan` binary with `input` on its standard input (a password, as a
    /// script pipes it in).
    pub fn cli_with_input(&self, args: &[&str], input: &str) -> std::process::Output {
        use std::io::Write;
        let mut child = std::process::Command::new(crate::hongyan_bin())
            .args(args)
            .env_clear()
            .envs(&self.env)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(std::env::temp_dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run hongyan");
        let mut stdin = child.stdin.take().expect("stdin");
        // A command that reads nothing may have exited already.
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        child.wait_with_output().expect("hongyan ran")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.server.stop(false));
        // The database goes after the server has been told to stop.
        drop(self.database.take());
    }
}

/// Fails the test when Redis is not reachable: CI must start it, tests never skip it.
pub async fn require_redis(url: &str) {
    let client = redis::Client::open(url).unwrap_or_else(|e| panic!("bad Redis URL {url}: {e}"));
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| {
            panic!("Redis at {url} is not reachable ({e}); start it (see .ci/run)")
        });
    let pong: String = redis::cmd("PING")
        .query_async(&mut conn)
        .await
        .expect("PING");
    assert_eq!(pong, "PONG");
}
