//! One module per subcommand, each with a `run` that returns the exit code or a `Failure`;
//! `context` holds what several commands share. Commands must not parse arguments or pick
//! exit codes themselves: that is `args` and `exit`.

pub(crate) mod auth;
pub(crate) mod block;
pub(crate) mod bulk;
pub(crate) mod completions;
pub(crate) mod context;
pub(crate) mod diff;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod man;
#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod undo;
