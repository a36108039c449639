//! A stateful, spec-driven mock of the five block-list APIs blockbind binds: Twitch Helix,
//! Kraken v5 and v2, X API v2 and v1.1.
//!
//! # In your tests
//!
//! Start it in-process on a free port, seed block lists, point the code under test at
//! [`MockServer::url`] with the [`MockServer::credentials`], then read back what it did (the
//! lists, the counters) and inject faults. This example runs as a test (`cargo test --doc`):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use blockbind_mock::{Api, Faults, MockConfig, MockServer, Platform};
//!
//! // 127.0.0.1, a free port; the server stops when `mock` is dropped.
//! let mock = MockServer::start(MockConfig { initial_blocks: 0, ..MockConfig::default() }).await?;
//! let c = mock.credentials().clone(); // the default users' tokens, every scope
//!
//! // Seed the default Twitch user's list with 30 synthesized users (returned newest first).
//! let seeded = mock.seed_blocks(Platform::Twitch, &c.twitch_user_id, 0, 30);
//! assert_eq!(mock.blocked(Platform::Twitch, &c.twitch_user_id), seeded);
//!
//! // The code under test talks HTTP to the API's base URL; here, plain reqwest.
//! let http = reqwest::Client::new();
//! let helix = mock.url(Api::TwitchHelix); // http://127.0.0.1:<port>/helix
//! let block = |target: &str| {
//!     http.put(format!("{helix}/users/blocks?target_user_id={target}"))
//!         .bearer_auth(&c.twitch_token)
//!         .header("Client-Id", &c.twitch_client_id)
//!         .send()
//! };
//! assert_eq!(block("12826").await?.status(), 204);
//!
//! // What it did, from the mock's side.
//! assert_eq!(mock.blocked(Platform::Twitch, &c.twitch_user_id)[0], "12826");
//! assert_eq!(mock.blocks_applied(Platform::Twitch, &c.twitch_user_id, "12826"), 1);
//! assert_eq!(mock.requests(Api::TwitchHelix, "block_user"), 1);
//!
//! // Faults, from now on: every request answered 503.
//! mock.set_faults(Faults { p_503: 1.0, ..Faults::default() });
//! assert_eq!(block("44322889").await?.status(), 503);
//! assert_eq!(mock.faults_injected(), 1);
//! assert!(!mock.blocked(Platform::Twitch, &c.twitch_user_id).contains(&"44322889".to_string()));
//! mock.set_faults(Faults::default());
//!
//! // Every answer an operation gave matched its spec.
//! assert!(mock.violations().is_empty());
//! # Ok(()) }
//! ```
//!
//! Rate limits are set in [`MockConfig::rate_limits`] (or turned off with
//! [`MockConfig::rate_limiting`]), the world's size and seed in [`MockConfig::population`] and
//! [`MockConfig::seed`]; [`MockServer::issue_twitch_token`], [`MockServer::issue_x_token`] and
//! [`MockServer::issue_oauth1`] give other users' credentials, [`MockServer::revoke`] takes one
//! back, and [`MockServer::block_log`] records every block request.
//!
//! # What it does
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
//!   **faults** (5xx, extra 429s, resets, truncated bodies, latency, and post-apply resets and
//!   cuts: the operation runs, the answer is lost), seedable, off by default.
//! - **Counters** for tests, a **block log** (every block request per target, and whether a
//!   success had already been delivered when it arrived: [`MockServer::block_log`]), and a
//!   **contract check** of every answer an operation gives against its documented responses
//!   (not of injected 500s, 503s and resets, nor of answers that reach no operation: no spec
//!   documents them).
//!
//! Both Kraken versions live under `/kraken`, told apart by the `Accept` header as on Twitch.

#![warn(missing_docs, unreachable_pub)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rand::{Rng, SeedableRng};

mod auth;
mod block_log;
mod cli;
mod config;
mod connection;
mod counters;
mod credentials;
mod handlers;
mod routes;
mod server;
mod world;

pub use auth::OAuth1Issued;
pub use block_log::{BlockRequest, InjectedFault};
pub use blockbind_registry::{Api, Platform};
pub use cli::{CredentialsFormat, MockArgs};
pub use config::{Bucket, Faults, MockConfig, SignInConfig};
pub use credentials::Credentials;
pub use world::{POPULATION_BASE, User};

use auth::Tokens;
pub(crate) use counters::Counters;
use routes::Routes;
use world::World;

