//! `import` and `diff`: compare a file of targets with the current block list, then work
//! through what is left at the rate the platform allows, journaling every confirmed target.

use std::collections::HashMap;

use blockbind::{BlockList, BlockOptions, BlockedUser, Error, PageOptions, Target};
use futures::{StreamExt, TryStreamExt};

use crate::input::{BadLine, Entries, Entry};
use crate::journal::{Journal, Prior};
use crate::progress::{self, Progress, ProgressOptions};

/// What a read of the block list says of the names a run asks about. The list is read once,
/// page by page, and only what the run needs is kept: for each name asked about, whether the
/// list holds it, and the listed user where the run needs their other name (an unblock by login
/// on an API that addresses users by ID). A list of a million users is never held whole: about
/// 8 bytes plus the name's own length per name asked about.
#[derive(Default)]
pub struct Current {
    /// The names asked about, one after another: IDs as given, logins in lower case.
    text: String,
    /// The names asked about, once each, sorted by kind and text.
    names: Vec<Name>,
    /// The listed user of each name found whose user is kept ([`Name::keep`]), by index in
    /// `names`.
    users: HashMap<u32, BlockedUser>,
    /// Listed users that match no name asked about, when asked for ([`Current::keep_others`]).
    others: Option<Vec<BlockedUser>>,
    /// Users the read listed.
    listed: usize,
    /// Whether the API reports logins (X v1.1 lists IDs only).
    has_logins: bool,
    /// Whether the list was read to its end: only then does a user missing from it tell that
    /// they are not blocked (nothing read, or a list read in part, tells nothing).
    whole: bool,
}

/// One name asked about: `text[at..at + len]`.
#[derive(Debug, Clone, Copy)]
struct Name {
    at: u32,
    len: u8,
    login: bool,
    /// The list holds it.
    listed: bool,
    /// Keep its listed user when found.
    keep: bool,
}

impl Current {
    /// A read that has listed nothing yet, asking about `targets`; `keep` says of which the
    /// listed user is kept once found ([`Self::find`]; the others only tell whether they are on
    /// the list).
    pub fn asking<T: std::borrow::Borrow<Target>>(
        targets: impl IntoIterator<Item = T>,
        mut keep: impl FnMut(&Target) -> bool,
    ) -> Self {
        let mut current = Current::default();
        for target in targets {
            let target = target.borrow();
            let (login, name) = match target {
                Target::Id(id) => (false, id.clone()),
                Target::Login(login) => (true, login.to_ascii_lowercase()),
            };
            // Checked names: at most 25 bytes. The text stays under 4 GiB (u32 offsets), which
            // the input's 1 GiB cap keeps it under; a name past it is not asked about (its
            // answer stays `None`: cannot tell, so it is sent).
            let (Ok(at), Ok(len)) = (u32::try_from(current.text.len()), u8::try_from(name.len()))
            else {
                continue;
            };
            current.text.push_str(&name);
            current.names.push(Name {
                at,
                len,
                login,
                listed: false,
                keep: keep(target),
            });
        }
        let text = &current.text;
        current
            .names
            .sort_unstable_by(|a, b| (a.login, a.text(text)).cmp(&(b.login, b.text(text))));
        current.names.dedup_by(|later, kept| {
            let same = later.login == kept.login && later.text(text) == kept.text(text);
            kept.keep |= same && later.keep;
            same
        });
        current.names.shrink_to_fit();
        current
    }

    /// Also keeps the listed users that match no name asked about ([`Self::others`]).
    pub fn keep_others(mut self) -> Self {
        self.others = Some(Vec::new());
        self
    }

    /// Reads the whole block list, one stream of pages. Bounded: the stream fails with the
    /// runtime's `TooManyPages` past `options.page_cap` pages (its default unless set), so a
    /// server that never ends its list cannot make this grow without end.
    pub async fn read(mut self, list: &dyn BlockList, options: PageOptions) -> Result<Self, Error> {
        let mut stream = list.blocked_with(options);
        while let Some(user) = stream.try_next().await? {
            self.push(user);
        }
        self.whole = true;
        Ok(self)
    }

