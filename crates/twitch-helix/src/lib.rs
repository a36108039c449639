//! Typed client for Twitch Helix API (user blocks), generated from `specs/twitch-helix.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: docs and re-exports. The list operation's `stream()`
//! is generated from its `x-pagination`. Code another platform crate also needs belongs in
//! `blockbind-runtime` or the generator, not here.
//!
//! ```no_run
//! # async fn run(client: &blockbind_twitch_helix::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let blocked: Vec<_> = client
//!     .get_user_block_list()
//!     .broadcaster_id("141981764")
//!     .stream() // follows `pagination.cursor`, 100 per page
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
