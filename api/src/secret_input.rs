//! Passwords and PINs for the command line: from a file's first line, typed at a prompt
//! that does not echo (when standard input is a terminal), or the first line of standard
//! input (scripts: `printf '%s\n' "$PW" | hongyan user add-staff …`). Never from an
//! argument, which `ps` shows to every user of the machine and the shell history keeps.

use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

use anyhow::{bail, Context};

/// Longest secret read (a line longer than this is refused, not cut).
const MAX_SECRET_BYTES: usize = 1024;

/// Where a secret comes from.
pub enum Source<'a> {
    /// The first line of this file.
    File(&'a Path),
    /// An argument given with the deprecated `--password` / `--pin` flags.
    Argument(String),
    /// A prompt, or standard input.
    Ask,
}

/// Reads the secret `what` (e.g. "password") from `source`.
///
/// # Errors
/// An unreadable file, an empty secret, a prompt that could not be shown, or a line
/// longer than 1 KiB.
pub fn read(what: &str, source: Source<'_>) -> anyhow::Result<String> {
    let secret = match source {
        Source::File(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            text.lines().next().unwrap_or_default().to_owned()
        }
        Source::Argument(value) => {
            eprintln!(
                "warning: a {what} on the command line is visible to ps and kept in shell history; \\
                 leave it out to be asked, or use a file"
            );
            value
        }
        Source::Ask if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password(format!("{what}: "))?;
            let again = rpassword::prompt_password(format!("{what} (again): "))?;
            if first != again {
                bail!("the two {what}s differ");
            }
            first
        }
        Source::Ask => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .take(u64::try_from(MAX_SECRET_BYTES + 2).unwrap_or(u64::MAX))
                .read_line(&mut line)?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    if secret.len() > MAX_SECRET_BYTES {
        bail!("the {what} is longer than {MAX_SECRET_BYTES} bytes");
    }
    if secret.is_empty() {
        bail!("no {what} given");
    }
    Ok(secret)
}

/// The source the flags name: a file, the deprecated argument, or else ask.
pub fn source<'a>(file: Option<&'a Path>, argument: Option<String>) -> Source<'a> {
    match (file, argument) {
        (Some(f), _) => Source::File(f),
        (None, Some(a)) => Source::Argument(a),
        (None, None) => Source::Ask,
    }
}