    /// Marks the list as read to its end (a user not on it is not blocked).
    pub fn mark_whole(&mut self) {
        self.whole = true;
    }

    /// Takes one listed user into account.
    pub fn push(&mut self, user: BlockedUser) {
        self.listed += 1;
        let by_id = self.position(false, &user.id);
        self.has_logins |= user.login.is_some();
        let by_login = (user.login.as_ref())
            .and_then(|login| self.position(true, &login.to_ascii_lowercase()));
        let mut matched = false;
        for n in [by_id, by_login].into_iter().flatten() {
            matched = true;
            let name = &mut self.names[n];
            name.listed = true;
            if name.keep {
                // The first listing of a name counts, as in the list's order.
                self.users.entry(n as u32).or_insert_with(|| user.clone());
            }
        }
        if !matched && let Some(others) = &mut self.others {
            others.push(user);
        }
    }

    /// How many users the read listed.
    pub fn listed(&self) -> usize {
        self.listed
    }

    /// The listed users that match no name asked about, in list order (empty unless
    /// [`Self::keep_others`]).
    pub fn others(&self) -> &[BlockedUser] {
        self.others.as_deref().unwrap_or_default()
    }

    fn position(&self, login: bool, text: &str) -> Option<usize> {
        self.names
            .binary_search_by(|n| (n.login, n.text(&self.text)).cmp(&(login, text)))
            .ok()
    }

    fn name_of(&self, target: &Target) -> Option<usize> {
        match target {
            Target::Id(id) => self.position(false, id),
            Target::Login(login) => self.position(true, &login.to_ascii_lowercase()),
        }
    }

