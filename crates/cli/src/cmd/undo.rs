//! `blockbind undo JOURNAL`: reverses what the runs recorded in an import journal confirmed on
//! this API and account (blocks are unblocked, unblocks blocked again), itself journaled in its
//! own journal (default `JOURNAL.undo`), so an interrupted undo resumes, and `undo JOURNAL.undo`
//! redoes. Must not act on a journal of another API or account, and must not read the list
//! unless an unblock needs it (an API that addresses users by the other name). Must not undo a
//! target whose state before the import the journal does not know (`prior:unknown`: sent without
//! a list read covering it; a block of an already blocked user is confirmed as a new one) unless
//! `--include-unknown` asks: unblocking it could remove a block the user had before the run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use blockbind::{BlockOptions, Target};
use blockbind_cli::import::{self as engine, Current, ImportOptions, Summary};
use blockbind_cli::input::{Entries, Entry};
use blockbind_cli::journal::{self, Journal, JournalKey, Prior, Record};
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
    pub(crate) include_unknown: bool,
}

/// What undoing a journal does on one API and account: the targets to unblock and to block,
/// and those left alone because the journal does not know their state before the run.
#[derive(Debug, Default, PartialEq, Eq)]
struct Reversal {
    unblock: Vec<Entry>,
    block: Vec<Entry>,
    /// Blocked by the run, perhaps blocked before it too (`prior:unknown`): not unblocked.
    unknown_blocked: Vec<Entry>,
    /// Unblocked by the run, perhaps not blocked before it either: not blocked.
    unknown_unblocked: Vec<Entry>,
}

/// The reversal of `records` for `api` and `user`. Each target's net change is reversed: a
/// target blocked (and not unblocked since) is unblocked, and the other way round; a target
/// blocked and then unblocked in the same journal is where it started and is left alone. A
/// target whose first record does not know its state before the run (`prior:unknown`, and every
/// record of a journal written before priors were recorded) goes to `unknown_*` instead, unless
/// `include_unknown`. A journal with no record of this API and account is refused, naming whose it is.
fn reversal(
    records: &[Record],
    api: &str,
    user: &str,
    include_unknown: bool,
) -> Result<Reversal, String> {
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
    let mut seen: HashMap<&Target, (&Record, &Record)> = HashMap::new();
    let mut order = Vec::new();
    for r in ours {
        match seen.get_mut(&r.target) {
            Some((_, last)) => *last = r,
            None => {
                seen.insert(&r.target, (r, r));
                order.push(&r.target);
            }
        }
    }
    let mut out = Reversal::default();
    for target in order {
        let (first, last) = seen[target];
        if first.operation != last.operation {
            continue;
        }
        let entry = Entry {
            line: last.line,
            target: target.clone(),
            also: None,
        };
        // Known: the run found it in the state the operation changes (not blocked, for a block);
        // found already in the state it wanted, the run changed nothing to reverse.
        let known = match first.prior {
            Prior::Unknown => false,
            prior if prior == Prior::before(&first.operation) => true,
            _ => continue,
        };
        match (first.operation.as_str(), known || include_unknown) {
            ("block", true) => out.unblock.push(entry),
            ("block", false) => out.unknown_blocked.push(entry),
            (_, true) => out.block.push(entry),
            (_, false) => out.unknown_unblocked.push(entry),
        }
    }
    Ok(out)
}

pub(crate) async fn run(cli: &Cli, args: UndoArgs<'_>) -> Result<u8, Failure> {
    let records = journal::read(args.from).map_err(|e| Failure::usage(e.to_string()))?;
    let session = context::config(cli)?;
    let (api, list, account) = context::block_list(cli, &session).await?;
    let account = context::require_account(account)?;
    let plan = reversal(&records, api.name(), &account, args.include_unknown)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.from.display())))?;
    print_unknown(&plan, args.dry_run);
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
        let todo: Entries = entries
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
            Current::asking(engine::names(todo.iter()), |t| list.unblock_reads_list(t))
                .read(&*list, context::page_options(cli))
                .await?
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
            // The journal says the import found it in the other state (or `--include-unknown`
            // asked; the import left it so either way): what the undo reverses, for a redo.
            prior: Some(if unblock {
                Prior::Blocked
            } else {
                Prior::Unblocked
            }),
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

/// Says how many targets are left alone because the journal does not know their state before
/// the import, why, and how to include them (also in a dry run).
fn print_unknown(plan: &Reversal, dry_run: bool) {
    let left = if dry_run { "would be left" } else { "left" };
    for (entries, done, undo, state) in [
        (
            &plan.unknown_blocked,
            "blocked",
            "unblocking",
            "blocked before it",
        ),
        (
            &plan.unknown_unblocked,
            "unblocked",
            "blocking",
            "not blocked before it",
        ),
    ] {
        if entries.is_empty() {
            continue;
        }
        println!(
            "undo: {} {left} alone: the import {done} them without reading the list for them (sent directly), so they may have been {state}; {undo} them could undo what you did yourself. --include-unknown reverses them too",
            entries.len()
        );
        if dry_run {
            for entry in entries.iter().take(20) {
                println!(
                    "would leave {} alone (journal line {}): state before the import unknown",
                    entry.target, entry.line
                );
            }
        }
    }
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
            prior: Prior::before(operation),
            line,
        }
    }

    fn unknown(operation: &str, target: &str, line: usize) -> Record {
        Record {
            prior: Prior::Unknown,
            ..record(operation, target, line)
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
        let r = reversal(&records, "twitch-helix", "141981764", false).unwrap();
        assert_eq!(names(&r.unblock), ["1", "3"]);
        assert_eq!(names(&r.block), ["4"]);
        assert_eq!(r.unblock[1].line, 4);
    }

    #[test]
    fn a_journal_of_another_api_or_account_is_refused_naming_whose_it_is() {
        let records = [record("block", "1", 2)];
        let e = reversal(&records, "x-v2", "2244994945", false).unwrap_err();
        assert!(e.contains("twitch-helix as 141981764"), "{e}");
        let e = reversal(&records, "twitch-helix", "12826", false).unwrap_err();
        assert!(e.contains("not of twitch-helix as 12826"), "{e}");
        assert!(reversal(&[], "twitch-helix", "1", false).is_err());
    }

    #[test]
    fn a_target_of_unknown_prior_state_is_left_alone_unless_included() {
        let records = [
            record("block", "1", 2),
            unknown("block", "2", 3),
            unknown("unblock", "3", 5),
            record("unblock", "4", 6),
            // Known to be blocked before a block: no change of the run's to reverse.
            Record {
                prior: Prior::Blocked,
                ..record("block", "6", 8)
            },
        ];
        let r = reversal(&records, "twitch-helix", "141981764", false).unwrap();
        assert_eq!(names(&r.unblock), ["1"]);
        assert_eq!(names(&r.block), ["4"]);
        assert_eq!(names(&r.unknown_blocked), ["2"]);
        assert_eq!(names(&r.unknown_unblocked), ["3"]);
        let r = reversal(&records, "twitch-helix", "141981764", true).unwrap();
        assert_eq!(names(&r.unblock), ["1", "2"]);
        assert_eq!(names(&r.block), ["3", "4"]);
        assert!(r.unknown_blocked.is_empty() && r.unknown_unblocked.is_empty());
    }
}
