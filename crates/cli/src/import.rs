//! `import` and `diff`: compare a file of targets with the current block list, then work
//! through what is left at the rate the platform allows, journaling every confirmed target.

use std::collections::HashSet;

use blockbind::{BlockList, BlockOptions, BlockedUser, Error, Target};
use futures::{StreamExt, TryStreamExt};

use crate::input::{BadLine, Entry, Parsed};
use crate::journal::Journal;
use crate::progress::{self, Progress, ProgressOptions};

/// What is on the list now, to compare targets with.
#[derive(Default)]
pub struct Current {
    /// Everyone on the list, in the order the API listed them.
    pub users: Vec<BlockedUser>,
    ids: HashSet<String>,
    logins: HashSet<String>,
    /// Whether the API reports logins (X v1.1 lists IDs only).
    has_logins: bool,
}

impl Current {
    /// Reads the whole block list.
    pub async fn read(list: &dyn BlockList) -> Result<Self, Error> {
        let mut current = Current::default();
        let mut stream = list.blocked();
        while let Some(user) = stream.try_next().await? {
            current.ids.insert(user.id.clone());
            if let Some(login) = &user.login {
                current.has_logins = true;
                current.logins.insert(login.to_ascii_lowercase());
            }
            current.users.push(user);
        }
        Ok(current)
    }

    /// Whether the user of `entry` is blocked, by either name it has: `Some(true)` if any name is
    /// on the list, `Some(false)` if the list can tell and none is, `None` if it cannot tell.
    pub fn blocks(&self, entry: &Entry) -> Option<bool> {
        let known: Vec<Option<bool>> = [Some(&entry.target), entry.also.as_ref()]
            .into_iter()
            .flatten()
            .map(|t| self.contains(t))
            .collect();
        if known.contains(&Some(true)) {
            Some(true)
        } else if known.contains(&Some(false)) {
            Some(false)
        } else {
            None
        }
    }

    /// `Some(blocked?)`, or `None` when the list cannot tell (a login on an ID-only list).
    pub fn contains(&self, target: &Target) -> Option<bool> {
        match target {
            Target::Id(id) => Some(self.ids.contains(id)),
            Target::Login(login) if self.has_logins || self.users.is_empty() => {
                Some(self.logins.contains(&login.to_ascii_lowercase()))
            }
            Target::Login(_) => None,
        }
    }
}

/// One target that failed, and why.
#[derive(Debug)]
pub struct Failure {
    /// The file's entry.
    pub entry: Entry,
    /// Why the platform (or blockbind) refused it.
    pub error: Error,
}

/// What an import or diff run did, for the report at its end.
#[derive(Debug, Default)]
pub struct Summary {
    /// Targets left to do after the journal and the diff.
    pub planned: usize,
    /// Targets confirmed by this run.
    pub done: usize,
    /// Already in the wanted state on the platform (the diff).
    pub already: usize,
    /// Confirmed by an earlier run (the journal).
    pub journaled: usize,
    /// Named twice in the file.
    pub duplicates: usize,
    /// Lines of the file that are not a target.
    pub bad: Vec<BadLine>,
    /// Targets the platform refused.
    pub failed: Vec<Failure>,
    /// Why the run stopped early (authentication, or rate limits/retries given up).
    pub aborted: Option<Error>,
    /// Nothing was sent: the run only planned.
    pub dry_run: bool,
}

/// How to run an import.
pub struct ImportOptions {
    /// Unblock the file's targets instead of blocking them.
    pub unblock: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Plan and report without sending anything.
    pub dry_run: bool,
    /// Reason and context sent with each block (APIs that take them).
    pub block_options: BlockOptions,
    /// No progress output.
    pub quiet: bool,
    /// Progress says why each rate-limit wait happens.
    pub verbose: bool,
}

/// Splits the file's entries into what is left to do (journal and diff applied).
pub fn plan(
    parsed: &Parsed,
    current: &Current,
    journal: Option<&Journal>,
    unblock: bool,
    summary: &mut Summary,
) -> Vec<Entry> {
    let mut todo = Vec::new();
    for entry in &parsed.entries {
        if journal.is_some_and(|j| j.is_done(&entry.target)) {
            summary.journaled += 1;
            continue;
        }
        if current.blocks(entry) == Some(!unblock) {
            summary.already += 1;
            continue;
        }
        todo.push(entry.clone());
    }
    todo
}

/// Errors that end the whole run: nothing after them can succeed.
fn ends_the_run(e: &Error) -> bool {
    e.is_auth() || e.is_rate_limited()
}

/// Works through `todo` with `concurrency` requests in flight (the runtime paces them to the
/// rate limit), journaling each confirmed target the moment it is confirmed. Progress is
/// reported on a timer too, so it stays live while the runtime waits for a reset; `rate_limits`
/// reads the limiter's state (`Config::rate_limit_state`).
pub async fn run(
    list: &dyn BlockList,
    todo: Vec<Entry>,
    journal: &mut Journal,
    options: &ImportOptions,
    rate_limits: impl Fn() -> Vec<blockbind::RateLimitState>,
    summary: &mut Summary,
) {
    summary.planned = todo.len();
    let mut progress = Progress::new(
        if options.unblock { "unblock" } else { "block" },
        todo.len() as u64,
        ProgressOptions {
            quiet: options.quiet,
            verbose: options.verbose,
        },
        rate_limits,
    );
    let mut ticks = tokio::time::interval(progress::TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let block_options = options.block_options;
    let unblock = options.unblock;
    let mut results = futures::stream::iter(todo)
        .map(|entry| async move {
            let send = |target: Target| async move {
                if unblock {
                    list.unblock(target).await
                } else {
                    list.block(target, block_options).await
                }
            };
            let mut result = send(entry.target.clone()).await;
            // An API that addresses users by the other name: use it, when the file gave it.
            if let (Err(Error::Unresolvable { .. }), Some(also)) = (&result, &entry.also) {
                result = send(also.clone()).await;
            }
            (entry, result)
        })
        .buffer_unordered(options.concurrency.max(1));
    loop {
        let (entry, result) = tokio::select! {
            next = results.next() => match next {
                Some(next) => next,
                None => break,
            },
            _ = ticks.tick() => {
                progress.tick();
                continue;
            }
        };
        match result {
            Ok(()) => {
                if let Err(e) = journal.confirm(&entry.target) {
                    // Without the journal a resume could not trust this run: stop here.
                    eprintln!("blockbind: {e}");
                    summary.aborted = Some(Error::InvalidConfig(e.to_string()));
                    break;
                }
                summary.done += 1;
            }
            Err(error) if ends_the_run(&error) => {
                summary.aborted = Some(error);
                break;
            }
            Err(error) => summary.failed.push(Failure { entry, error }),
        }
        progress.completed();
    }
    drop(results);
    progress.finish();
    let _ = journal.sync();
}
