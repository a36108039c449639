//! The import's plan by cost: read the current list first (and skip the targets already on it),
//! or send every target directly (blocking and unblocking are idempotent; the journal keeps a
//! resume from sending a confirmed target again). Each plan is counted in requests per
//! rate-limit bucket, with the buckets' published limits from the registry (the specs'
//! `x-rate-limit`) and the list's page size from the spec's bound on its page-size parameter;
//! nothing here names an API or holds a number of its own about one: which operations list, block
//! and unblock, and the page size, come from the API's block list ([`blockbind::list_operations`]).
//!
//! The list's size M decides: the planner takes it from `--list-size`; none of these APIs'
//! lists reports its total through the facade (Kraken's `_total` is read by the pager, X v2's
//! `result_count` is per page), and reading a first page to estimate it is a list read, which
//! is what the plan may want to avoid. Unknown M: the list is read for at most as many pages as
//! cost, in the buckets' capacity (a request of a bucket of L per W uses W / L of it), what sending
//! every target costs ([`probe_pages`]); a list that ends within them was read whole, a longer one
//! is not read further and the rest is sent directly. Like renting skis until renting has cost
//! the price of buying, this costs at most twice the cheaper plan, whatever M is.
//!
//! The rule, with M known: the read costs ceil(M / page) list requests and can save at most
//! min(T, M) of the T sends; it is chosen when, even so, it is cheaper than sending all T:
//! its best case (list pages plus T - min(T, M) sends) takes less waiting for rate-limit windows
//! than sending T, or as much waiting and fewer requests. Estimates count waits for windows
//! from a fresh bucket (n requests in a bucket of L per W: (ceil(n / L) - 1) * W), not the
//! requests' own time. Must not send anything.

use std::time::Duration;

use blockbind::Api;

/// Which plan, as chosen or as `--plan` forces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Read the whole list first and skip what is already done.
    Read,
    /// Send every target directly.
    Send,
}

/// A rate-limit bucket as the registry lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Its name: the API's (shared by every operation) or the operation's.
    pub name: &'static str,
    /// Requests per window; `None`: the spec publishes no limit (the runtime still follows the
    /// platform's headers).
    pub limit: Option<u32>,
    /// The window.
    pub window: Duration,
}

impl Bucket {
    /// The waiting for windows that `n` requests need from a fresh bucket.
    pub fn wait_for(&self, n: u64) -> Duration {
        match self.limit {
            Some(limit) if n > 0 => {
                let windows = n.div_ceil(u64::from(limit)) - 1;
                self.window * u32::try_from(windows).unwrap_or(u32::MAX)
            }
            _ => Duration::ZERO,
        }
    }

    fn describe(&self) -> String {
        match self.limit {
            Some(limit) => format!("{} per {}", limit, duration(self.window)),
            None => "no published limit".to_string(),
        }
    }
}

/// What the planner knows of an API: its list, block and unblock buckets and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The list's bucket.
    pub list: Bucket,
    /// The block (or unblock) bucket.
    pub write: Bucket,
    /// Users a list page holds at most (`None`: not in the spec).
    pub page: Option<u64>,
}

impl Facts {
    /// The facts of `api`'s block (`unblock: false`) or unblock operation and its list, from the
    /// registry's buckets and the operations and page size its block list names
    /// ([`blockbind::list_operations`]); `None` when this build does not have the API.
    pub fn of(api: Api, unblock: bool) -> Option<Self> {
        let ops = blockbind::list_operations(api)?;
        let info = api.info();
        let bucket = |operation: &str| {
            let name = info
                .operations
                .iter()
                .find(|o| o.id == operation)
                .map_or(info.name, |o| o.bucket);
            let found = info.buckets.iter().find(|b| b.name == name);
            Bucket {
                name,
                limit: found.map(|b| b.limit),
                window: Duration::from_secs(found.map_or(0, |b| b.window_seconds)),
            }
        };
        Some(Facts {
            list: bucket(ops.list),
            write: bucket(if unblock { ops.unblock } else { ops.block }),
            page: ops.page_size,
        })
    }
}

/// One plan's requests and the waiting they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// List pages read.
    pub pages: u64,
    /// Blocks or unblocks sent.
    pub writes: u64,
    /// Waiting for rate-limit windows.
    pub wait: Duration,
}

impl Estimate {
    /// All requests.
    pub fn requests(&self) -> u64 {
        self.pages + self.writes
    }

    fn key(&self) -> (Duration, u64) {
        (self.wait, self.requests())
    }
}

/// The waiting of `pages` list reads, then `writes` sends: added when the buckets differ (the
/// read comes first), counted together when they are one bucket.
fn estimate(facts: &Facts, pages: u64, writes: u64) -> Estimate {
    let wait = if facts.list.name == facts.write.name {
        facts.write.wait_for(pages + writes)
    } else {
        facts.list.wait_for(pages) + facts.write.wait_for(writes)
    };
    Estimate {
        pages,
        writes,
        wait,
    }
}

