//! `hongyan import marc|csv FILE`, `hongyan index rebuild`, and the summary imports and exports
//! end with.

use std::time::Duration;

use anyhow::Context as _;
use hongyan_domain::catalog::import::csv::CsvReader;
use hongyan_domain::catalog::import::marc::MarcReader;
use hongyan_domain::catalog::import::{ImportSummary, Importer};
use hongyan_domain::catalog::indexer;
use hongyan_domain::catalog::marc::Flavour;
use hongyan_domain::catalog::record::{ImportRecord, Rejected};
use hongyan_domain::{text, Ctx, Locale, Text};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{ImportCommand, IndexCommand};

/// Rejections printed in full; the rest are counted.
const SHOW_REJECTED: usize = 50;

/// Runs an import.
///
/// # Errors
/// An unreadable file, a bad `--flavour`, or a database fault.
pub async fn import(ctx: &Ctx, cmd: ImportCommand) -> anyhow::Result<ImportSummary> {
    let (path, flavour, net_lending_location) = match &cmd {
        ImportCommand::Marc {
            file,
            flavour,
            net_lending_location,
        } => (file, flavour.as_deref(), net_lending_location.clone()),
        ImportCommand::Csv {
            file,
            net_lending_location,
        } => (file, None, net_lending_location.clone()),
    };
    // Streamed: one record (a MARC record, a CSV row up to 1 MiB) in memory at a time.
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress(size);
    let input = bar.wrap_read(file);
    let mut importer = Importer::new(ctx)
        .await?
        .net_lending_at(net_lending_location);
    match cmd {
        ImportCommand::Marc { .. } => {
            let flavour = flavour.map(str::parse::<Flavour>).transpose()?;
            for item in MarcReader::new(input, flavour) {
                feed(&mut importer, item, &bar).await?;
            }
        }
        ImportCommand::Csv { .. } => {
            for item in CsvReader::new(input)? {
                feed(&mut importer, item, &bar).await?;
            }
        }
    }
    bar.finish_and_clear();
    let summary = importer.finish().await?;
    print_summary(&summary);
    Ok(summary)
}

async fn feed(
    importer: &mut Importer<'_>,
    item: Result<ImportRecord, Rejected>,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    importer.add(item).await?;
    let s = importer.summary();
    bar.set_message(
        text!(
            "import-progress",
            read = s.read,
            rejected = s.rejected.len()
        )
        .render(Locale::Chinese),
    );
    Ok(())
}

fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let eta = text!("import-progress-eta").render(Locale::Chinese);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{bytes}}/{{total_bytes}} {{bytes_per_sec}} {eta} {{eta}} {{msg}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The summary librarians read, in Chinese.
fn print_summary(s: &ImportSummary) {
    let listed = s.rejected.iter().take(SHOW_REJECTED).map(|r| {
        let line = match r.offset {
            Some(offset) => text!("import-rejected-at", position = r.position, offset = offset),
            None => text!("import-rejected", position = r.position),
        };
        line.arg("reason", &r.reason)
    });
    let unlisted = s.rejected.len().saturating_sub(SHOW_REJECTED);
    let summary = text!(
        "import-summary",
        read = s.read,
        titles_created = s.titles_created,
        titles_updated = s.titles_updated,
        items_created = s.items_created,
        items_updated = s.items_updated,
        rejected = s.rejected.len(),
    );
    let more = Text::new("import-rejected-more");
    report(listed, (unlisted, more), &summary, false);
}

/// Prints what people read at the end of an import or export, in Chinese: the `listed`
/// lines, how many more there were (`more` saying the `count` of `unlisted`, when there are
/// any), and the totals; on standard error when standard output carries the file.
pub(crate) fn report(
    listed: impl IntoIterator<Item = Text>,
    (unlisted, more): (usize, Text),
    totals: &Text,
    to_stderr: bool,
) {
    let more = (unlisted > 0).then(|| more.arg("count", unlisted));
    for line in listed.into_iter().chain(more).chain([totals.clone()]) {
        let line = line.render(Locale::Chinese);
        if to_stderr {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
}

/// Runs an index command.
///
/// # Errors
/// A database fault.
pub async fn index(ctx: &Ctx, cmd: IndexCommand) -> anyhow::Result<()> {
    match cmd {
        IndexCommand::Rebuild => {
            let n = indexer::rebuild_everywhere(ctx).await?;
            println!("{n} titles marked for re-indexing; every running process picks them up within seconds");
        }
    }
    Ok(())
}
