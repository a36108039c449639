//! What the mock counts as it answers (requests, statuses, blocks, contract violations,
//! faults), and the [`MockServer`] methods tests read the counts back with.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::block_log::BlockLog;
use crate::{Api, MockServer, Platform};

/// What tests can read back.
#[derive(Debug, Default, Clone)]
pub(crate) struct Counters {
    /// Every request that reached the server, routed or not.
    pub received: u64,
    pub requests: BTreeMap<(Api, String), u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub block_requests: HashMap<(Platform, String, String), u64>,
    pub blocks_applied: HashMap<(Platform, String, String), u64>,
    pub violations: Vec<String>,
    /// Each API's resets (Unix seconds) announced with nothing remaining.
    pub dry_resets: BTreeSet<(Api, u64)>,
    pub faults: u64,
    pub post_apply_faults: u64,
    pub block_log: BlockLog,
}

impl MockServer {
    /// Requests that reached an operation of `api` (faults and refusals included).
    pub fn requests(&self, api: Api, operation_id: &str) -> u64 {
        self.shared
            .lock()
            .counters
            .requests
            .get(&(api, operation_id.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Requests that reached any operation (see [`MockServer::requests_received`] for every
    /// request, routed or not).
    pub fn total_requests(&self) -> u64 {
        self.shared.lock().counters.requests.values().sum()
    }

    /// Every HTTP request that reached the server, whatever it asked for and however it was
    /// answered: an operation's answer, a refusal, a fault, a 404 or 405 for a path or method
    /// no spec has, the OAuth endpoints. "Nothing was sent" is this not moving.
    pub fn requests_received(&self) -> u64 {
        self.shared.lock().counters.received
    }

    /// Responses sent with `status`.
    pub fn responses_with_status(&self, status: u16) -> u64 {
        self.shared
            .lock()
            .counters
            .statuses
            .get(&status)
            .copied()
            .unwrap_or(0)
    }

    /// Block requests for (`user_id`, `target`) that were accepted (whether or not they changed
    /// anything).
    pub fn block_requests(&self, platform: Platform, user_id: &str, target: &str) -> u64 {
        self.shared
            .lock()
            .counters
            .block_requests
            .get(&(platform, user_id.to_string(), target.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Times a block of `target` by `user_id` was applied (the target was not blocked before).
    pub fn blocks_applied(&self, platform: Platform, user_id: &str, target: &str) -> u64 {
        self.shared
            .lock()
            .counters
            .blocks_applied
            .get(&(platform, user_id.to_string(), target.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Every (user, target) pair blocked more than once.
    pub fn blocked_more_than_once(&self, platform: Platform) -> Vec<(String, String, u64)> {
        let state = self.shared.lock();
        let mut out: Vec<_> = state
            .counters
            .blocks_applied
            .iter()
            .filter(|((p, _, _), n)| *p == platform && **n > 1)
            .map(|((_, u, t), n)| (u.clone(), t.clone(), *n))
            .collect();
        out.sort();
        out
    }

    /// Responses that did not match the spec (empty when all did).
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().counters.violations.clone()
    }

    /// The resets the mock announced for `api` with nothing remaining, oldest first: each
    /// window that a request emptied or that refused one with 429 (injected 429s, which are
    /// faults, aside). A client that waits for the reset sends that bucket nothing before it.
    pub fn dry_resets(&self, api: Api) -> Vec<SystemTime> {
        self.shared
            .lock()
            .counters
            .dry_resets
            .iter()
            .filter(|(a, _)| *a == api)
            .map(|(_, reset)| UNIX_EPOCH + Duration::from_secs(*reset))
            .collect()
    }

    /// Faults injected so far (post-apply ones included).
    pub fn faults_injected(&self) -> u64 {
        self.shared.lock().counters.faults
    }

    /// Post-apply faults injected so far: operations that ran and whose answer was then reset or
    /// cut (see [`crate::Faults::p_reset_after_apply`]).
    pub fn post_apply_faults(&self) -> u64 {
        self.shared.lock().counters.post_apply_faults
    }
}
