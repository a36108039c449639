//! Exit codes and the mapping from errors and import outcomes to them: 0 success, 2 usage (bad
//! input, the runtime's refusals of it before sending included), 3 authentication or scope, 4
//! gave up on rate limits or retries (a 429 after the retries, or a rate-limit wait past the
//! retry policy's `max_total_wait`), 5 the access level (plan) does not include the endpoint, 1
//! anything else (a response over the size limit, a list past `--page-cap`, ...).
//! Decides codes only: prints nothing and does no I/O.

use std::path::Path;

use blockbind::{ApiError, Error, RequestError};
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
/// 3 for authentication or scopes, 4 for rate limits or retries given up (a rate-limit wait the
/// retry budget could not cover too), 2 for a base URL the runtime refuses (it fails every
/// request alike), else 1: a response over the size limit ([`ApiError::ResponseTooLarge`]) and
/// a list that never ends ([`ApiError::TooManyPages`]) included.
pub(crate) fn code_of(e: &Error) -> u8 {
    let gave_up = e.is_rate_limited()
        || matches!(
            e.api_error(),
            Some(ApiError::Status { attempts, .. }) if *attempts > 1
        )
        || matches!(e.api_error(), Some(ApiError::RateLimited { .. }));
    let bad_url = matches!(
        e.api_error(),
        Some(ApiError::Refused(
            RequestError::UserinfoInUrl { .. } | RequestError::InsecureTransport { .. }
        ))
    );
    if e.is_not_available() {
        NOT_AVAILABLE
    } else if e.is_auth() {
        AUTH
    } else if gave_up {
        GAVE_UP
    } else if bad_url {
        USAGE
    } else {
        OTHER
    }
}

/// Input the runtime refused before sending anything: a value out of the spec's bounds, too many
/// values, a path value that would change the path, a URL with a user name or password in it.
/// A command that fails on it is a usage error, as a bad target is (an import reports such a
/// target among its failures instead, as it does bad lines).
fn is_bad_input(e: &Error) -> bool {
    matches!(
        e.api_error(),
        Some(
            ApiError::InvalidInput(_)
                | ApiError::Refused(
                    RequestError::OutOfRange { .. }
                        | RequestError::BadLength { .. }
                        | RequestError::TooManyItems { .. }
                        | RequestError::NotAnInteger { .. }
                        | RequestError::BadPathValue { .. }
                        | RequestError::UserinfoInUrl { .. }
                        | RequestError::InsecureTransport { .. }
                        | RequestError::OAuth1BaseUrl
                )
        )
    )
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
            e if is_bad_input(e) => USAGE,
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};
    use std::time::Duration;

    use blockbind::{Api, BlockOptions, Config, Credentials, RetryPolicy, Target};
    use blockbind_mock::{Bucket, MockConfig, MockServer};

    use super::*;

    fn api(source: ApiError) -> Error {
        Error::Api {
            api: Api::TwitchHelix,
            source: Box::new(source),
        }
    }

    fn refused(e: RequestError) -> Error {
        api(ApiError::Refused(e))
    }

    fn command_code(e: Error) -> u8 {
        Failure::from(e).code
    }

    /// A real `ApiError::RateLimited`: the mock's Helix bucket holds one request a minute and the
    /// retry policy may wait one second in all, so the call after the first fails at once.
    #[tokio::test]
    async fn a_rate_limit_wait_past_max_total_wait_gives_up_like_a_429_after_retries() {
        let mut rate_limits = BTreeMap::new();
        rate_limits.insert(
            "twitch-helix".to_string(),
            Bucket {
                limit: 1,
                window_ms: 60_000,
            },
        );
        let mock = MockServer::start(MockConfig {
            rate_limits,
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let env: HashMap<&str, String> = mock.credentials().env_vars().into_iter().collect();
        let config = Config::builder()
            .base_url(mock.base_url())
            .credentials(Credentials::from_lookup(|n| env.get(n).cloned()).unwrap())
            .retry(RetryPolicy {
                max_total_wait: Duration::from_secs(1),
                ..RetryPolicy::default()
            })
            .build()
            .unwrap();
        let me = Target::id(&mock.credentials().twitch_user_id).unwrap();
        let list = config.block_list(Api::TwitchHelix, Some(me)).await.unwrap();
        let mut failure = None;
        for n in 0..3 {
            let target = Target::id(mock.nth_user(500 + n).unwrap().id).unwrap();
            if let Err(e) = list.block(target, BlockOptions::default()).await {
                failure = Some(e);
                break;
            }
        }
        let e = failure.expect("the bucket of one request ran dry");
        assert!(
            matches!(e.api_error(), Some(ApiError::RateLimited { .. })),
            "{e:?}"
        );
        assert_eq!(code_of(&e), GAVE_UP);
        assert_eq!(command_code(e), GAVE_UP);
        // The same code as a 429 still there after the retries.
        let after_retries = api(ApiError::Status {
            status: 429,
            message: "Too Many Requests".into(),
            rate_limit: None,
            attempts: 4,
        });
        assert_eq!(command_code(after_retries), GAVE_UP);
    }

    #[test]
    fn a_response_over_the_limit_and_a_list_past_the_page_cap_are_other_failures() {
        for e in [
            api(ApiError::ResponseTooLarge {
                limit: 1024,
                content_length: Some(4096),
            }),
            api(ApiError::TooManyPages { limit: 100_000 }),
        ] {
            assert_eq!(code_of(&e), OTHER, "{e:?}");
            assert_eq!(command_code(e), OTHER);
        }
    }

    #[test]
    fn input_the_runtime_refuses_before_sending_is_a_usage_error() {
        let inputs = [
            RequestError::UserinfoInUrl {
                host: "api.x.com".into(),
            },
            RequestError::BadPathValue {
                operation: "unblockUser".into(),
                parameter: "target_user_id".into(),
                value: "..".into(),
                reason: "a dot segment".into(),
            },
            RequestError::TooManyItems {
                operation: "getUsers".into(),
                parameter: "id".into(),
                count: 101,
                max: 100,
            },
            RequestError::InsecureTransport {
                host: "example.com".into(),
            },
        ];
        for input in inputs {
            assert_eq!(command_code(refused(input.clone())), USAGE, "{input:?}");
        }
        assert_eq!(
            command_code(api(ApiError::InvalidInput("not an ID".into()))),
            USAGE
        );
        // A base URL the runtime refuses fails every target alike: usage for an import too.
        let url = refused(RequestError::UserinfoInUrl {
            host: "api.x.com".into(),
        });
        assert_eq!(code_of(&url), USAGE);
        // A credential refused before sending stays an authentication failure, and an unknown
        // operation (a generator bug) stays 1.
        assert_eq!(
            command_code(refused(RequestError::EmptyCredential {
                what: "TWITCH_TOKEN".into()
            })),
            AUTH
        );
        assert_eq!(
            command_code(refused(RequestError::UnknownOperation("x".into()))),
            OTHER
        );
    }
}
