//! Exit codes and the mapping from errors and import outcomes to them: 0 success, 2 usage,
//! 3 authentication or scope, 4 gave up on rate limits or retries, 5 the access level (plan)
//! does not include the endpoint, 1 anything else.
//! Decides codes only: prints nothing and does no I/O.

use std::path::Path;

use blockbind::Error;
use blockbind_cli::credentials::CredentialsError;
use blockbind_cli::import::Summary;

pub(crate) const SUCCESS: u8 = 0;
pub(crate) const OTHER: u8 = 1;
pub(crate) const USAGE: u8 = 2;
pub(crate) const AUTH: u8 = 3;
pub(crate) const GAVE_UP: u8 = 4;
/// X answered that the app's access level (plan) does not include the endpoint: new tokens will
/// not help, a plan that includes it will.
pub(crate) const NOT_AVAILABLE: u8 = 5;

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self {
            code: OTHER,
            message: message.into(),
        }
    }
}

/// 2 for a usage error clap reports, 0 for `--help` and `--version`.
pub(crate) fn clap_code(e: &clap::Error) -> u8 {
    if e.use_stderr() { USAGE } else { SUCCESS }
}

/// 5 for an endpoint the access level does not include (checked before 3: it is a 403 too),
/// 3 for authentication or scopes, 4 for rate limits or retries given up, else 1.
pub(crate) fn code_of(e: &Error) -> u8 {
    let gave_up = e.is_rate_limited()
        || matches!(
            e.api_error(),
            Some(blockbind::ApiError::Status { attempts, .. }) if *attempts > 1
        );
    if e.is_not_available() {
        NOT_AVAILABLE
    } else if e.is_auth() {
        AUTH
    } else if gave_up {
        GAVE_UP
    } else {
        OTHER
    }
}

/// An import's code: the abort's, else the worst failure's, else 1 for bad lines, else 0.
pub(crate) fn summary_code(s: &Summary) -> u8 {
    if let Some(e) = &s.aborted {
        return code_of(e);
    }
    match s
        .failed
        .iter()
        .chain(&s.unresolved)
        .map(|f| code_of(&f.error))
        .max()
    {
        Some(code) => code,
        None if !s.bad.is_empty() => OTHER,
        None => SUCCESS,
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::InvalidTarget { .. } | Error::NeedsUser { .. } | Error::InvalidConfig(_) => {
                USAGE
            }
            e => code_of(e),
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

impl From<CredentialsError> for Failure {
    fn from(e: CredentialsError) -> Self {
        Self {
            code: AUTH,
            message: e.to_string(),
        }
    }
}

/// "`what` `path`: `e`", exit code 1.
pub(crate) fn io_failure(what: &str, path: &Path, e: std::io::Error) -> Failure {
    Failure::other(format!("{what} {}: {e}", path.display()))
}
