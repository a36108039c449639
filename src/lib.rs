//! blockbind: typed client bindings for the block-list APIs of Twitch (Helix, Kraken v5,
//! Kraken v2) and X (API v2, v1.1), generated from the OpenAPI specs in `specs/`.
//!
//! The default features (`live`) are the APIs the platforms still serve: Helix, X v2 and X v1.1.
//! Kraken is legacy (Twitch shut v5 down on 2022-02-28 and v2 before it): its clients stay,
//! generated and tested, for archives, the mock and research, behind `twitch-kraken-v5`,
//! `twitch-kraken-v2` or `full`.
//!
//! This root crate is the facade, and thin: it re-exports each generated client behind its
//! feature, builds every client from one [`Config`], and offers the one abstraction the clients
//! do not: [`BlockList`], the same block-list operations on every API. It must not hold code that
//! belongs to one platform's wire format: that lives in the platform's crate or in the shared
//! runtime ([`runtime`]).
//!
//! With `default-features = false, features = ["x-v2"]` only the X v2 client is compiled; the
//! features are listed [below](#features).
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
//! let blocks = XV1Blocks::for_credentials(config.x_v1()?);
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
//!
//! # Features
//!
//! Written by `cargo xtask generate` from `specs/` into `Cargo.toml`, whose comments these are
//! (the README's table has the same text).
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

mod block_list;
mod config;
pub mod credentials;
mod error;
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, missing_docs)]
mod generated;
mod platforms;

pub use block_list::{
    BlockList, BlockOptions, BlockedUser, LOOKUP_BATCH, ListOperations, Resolution, Target,
};
#[cfg(feature = "twitch-helix")]
pub use block_list::{BlockReason, SourceContext};
pub use blockbind_registry::{Api, ApiInfo, Platform, UnknownApi};
pub use config::{Config, ConfigBuilder, DEFAULT_TIMEOUT};
pub use credentials::{Credentials, UserToken};
pub use error::Error;
#[allow(unused_imports, unreachable_pub)] // nothing public without an API feature
pub use generated::*;
pub use platforms::Blocks;

/// What an API's mapping file is written with: the [`ApiMapping`](mapping::ApiMapping) table
/// that [`Blocks`] runs over, and the helpers that keep each mapping a few lines.
pub mod mapping {
    pub use crate::platforms::{Addressing, ApiClient, ApiMapping, Listed, Sent, listed, sent};
}

/// The shared runtime every client runs through (auth, wire fixes, pacing, retries, tracing).
pub use blockbind_runtime as runtime;
pub use blockbind_runtime::{
    ApiError, Auth, CredentialIdentity, OAuth1Credentials, OAuth2UserToken, PageOptions, RateLimit,
    RateLimitState, RequestError, RetryPolicy, Runtime, SendEstimate, SharedRateLimiter,
    WaitReason,
};

/// The HTTP client every generated client sends with ([`ConfigBuilder::http_client`] takes a
/// `reqwest::Client`), re-exported so a caller's version always matches.
pub use reqwest;

/// The support crate of the generated clients: their calls return
/// [`ResponseValue`](progenitor_client::ResponseValue) or
/// [`progenitor_client::Error`]; re-exported so a caller can name them without a dependency of
/// its own.
pub use progenitor_client;

/// Whether this build has `api`'s client (its feature is on).
pub fn enabled(api: Api) -> bool {
    generated::enabled(api)
}
