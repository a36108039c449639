//! blockbind: typed client bindings for the block-list APIs of Twitch (Helix, Kraken v5,
//! Kraken v2) and X (API v2, v1.1), generated from the OpenAPI specs in `specs/`.
//!
//! This root crate is the facade, and thin: it re-exports each generated client behind its
//! feature, builds every client from one [`Config`], and offers the one abstraction the clients
//! do not: [`BlockList`], the same block-list operations on every API. It must not hold code that
//! belongs to one platform's wire format: that lives in the platform's crate or in the shared
//! runtime ([`runtime`]).
//!
//! | feature | module | API |
//! |---|---|---|
//! | `twitch-helix` | [`twitch_helix`] | Twitch Helix `/helix/users/blocks` |
//! | `twitch-kraken-v5` | [`twitch_kraken_v5`] | Twitch Kraken v5 Users reference |
//! | `twitch-kraken-v2` | [`twitch_kraken_v2`] | Twitch Kraken v2 blocks (by login) |
//! | `x-v2` | [`x_v2`] | X API v2 `/2/users/:id/blocking` |
//! | `x-v1` | [`x_v1`] | X API v1.1 `blocks/*` |
//! | `full` (default) | all five | |
//!
//! With `default-features = false, features = ["x-v2"]` only the X v2 client is compiled.
//!
//! # Quick start
//!
//! Credentials come from the conventional environment variables ([`credentials::ENV_VARS`]) or
//! from [`Credentials`]; [`ConfigBuilder::base_url`] points every API at another origin, such as
//! the mock server (`cargo run -p blockbind-mock`).
//!
//! Twitch Helix (`TWITCH_CLIENT_ID`, `TWITCH_TOKEN`):
//! ```no_run
//! # #[cfg(feature = "twitch-helix")]
//! # async fn helix() -> Result<(), blockbind::Error> {
//! use blockbind::{BlockList, BlockOptions, BlockReason, Config, Target, TwitchHelixBlocks};
//! use futures::TryStreamExt;
//!
//! let config = Config::from_env()?;
//! let blocks = TwitchHelixBlocks::new(config.twitch_helix()?, "141981764");
//! let options = BlockOptions { reason: Some(BlockReason::Spam), ..Default::default() };
//! blocks.block(Target::parse("12826")?, options).await?;
//! let all: Vec<_> = blocks.blocked().try_collect().await?; // every page, 100 at a time
//! # Ok(()) }
//! ```
//!
//! Twitch Kraken v5 (`TWITCH_CLIENT_ID`, `TWITCH_TOKEN`), acting as the token's user:
//! ```no_run
//! # #[cfg(feature = "twitch-kraken-v5")]
//! # async fn kraken() -> Result<(), blockbind::Error> {
//! use blockbind::{BlockList, Config, Target, TwitchKrakenV5Blocks};
//!
//! let config = Config::from_env()?;
//! let blocks = TwitchKrakenV5Blocks::for_token_user(config.twitch_kraken_v5()?).await?;
//! blocks.block(Target::parse("@dallasnchains")?, Default::default()).await?; // login → ID
//! # Ok(()) }
//! ```
//!
//! Twitch Kraken v2 (`TWITCH_TOKEN`), by login:
//! ```no_run
//! # #[cfg(feature = "twitch-kraken-v2")]
//! # async fn kraken_v2() -> Result<(), blockbind::Error> {
//! use blockbind::{BlockList, Config, Target, TwitchKrakenV2Blocks};
//!
//! let config = Config::from_env()?;
//! let blocks = TwitchKrakenV2Blocks::new(config.twitch_kraken_v2()?, "test_user1");
//! blocks.unblock(Target::parse("test_user_troll")?).await?;
//! # Ok(()) }
//! ```
//!
//! X API v2 (`X_OAUTH2_TOKEN`, or the four OAuth 1.0a variables):
//! ```no_run
//! # #[cfg(feature = "x-v2")]
//! # async fn x_v2() -> Result<(), blockbind::Error> {
//! use blockbind::{BlockList, Config, Target, XV2Blocks};
//! use futures::StreamExt;
//!
//! let config = Config::from_env()?;
//! let blocks = XV2Blocks::new(config.x_v2()?, "2244994945");
//! let first_ten: Vec<_> = blocks.blocked().take(10).collect().await;
//! # Ok(()) }
//! ```
//!
//! X API v1.1 (`X_CONSUMER_KEY`, `X_CONSUMER_SECRET`, `X_ACCESS_TOKEN`, `X_ACCESS_TOKEN_SECRET`):
//! ```no_run
//! # #[cfg(feature = "x-v1")]
//! # async fn x_v1() -> Result<(), blockbind::Error> {
//! use blockbind::{BlockList, Config, Target, XV1Blocks};
//!
//! let config = Config::builder().base_url("http://127.0.0.1:8080").credentials_from_env()?.build()?;
//! let blocks = XV1Blocks::new(config.x_v1()?);
//! blocks.block(Target::parse("@TwitterDev")?, Default::default()).await?; // screen_name
//! # Ok(()) }
//! ```
//!
//! Any platform, chosen at run time:
//! ```no_run
//! # async fn any() -> Result<(), blockbind::Error> {
//! use blockbind::{Api, BlockList, Config, Target};
//! use futures::TryStreamExt;
//!
//! let config = Config::from_env()?;
//! let list = config.block_list(Api::XV2, Some(Target::parse("2244994945")?)).await?;
//! let everyone: Vec<_> = list.blocked().try_collect().await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod block_list;
mod config;
pub mod credentials;
mod error;
mod platforms;

