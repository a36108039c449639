//! The mock's configuration: the world's size and seed, rate limits, injected faults and the
//! checks it runs. Read from a YAML or JSON file by the binary, built in code by tests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A rate-limit bucket: `limit` requests per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window's length, in milliseconds.
    pub window_ms: u64,
}

/// Injected faults, each a probability per request (0.0..=1.0), drawn from a seeded generator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// A 500 Internal Server Error instead of the answer.
    pub p_500: f64,
    /// A 503 Service Unavailable instead of the answer.
    pub p_503: f64,
    /// A 429 although the bucket has room (reset one second ahead).
    pub p_429: f64,
    /// The connection is closed before any response byte.
    pub p_reset: f64,
    /// The body stops halfway (the connection is cut after the headers and half the body). A
    /// response without a body (a 204) has nothing to truncate and goes out whole.
    pub p_truncate: f64,
    /// The operation runs (a block is applied), then the connection is closed before any
    /// response byte: the platform did the work and the client never hears it.
    pub p_reset_after_apply: f64,
    /// The operation runs, then its response is cut: the headers and half the body, or half
    /// the status line of a response without a body. The client never hears the outcome either.
    pub p_cut_after_apply: f64,
    /// Added to every request.
    pub latency_ms: u64,
}

impl Faults {
    /// Whether any fault (or latency) is on.
    pub fn any(&self) -> bool {
        self.p_500
            + self.p_503
            + self.p_429
            + self.p_reset
            + self.p_truncate
            + self.p_reset_after_apply
            + self.p_cut_after_apply
            > 0.0
            || self.latency_ms > 0
    }
}

/// The sign-in endpoints' clock: how long what they issue lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInConfig {
    /// Lifetime of a Twitch access token the device flow or a refresh issues (Twitch: about 4 h).
    pub twitch_token_secs: u64,
    /// Lifetime of an X access token the authorization-code flow or a refresh issues (X: 2 h).
    pub x_token_secs: u64,
    /// When set, a token issued by a sign-in flow also stops working after this many uses
    /// (requests that present it): a test makes a token expire mid-run without waiting.
    pub token_max_uses: Option<u64>,
    /// How long a device code can be approved (Twitch: 1800 s).
    pub device_code_secs: u64,
    /// The polling interval the device endpoint asks for (Twitch: 5 s); polling sooner is
    /// answered `slow_down`.
    pub device_interval_secs: u64,
}

impl Default for SignInConfig {
    fn default() -> Self {
        Self {
            twitch_token_secs: 14_400,
            x_token_secs: 7_200,
            token_max_uses: None,
            device_code_secs: 1_800,
            device_interval_secs: 5,
        }
    }
}

impl SignInConfig {
    /// The platforms' lifetimes, but a device login polls without waiting (interval 0): what a
    /// test of a sign-in wants, so it does not sleep five seconds a poll.
    pub fn without_waits() -> Self {
        Self {
            device_interval_secs: 0,
            ..Self::default()
        }
    }
}

/// Everything configurable; `Default` is what the demo and tests use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MockConfig {
    /// Seeds the world, the tokens and the faults.
    pub seed: u64,
    /// Synthesized users (IDs `POPULATION_BASE..POPULATION_BASE + population`).
    pub population: u64,
    /// Blocks each default user starts with.
    pub initial_blocks: usize,
    /// Replaces the specs' `x-rate-limit` for an API (key: `twitch-helix`, `x-v2`, ...); for an
    /// API without one (Kraken), turns limiting on with one bucket per caller.
    pub rate_limits: BTreeMap<String, Bucket>,
    /// Turns rate limiting off entirely.
    pub rate_limiting: bool,
    /// Faults to inject (none by default).
    pub faults: Faults,
    /// Kraken's block-list cap (blocking past it evicts the oldest); `None` for no cap.
    pub kraken_block_cap: Option<usize>,
    /// Checks every answer an operation gives against its documented responses and records
    /// violations (see [`crate::MockServer::violations`]); injected 500s, 503s and resets, and answers
    /// that reach no operation, are documented by no spec and not checked.
    pub validate_responses: bool,
    /// Accepts OAuth 1.0a `PLAINTEXT` signatures (for tools such as schemathesis that send a
    /// fixed header). X itself only accepts HMAC-SHA1.
    pub oauth1_plaintext: bool,
    /// The X access level (plan) the mock answers as, e.g. `basic`; `None`: every level, so
    /// every operation is served. Under a level, an X operation whose spec's `x-availability`
    /// does not list it answers 403 `client-forbidden` (reason `client-not-enrolled`, with a
    /// `registration_url`), as X does: with `basic`, X v2 blocking and unblocking.
    pub x_access_level: Option<String>,
    /// The sign-in endpoints' token lifetimes and device-flow timing.
    pub sign_in: SignInConfig,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            population: 10_000_000,
            initial_blocks: 3,
            rate_limits: BTreeMap::new(),
            rate_limiting: true,
            faults: Faults::default(),
            kraken_block_cap: Some(1000),
            validate_responses: true,
            oauth1_plaintext: false,
            x_access_level: None,
            sign_in: SignInConfig::default(),
        }
    }
}
