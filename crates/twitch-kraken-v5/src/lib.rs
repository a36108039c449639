//! Typed client for the Twitch Kraken v5 Users reference (users, emotes, subscriptions, follows,
//! blocks, VHS), generated from `specs/twitch-kraken-v5.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: docs and re-exports. The list operations' `stream()`
//! is generated from their `x-pagination`. Code another platform crate also needs belongs in
//! `blockbind-runtime` or the generator, not here.
//!
//! ```no_run
//! # async fn run(client: &blockbind_twitch_kraken_v5::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let blocks: Vec<_> = client
//!     .get_user_block_list()
//!     .user_id("44322889")
//!     .stream() // follows `offset` up to `_total`, 100 per page
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated;
pub use generated::*;

pub use blockbind_runtime::{ApiError, PageOptions};