/// The planner's answer: the choice, both estimates where they can be counted, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What the import does.
    pub choice: Choice,
    /// With [`Choice::Read`] of a list of unknown size: read at most this many pages, then send
    /// the rest directly.
    pub probe: Option<u64>,
    /// Reading first, at best (up to min(T, M) targets found on the list) and at worst (none).
    pub read: Option<(Estimate, Estimate)>,
    /// Sending every target.
    pub send: Estimate,
    /// Why, in a sentence.
    pub why: String,
}

/// What the planner is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// Targets left after the journal and the filters.
    pub targets: u64,
    /// The list's size, when known (`--list-size`).
    pub list_size: Option<u64>,
    /// `--plan`.
    pub forced: Option<Choice>,
    /// The list must be read anyway (an unblock by the name the API must find on it).
    pub needs_list: bool,
}

/// How many list pages cost no more, in the buckets' capacity, than sending `targets`: a page
/// of a bucket of L per W uses W / L of it. `None`: a bucket publishes no limit, the costs cannot
/// be weighed.
pub fn probe_pages(facts: &Facts, targets: u64) -> Option<u64> {
    let (list, write) = (facts.list.limit?, facts.write.limit?);
    let num = u128::from(targets) * facts.write.window.as_millis() * u128::from(list);
    let den = u128::from(write) * facts.list.window.as_millis();
    (den > 0).then(|| u64::try_from(num / den).unwrap_or(u64::MAX))
}

/// Chooses between reading and sending (see the module's doc for the rule).
pub fn choose(facts: &Facts, q: Question) -> Plan {
    let mut probe = None;
    let send = estimate(facts, 0, q.targets);
    let read = match (q.list_size, facts.page) {
        (Some(m), Some(page)) => {
            let pages = m.div_ceil(page.max(1)).max(1);
            Some((
                estimate(facts, pages, q.targets - q.targets.min(m)),
                estimate(facts, pages, q.targets),
            ))
        }
        _ => None,
    };
    let (choice, why) = if let Some(forced) = q.forced {
        (forced, "as --plan says".to_string())
    } else if q.needs_list {
        (
            Choice::Read,
            "unblocking by a name the API must find on the list: the list is read once".to_string(),
        )
    } else {
        match (q.list_size, read) {
            (None, _) => match (probe_pages(facts, q.targets), facts.page) {
                (Some(0), _) => (
                    Choice::Send,
                    format!(
                        "the list's size is unknown, and even one page of it costs more than sending all {}",
                        q.targets
                    ),
                ),
                (Some(pages), Some(page)) => {
                    probe = Some(pages);
                    (
                        Choice::Read,
                        format!(
                            "the list's size is unknown (--list-size N tells it): reading at most {pages} pages ({} users), which cost no more than sending all {} in the buckets' capacity; if the list is longer, the rest is sent directly",
                            pages.saturating_mul(page),
                            q.targets
                        ),
                    )
                }
                _ => (
                    Choice::Read,
                    "the list's size is unknown and its cost cannot be weighed (pass --list-size N, or --plan send): reading it first"
                        .to_string(),
                ),
            },
            (Some(_), None) => (
                Choice::Read,
                format!(
                    "{}'s list page size is not in its spec, so the read cannot be counted: reading it first",
                    facts.list.name
                ),
            ),
            (Some(m), Some((best, _))) => {
                if best.key() < send.key() {
                    (
                        Choice::Read,
                        format!(
                            "reading {} pages can save up to {} sends and costs less than sending all {}",
                            best.pages,
                            q.targets.min(m),
                            q.targets
                        ),
                    )
                } else {
                    (
                        Choice::Send,
                        format!(
                            "reading the list ({} pages, {} of waiting) cannot pay for itself: at best it saves {} of {} sends, and sending them all takes {} of waiting",
                            best.pages,
                            duration(best.wait),
                            q.targets.min(m),
                            q.targets,
                            duration(send.wait)
                        ),
                    )
                }
            }
        }
    };
    Plan {
        choice,
        probe,
        read,
        send,
        why,
    }
}

impl Plan {
    /// The plan as printed before sending: both options with their requests and waits, the
    /// buckets they fall in, the choice and why.
    pub fn describe(&self, facts: &Facts, operation: &str) -> String {
        let read = match self.read {
            Some((best, worst)) => format!(
                "read the list first: {} list requests ({}: {}) + {}..{} {operation} requests; waiting {}..{}",
                best.pages,
                facts.list.name,
                facts.list.describe(),
                best.writes,
                worst.writes,
                duration(best.wait),
                duration(worst.wait)
            ),
            None => format!(
                "read the list first: its cost is not known ({}: {})",
                facts.list.name,
                facts.list.describe()
            ),
        };
        let send = format!(
            "send directly: {} {operation} requests ({}: {}); waiting {}",
            self.send.writes,
            facts.write.name,
            facts.write.describe(),
            duration(self.send.wait)
        );
        let chosen = match (self.choice, self.probe) {
            (Choice::Read, Some(_)) => "reading the list first, for a bounded number of pages",
            (Choice::Read, None) => "reading the list first",
            (Choice::Send, _) => "sending directly, without reading the list",
        };
        format!("plan: {read}\nplan: {send}\nplan: {chosen}: {}", self.why)
    }
}

