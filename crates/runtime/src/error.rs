//! The runtime's typed errors: what it refuses before anything is sent.

use std::fmt;

/// Why a request was refused before sending. Messages name the parameter, value and bound, the
/// operation and the token kind; they never contain a secret.
///
/// It serializes (with serde) to what its message says and no more, which is how it travels
/// through a generated client's `Error::Custom(String)` ([`RequestError::into_hook_message`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum RequestError {
    /// A numeric parameter outside the spec's `minimum`/`maximum`.
    #[error("{operation}: parameter `{parameter}` = {value} is out of range: {bound}")]
    OutOfRange {
        /// The operation's `operationId`.
        operation: String,
        /// The parameter's wire name.
        parameter: String,
        /// The value given, as sent.
        value: String,
        /// The range the spec allows.
        bound: Bound,
    },
    /// A string parameter longer or shorter than the spec allows.
    #[error("{operation}: parameter `{parameter}` is {length} characters long: {bound}")]
    BadLength {
        /// The operation's `operationId`.
        operation: String,
        /// The parameter's wire name.
        parameter: String,
        /// The value's length in characters.
        length: usize,
        /// The lengths the spec allows.
        bound: Bound,
    },
    /// An array parameter with more values than the spec's `maxItems`.
    #[error(
        "{operation}: parameter `{parameter}` has {count} values: at most {max} allowed per request"
    )]
    TooManyItems {
        /// The operation's `operationId`.
        operation: String,
        /// The parameter's wire name.
        parameter: String,
        /// How many values the request carried.
        count: usize,
        /// The spec's `maxItems`.
        max: usize,
    },
    /// A parameter that must be an integer is not one.
    #[error("{operation}: parameter `{parameter}` = {value:?} is not an integer")]
    NotAnInteger {
        /// The operation's `operationId`.
        operation: String,
        /// The parameter's wire name.
        parameter: String,
        /// The value given.
        value: String,
    },
    /// A credential or header value with CR, LF, NUL or another control character.
    #[error(
        "{what} contains a control character (CR, LF, NUL, ...) and cannot be sent in a header"
    )]
    InvalidHeaderValue {
        /// What the value is (`user agent`, `client ID`), never the value itself.
        what: String,
    },
    /// An empty credential.
    #[error("{what} is empty")]
    EmptyCredential {
        /// Which credential is empty.
        what: String,
    },
    /// The caller declared its token's scopes and one the operation needs is missing.
    #[error(
        "{operation} needs the scope(s) {missing:?}, which the token does not have (it has {granted:?})"
    )]
    MissingScopes {
        /// The operation's `operationId`.
        operation: String,
        /// The scopes it needs that the token lacks.
        missing: Vec<String>,
        /// The scopes the caller declared for the token.
        granted: Vec<String>,
    },
    /// The credential is the wrong kind for the operation (e.g. an app-only bearer token on a
    /// user-context endpoint).
    #[error("{operation} needs {needs}; the client was given {given}")]
    WrongCredentialKind {
        /// The operation's `operationId`.
        operation: String,
        /// The kind of credential it accepts.
        needs: String,
        /// The kind the client holds.
        given: String,
    },
    /// Plain `http://` to a host other than loopback.
    #[error(
        "refusing to send credentials over plain http to {host}: use https (http is only allowed for loopback hosts)"
    )]
    InsecureTransport {
        /// The non-loopback host the URL names.
        host: String,
    },
    /// A URL with userinfo (`https://user:pass@host`): refused rather than turned into Basic
    /// auth. The userinfo is a secret and never shown.
    #[error(
        "the URL to {host} has a user name or password in it (user:pass@): refused; pass credentials through the config, not the URL"
    )]
    UserinfoInUrl {
        /// The URL's host, without the userinfo.
        host: String,
    },
    /// A path parameter value that would change which path the request goes to (`.`, `..`, or
    /// one holding `/`, `?`, `#`, `%` or a control character), or a path that no longer has the
    /// operation's shape.
    #[error("{operation}: path parameter `{parameter}` = {value:?} is not allowed: {reason}")]
    BadPathValue {
        /// The operation's `operationId`.
        operation: String,
        /// The parameter's name (empty when the path as a whole is wrong).
        parameter: String,
        /// The value, cut short and with control characters escaped.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The operation id is not in the client's operation table (a generator bug).
    #[error("unknown operation `{0}`")]
    UnknownOperation(String),
    /// An OAuth 1.0a base URL with a query or fragment (its parameters are signed separately).
    #[error(
        "the OAuth 1.0a base URL must have no query or fragment: pass its parameters to sign separately"
    )]
    OAuth1BaseUrl,
    /// The OAuth 2.0 token could not be refreshed.
    #[error("refreshing the OAuth 2.0 token failed: {0}")]
    Refresh(String),
}

/// A documented bound, printed as the spec states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bound {
    /// The lowest value (or length) allowed, if any.
    pub min: Option<i64>,
    /// The highest value (or length) allowed, if any.
    pub max: Option<i64>,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) => write!(f, "allowed {a}..={b}"),
            (Some(a), None) => write!(f, "minimum {a}"),
            (None, Some(b)) => write!(f, "maximum {b}"),
            (None, None) => write!(f, "unbounded"),
        }
    }
}

/// Checks a value that will travel in a header: no control characters (CR and LF would split the
/// header), not empty. `what` names the value in the error, never the value itself.
pub fn check_header_value(what: &str, value: &str) -> Result<(), RequestError> {
    if value.is_empty() {
        return Err(RequestError::EmptyCredential { what: what.into() });
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(RequestError::InvalidHeaderValue { what: what.into() });
    }
    Ok(())
}
