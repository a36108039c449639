//! A stateful, spec-driven mock of the five block-list APIs blockbind binds: Twitch Helix,
//! Kraken v5 and v2, X API v2 and v1.1.
//!
//! ```no_run
//! # async fn demo() -> Result<(), blockbind_mock::MockError> {
//! use blockbind_mock::{Api, MockConfig, MockServer};
//! let mock = MockServer::start(MockConfig::default()).await?;
//! let helix_base = mock.url(Api::TwitchHelix); // http://127.0.0.1:<port>/helix
//! let creds = mock.credentials();              // tokens for the default users, every scope
//! # let _ = (helix_base, creds);
//! # Ok(()) }
//! ```
//!
//! - **Routing and validation come from the spec files** (embedded at build time): paths,
//!   methods, parameter types, enums, bounds, patterns, required parameters and bodies. A request
//!   the spec does not allow is answered in the platform's error shape, naming the parameter.
//! - **A world** deterministic from [`MockConfig::seed`]: named users from the documents'
//!   examples and a synthesized population of [`MockConfig::population`] users, block lists,
//!   follows, subscriptions, emotes and VHS links, changed by the operations as the documents say.
//! - **Auth like the platforms**: tokens bound to a user, a client ID (Twitch) and scopes, issued
//!   programmatically or over HTTP (`GET /auth/authorize?platform=twitch&user_id=..&scope=..`);
//!   X OAuth 1.0a signatures are verified; an X OAuth 2.0 token endpoint refreshes tokens.
//! - **Rate limits** per the specs' `x-rate-limit` (overridable), with the platforms' headers, and
//!   **faults** (5xx, extra 429s, resets, truncated bodies, latency), seedable, off by default.
//! - **Counters** for tests, and a **contract check** of every response against the spec.
//!
//! Both Kraken versions live under `/kraken`, told apart by the `Accept` header as on Twitch.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use blockbind_registry::SchemeKind;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

mod auth;
mod handlers;
mod routes;
mod server;
mod world;

pub use auth::OAuth1Issued;
pub use blockbind_registry::{Api, Platform};
pub use world::{POPULATION_BASE, User};

use auth::Tokens;
use routes::Routes;
use world::World;

/// A rate-limit bucket: `limit` requests per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub limit: u32,
    pub window_ms: u64,
}

/// Injected faults, each a probability per request (0.0..=1.0), drawn from a seeded generator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    pub p_500: f64,
    pub p_503: f64,
    /// A 429 although the bucket has room (reset one second ahead).
    pub p_429: f64,
    /// The connection is closed before any response byte.
    pub p_reset: f64,
    /// The body stops halfway (the connection is cut after the headers and half the body).
    pub p_truncate: f64,
    /// Added to every request.
    pub latency_ms: u64,
}

impl Faults {
    pub fn any(&self) -> bool {
        self.p_500 + self.p_503 + self.p_429 + self.p_reset + self.p_truncate > 0.0
            || self.latency_ms > 0
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
    pub faults: Faults,
    /// Kraken's block-list cap (blocking past it evicts the oldest); `None` for no cap.
    pub kraken_block_cap: Option<usize>,
    /// Checks every response against the spec and records violations (see
    /// [`MockServer::violations`]).
    pub validate_responses: bool,
    /// Accepts OAuth 1.0a `PLAINTEXT` signatures (for tools such as schemathesis that send a
    /// fixed header). X itself only accepts HMAC-SHA1.
    pub oauth1_plaintext: bool,
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
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("could not bind the mock server: {0}")]
    Bind(std::io::Error),
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("bad config: {0}")]
    Config(String),
}

/// The credentials of the default users, with every scope of every spec.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    pub twitch_client_id: String,
    pub twitch_user_id: String,
    pub twitch_login: String,
    /// Works on Helix (`Bearer`) and Kraken (`OAuth`).
    pub twitch_token: String,
    pub x_user_id: String,
    pub x_username: String,
    pub x_oauth2_token: String,
    pub x_oauth2_refresh_token: String,
    /// The client ID the X OAuth 2.0 token endpoint accepts.
    pub x_client_id: String,
    pub x_app_token: String,
    pub x_oauth1: OAuth1Issued,
}

