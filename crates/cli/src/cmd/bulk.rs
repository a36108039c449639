//! `import`'s bulk flags: `--except FILE` (never these users), `--max-rate N/min` (a pace
//! below the platform's) and the plan by cost (`--plan read|send`, `--list-size N`). The import
//! command calls these; they must not send anything but the list read the plan chooses.

use std::path::PathBuf;

use blockbind::{BlockList, PageOptions, Target};
use blockbind_cli::import::{self, Current};
use blockbind_cli::input::{self, Parsed};
use blockbind_cli::journal::Journal;
use blockbind_cli::pace::{MaxRate, Paced, Pacer};
use blockbind_cli::plan::{self, Choice, Facts, Question};

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::Failure;

/// `--plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PlanChoice {
    /// Read the current list first and skip who is already done.
    Read,
    /// Send every target directly (idempotent; the journal keeps resumes right).
    Send,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct BulkFlags {
    /// Never block (or unblock) the users in FILE (any format import reads).
    #[arg(long, value_name = "FILE")]
    pub(crate) except: Option<PathBuf>,
    /// Send at most this many blocks or unblocks per minute (N/min, N/s, N/h); the platform's
    /// own limit still applies when it is lower.
    #[arg(long, value_name = "N/min")]
    pub(crate) max_rate: Option<MaxRate>,
    /// Read the current list first, or send directly; default: whichever costs fewer
    /// rate-limited requests (printed before sending).
    #[arg(long, value_enum)]
    pub(crate) plan: Option<PlanChoice>,
    /// How many users the current list holds, for the plan (no API here reports it without
    /// reading the list); without it the list is read.
    #[arg(long, value_name = "N")]
    pub(crate) list_size: Option<u64>,
}

/// `parsed` without the users `--except` names (by either name an entry has); how many were
/// dropped is printed. Before any request.
pub(crate) fn except(cli: &Cli, mut parsed: Parsed, flags: &BulkFlags) -> Result<Parsed, Failure> {
    let Some(path) = &flags.except else {
        return Ok(parsed);
    };
    let never = context::read_input(path)?;
    context::check_input(cli, &never, never.commands.unblock.is_some())
        .map_err(|f| Failure::usage(format!("--except {}: {}", path.display(), f.message)))?;
    if let Some(bad) = never.bad.first() {
        // An allowlist with a line that is not a user might leave someone unprotected.
        return Err(Failure::usage(format!(
            "--except {}: line {}: {}",
            path.display(),
            bad.line,
            blockbind_cli::output::terminal_safe(&bad.why)
        )));
    }
    let dropped = drop_excepted(&mut parsed, &never);
    if !cli.quiet && dropped > 0 {
        eprintln!(
            "--except: {dropped} of the file's users are in {} and left alone",
            path.display()
        );
    }
    Ok(parsed)
}

/// Removes from `parsed` every entry naming a user of `never`; the count removed.
fn drop_excepted(parsed: &mut Parsed, never: &Parsed) -> usize {
    let key = |t: &Target| match t {
        Target::Id(id) => format!("id:{id}"),
        Target::Login(l) => format!("login:{}", l.to_ascii_lowercase()),
    };
    let names: std::collections::HashSet<String> = never
        .entries
        .iter()
        .flat_map(|e| [Some(e.target), e.also])
        .flatten()
        .map(|t| key(&t))
        .collect();
    let before = parsed.entries.len();
    parsed.entries.retain(|e: &input::Entry| {
        ![Some(&e.target), e.also.as_ref()]
            .into_iter()
            .flatten()
            .any(|t| names.contains(&key(t)))
    });
    before - parsed.entries.len()
}

/// The list to send through: paced by `--max-rate` when given.
pub(crate) fn paced<'a>(list: &'a dyn BlockList, flags: &BulkFlags) -> Box<dyn BlockList + 'a> {
    match flags.max_rate {
        Some(rate) => Box::new(Paced::new(list, Pacer::new(rate))),
        None => Box::new(PassThrough(list)),
    }
}

/// `list` as a box, for the unpaced case.
struct PassThrough<'a>(&'a dyn BlockList);

impl BlockList for PassThrough<'_> {
    fn api(&self) -> blockbind::Api {
        self.0.api()
    }
    fn blocked_with(
        &self,
        options: PageOptions,
    ) -> futures::stream::BoxStream<'_, Result<blockbind::BlockedUser, blockbind::Error>> {
        self.0.blocked_with(options)
    }
    fn block(
        &self,
        target: Target,
        options: blockbind::BlockOptions,
    ) -> futures::future::BoxFuture<'_, Result<(), blockbind::Error>> {
        self.0.block(target, options)
    }
    fn unblock(
        &self,
        target: Target,
    ) -> futures::future::BoxFuture<'_, Result<(), blockbind::Error>> {
        self.0.unblock(target)
    }
    fn unblock_listed(
        &self,
        target: Target,
        listed: Option<blockbind::BlockedUser>,
    ) -> futures::future::BoxFuture<'_, Result<(), blockbind::Error>> {
        self.0.unblock_listed(target, listed)
    }
    fn unblock_reads_list(&self, target: &Target) -> bool {
        self.0.unblock_reads_list(target)
    }
}

