//! The facade's one error type: every failure of every platform, keeping the platform's status
//! and message.

use blockbind_runtime::{ApiError, RequestError};

use crate::{Api, Target};

/// Why a facade call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The call failed on the API's side or was refused before sending; `source` keeps the
    /// platform's status, message and rate-limit state ([`ApiError::Status`]).
    #[error("{api}: {source}")]
    Api {
        /// The API called.
        api: Api,
        /// The client's error.
        #[source]
        source: Box<ApiError>,
    },
    /// The config has no credentials for the API.
    #[error("{api}: no credentials: set {needs}")]
    MissingCredentials {
        /// The API without credentials.
        api: Api,
        /// The environment variables (or credentials) that would supply them.
        needs: String,
    },
    /// A credential (from the environment or given) cannot be used; the value is never shown.
    #[error("{what}: {source}")]
    InvalidCredential {
        /// Which credential (its variable's name), never its value.
        what: String,
        /// Why the runtime refused it.
        #[source]
        source: Box<RequestError>,
    },
    /// A setting of the config is wrong (a base URL that does not parse, a bad user agent).
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// A target that is not an ID or a login (empty, control characters, too long, ...).
    #[error("invalid target {input:?}: {reason}")]
    InvalidTarget {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The API addresses users by the other kind of name and has no way to resolve this one.
    #[error("{api} cannot {action} {target}: {reason}")]
    Unresolvable {
        /// The API called.
        api: Api,
        /// `block`, `unblock`, ...
        action: &'static str,
        /// The target as given.
        target: Target,
        /// Why it cannot be resolved.
        reason: &'static str,
    },
    /// A login that the API says does not exist.
    #[error("{api}: no user has the login {login:?}")]
    UnknownUser {
        /// The API asked.
        api: Api,
        /// The login it does not know.
        login: String,
    },
    /// A name (login or ID) the API's user lookup does not know: it is never sent.
    #[error("{api}: no such user: {target}")]
    NoSuchUser {
        /// The API asked.
        api: Api,
        /// The target as given.
        target: Target,
    },
    /// A target that is the acting account itself.
    #[error("{api}: {target} is the acting account: you cannot block yourself")]
    SelfTarget {
        /// The API called.
        api: Api,
        /// The target as given.
        target: Target,
    },
    /// The block list of an API needs the acting user and none was given or could be resolved.
    #[error("{api}: {reason}")]
    NeedsUser {
        /// The API called.
        api: Api,
        /// What was missing.
        reason: &'static str,
    },
    /// The API's client is not compiled in.
    #[error("{api} is not built into this blockbind: enable its `{feature}` feature", feature = api.feature())]
    FeatureDisabled {
        /// The API asked for.
        api: Api,
    },
}

impl From<blockbind_registry::UnknownApi> for Error {
    fn from(e: blockbind_registry::UnknownApi) -> Self {
        Self::InvalidConfig(e.to_string())
    }
}

impl Error {
    /// An [`Error::InvalidCredential`].
    pub(crate) fn credential(what: impl Into<String>, source: RequestError) -> Self {
        Self::InvalidCredential {
            what: what.into(),
            source: Box::new(source),
        }
    }

    pub(crate) fn api(api: Api) -> impl Fn(ApiError) -> Self {
        move |source| Self::Api {
            api,
            source: Box::new(source),
        }
    }

    /// The HTTP status the platform answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { source, .. } => source.status(),
            _ => None,
        }
    }

    /// What the platform said, when it answered with an error status.
    pub fn platform_message(&self) -> Option<&str> {
        match self {
            Self::Api { source, .. } => match &**source {
                ApiError::Status { message, .. } => Some(message),
                _ => None,
            },
            _ => None,
        }
    }

    /// The underlying client error, when the failure came from a call.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { source, .. } => Some(source),
            _ => None,
        }
    }

    /// True when nothing was sent: the input, the credentials or the config were checked first.
    pub fn nothing_sent(&self) -> bool {
        match self {
            Self::Api { source, .. } => source.nothing_sent(),
            _ => true,
        }
    }

    /// True for a 401 or 403, or a credential refused before sending: retrying will not help.
    pub fn is_auth(&self) -> bool {
        match self {
            Self::Api { source, .. } => {
                matches!(source.status(), Some(401 | 403))
                    || matches!(
                        &**source,
                        ApiError::Refused(
                            RequestError::MissingScopes { .. }
                                | RequestError::WrongCredentialKind { .. }
                                | RequestError::InvalidHeaderValue { .. }
                                | RequestError::EmptyCredential { .. }
                                | RequestError::Refresh(_)
                        )
                    )
            }
            Self::MissingCredentials { .. } | Self::InvalidCredential { .. } => true,
            _ => false,
        }
    }

    /// True when the platform said the caller's access level (X's plan) does not include the
    /// operation ([`ApiError::NotAvailable`], which names the levels that do): other
    /// credentials of the same plan will not help.
    pub fn is_not_available(&self) -> bool {
        matches!(self.api_error(), Some(ApiError::NotAvailable { .. }))
    }

    /// True for a 429 that was still there after the retries the policy allowed.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }
}