impl Credentials {
    /// The default credentials as the environment variables blockbind reads: every variable a
    /// spec's security scheme names (`x-env`), fed with the default user's credential of that
    /// kind on that platform, in spec order.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for info in Api::ALL.map(Api::info) {
            for scheme in info.schemes {
                let values = match (info.platform, scheme.kind) {
                    (Platform::Twitch, SchemeKind::OAuth2 | SchemeKind::Bearer) => {
                        vec![self.twitch_token.clone()]
                    }
                    (Platform::Twitch, SchemeKind::ApiKeyHeader) => {
                        vec![self.twitch_client_id.clone()]
                    }
                    (Platform::X, SchemeKind::OAuth2 | SchemeKind::Bearer) => {
                        vec![self.x_oauth2_token.clone()]
                    }
                    (Platform::X, SchemeKind::OAuth1) => vec![
                        self.x_oauth1.consumer_key.clone(),
                        self.x_oauth1.consumer_secret.clone(),
                        self.x_oauth1.token.clone(),
                        self.x_oauth1.token_secret.clone(),
                    ],
                    _ => continue,
                };
                for (var, value) in scheme.env.iter().zip(values) {
                    if !out.iter().any(|(v, _)| v == var) {
                        out.push((var, value));
                    }
                }
            }
        }
        out
    }
}

/// What tests can read back.
#[derive(Debug, Default, Clone)]
pub(crate) struct Counters {
    pub requests: BTreeMap<(Api, String), u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub block_requests: HashMap<(Platform, String, String), u64>,
    pub blocks_applied: HashMap<(Platform, String, String), u64>,
    pub violations: Vec<String>,
    pub faults: u64,
}

/// Fixed-window rate-limit state of one bucket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub start: SystemTime,
    pub used: u32,
}

pub(crate) struct State {
    pub world: World,
    pub tokens: Tokens,
    pub counters: Counters,
    pub windows: HashMap<(Api, String, String, String), Window>,
    pub rng: rand::rngs::StdRng,
    pub faults: Faults,
}

pub(crate) struct Shared {
    pub config: MockConfig,
    pub routes: Routes,
    pub state: Mutex<State>,
    pub credentials: Credentials,
}

