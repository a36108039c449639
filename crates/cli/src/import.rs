//! `import` and `diff`: compare a file of targets with the current block list, then work
//! through what is left at the rate the platform allows, journaling every confirmed target.

use std::collections::HashMap;

use blockbind::{BlockList, BlockOptions, BlockedUser, Error, PageOptions, Target};
use futures::{StreamExt, TryStreamExt};

use crate::input::{BadLine, Entry, Parsed};
use crate::journal::{Journal, Prior};
use crate::progress::{self, Progress, ProgressOptions};

/// What is on the list now, to compare targets with, and to find the other name of a target
/// from (an unblock by login on an API that addresses users by ID): the list is read once.
#[derive(Default)]
pub struct Current {
    /// Everyone on the list, in the order the API listed them.
    pub users: Vec<BlockedUser>,
    by_id: HashMap<String, usize>,
    by_login: HashMap<String, usize>,
    /// Whether the API reports logins (X v1.1 lists IDs only).
    has_logins: bool,
    /// Whether the list was read to its end: only then does a user missing from it tell that
    /// they are not blocked (nothing read, or a list read in part, tells nothing).
    whole: bool,
}

impl Current {
    /// Reads the whole block list, one stream of pages. Bounded: the stream fails with the
    /// runtime's `TooManyPages` past `options.page_cap` pages (its default unless set), so a
    /// server that never ends its list cannot make this grow without end.
    pub async fn read(list: &dyn BlockList, options: PageOptions) -> Result<Self, Error> {
        let mut current = Current::default();
        let mut stream = list.blocked_with(options);
        while let Some(user) = stream.try_next().await? {
            current.push(user);
        }
        current.whole = true;
        Ok(current)
    }

    /// Marks the list as read to its end (a user not on it is not blocked).
    pub fn mark_whole(&mut self) {
        self.whole = true;
    }

    /// Adds one listed user.
    pub fn push(&mut self, user: BlockedUser) {
        let n = self.users.len();
        self.by_id.entry(user.id.clone()).or_insert(n);
        if let Some(login) = &user.login {
            self.has_logins = true;
            self.by_login.entry(login.to_ascii_lowercase()).or_insert(n);
        }
        self.users.push(user);
    }

    /// The listed user `target` names, if any.
    pub fn find(&self, target: &Target) -> Option<&BlockedUser> {
        let n = match target {
            Target::Id(id) => self.by_id.get(id),
            Target::Login(login) => self.by_login.get(&login.to_ascii_lowercase()),
        };
        n.map(|&n| &self.users[n])
    }

