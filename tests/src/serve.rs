//! [`ServeProcess`]: the real `hongyan serve` binary as a child process, for tests of what
//! only the command line decides (production start-up, the demo, the banner).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `hongyan serve`; killed when dropped.
pub struct ServeProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// What it printed up to its GraphiQL line.
    pub banner: String,
}

impl ServeProcess {
    /// Starts `hongyan serve ARGS` with exactly `env` (plus `PATH`) on a free port and waits
    /// for the banner that names its address.
    pub fn start(env: &HashMap<String, String>, args: &[&str]) -> Self {
        let mut child = Command::new(crate::hongyan_bin())
            .arg("serve")
            .args(args)
            .env_clear()
            .envs(env)
            .env("HONGYAN_HTTP_ADDR", "127.0.0.1:0")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hongyan serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut banner = String::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                banner.push_str(&line);
                banner.push('\n');
                if let Some(url) = line.trim().strip_prefix("GraphiQL:") {
                    let base = url.trim().trim_end_matches("/graphql").to_owned();
                    let _ = tx.send((base, banner.clone()));
                }
            }
        });
        let (address, banner) = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("hongyan serve printed its address");
        ServeProcess {
            child,
            address,
            banner,
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