impl Shared {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every OAuth scope the specs declare, per platform.
fn all_scopes(platform: Platform) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for api in Api::ALL.into_iter().filter(|a| a.platform() == platform) {
        let spec = routes::embedded_spec(api);
        if let Some(serde_json::Value::Object(schemes)) =
            spec.document.pointer("/components/securitySchemes")
        {
            for scheme in schemes.values() {
                if let Some(serde_json::Value::Object(flows)) = scheme.get("flows") {
                    for flow in flows.values() {
                        if let Some(serde_json::Value::Object(scopes)) = flow.get("scopes") {
                            for s in scopes.keys() {
                                if !out.contains(s) {
                                    out.push(s.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if platform == Platform::X && !out.iter().any(|s| s == "offline.access") {
        out.push("offline.access".into());
    }
    out
}

/// A running mock; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

pub(crate) const X_CLIENT_ID: &str = "bW9jay14LWNsaWVudC1pZDoxOmNp";
pub(crate) const TWITCH_CLIENT_ID: &str = "mockclientid0blockbind00000000";
pub(crate) const TWITCH_DEFAULT_USER: &str = "141981764";
pub(crate) const X_DEFAULT_USER: &str = "2244994945";

impl MockServer {
    /// Starts on 127.0.0.1 on a free port.
    pub async fn start(config: MockConfig) -> Result<Self, MockError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr, config: MockConfig) -> Result<Self, MockError> {
        for name in config.rate_limits.keys() {
            if Api::from_name(name).is_none() {
                return Err(MockError::Config(format!(
                    "rate_limits: unknown API {name:?} (expected one of {})",
                    Api::names()
                )));
            }
        }
        for (what, p) in [
            ("p_500", config.faults.p_500),
            ("p_503", config.faults.p_503),
            ("p_429", config.faults.p_429),
            ("p_reset", config.faults.p_reset),
            ("p_truncate", config.faults.p_truncate),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(MockError::Config(format!(
                    "faults.{what} = {p} is not a probability (0.0..=1.0)"
                )));
            }
        }
        let mut world = World::new(config.seed, config.population);
        let mut tokens = Tokens::new(config.seed);
        let twitch_token = tokens.issue_twitch(
            TWITCH_DEFAULT_USER,
            TWITCH_CLIENT_ID,
            &all_scopes(Platform::Twitch),
        );
        let (x_token, x_refresh) = tokens.issue_x_user(X_DEFAULT_USER, &all_scopes(Platform::X));
        let x_app = tokens.issue_x_app();
        let x_oauth1 = tokens.issue_oauth1(X_DEFAULT_USER);
        for (platform, user, named) in [
            (
                Platform::Twitch,
                TWITCH_DEFAULT_USER,
                ["135093069", "27419011"],
            ),
            (Platform::X, X_DEFAULT_USER, ["6253282", "783214"]),
        ] {
            let mut targets: Vec<String> = Vec::new();
            for i in 0..config.initial_blocks {
                let t = match named.get(i) {
                    Some(n) => n.to_string(),
                    None => match world
                        .dir
                        .nth(world::mix(config.seed, i as u64) % config.population.max(1))
                    {
                        Some(u) => u.id,
                        None => continue,
                    },
                };
                targets.push(t);
            }
            // Oldest first, so the documents' first example is the newest.
            for t in targets.iter().rev() {
                world.block(platform, user, t);
            }
        }
        let twitch_user = world.dir.by_id(TWITCH_DEFAULT_USER).expect("named user");
        let x_user = world.dir.by_id(X_DEFAULT_USER).expect("named user");
        let credentials = Credentials {
            twitch_client_id: TWITCH_CLIENT_ID.into(),
            twitch_user_id: twitch_user.id,
            twitch_login: twitch_user.login,
            twitch_token,
            x_user_id: x_user.id,
            x_username: x_user.login,
            x_oauth2_token: x_token,
            x_oauth2_refresh_token: x_refresh,
            x_client_id: X_CLIENT_ID.into(),
            x_app_token: x_app,
            x_oauth1,
        };
        let state = State {
            world,
            tokens,
            counters: Counters::default(),
            windows: HashMap::new(),
            rng: rand::rngs::StdRng::seed_from_u64(config.seed ^ 0xfa17),
            faults: config.faults.clone(),
        };
        let shared = Arc::new(Shared {
            routes: Routes::compile(),
            state: Mutex::new(state),
            credentials,
            config,
        });
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(MockError::Bind)?;
        let addr = listener.local_addr().map_err(MockError::Bind)?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), stopped));
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Stops accepting and closes every connection.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL of one API, to give its client: `http://127.0.0.1:<port>/helix`.
    pub fn url(&self, api: Api) -> String {
        format!("{}{}", self.base_url(), api.info().prefix)
    }

    /// What to tell a person about the running mock: each API's base URL, and the default
    /// credentials as the environment variables blockbind reads, with whose they are.
    pub fn banner(&self) -> String {
        let mut out = String::new();
        for api in Api::ALL {
            let accept = api
                .info()
                .accept
                .map(|a| format!("  (Accept: {a})"))
                .unwrap_or_default();
            out.push_str(&format!("{:<17} {}{accept}\n", api.name(), self.url(api)));
        }
        out.push_str(&format!("x-oauth2-token    {}\n\n", self.x_token_url()));
        let c = self.credentials();
        for (name, value) in c.env_vars() {
            let whose = match name {
                "TWITCH_TOKEN" => format!("   # user {} ({})", c.twitch_user_id, c.twitch_login),
                "X_OAUTH2_TOKEN" | "X_ACCESS_TOKEN" => {
                    format!("   # user {} ({})", c.x_user_id, c.x_username)
                }
                _ => String::new(),
            };
            out.push_str(&format!("{name}={value}{whose}\n"));
        }
        out
    }

    /// The X OAuth 2.0 token endpoint (refresh-token grant).
    pub fn x_token_url(&self) -> String {
        format!("{}/2/oauth2/token", self.base_url())
    }

    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// A Twitch user token for `user_id` with `scopes`, bound to the default client ID.
    pub fn issue_twitch_token(&self, user_id: &str, scopes: &[&str]) -> Result<String, MockError> {
        let mut state = self.shared.lock();
        state
            .world
            .dir
            .by_id(user_id)
            .ok_or_else(|| MockError::UnknownUser(user_id.into()))?;
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        Ok(state
            .tokens
            .issue_twitch(user_id, TWITCH_CLIENT_ID, &scopes))
    }

    /// An X OAuth 2.0 user token (and refresh token) for `user_id` with `scopes`.
    pub fn issue_x_token(
        &self,
        user_id: &str,
        scopes: &[&str],
    ) -> Result<(String, String), MockError> {
        let mut state = self.shared.lock();
        state
            .world
            .dir
            .by_id(user_id)
            .ok_or_else(|| MockError::UnknownUser(user_id.into()))?;
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        Ok(state.tokens.issue_x_user(user_id, &scopes))
    }

    /// X OAuth 1.0a credentials for `user_id`.
    pub fn issue_oauth1(&self, user_id: &str) -> Result<OAuth1Issued, MockError> {
        let mut state = self.shared.lock();
        state
            .world
            .dir
            .by_id(user_id)
            .ok_or_else(|| MockError::UnknownUser(user_id.into()))?;
        Ok(state.tokens.issue_oauth1(user_id))
    }

    /// Makes a token (any kind) stop working.
    pub fn revoke(&self, token: &str) {
        self.shared.lock().tokens.revoke(token);
    }

    pub fn user(&self, id: &str) -> Option<User> {
        self.shared.lock().world.dir.by_id(id)
    }

    pub fn user_by_login(&self, login: &str) -> Option<User> {
        self.shared.lock().world.dir.by_login(login)
    }

    /// The n-th synthesized user.
    pub fn nth_user(&self, n: u64) -> Option<User> {
        self.shared.lock().world.dir.nth(n)
    }

    /// `user_id`'s block list on `platform`, newest first.
    pub fn blocked(&self, platform: Platform, user_id: &str) -> Vec<String> {
        self.shared
            .lock()
            .world
            .list(platform, user_id)
            .map(|l| l.targets())
            .unwrap_or_default()
    }

    /// Adds `count` synthesized users (from the `first`-th on) to `user_id`'s block list, oldest
    /// first, bypassing every API (and Kraken's cap). Returns the targets, newest first.
    pub fn seed_blocks(
        &self,
        platform: Platform,
        user_id: &str,
        first: u64,
        count: u64,
    ) -> Vec<String> {
        let mut state = self.shared.lock();
        let mut added = Vec::new();
        for n in first..first + count {
            let Some(u) = state.world.dir.nth(n) else {
                break;
            };
            state.world.block(platform, user_id, &u.id);
            added.push(u.id);
        }
        added.reverse();
        added
    }

    /// Empties `user_id`'s block list on `platform`.
    pub fn clear_blocks(&self, platform: Platform, user_id: &str) {
        self.shared
            .lock()
            .world
            .blocks
            .remove(&(platform, user_id.to_string()));
    }

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

    /// Requests that reached any operation.
    pub fn total_requests(&self) -> u64 {
        self.shared.lock().counters.requests.values().sum()
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

    /// Faults injected so far.
    pub fn faults_injected(&self) -> u64 {
        self.shared.lock().counters.faults
    }

    /// Changes the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = faults;
    }
}

pub(crate) fn roll(state: &mut State, p: f64) -> bool {
    p > 0.0 && state.rng.gen_bool(p.min(1.0))
}

#[derive(Clone)]
pub(crate) struct KillSwitch(pub Arc<AtomicBool>);

impl KillSwitch {
    pub fn pull(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}
