//! Time comes from one clock. The server never reads the system clock itself: it asks
//! `Ctx::now` (or a `now` its caller read once), so tests and simulations move time with
//! `ctx.clock.advance` instead of sleeping or rewriting rows. The only system-time reads
//! are in `domain/src/infra/clock.rs` (the clock itself, and `system_now` for signatures
//! and tokens checked against other machines' clocks).

use std::path::{Path, PathBuf};

/// Where the server's code lives, relative to this crate.
const SOURCES: [&str; 4] = ["domain/src", "graphql/src", "worker/src", "api/src"];

/// The file allowed to read the system clock.
const THE_CLOCK: &str = "domain/src/infra/clock.rs";

/// Lines of `text` that read the system clock, outside its `#[cfg(test)]` part.
fn wall_clock_reads(text: &str) -> Vec<usize> {
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .enumerate()
        .filter(|(_, l)| {
            let code = l.split("//").next().unwrap_or("");
            ["Utc::now()", "Local::now()", "SystemTime::now()"]
                .iter()
                .any(|read| code.contains(read))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn the_server_reads_time_only_from_its_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        files.len() > 150,
        "the scan read only {} files",
        files.len()
    );
    let mut reads = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(&root)
            .expect("under the workspace")
            .to_string_lossy()
            .replace('\\', "/");
        if name == THE_CLOCK {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        for line in wall_clock_reads(&text) {
            reads.push(format!("{name}:{line}"));
        }
    }
    assert!(
        reads.is_empty(),
        "the system clock read around Ctx::now:\n{}",
        reads.join("\n")
    );
}

#[test]
fn the_scan_finds_every_way_to_read_the_system_clock() {
    let source = r#"
        let a = Utc::now();
        let b = chrono::Local::now(); // and a comment
        let c = std::time::SystemTime::now();
        // Utc::now() in a comment is no read
        let d = ctx.now();
        #[cfg(test)]
        mod tests { fn t() { let e = Utc::now(); } }
    "#;
    assert_eq!(wall_clock_reads(source), vec![2, 3, 4]);
}