pub use block_list::{BlockList, BlockOptions, BlockReason, BlockedUser, SourceContext, Target};
pub use config::{Config, ConfigBuilder, DEFAULT_TIMEOUT};
pub use credentials::Credentials;
pub use error::Error;
#[allow(unused_imports)] // empty without any API feature
pub use platforms::*;

/// The shared runtime every client runs through (auth, wire fixes, pacing, retries, tracing).
pub use blockbind_runtime as runtime;
pub use blockbind_runtime::{
    ApiError, Auth, OAuth1Credentials, OAuth2UserToken, PageOptions, RateLimit, RequestError,
    RetryPolicy, Runtime,
};

#[cfg(feature = "twitch-helix")]
pub use blockbind_twitch_helix as twitch_helix;
#[cfg(feature = "twitch-kraken-v2")]
pub use blockbind_twitch_kraken_v2 as twitch_kraken_v2;
#[cfg(feature = "twitch-kraken-v5")]
pub use blockbind_twitch_kraken_v5 as twitch_kraken_v5;
#[cfg(feature = "x-v1")]
pub use blockbind_x_v1 as x_v1;
#[cfg(feature = "x-v2")]
pub use blockbind_x_v2 as x_v2;

/// The two platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Twitch,
    X,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Twitch => "twitch",
            Self::X => "x",
        })
    }
}

/// The five APIs, named as their features: `twitch-helix`, `twitch-kraken-v5`,
/// `twitch-kraken-v2`, `x-v2`, `x-v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Api {
    #[serde(rename = "twitch-helix")]
    TwitchHelix,
    #[serde(rename = "twitch-kraken-v5")]
    TwitchKrakenV5,
    #[serde(rename = "twitch-kraken-v2")]
    TwitchKrakenV2,
    #[serde(rename = "x-v2")]
    XV2,
    #[serde(rename = "x-v1")]
    XV1,
}

impl Api {
    pub const ALL: [Api; 5] = [
        Api::TwitchHelix,
        Api::TwitchKrakenV5,
        Api::TwitchKrakenV2,
        Api::XV2,
        Api::XV1,
    ];

    /// The API's name, which is also its feature's.
    pub fn name(self) -> &'static str {
        match self {
            Api::TwitchHelix => "twitch-helix",
            Api::TwitchKrakenV5 => "twitch-kraken-v5",
            Api::TwitchKrakenV2 => "twitch-kraken-v2",
            Api::XV2 => "x-v2",
            Api::XV1 => "x-v1",
        }
    }

    /// The feature that compiles the API's client.
    pub fn feature(self) -> &'static str {
        self.name()
    }

    pub fn platform(self) -> Platform {
        match self {
            Api::TwitchHelix | Api::TwitchKrakenV5 | Api::TwitchKrakenV2 => Platform::Twitch,
            Api::XV2 | Api::XV1 => Platform::X,
        }
    }

    /// Whether this build has the API's client.
    pub fn enabled(self) -> bool {
        self.default_base_url().is_some()
    }

    /// The spec's server URL (path prefix included), when the API's feature is on.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            #[cfg(feature = "twitch-helix")]
            Api::TwitchHelix => Some(blockbind_twitch_helix::API.base_url),
            #[cfg(feature = "twitch-kraken-v5")]
            Api::TwitchKrakenV5 => Some(blockbind_twitch_kraken_v5::API.base_url),
            #[cfg(feature = "twitch-kraken-v2")]
            Api::TwitchKrakenV2 => Some(blockbind_twitch_kraken_v2::API.base_url),
            #[cfg(feature = "x-v2")]
            Api::XV2 => Some(blockbind_x_v2::API.base_url),
            #[cfg(feature = "x-v1")]
            Api::XV1 => Some(blockbind_x_v1::API.base_url),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Api {
    type Err = Error;
    /// Reads an API's name (`x-v1.1` is accepted for `x-v1`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim().to_ascii_lowercase();
        Api::ALL
            .into_iter()
            .find(|a| a.name() == s || (s == "x-v1.1" && *a == Api::XV1))
            .ok_or_else(|| {
                Error::InvalidConfig(format!(
                    "unknown platform {s:?}: expected one of {}",
                    Api::ALL.map(Api::name).join(", ")
                ))
            })
    }
}
