//! Browser tests: `node --test` runs a test file of `tests/browser/` (Node's test runner
//! with the pinned playwright-core) against headless Debian Chromium. Node, Chromium and
//! `npm ci --prefix tests/browser` are required: without them the test fails, never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a browser test may run before it is killed.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);

/// The repository's root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Fails unless Chromium and the browser tests' packages are installed.
pub fn require_browser() {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: apt-get install chromium (scripts/test.sh does)"
    );
    assert!(
        workspace()
            .join("tests/browser/node_modules/playwright-core")
            .exists(),
        "playwright-core is missing: npm ci --prefix tests/browser (scripts/test.sh does)"
    );
}

/// Runs `node --test` on `tests/browser/{file}` with `env`; returns whether it passed and
/// what it printed. Kills it after [`BROWSER_TIMEOUT`].
pub async fn run_node(file: &str, env: Vec<(&'static str, String)>) -> (bool, String) {
    require_browser();
    let root = workspace();
    let logs = std::env::temp_dir().join(format!("hongyan-browser-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&logs).expect("log dir");
    let (out, err) = (logs.join("stdout"), logs.join("stderr"));
    let mut child = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .arg(format!("tests/browser/{file}"))
        .current_dir(&root)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install Node.js (scripts/test.sh does)")
        });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let printed = format!(
        "{}{}{}",
        std::fs::read_to_string(&out).unwrap_or_default(),
        std::fs::read_to_string(&err).unwrap_or_default(),
        if status.is_none() {
            format!("\nkilled after {BROWSER_TIMEOUT:?}")
        } else {
            String::new()
        }
    );
    let _ = std::fs::remove_dir_all(&logs);
    (status.is_some_and(|s| s.success()), printed)
}