/// `1h 30m`, `15m`, `45s`, `0s`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    match (h, m, sec) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, sec) => format!("{m}m {sec}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(targets: u64, list_size: Option<u64>) -> Question {
        Question {
            targets,
            list_size,
            forced: None,
            needs_list: false,
        }
    }

    #[test]
    fn the_facts_come_from_the_registry_and_the_specs_bounds() {
        let x = Facts::of(Api::XV2, false).unwrap();
        let info = Api::XV2.info();
        let find = |name: &str| info.buckets.iter().find(|b| b.name == name).unwrap();
        assert_eq!(x.list.name, "get_users_blocking");
        assert_eq!(x.list.limit, Some(find("get_users_blocking").limit));
        assert_eq!(x.write.name, "block_user");
        assert_eq!(
            Facts::of(Api::XV2, true).unwrap().write.name,
            "unblock_user"
        );
        assert_eq!(
            x.page,
            blockbind::x_v2::API
                .maximum("get_users_blocking", "max_results")
                .map(|m| m as u64)
        );
        let helix = Facts::of(Api::TwitchHelix, false).unwrap();
        assert_eq!(helix.list.name, helix.write.name, "one bucket for the API");
        assert!(helix.page.is_some());
        assert_eq!(Facts::of(Api::XV1, false).unwrap().page, None);
        assert_eq!(
            Facts::of(Api::TwitchKrakenV5, false).unwrap().write.limit,
            None
        );
    }

    #[test]
    fn waits_count_whole_windows_after_the_first() {
        let b = Bucket {
            name: "b",
            limit: Some(15),
            window: Duration::from_secs(900),
        };
        assert_eq!(b.wait_for(0), Duration::ZERO);
        assert_eq!(b.wait_for(15), Duration::ZERO);
        assert_eq!(b.wait_for(16), Duration::from_secs(900));
        assert_eq!(b.wait_for(1_000), Duration::from_secs(66 * 900));
    }

    #[test]
    fn a_huge_list_on_x_v2_and_a_few_targets_are_sent_directly() {
        let facts = Facts::of(Api::XV2, false).unwrap();
        let plan = choose(&facts, ask(20, Some(100_000)));
        assert_eq!(plan.choice, Choice::Send, "{}", plan.why);
        assert_eq!(plan.send.requests(), 20);
        let (best, _) = plan.read.unwrap();
        assert!(best.pages >= 100, "{best:?}");
        assert!(best.wait > Duration::ZERO);
        assert!(plan.why.contains("cannot pay for itself"), "{}", plan.why);
        // The same list re-imported whole: reading saves far more sends than it costs.
        let plan = choose(&facts, ask(100_000, Some(100_000)));
        assert_eq!(plan.choice, Choice::Read, "{}", plan.why);
    }

    #[test]
    fn a_small_list_is_read_and_unknown_sizes_read_as_before() {
        let facts = Facts::of(Api::TwitchHelix, false).unwrap();
        assert_eq!(choose(&facts, ask(50, Some(30))).choice, Choice::Read);
        let unknown = choose(&facts, ask(50, None));
        assert_eq!((unknown.choice, unknown.probe), (Choice::Read, Some(50)));
        assert!(unknown.why.contains("--list-size"), "{}", unknown.why);
        // No published limit (Kraken): nothing to weigh, the list is read whole as before.
        let kraken = choose(
            &Facts::of(Api::TwitchKrakenV5, false).unwrap(),
            ask(50, None),
        );
        assert_eq!((kraken.choice, kraken.probe), (Choice::Read, None));
        let forced = choose(
            &facts,
            Question {
                forced: Some(Choice::Send),
                ..ask(50, Some(30))
            },
        );
        assert_eq!(forced.choice, Choice::Send);
        let needed = choose(
            &facts,
            Question {
                needs_list: true,
                ..ask(50, Some(1_000_000))
            },
        );
        assert_eq!(needed.choice, Choice::Read);
    }

    #[test]
    fn an_unknown_list_is_read_only_as_far_as_sending_would_cost() {
        // X v2: a page uses 900 s / 15 = 60 s of its bucket, a block 900 s / 50 = 18 s of its.
        let x = Facts::of(Api::XV2, false).unwrap();
        assert_eq!(probe_pages(&x, 20), Some(6));
        assert_eq!(probe_pages(&x, 2), Some(0));
        assert_eq!(choose(&x, ask(2, None)).choice, Choice::Send);
        // Helix: one bucket for both, a page costs what a block does.
        assert_eq!(
            probe_pages(&Facts::of(Api::TwitchHelix, false).unwrap(), 20),
            Some(20)
        );
        assert_eq!(
            probe_pages(&Facts::of(Api::TwitchKrakenV2, false).unwrap(), 20),
            None
        );
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(Duration::from_secs(0)), "0s");
        assert_eq!(duration(Duration::from_secs(900)), "15m");
        assert_eq!(duration(Duration::from_secs(5_400)), "1h 30m");
        assert_eq!(duration(Duration::from_secs(59_400)), "16h 30m");
    }
}
