//! Typed client for X API v2 Blocks, generated from `specs/x-v2.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: docs and re-exports. The list operation's `stream()`
//! is generated from its `x-pagination`. Code another platform crate also needs belongs in
//! `blockbind-runtime` or the generator, not here.
//!
//! ```no_run
//! # async fn run(client: &blockbind_x_v2::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let blocked: Vec<_> = client
//!     .get_users_blocking()
//!     .id("2244994945")
//!     .stream() // follows `meta.next_token`, 1000 per page
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
