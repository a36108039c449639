//! `blockbind undo JOURNAL`: reverses what the runs recorded in an import journal confirmed on
//! this API and account (blocks are unblocked, unblocks blocked again), itself journaled in its
//! own journal (default `JOURNAL.undo`), so an interrupted undo resumes, and `undo JOURNAL.undo`
//! redoes. Must not act on a journal of another API or account, and must not read the list
//! unless an unblock needs it (an API that addresses users by the other name).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use blockbind::{BlockOptions, Target};
use blockbind_cli::import::{self as engine, Current, ImportOptions, Summary};
use blockbind_cli::input::Entry;
use blockbind_cli::journal::{self, Journal, JournalKey, Record};
use blockbind_cli::output::terminal_safe;

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::{self, Failure};

/// The `undo` subcommand's flags.
pub(crate) struct UndoArgs<'a> {
    pub(crate) from: &'a Path,
    pub(crate) journal: Option<&'a Path>,
    pub(crate) concurrency: u16,
    pub(crate) dry_run: bool,
}

/// What undoing a journal does on one API and account: the targets to unblock and to block.
#[derive(Debug, Default, PartialEq, Eq)]
struct Reversal {
    unblock: Vec<Entry>,
    block: Vec<Entry>,
}

/// The reversal of `records` for `api` and `user`. Each target's net change is reversed: a
/// target blocked (and not unblocked since) is unblocked, and the other way round; a target
/// blocked and then unblocked in the same journal is where it started and is left alone.
/// A journal with no record of this API and account is refused, naming whose it is.
fn reversal(records: &[Record], api: &str, user: &str) -> Result<Reversal, String> {
    let ours: Vec<&Record> = records
        .iter()
        .filter(|r| r.api == api && r.user == user)
        .collect();
    if ours.is_empty() {
        let mut keys: Vec<String> = records
            .iter()
            .map(|r| format!("{} as {}", r.api, r.user))
            .collect();
        keys.dedup();
        return Err(match keys.first() {
            Some(_) => format!(
                "this journal is of {}, not of {api} as {user}: undo it with that --platform and --user",
                keys.join(", ")
            ),
            None => "this journal records nothing confirmed: nothing to undo".to_string(),
        });
    }
    // First and last operation of each target, in journal order.
    let mut seen: HashMap<&Target, (&str, &Record)> = HashMap::new();
    let mut order = Vec::new();
    for r in ours {
        match seen.get_mut(&r.target) {
            Some((_, last)) => *last = r,
            None => {
                seen.insert(&r.target, (r.operation.as_str(), r));
                order.push(&r.target);
            }
        }
    }
    let mut out = Reversal::default();
    for target in order {
        let (first, last) = seen[target];
        if first != last.operation {
            continue;
        }
        let entry = Entry {
            line: last.line,
            target: target.clone(),
            also: None,
        };
        match first {
            "block" => out.unblock.push(entry),
            _ => out.block.push(entry),
        }
    }
    Ok(out)
}

pub(crate) async fn run(cli: &Cli, args: UndoArgs<'_>) -> Result<u8, Failure> {
    let records = journal::read(args.from).map_err(|e| Failure::usage(e.to_string()))?;
    let session = context::config(cli)?;
    let (api, list, account) = context::block_list(cli, &session).await?;
    let account = context::require_account(account)?;
    let plan = reversal(&records, api.name(), &account)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.from.display())))?;
    let undo_path = args.journal.map(Path::to_path_buf).unwrap_or_else(|| {
        let mut p = args.from.as_os_str().to_os_string();
        p.push(".undo");
        PathBuf::from(p)
    });
    let mut code = 0;
    for (unblock, entries) in [(true, plan.unblock), (false, plan.block)] {
        if entries.is_empty() {
            continue;
        }
        let operation = if unblock { "unblock" } else { "block" };
        if args.dry_run {
            for entry in entries.iter().take(20) {
                println!(
                    "would {operation} {} (journal line {})",
                    entry.target, entry.line
                );
            }
            println!("dry run: {} to {operation}; nothing sent", entries.len());
            continue;
        }
        let key = JournalKey {
            operation,
            api: api.name().to_string(),
            user: account.clone(),
        };
        let mut journal =
            Journal::open(&undo_path, &key).map_err(|e| Failure::usage(e.to_string()))?;
        let mut summary = Summary::default();
        let todo: Vec<Entry> = entries
            .into_iter()
            .filter(|e| {
                let done = journal.is_done(&e.target);
                summary.journaled += usize::from(done);
                !done
            })
            .collect();
        // An unblock by the name the API does not address users by finds it on the list: read
        // once, and only then.
        let current = if unblock && todo.iter().any(|e| list.unblock_reads_list(&e.target)) {
            Current::read(&*list, context::page_options(cli)).await?
        } else {
            Current::default()
        };
        if !cli.quiet {
            eprintln!(
                "undo: {} to {operation} ({} done by an earlier undo); journal {}",
                todo.len(),
                summary.journaled,
                undo_path.display()
            );
        }
        let options = ImportOptions {
            unblock,
            concurrency: usize::from(args.concurrency),
            dry_run: false,
            block_options: BlockOptions::default(),
            quiet: cli.quiet,
            verbose: cli.verbose > 0,
        };
        engine::run(
            &*list,
            &current,
            todo,
            &mut journal,
            &options,
            || session.config.rate_limit_state(),
            &mut summary,
        )
        .await;
        println!(
            "undo: {} {operation}ed; {} done by an earlier undo; failed: {}",
            summary.done,
            summary.journaled,
            summary.failed.len()
        );
        for f in &summary.failed {
            println!(
                "  failed: journal line {}: {}: {}",
                f.entry.line,
                f.entry.target,
                terminal_safe(&f.error.to_string())
            );
        }
        if let Some(e) = &summary.aborted {
            println!(
                "stopped early (run the same command again to resume): {}",
                terminal_safe(&e.to_string())
            );
        }
        let this = exit::summary_code(&summary);
        if code == 0 {
            code = this;
        }
        if summary.aborted.is_some() {
            break;
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(operation: &str, target: &str, line: usize) -> Record {
        Record {
            operation: operation.into(),
            api: "twitch-helix".into(),
            user: "141981764".into(),
            target: Target::parse(target).unwrap(),
            line,
        }
    }

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.target.as_str()).collect()
    }

    #[test]
    fn each_targets_net_change_is_reversed_and_a_round_trip_is_left_alone() {
        let records = [
            record("block", "1", 2),
            record("block", "2", 3),
            record("block", "3", 4),
            record("unblock", "2", 6),
            record("unblock", "4", 7),
        ];
        let r = reversal(&records, "twitch-helix", "141981764").unwrap();
        assert_eq!(names(&r.unblock), ["1", "3"]);
        assert_eq!(names(&r.block), ["4"]);
        assert_eq!(r.unblock[1].line, 4);
    }

    #[test]
    fn a_journal_of_another_api_or_account_is_refused_naming_whose_it_is() {
        let records = [record("block", "1", 2)];
        let e = reversal(&records, "x-v2", "2244994945").unwrap_err();
        assert!(e.contains("twitch-helix as 141981764"), "{e}");
        let e = reversal(&records, "twitch-helix", "12826").unwrap_err();
        assert!(e.contains("not of twitch-helix as 12826"), "{e}");
        assert!(reversal(&[], "twitch-helix", "1").is_err());
    }
}
