//! `blockbind import FILE`: block (or unblock) everyone in FILE, resumably, with the journal
//! and the library's import engine; then the summary. The planning and sending are the
//! library's (`blockbind_cli::import`): this module must only wire and report them.

use std::path::{Path, PathBuf};

use blockbind::{Api, BlockList, Config, PageOptions};
use blockbind_cli::import::{self as engine, ImportOptions, Summary};
use blockbind_cli::input;
use blockbind_cli::journal::{Journal, JournalKey, Prior};
use blockbind_cli::output::terminal_safe;

use crate::args::{AgeFlags, BlockFlags, Cli};
use crate::cmd::context;
use crate::exit::{self, Failure};

/// The `import` subcommand's own flags.
pub(crate) struct ImportArgs<'a> {
    pub(crate) file: &'a Path,
    pub(crate) bulk: &'a crate::cmd::bulk::BulkFlags,
    pub(crate) journal: Option<&'a Path>,
    pub(crate) unblock: bool,
    pub(crate) concurrency: u16,
    pub(crate) dry_run: bool,
    pub(crate) flags: BlockFlags,
    pub(crate) age: AgeFlags,
}

pub(crate) async fn run(cli: &Cli, args: ImportArgs<'_>) -> Result<u8, Failure> {
    let parsed = context::read_input(args.file)?;
    context::check_input(cli, &parsed, args.unblock)?;
    let parsed = crate::cmd::bulk::except(cli, parsed, args.bulk)?;
    let session = context::config(cli)?;
    let (api, list, account) = context::block_list(cli, &session).await?;
    let account = context::require_account(account)?;
    let journal_path = args.journal.map(Path::to_path_buf).unwrap_or_else(|| {
        let mut p = args.file.to_path_buf().into_os_string();
        p.push(".journal");
        PathBuf::from(p)
    });
    let options = ImportOptions {
        unblock: args.unblock,
        concurrency: usize::from(args.concurrency),
        dry_run: args.dry_run,
        block_options: args.flags.into(),
        quiet: cli.quiet,
        verbose: cli.verbose > 0,
        prior: None,
    };
    let pages = context::page_options(cli);
    let now = chrono::Utc::now();
    let created_after =
        blockbind_cli::age::created_after(args.age.created_after, args.age.younger_than, now);
    let on = OnList {
        api,
        list: &*list,
        bulk: args.bulk,
        account: &account,
        pages,
        created_after,
    };
    import(&session.config, on, parsed, &journal_path, &options).await
}

/// The list an import works on, and whose it is.
struct OnList<'a> {
    api: Api,
    list: &'a dyn BlockList,
    /// `--except`, `--max-rate`, `--plan`, `--list-size`.
    bulk: &'a crate::cmd::bulk::BulkFlags,
    /// The resolved acting account (the journal's key).
    account: &'a str,
    pages: PageOptions,
    /// The account-age filter (`--created-after`, `--younger-than`).
    created_after: Option<chrono::DateTime<chrono::Utc>>,
}

