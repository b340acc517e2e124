//! The readers' app on a slow phone: how soon its search box takes input under Chromium's
//! "Slow 4G" and a 4× CPU slow-down, cold and warm, against the floor of the plain
//! `/healthz` JSON under the same conditions, and the JavaScript + CSS a cold load
//! transfers.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench app -- [RUNS]
//! ```
//! (default 5 runs; medians). Runs the release build of the app in this process (demo
//! library, PostgreSQL + Redis) and `tests/browser/bench-app.mjs` in headless Chromium
//! through the Chrome DevTools protocol.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use hongyan_tests::browser::{require_browser, workspace};
use hongyan_tests::{TestApp, TestOptions};

fn main() {
    let runs: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    require_browser();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let app = TestApp::spawn_with(TestOptions {
            demo: true,
            worker: false,
            ..TestOptions::default()
        })
        .await;
        let out = tokio::process::Command::new("node")
            .arg("tests/browser/bench-app.mjs")
            .current_dir(workspace())
            .env("HONGYAN_APP_URL", &app.address)
            .env("HONGYAN_BENCH_RUNS", runs.to_string())
            .output()
            .await
            .expect("node");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!("{}", String::from_utf8_lossy(&out.stdout).trim());
    });
}
