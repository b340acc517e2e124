//! `hongyan export marc|csv FILE`: the catalogue into a file `hongyan import` reads back.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hongyan_domain::catalog::export::{ExportSummary, Exporter, Format};
use hongyan_domain::catalog::marc::Flavour;
use hongyan_domain::{text, Error, Locale, Text};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::cli::ExportCommand;

/// Titles between updates of the progress line's words.
const PROGRESS_EVERY: usize = 256;

/// Runs an export. A file is written beside its place and moved there when complete, so
/// it is never seen half-written; `-` writes to standard output (the summary then goes to
/// standard error).
///
/// # Errors
/// A bad `--flavour`, a file that cannot be written, or a database fault.
pub async fn export(db: &DatabaseConnection, cmd: ExportCommand) -> anyhow::Result<ExportSummary> {
    let (path, format) = match &cmd {
        ExportCommand::Marc { file, flavour } => {
            let flavour = flavour.parse::<Flavour>().map_err(said)?;
            (file, Format::Marc(flavour))
        }
        ExportCommand::Csv { file } => (file, Format::Csv),
    };
    let exporter = Exporter::new(db, format);
    let bar = progress(exporter.titles().await.map_err(said)?);
    let to_stdout = path.as_os_str() == "-";
    let written = if to_stdout {
        write(exporter, std::io::stdout(), &bar).await
    } else {
        let part = part_of(path);
        let file = File::create(&part).map_err(|e| cannot_write(path, &e))?;
        let written = write(exporter, file, &bar).await;
        match written {
            Ok(_) => std::fs::rename(&part, path).map_err(|e| cannot_write(path, &e))?,
            Err(_) => drop(std::fs::remove_file(&part)),
        }
        written
    };
    bar.finish_and_clear();
    let summary = written.map_err(|e| match e {
        Error::Internal(cause) => match cause.downcast_ref::<std::io::Error>() {
            Some(io) => cannot_write(path, io),
            None => cause,
        },
        other => said(other),
    })?;
    let listed = summary.warnings.iter().map(|w| {
        let line = text!("export-warning", position = w.position, title = &w.title);
        line.arg_text("reason", w.reason.clone())
    });
    let unlisted = summary.warned - summary.warnings.len();
    let totals = text!(
        "export-summary",
        titles = summary.titles,
        copies = summary.copies,
        records = summary.records,
        warned = summary.warned,
    );
    let more = Text::new("export-warnings-more");
    crate::import::report(listed, (unlisted, more), &totals, to_stdout);
    Ok(summary)
}

async fn write(
    exporter: Exporter<'_, DatabaseConnection>,
    out: impl Write,
    bar: &ProgressBar,
) -> hongyan_domain::Result<ExportSummary> {
    exporter
        .write(BufWriter::new(out), |s| {
            bar.set_position(s.titles as u64);
            if s.titles % PROGRESS_EVERY == 1 {
                let words = text!("export-progress", titles = s.titles, copies = s.copies);
                bar.set_message(words.render(Locale::Chinese));
            }
        })
        .await
}

/// Where the file is written until it is complete.
fn part_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

fn cannot_write(path: &Path, e: &std::io::Error) -> anyhow::Error {
    let words = text!("export-cannot-write", file = path.display(), detail = e);
    anyhow::anyhow!(words.render(Locale::Chinese))
}

/// A domain error in the words people read (a fault keeps its cause, for the log).
pub(crate) fn said(e: Error) -> anyhow::Error {
    match e {
        Error::Internal(cause) | Error::Unavailable(cause) => cause,
        other => anyhow::anyhow!(other.message(Locale::Chinese)),
    }
}

fn progress(titles: u64) -> ProgressBar {
    let bar = ProgressBar::new(titles);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