    /// The listed user `target` names, if any and if kept ([`Self::asking`]).
    pub fn find(&self, target: &Target) -> Option<&BlockedUser> {
        self.users.get(&(self.name_of(target)? as u32))
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

    /// `Some(blocked?)`, or `None` when the list cannot tell: a name not asked about, a user not
    /// on a list that was not read to its end (or not read at all), a login on an ID-only list.
    pub fn contains(&self, target: &Target) -> Option<bool> {
        let n = self.name_of(target)?;
        if self.names[n].listed {
            return Some(true);
        }
        match target {
            _ if !self.whole => None,
            Target::Login(_) if !(self.has_logins || self.listed == 0) => None,
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

impl Name {
    fn text<'t>(&self, text: &'t str) -> &'t str {
        let at = self.at as usize;
        &text[at..at + usize::from(self.len)]
    }
}

/// Every name of `entries`: their targets and the other names they give.
pub fn names(entries: impl IntoIterator<Item = Entry>) -> impl Iterator<Item = Target> {
    entries
        .into_iter()
        .flat_map(|e| std::iter::once(e.target).chain(e.also))
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

/// Splits the file's entries into what is left to do (journal and diff applied); takes them,
/// so a long file's entries are not held twice.
pub fn plan(
    entries: Entries,
    current: &Current,
    journal: Option<&Journal>,
    unblock: bool,
    summary: &mut Summary,
) -> Entries {
    entries
        .into_iter()
        .filter(|entry| {
            if journal.is_some_and(|j| j.is_done(&entry.target)) {
                summary.journaled += 1;
                false
            } else if current.blocks(entry) == Some(!unblock) {
                summary.already += 1;
                false
            } else {
                true
            }
        })
        .collect()
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
    entries: Entries,
    unblock: bool,
    created_after: Option<chrono::DateTime<chrono::Utc>>,
    summary: &mut Summary,
) -> Result<Entries, Error> {
    let wanted = |e: &Entry| created_after.is_some() || matches!(e.target, Target::Login(_));
    if (unblock && created_after.is_none()) || !entries.iter().any(|e| wanted(&e)) {
        return Ok(entries);
    }
    let targets: Vec<Target> = entries
        .iter()
        .filter(|e| wanted(e))
        .map(|e| e.target)
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
    let mut out = Entries::default();
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
                // The platform's ID, checked as one read from a file would be (a server's
                // oddity is this entry's error, not a request with it).
                let id = match Target::id(user.id) {
                    Ok(id) => id,
                    Err(error) => {
                        summary.unresolved.push(Failure { entry, error });
                        continue;
                    }
                };
                let also = match &entry.target {
                    Target::Login(_) => Some(entry.target.clone()),
                    Target::Id(_) => entry.also.clone(),
                };
                out.push(Entry {
                    target: id,
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
    todo: Entries,
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

#[cfg(test)]
mod tests {
    use super::*;
    use blockbind::{Api, Platform};

    fn user(id: &str, login: Option<&str>) -> BlockedUser {
        BlockedUser {
            platform: Platform::Twitch,
            api: Api::TwitchHelix,
            id: id.into(),
            login: login.map(Into::into),
            display_name: Some(format!("shown {id}")),
            blocked_at: None,
            created_at: None,
        }
    }

    fn entry(target: Target, also: Option<Target>) -> Entry {
        Entry {
            line: 1,
            target,
            also,
        }
    }

    fn id(s: &str) -> Target {
        Target::id(s).unwrap()
    }

    fn login(s: &str) -> Target {
        Target::login(s).unwrap()
    }

    #[test]
    fn a_read_answers_for_the_names_asked_about_and_keeps_no_one_else() {
        let asked = [id("11"), login("Carol"), id("13")];
        let mut current = Current::asking(&asked, |_| false);
        for u in [
            user("11", Some("alice")),
            user("12", Some("carol")),
            user("99", Some("zed")),
        ] {
            current.push(u);
        }
        // Read in part: only what was seen is known.
        assert_eq!(current.contains(&id("11")), Some(true));
        assert_eq!(
            current.contains(&login("CAROL")),
            Some(true),
            "logins in any case"
        );
        assert_eq!(current.contains(&id("13")), None);
        current.mark_whole();
        assert_eq!(current.contains(&id("13")), Some(false));
        assert_eq!(current.listed(), 3);
        // Not asked about: the read cannot tell, and kept nothing of them.
        assert_eq!(current.contains(&id("99")), None);
        assert!(current.others().is_empty());
        assert!(
            current.find(&id("11")).is_none(),
            "no user kept unless asked"
        );
        // An entry is blocked by either name it gives.
        let e = entry(id("13"), Some(login("carol")));
        assert_eq!(current.blocks(&e), Some(true));
        assert_eq!(current.prior(&entry(id("13"), None)), Prior::Unblocked);
    }

    #[test]
    fn the_listed_user_is_kept_where_asked_first_listing_first() {
        let asked = [login("bob"), id("7")];
        let mut current = Current::asking(&asked, |t| matches!(t, Target::Login(_)));
        current.push(user("21", Some("Bob")));
        current.push(user("22", Some("bob")));
        current.push(user("7", Some("seven")));
        current.mark_whole();
        let bob = current.find(&login("BOB")).expect("kept");
        assert_eq!(bob.id, "21", "the list's first listing");
        assert_eq!(bob.display_name.as_deref(), Some("shown 21"));
        assert!(current.find(&id("7")).is_none(), "on the list, not kept");
        assert_eq!(current.contains(&id("7")), Some(true));
        assert_eq!(
            current
                .find_entry(&entry(id("5"), Some(login("bob"))))
                .map(|u| &u.id[..]),
            Some("21"),
            "by the entry's other name"
        );
    }

    #[test]
    fn others_are_the_listed_users_matching_no_name_in_list_order() {
        let asked = [id("1"), login("b")];
        let mut current = Current::asking(&asked, |_| false).keep_others();
        for u in [
            user("1", None),
            user("2", Some("B")),
            user("3", None),
            user("4", Some("d")),
        ] {
            current.push(u);
        }
        let others: Vec<&str> = current.others().iter().map(|u| &u.id[..]).collect();
        assert_eq!(others, ["3", "4"]);
    }

    #[test]
    fn an_id_only_list_cannot_tell_of_logins_unless_it_is_empty() {
        let asked = [login("amy"), id("5")];
        let mut ids_only = Current::asking(&asked, |_| false);
        ids_only.push(user("9", None));
        ids_only.mark_whole();
        assert_eq!(ids_only.contains(&login("amy")), None);
        assert_eq!(ids_only.contains(&id("5")), Some(false));
        let empty = Current::asking(&asked, |_| false);
        assert_eq!(empty.contains(&login("amy")), None, "nothing read");
        let mut read_empty = Current::asking(&asked, |_| false);
        read_empty.mark_whole();
        assert_eq!(read_empty.contains(&login("amy")), Some(false));
    }

    #[test]
    fn a_name_asked_twice_is_kept_if_either_asks() {
        let asked = [id("3"), id("3")];
        let mut n = 0;
        let mut current = Current::asking(&asked, |_| {
            n += 1;
            n == 2
        });
        current.push(user("3", None));
        assert!(current.find(&id("3")).is_some());
    }

    /// A list whose user lookup answers with `id` for every name.
    struct LookupAnswers {
        id: &'static str,
    }

    impl BlockList for LookupAnswers {
        fn api(&self) -> Api {
            Api::TwitchHelix
        }
        fn blocked_with(
            &self,
            _: PageOptions,
        ) -> futures::stream::BoxStream<'_, Result<BlockedUser, Error>> {
            Box::pin(futures::stream::empty())
        }
        fn block(
            &self,
            _: Target,
            _: BlockOptions,
        ) -> futures::future::BoxFuture<'_, Result<(), Error>> {
            Box::pin(async { unreachable!("resolve sends nothing") })
        }
        fn unblock(&self, _: Target) -> futures::future::BoxFuture<'_, Result<(), Error>> {
            Box::pin(async { unreachable!("resolve sends nothing") })
        }
        fn resolve<'a>(
            &'a self,
            targets: &'a [Target],
        ) -> futures::future::BoxFuture<'a, Result<Option<blockbind::Resolution>, Error>> {
            let id = self.id;
            Box::pin(async move { Ok(Some(targets.iter().map(|_| Ok(user(id, None))).collect())) })
        }
    }

    #[test]
    fn an_id_a_lookup_returns_is_checked_before_it_becomes_a_target() {
        let run = |id| {
            let entries: Entries = [entry(login("amy"), None)].into_iter().collect();
            let mut summary = Summary::default();
            let out = futures::executor::block_on(resolve(
                &LookupAnswers { id },
                entries,
                false,
                None,
                &mut summary,
            ))
            .unwrap();
            (out, summary)
        };
        let (out, summary) = run("../../x");
        assert!(out.is_empty(), "a path-changing ID is never sent");
        assert_eq!(summary.unresolved.len(), 1);
        assert_eq!(summary.unresolved[0].entry.target, login("amy"));
        assert!(
            matches!(summary.unresolved[0].error, Error::InvalidTarget { .. }),
            "{:?}",
            summary.unresolved[0].error
        );
        let (out, summary) = run("41");
        assert!(summary.unresolved.is_empty());
        let e = out.get(0).unwrap();
        assert_eq!((e.target, e.also), (id("41"), Some(login("amy"))));
    }

    #[test]
    fn plan_skips_what_the_list_already_holds() {
        let entries: Entries = [
            entry(id("1"), None),
            entry(id("2"), None),
            entry(login("c"), None),
        ]
        .into_iter()
        .collect();
        let mut current = Current::asking(names(entries.iter()), |_| false);
        current.push(user("1", Some("a")));
        current.push(user("3", Some("c")));
        current.mark_whole();
        let shown = |todo: &Entries| -> Vec<String> {
            todo.iter().map(|e| e.target.as_str().to_string()).collect()
        };
        let mut summary = Summary::default();
        let todo = plan(entries, &current, None, false, &mut summary);
        assert_eq!(shown(&todo), ["2"]);
        assert_eq!(summary.already, 2);
        let mut summary = Summary::default();
        let entries = [entry(id("1"), None), entry(id("2"), None)]
            .into_iter()
            .collect();
        let todo = plan(entries, &current, None, true, &mut summary);
        assert_eq!(shown(&todo), ["1"]);
        assert_eq!(summary.already, 1, "an unblock skips the unlisted");
    }
}