/// Why the mock could not start, or could not do what a test asked.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The listening socket could not be bound.
    #[error("could not bind the mock server: {0}")]
    Bind(std::io::Error),
    /// No user has this ID.
    #[error("unknown user {0}")]
    UnknownUser(String),
    /// The [`MockConfig`] is inconsistent (an unknown API, a probability outside 0..=1).
    #[error("bad config: {0}")]
    Config(String),
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
    pub sign_in: handlers::SignIn,
}

pub(crate) struct Shared {
    pub config: MockConfig,
    pub routes: Routes,
    pub state: Mutex<State>,
    pub credentials: Credentials,
}

impl Shared {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every OAuth scope the specs declare, per platform.
fn all_scopes(platform: Platform) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for api in Api::ALL.into_iter().filter(|a| a.platform() == platform) {
        let facts = routes::embedded_spec(api)
            .facts()
            .expect("embedded specs have valid facts");
        for scope in facts.schemes.into_iter().flat_map(|s| s.scopes) {
            if !out.contains(&scope) {
                out.push(scope);
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
    pub async fn start_on(addr: SocketAddr, mut config: MockConfig) -> Result<Self, MockError> {
        // Keys may be an API's name or an alias (`x-v1.1`); the server looks them up by name.
        let mut rate_limits = BTreeMap::new();
        for (name, bucket) in std::mem::take(&mut config.rate_limits) {
            let Some(api) = Api::from_name(&name) else {
                return Err(MockError::Config(format!(
                    "rate_limits: unknown API {name:?} (expected one of {})",
                    Api::names()
                )));
            };
            rate_limits.insert(api.name().to_string(), bucket);
        }
        config.rate_limits = rate_limits;
        for (what, p) in [
            ("p_500", config.faults.p_500),
            ("p_503", config.faults.p_503),
            ("p_429", config.faults.p_429),
            ("p_reset", config.faults.p_reset),
            ("p_truncate", config.faults.p_truncate),
            ("p_reset_after_apply", config.faults.p_reset_after_apply),
            ("p_cut_after_apply", config.faults.p_cut_after_apply),
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
            sign_in: handlers::SignIn::default(),
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

    /// The address it listens on.
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

    /// The default users' credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// The configuration it started with.
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

    /// Makes a token (any kind, access or refresh) stop working.
    pub fn revoke(&self, token: &str) {
        let mut state = self.shared.lock();
        state.tokens.revoke(token);
        state.sign_in.revoke(token);
    }

    /// Twitch's sign-in host (`id.twitch.tv`) on the mock: `/oauth2/device`, `/oauth2/token`,
    /// `/oauth2/validate`, `/oauth2/revoke` are under it.
    pub fn twitch_id_url(&self) -> String {
        format!("{}/oauth2", self.base_url())
    }

    /// X's authorize URL on the mock (`x.com/i/oauth2/authorize`).
    pub fn x_authorize_url(&self) -> String {
        format!("{}/i/oauth2/authorize", self.base_url())
    }

    /// X's revoke URL on the mock (`api.x.com/2/oauth2/revoke`).
    pub fn x_revoke_url(&self) -> String {
        format!("{}/2/oauth2/revoke", self.base_url())
    }

    /// The user approves the device code `user_code` (shown to them by the device flow) as
    /// `user_id`. False when no pending device code has it.
    pub fn approve_device(&self, user_code: &str, user_id: &str) -> Result<bool, MockError> {
        let mut state = self.shared.lock();
        state
            .world
            .dir
            .by_id(user_id)
            .ok_or_else(|| MockError::UnknownUser(user_id.into()))?;
        Ok(state.sign_in.decide(user_code, Some(user_id)))
    }

    /// The user denies the device code `user_code`. False when no pending device code has it.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.shared.lock().sign_in.decide(user_code, None)
    }

    /// X's authorize requests from now on approve access for `user_id` (default: the default
    /// X user).
    pub fn authorize_as(&self, user_id: &str) -> Result<(), MockError> {
        let mut state = self.shared.lock();
        state
            .world
            .dir
            .by_id(user_id)
            .ok_or_else(|| MockError::UnknownUser(user_id.into()))?;
        state.sign_in.x_user = Some(user_id.to_string());
        Ok(())
    }

    /// The next X authorize request is denied: its redirect carries `error=access_denied`.
    pub fn deny_next_authorization(&self) {
        self.shared.lock().sign_in.deny_next = true;
    }

    /// The user with this ID, named or synthesized.
    pub fn user(&self, id: &str) -> Option<User> {
        self.shared.lock().world.dir.by_id(id)
    }

    /// The user with this login (Twitch) or username (X).
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

    /// Changes the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = faults;
    }
}

pub(crate) fn roll(state: &mut State, p: f64) -> bool {
    p > 0.0 && state.rng.gen_bool(p.min(1.0))
}
