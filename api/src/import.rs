//! `hongyan import marc|csv FILE`, `hongyan purchases offers VENDOR FILE`, `hongyan index
//! rebuild`, and the summary imports and exports end with.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use hongyan_domain::audit::Actor;
use hongyan_domain::catalog::import::csv::CsvReader;
use hongyan_domain::catalog::import::marc::{HoldingSubfields, MarcReader};
use hongyan_domain::catalog::import::missing::Withdrawal;
use hongyan_domain::catalog::import::{ImportSummary, Importer};
use hongyan_domain::catalog::indexer;
use hongyan_domain::catalog::marc::Flavour;
use hongyan_domain::catalog::record::{ImportRecord, Rejected};
use hongyan_domain::lending::withdrawal::Outcome;
use hongyan_domain::purchases::offers::{self, Feed};
use hongyan_domain::{text, Ctx, Locale, Text};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{FeedFormat, ImportCommand, IndexCommand};
use crate::export::said;

/// Rejections printed in full; the rest are counted.
const SHOW_REJECTED: usize = 50;

/// Runs an import.
///
/// # Errors
/// An unreadable file, a bad `--flavour`, or a database fault.
pub async fn import(ctx: &Ctx, cmd: ImportCommand) -> anyhow::Result<ImportSummary> {
    let (path, net_lending_location, sync) = match &cmd {
        ImportCommand::Marc {
            file,
            net_lending_location,
            sync,
            ..
        }
        | ImportCommand::Csv {
            file,
            net_lending_location,
            sync,
            ..
        } => (file, net_lending_location.clone(), sync),
    };
    // Streamed: one record (a MARC record, a CSV row up to 1 MiB) in memory at a time.
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress(size);
    let input = bar.wrap_read(file);
    let mut importer = Importer::new(ctx)
        .await?
        .net_lending_at(net_lending_location)
        .dry_run(sync.dry_run)
        .withdraw_missing(sync.branch.as_deref().filter(|_| sync.withdraw_missing))
        .map_err(said)?;
    match &cmd {
        ImportCommand::Marc {
            flavour,
            net_lending_subfield,
            status_subfield,
            ..
        } => {
            let flavour = flavour.as_deref().map(str::parse::<Flavour>).transpose()?;
            let subfields = HoldingSubfields {
                net_lending: *net_lending_subfield,
                status: *status_subfield,
            };
            for item in MarcReader::new(input, flavour).holding_subfields(subfields) {
                feed(&mut importer, item, &bar).await?;
            }
        }
        ImportCommand::Csv {
            net_lending_column,
            status_column,
            ..
        } => {
            let reader = CsvReader::new(input)?
                .columns_named(net_lending_column.as_deref(), status_column.as_deref())
                .map_err(said)?;
            for item in reader {
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
    if s.dry_run {
        println!("{}", text!("import-dry-run").render(Locale::Chinese));
    }
    report(listed, (unlisted, more), &summary, false);
    if let Some(w) = &s.withdrawal {
        print_withdrawal(w);
    }
}

/// What `--withdraw-missing` did, in Chinese: the copies (the first of them), then the totals
/// or why nothing was withdrawn.
fn print_withdrawal(w: &Withdrawal) {
    if let Some(why) = &w.refused {
        println!("{}", why.render(Locale::Chinese));
        return;
    }
    let listed = w.listed.iter().map(|c| {
        let outcome = match c.outcome {
            Outcome::Withdrawn => "import-sync-withdrawn",
            Outcome::WithdrawnAndRerouted => "import-sync-rerouted",
            Outcome::InCirculation => "import-sync-kept",
        };
        text!("import-sync-copy", barcode = &c.barcode, title = &c.title)
            .arg_text(
                "status",
                Text::named(format!("state-{}", c.status.as_str())),
            )
            .arg_text("outcome", Text::new(outcome))
    });
    let missing = w.withdrawn + w.kept;
    let totals = text!(
        "import-sync-summary",
        branch = &w.branch,
        missing = missing,
        withdrawn = w.withdrawn,
        rerouted = w.rerouted,
        kept = w.kept
    );
    let unlisted = missing.saturating_sub(w.listed.len());
    report(
        listed,
        (unlisted, Text::new("import-sync-more")),
        &totals,
        false,
    );
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

/// Loads a vendor's feed file (`hongyan purchases offers VENDOR FILE`), as the operator.
///
/// # Errors
/// An unreadable file, an unknown vendor, a feed the domain refuses as a whole, or a
/// database fault.
pub async fn vendor_offers(
    ctx: &Ctx,
    vendor: &str,
    path: &Path,
    format: Option<FeedFormat>,
) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let format = match (format, ext.as_str()) {
        (Some(f), _) => f,
        (None, "csv") => FeedFormat::Csv,
        (None, "mrc" | "iso" | "marc") => FeedFormat::Marc,
        (None, _) => anyhow::bail!("{}", text!("offer-feed-format").render(Locale::Chinese)),
    };
    let id = offers::vendor_id(&ctx.db, vendor).await.map_err(said)?;
    // Read at most one byte past the limit: a larger file is refused without reading it all.
    let limit = u64::try_from(offers::MAX_FEED_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", path.display()))?;
    let feed = match format {
        FeedFormat::Csv => Feed::Csv(std::str::from_utf8(&bytes).map_err(|_| {
            anyhow::anyhow!("{}", text!("offer-feed-not-utf8").render(Locale::Chinese))
        })?),
        FeedFormat::Marc => Feed::Marc(&bytes),
    };
    let done = offers::load(ctx, Actor::System, id, feed)
        .await
        .map_err(said)?;
    let listed = done
        .rejected
        .iter()
        .take(SHOW_REJECTED)
        .map(|(line, reason)| text!("offer-feed-rejected", line = line, reason = reason));
    let totals = text!(
        "offer-feed-summary",
        stored = done.stored,
        rejected = done.rejected.len()
    );
    let unlisted = done.rejected.len().saturating_sub(SHOW_REJECTED);
    report(
        listed,
        (unlisted, Text::new("import-rejected-more")),
        &totals,
        false,
    );
    Ok(())
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
