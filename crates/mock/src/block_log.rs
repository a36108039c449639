//! The block log: every block request the mock received, filed by (platform, acting user,
//! target) in arrival order, with whether a success for that pair had already been *delivered*
//! (its response written in full to the connection) when it arrived, whether it applied the
//! block, and how it was answered. "Exactly once, measured by the server" reads it: one apply
//! event per target, and no request after a delivered success. It records; it never changes what
//! the mock answers.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::{MockServer, Platform};

/// A fault the mock injected into one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFault {
    /// The connection was closed before the request reached the platform.
    Reset,
    /// A 500, a 503 or an extra 429 answered in the platform's place.
    Status(u16),
    /// The answer's body was cut halfway (whatever answered: the operation or a refusal).
    Truncated,
    /// The operation ran (the block was applied), then the connection was closed before any
    /// response byte.
    ResetAfterApply,
    /// The operation ran (the block was applied), then its response was cut.
    CutAfterApply,
}

impl InjectedFault {
    /// A post-apply fault: the operation ran (the block was applied), then its answer was lost.
    pub fn after_apply(self) -> bool {
        matches!(self, Self::ResetAfterApply | Self::CutAfterApply)
    }
}

/// One block request, as the mock saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRequest {
    /// Its place among all the block requests the mock received (the first is 0); compare with
    /// [`MockServer::block_requests_received`] taken at any moment.
    pub seq: u64,
    /// A success for the same user and target had been delivered before it arrived: the client
    /// had the answer and sent again.
    pub after_delivered_success: bool,
    /// It blocked the target (the list changed): the apply event.
    pub applied: bool,
    /// The status the mock answered with; `None` when the connection was reset instead.
    pub status: Option<u16>,
    /// The fault injected into it, if any.
    pub fault: Option<InjectedFault>,
    /// Its response was written in full: the last byte went to the connection.
    pub delivered: bool,
}

impl BlockRequest {
    /// A 2xx written in full: from here on the client knows the target is blocked.
    pub fn delivered_success(&self) -> bool {
        self.delivered && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// (platform, acting user, target).
pub(crate) type BlockKey = (Platform, String, String);

/// Where one request's record is, to complete it as the request goes through the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogEntry {
    key: BlockKey,
    index: usize,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct BlockLog {
    received: u64,
    requests: HashMap<BlockKey, Vec<BlockRequest>>,
    delivered_success: HashSet<BlockKey>,
}

impl BlockLog {
    /// Files a block request the moment it arrives, before anything answers it.
    pub(crate) fn arrive(&mut self, key: BlockKey) -> LogEntry {
        let request = BlockRequest {
            seq: self.received,
            after_delivered_success: self.delivered_success.contains(&key),
            applied: false,
            status: None,
            fault: None,
            delivered: false,
        };
        self.received += 1;
        let list = self.requests.entry(key.clone()).or_default();
        list.push(request);
        LogEntry {
            key,
            index: list.len() - 1,
        }
    }

    pub(crate) fn get_mut(&mut self, entry: &LogEntry) -> Option<&mut BlockRequest> {
        self.requests.get_mut(&entry.key)?.get_mut(entry.index)
    }

    /// An operation applied the block of `key` while serving `current`. Should the request not
    /// have been filed under that key, it is filed now: no apply event goes unlogged.
    pub(crate) fn applied(&mut self, key: BlockKey, current: Option<&LogEntry>) {
        let entry = match current {
            Some(e) if e.key == key => e.clone(),
            _ => self.arrive(key),
        };
        if let Some(r) = self.get_mut(&entry) {
            r.applied = true;
        }
    }

    /// The response to `entry` was written in full.
    pub(crate) fn delivered(&mut self, entry: &LogEntry) {
        let Some(r) = self.get_mut(entry) else {
            return;
        };
        r.delivered = true;
        if r.delivered_success() {
            self.delivered_success.insert(entry.key.clone());
        }
    }
}

impl MockServer {
    /// Every block request acting for `user_id` on `platform`, by target, each target's in
    /// arrival order: requests a fault answered included (filed by the user their credentials
    /// name, before anything checks them). A request whose credentials name no user is not
    /// filed: it cannot block anything.
    pub fn block_log(
        &self,
        platform: Platform,
        user_id: &str,
    ) -> BTreeMap<String, Vec<BlockRequest>> {
        self.shared
            .lock()
            .counters
            .block_log
            .requests
            .iter()
            .filter(|((p, u, _), _)| *p == platform && u == user_id)
            .map(|((_, _, target), requests)| (target.clone(), requests.clone()))
            .collect()
    }

    /// Block requests filed so far, on every platform: the `seq` the next one gets.
    pub fn block_requests_received(&self) -> u64 {
        self.shared.lock().counters.block_log.received
    }
}
