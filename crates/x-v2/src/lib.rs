//! Typed client for X API v2 Blocks, generated from `specs/x-v2.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it.

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated;
pub use generated::*;
