//! The library half of the `blockbind` command (the binary is `src/main.rs`): reading import
//! files, the resumable journal, the import engine, list output, progress and credentials.
//! Public so they can be fuzzed and tested on their own; it talks to the APIs only through the
//! `blockbind` facade.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

pub mod age;
pub mod credentials;
pub mod import;
pub mod input;
pub mod journal;
pub mod output;
pub mod pace;
pub mod plan;
pub mod progress;
pub mod token_store;
