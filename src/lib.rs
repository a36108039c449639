//! blockbind: typed client bindings for the block-list APIs of Twitch (Helix, Kraken v5,
//! Kraken v2) and X (API v2, v1.1), generated from the OpenAPI specs in `specs/`.
//!
//! This root crate is the facade. For now it only guards, through its `build.rs`, that the
//! generated client crates under `crates/` match their specs; re-exports behind one feature per
//! API and the cross-platform block-list API come with the facade work. It must not hold code that
//! belongs to one platform: that lives in the platform's crate or in the shared runtime.