    /// The listed user of `entry`, by either name it has.
    pub fn find_entry(&self, entry: &Entry) -> Option<&BlockedUser> {
        self.find(&entry.target)
            .or_else(|| entry.also.as_ref().and_then(|t| self.find(t)))
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

    /// `Some(blocked?)`, or `None` when the list cannot tell: a user not on a list that was
    /// not read to its end (or not read at all), a login on an ID-only list.
    pub fn contains(&self, target: &Target) -> Option<bool> {
        if self.find(target).is_some() {
            return Some(true);
        }
        match target {
            _ if !self.whole => None,
            Target::Login(_) if !(self.has_logins || self.users.is_empty()) => None,
            _ => Some(false),
        }
    }

    /// The state of `entry`'s user before the run, for the journal: known only where the list
    /// read covers it.
    pub fn prior(&self, entry: &Entry) -> Prior {
        match self.blocks(entry) {
            Some(true) => Prior::Blocked,
            Some(false) => Prior::Unblocked,
            None => Prior::Unknown,
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
    /// Targets the user lookup refused before anything was sent for them: no such user, a
    /// name the platform forbids, the acting account ([`resolve`]).
    pub unresolved: Vec<Failure>,
    /// Targets left out by the account-age filter.
    pub too_old: usize,
    /// Targets sent (or, in a dry run, to send) without a list read covering them: their
    /// journal records say `prior:unknown`, and `undo` leaves them alone by default.
    pub unknown_prior: usize,
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
    /// The state before the run of every target, when the caller knows it (`undo`, from the
    /// journal it reverses); `None`: from `current`, the list read ([`Current::prior`]).
    pub prior: Option<Prior>,
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

/// Resolves the entries' logins to IDs with the API's user lookup (`BlockList::resolve`: 100
/// names a request, each name once), so that the run, and the dry run, send exactly the IDs the
/// platform has: a resolved entry's target becomes the ID (its login kept in `also`); a name of
/// no user, a name the platform forbids and the acting account go to `summary.unresolved`,
/// never sent. With `created_after` (the age filter) IDs are looked up too, and accounts
/// created at or before it (or whose creation date the lookup did not give) are left out.
/// Unblocks by login keep the list read (no lookups) unless the age filter asks for dates. An
/// API without a lookup keeps the entries as they are, and refuses the age filter.
pub async fn resolve(
    list: &dyn BlockList,
    entries: Vec<Entry>,
    unblock: bool,
    created_after: Option<chrono::DateTime<chrono::Utc>>,
    summary: &mut Summary,
) -> Result<Vec<Entry>, Error> {
    let wanted = |e: &Entry| created_after.is_some() || matches!(e.target, Target::Login(_));
    if (unblock && created_after.is_none()) || !entries.iter().any(wanted) {
        return Ok(entries);
    }
    let targets: Vec<Target> = entries
        .iter()
        .filter(|e| wanted(e))
        .map(|e| e.target.clone())
        .collect();
    let Some(found) = list.resolve(&targets).await? else {
        if created_after.is_some() {
            return Err(Error::InvalidConfig(format!(
                "--created-after and --younger-than need account creation dates from a user lookup, which {} does not have",
                list.api()
            )));
        }
        return Ok(entries);
    };
    let mut found = found.into_iter();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if !wanted(&entry) {
            out.push(entry);
            continue;
        }
        match found.next() {
            Some(Ok(user)) => {
                if let Some(after) = created_after
                    && user.created_at.is_none_or(|t| t <= after)
                {
                    summary.too_old += 1;
                    continue;
                }
                let also = match &entry.target {
                    Target::Login(_) => Some(entry.target.clone()),
                    Target::Id(_) => entry.also.clone(),
                };
                out.push(Entry {
                    target: Target::Id(user.id),
                    also,
                    ..entry
                });
            }
            Some(Err(error)) => summary.unresolved.push(Failure { entry, error }),
            None => out.push(entry),
        }
    }
    Ok(out)
}

/// Errors that end the whole run: nothing after them can succeed.
fn ends_the_run(e: &Error) -> bool {
    e.is_auth() || e.is_rate_limited()
}

/// Works through `todo` with `concurrency` requests in flight (the runtime paces them to the
/// rate limit), journaling each confirmed target the moment it is confirmed. Progress is
/// reported on a timer too, so it stays live while the runtime waits for a reset; `rate_limits`
/// reads the limiter's state (`Config::rate_limit_state`). An unblock finds the name the API
/// addresses users by in `current` (the list read to plan), never in another read of the list.
pub async fn run(
    list: &dyn BlockList,
    current: &Current,
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
    let fixed_prior = options.prior;
    // Set when the run must end: no further target is sent, but the ones in flight are still
    // awaited and journaled (the server may already have applied them; dropping them would send
    // them again on resume).
    let stop = std::sync::atomic::AtomicBool::new(false);
    let stopped = &stop;
    let mut results = futures::stream::iter(todo)
        .take_while(move |_| {
            futures::future::ready(!stopped.load(std::sync::atomic::Ordering::Relaxed))
        })
        .map(|entry| async move {
            let listed = current.find_entry(&entry).cloned();
            let send = |target: Target| {
                let listed = listed.clone();
                async move {
                    if unblock {
                        list.unblock_listed(target, listed).await
                    } else {
                        list.block(target, block_options).await
                    }
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
                let prior = fixed_prior.unwrap_or_else(|| current.prior(&entry));
                if let Err(e) = journal.confirm(&entry.target, prior) {
                    // Without the journal a resume could not trust this run: stop here.
                    eprintln!("blockbind: {e}");
                    summary.aborted = Some(Error::InvalidConfig(e.to_string()));
                    break;
                }
                summary.done += 1;
                summary.unknown_prior += usize::from(prior == Prior::Unknown);
            }
            Err(error) if ends_the_run(&error) => {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                summary.aborted.get_or_insert(error);
                continue;
            }
            Err(error) => summary.failed.push(Failure { entry, error }),
        }
        progress.completed();
    }
    drop(results);
    progress.finish();
    let _ = journal.sync();
}