async fn import(
    config: &Config,
    on: OnList<'_>,
    mut parsed: input::Parsed,
    journal_path: &Path,
    options: &ImportOptions,
) -> Result<u8, Failure> {
    let mut summary = Summary {
        duplicates: parsed.duplicates,
        bad: parsed.bad.clone(),
        dry_run: options.dry_run,
        ..Summary::default()
    };
    for bad in &parsed.bad {
        eprintln!("line {}: {}", bad.line, bad.why);
    }
    let key = JournalKey {
        operation: if options.unblock { "unblock" } else { "block" },
        api: on.api.name().to_string(),
        user: on.account.to_string(),
    };
    let mut journal = if options.dry_run {
        None
    } else {
        Some(Journal::open(journal_path, &key).map_err(|e| Failure::usage(e.to_string()))?)
    };
    if !options.quiet {
        let resumed = journal.as_ref().map_or(0, Journal::done_count);
        eprintln!(
            "{} targets ({} format); journal {} ({resumed} confirmed by an earlier run as {}); reading the current block list to skip what is done",
            parsed.entries.len(),
            parsed.format,
            journal_path.display(),
            on.account,
        );
    }
    // Logins become the IDs the platform has (100 a lookup) before anything is planned, so the
    // dry run shows exactly what the real run sends; names it cannot send are reported here.
    let entries = std::mem::take(&mut parsed.entries);
    parsed.entries = engine::resolve(
        on.list,
        entries,
        options.unblock,
        on.created_after,
        &mut summary,
    )
    .await?;
    for f in &summary.unresolved {
        eprintln!(
            "line {}: {}",
            f.entry.line,
            terminal_safe(&f.error.to_string())
        );
    }
    let current = crate::cmd::bulk::current(
        on.list,
        &parsed,
        journal.as_ref(),
        options.unblock,
        on.pages,
        on.bulk,
        options.quiet,
    )
    .await?;
    let todo = engine::plan(
        std::mem::take(&mut parsed.entries),
        &current,
        journal.as_ref(),
        options.unblock,
        &mut summary,
    );
    if options.dry_run {
        summary.planned = todo.len();
        summary.unknown_prior = todo
            .iter()
            .filter(|e| current.prior(e) == Prior::Unknown)
            .count();
        for entry in todo.iter().take(20) {
            let also = entry
                .also
                .as_ref()
                .map(|a| format!(", {a}"))
                .unwrap_or_default();
            println!(
                "would {} {} (line {}{also})",
                key.operation, entry.target, entry.line
            );
        }
        if todo.len() > 20 {
            println!("... and {} more", todo.len() - 20);
        }
    } else if let Some(journal) = journal.as_mut() {
        engine::run(
            &*crate::cmd::bulk::paced(on.list, on.bulk),
            &current,
            todo,
            journal,
            options,
            || config.rate_limit_state(),
            &mut summary,
        )
        .await;
    }
    print_summary(&summary, &key);
    Ok(exit::summary_code(&summary))
}

fn print_summary(s: &Summary, key: &JournalKey) {
    let verb = if key.operation == "block" {
        "blocked"
    } else {
        "unblocked"
    };
    if s.dry_run {
        println!(
            "dry run: {} to {}, {} already {verb}, {} duplicates, {} bad lines{}; nothing sent",
            s.planned,
            key.operation,
            s.already,
            s.duplicates,
            s.bad.len(),
            resolution_counts(s),
        );
        print_unknown_prior(s, key);
        return;
    }
    println!(
        "done: {} {verb}; skipped: {} already {verb}, {} done by an earlier run, {} duplicates; failed: {}; bad lines: {}{}",
        s.done,
        s.already,
        s.journaled,
        s.duplicates,
        s.failed.len(),
        s.bad.len(),
        resolution_counts(s),
    );
    for f in &s.unresolved {
        println!(
            "  not sent: line {}: {}",
            f.entry.line,
            terminal_safe(&f.error.to_string())
        );
    }
    for f in &s.failed {
        println!(
            "  failed: line {}: {}: {}",
            f.entry.line,
            f.entry.target,
            terminal_safe(&f.error.to_string())
        );
    }
    print_unknown_prior(s, key);
    if let Some(e) = &s.aborted {
        let left = s.planned - s.done - s.failed.len();
        println!(
            "stopped early ({left} not attempted; run the same command again to resume): {}",
            terminal_safe(&e.to_string())
        );
    }
}

/// Targets sent without a list read covering them: the platform confirms a block of a blocked
/// user as it confirms a new one, so `undo` cannot tell which were there before, and says so.
fn print_unknown_prior(s: &Summary, key: &JournalKey) {
    if s.unknown_prior == 0 {
        return;
    }
    let sent = if s.dry_run {
        "would be sent"
    } else {
        "were sent"
    };
    let state = if key.operation == "block" {
        "blocked"
    } else {
        "not blocked"
    };
    println!(
        "note: {} {sent} directly, without reading the list for them: `undo` will not be able to tell which were already {state} before this run, and leaves them alone unless --include-unknown",
        s.unknown_prior
    );
}

/// What the user lookup and the age filter left out, for the summary line (empty when nothing).
fn resolution_counts(s: &Summary) -> String {
    let mut out = String::new();
    if !s.unresolved.is_empty() {
        out.push_str(&format!("; not sent (lookup): {}", s.unresolved.len()));
    }
    if s.too_old > 0 {
        out.push_str(&format!("; outside the age filter: {}", s.too_old));
    }
    out
}
