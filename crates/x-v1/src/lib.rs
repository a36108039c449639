//! Typed client for X API v1.1 blocks (`blocks/ids`, `blocks/list`, `blocks/create`,
//! `blocks/destroy`), generated from `specs/x-v1.1.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: docs and re-exports. The list operations' `stream()`
//! is generated from their `x-pagination`. Code another platform crate also needs belongs in
//! `blockbind-runtime` or the generator, not here.
//!
//! ```no_run
//! # async fn run(client: &blockbind_x_v1::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let ids: Vec<_> = client
//!     .get_block_ids()
//!     .stream() // follows `next_cursor`, 5000 IDs per page, as strings
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