/// The plan by cost for what is left of `parsed` after the journal, printed (unless `quiet`),
/// and the list it reads: the whole current list, or nothing (send directly).
pub(crate) async fn current(
    list: &dyn BlockList,
    parsed: &Parsed,
    journal: Option<&Journal>,
    unblock: bool,
    pages: PageOptions,
    flags: &BulkFlags,
    quiet: bool,
) -> Result<Current, Failure> {
    // The entries the journal leaves, each made as it is read (never all held at once).
    let left =
        || (parsed.entries.iter()).filter(|e| !journal.is_some_and(|j| j.is_done(&e.target)));
    let api = list.api();
    // What a read of the list asks about: the names left; the listed user is kept only where an
    // unblock needs its other name.
    let asking = || {
        Current::asking(import::names(left()), |t| {
            unblock && list.unblock_reads_list(t)
        })
    };
    let Some(facts) = Facts::of(api, unblock) else {
        // Not in this build: no list could have been made for it. Read the list, as before.
        return Ok(asking().read(list, pages).await?);
    };
    let plan = plan::choose(
        &facts,
        Question {
            targets: left().count() as u64,
            list_size: flags.list_size,
            forced: flags.plan.map(|p| match p {
                PlanChoice::Read => Choice::Read,
                PlanChoice::Send => Choice::Send,
            }),
            needs_list: unblock && left().any(|e| list.unblock_reads_list(&e.target)),
        },
    );
    if !quiet {
        let operation = if unblock { "unblock" } else { "block" };
        eprintln!("{}", plan.describe(&facts, operation));
        if let Some(rate) = flags.max_rate {
            eprintln!("{}", max_rate_note(rate, &facts.write));
        }
    }
    Ok(match (plan.choice, plan.probe, facts.page) {
        (Choice::Read, Some(budget), Some(page)) => {
            bounded_read(asking(), list, pages, budget.saturating_mul(page), quiet).await?
        }
        (Choice::Read, _, _) => asking().read(list, pages).await?,
        (Choice::Send, _, _) => Current::default(),
    })
}

/// Which pace wins: `--max-rate`, or the platform's bucket (its steady rate, W / L apart).
fn max_rate_note(rate: MaxRate, bucket: &plan::Bucket) -> String {
    let ours = rate.interval();
    match bucket.limit {
        Some(limit) if bucket.window / limit > ours => format!(
            "--max-rate: {} ({}) paces sends {:?} apart, faster than {}'s steady pace ({:?} apart): the platform's limit is the one that holds",
            rate.count,
            plan::duration(rate.per),
            ours,
            bucket.name,
            bucket.window / limit
        ),
        _ => format!(
            "--max-rate: sends at least {ours:?} apart, below {}'s limit; the runtime still paces to the platform",
            bucket.name
        ),
    }
}

/// Reads the list up to `limit` users: all of it when it ends before, else the first `limit`
/// (the rest of the targets are then sent directly: blocking is idempotent). Says which.
async fn bounded_read(
    mut current: Current,
    list: &dyn BlockList,
    pages: PageOptions,
    limit: u64,
    quiet: bool,
) -> Result<Current, Failure> {
    use futures::{StreamExt, TryStreamExt};
    let mut stream = list
        .blocked_with(pages)
        .take(usize::try_from(limit).unwrap_or(usize::MAX));
    while let Some(user) = stream.try_next().await? {
        current.push(user);
    }
    let read = current.listed();
    if (read as u64) < limit {
        current.mark_whole();
    }
    if !quiet {
        if (read as u64) < limit {
            eprintln!("plan: the list ended within the pages allowed: read whole ({read} users)");
        } else {
            eprintln!(
                "plan: the list is longer than the pages allowed: not read further; {read} listed users skipped where named, the rest sent directly"
            );
        }
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_max_rate_note_says_which_pace_holds() {
        let x = Facts::of(blockbind::Api::XV2, false).unwrap().write; // 50 per 15 min: 18 s apart
        let slow = max_rate_note("2/min".parse().unwrap(), &x);
        assert!(
            slow.contains("30s apart, below block_user's limit"),
            "{slow}"
        );
        let fast = max_rate_note("60/min".parse().unwrap(), &x);
        assert!(
            fast.contains("the platform's limit is the one that holds"),
            "{fast}"
        );
    }

    #[test]
    fn except_drops_entries_by_either_name_in_any_case() {
        let mut parsed = input::parse("userName,userID\nBob,11\ncarol,12\ndave,13\n");
        let never = input::parse("@bob\n13\nzed\n");
        assert_eq!(drop_excepted(&mut parsed, &never), 2);
        let left: Vec<String> = (parsed.entries.iter())
            .map(|e| e.target.as_str().to_string())
            .collect();
        assert_eq!(left, ["12"]);
    }
}
