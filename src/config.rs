//! One config builds every client: where each API lives (a base-URL override, e.g. the mock),
//! the `reqwest::Client` they share, timeouts, retry and pacing policy, user agent and
//! credentials.
//!
//! Clients built from one config share one rate limiter, whose buckets are the platform's: the
//! spec's bucket (`x-rate-limit`) for the identity of the credentials a request sends
//! ([`Auth::identity_for`]). So every client of one config with the same credentials paces
//! against one bucket (two Helix clients spend one 800-point bucket together), while Helix and
//! Kraken, separate buckets on Twitch, never slow each other. Configs built separately share a
//! limiter only when told to ([`ConfigBuilder::rate_limiter`] with [`Config::rate_limiter`]).
//! Tested by `tests/rate_limit_identity.rs`.

use std::collections::BTreeMap;
use std::time::Duration;

use blockbind_registry::SchemeKind;
use blockbind_runtime::{
    ApiSpec, Auth, OAuth1Credentials, RateLimitState, RetryPolicy, Runtime, SharedRateLimiter,
};

use crate::credentials::Credentials;
use crate::{Api, Error};

/// The timeout of each attempt when the config builds the `reqwest::Client`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings shared by every client; see [`Config::builder`].
#[derive(Clone, Debug)]
pub struct Config {
    origin: Option<String>,
    base_urls: BTreeMap<Api, String>,
    http: reqwest::Client,
    runtime: Runtime,
    credentials: Credentials,
}

/// Builds a [`Config`].
#[derive(Default)]
pub struct ConfigBuilder {
    origin: Option<String>,
    base_urls: BTreeMap<Api, String>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    max_response_bytes: Option<u64>,
    retry: Option<RetryPolicy>,
    pacing: Option<bool>,
    rate_limiter: Option<SharedRateLimiter>,
    user_agent: Option<String>,
    credentials: Credentials,
}

/// Base URLs shown without userinfo: the builder holds them unchecked until `build`.
impl std::fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let base_urls: BTreeMap<&Api, String> = self
            .base_urls
            .iter()
            .map(|(api, url)| (api, without_userinfo(url)))
            .collect();
        f.debug_struct("ConfigBuilder")
            .field("origin", &self.origin.as_deref().map(without_userinfo))
            .field("base_urls", &base_urls)
            .field("http", &self.http)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("pacing", &self.pacing)
            .field("rate_limiter", &self.rate_limiter)
            .field("user_agent", &self.user_agent)
            .field("credentials", &self.credentials)
            .finish()
    }
}

fn checked_url(what: &str, url: &str) -> Result<url::Url, Error> {
    // Every message shows the URL without its userinfo: a `user:pass@` is a secret.
    let shown = without_userinfo(url);
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::InvalidConfig(format!("{what} {shown:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::InvalidConfig(format!(
            "{what} {shown:?} must be an http or https URL with a host"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::InvalidConfig(format!(
            "{what} {shown:?} must not carry a user name or password (user:pass@): pass credentials through the config"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::InvalidConfig(format!(
            "{what} {shown:?} must not have a query or fragment"
        )));
    }
    Ok(parsed)
}

/// `url` with anything before an `@` in its authority replaced by `***` (done on the text, so
/// that it works on a URL that does not parse too).
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}***@{}{tail}", &authority[at + 1..]),
        None => url.to_string(),
    }
}

impl ConfigBuilder {
    /// Sends every API to this origin instead of its real host, keeping each API's path prefix
    /// (`/helix`, `/kraken`, `/2`, `/1.1`): `http://127.0.0.1:8080` serves Helix at
    /// `http://127.0.0.1:8080/helix`, as the mock does.
    pub fn base_url(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The whole base URL of one API (its path prefix included), over [`Self::base_url`].
    pub fn api_base_url(mut self, api: Api, url: impl Into<String>) -> Self {
        self.base_urls.insert(api, url.into());
        self
    }

    /// Sends through this client (its connection pool, proxy and TLS settings). Its own user
    /// agent applies unless [`Self::user_agent`] is set too. Every request through it gets
    /// [`Self::timeout`], else [`DEFAULT_TIMEOUT`]: a client's own timeout cannot be read, and
    /// one built without any must not hang on a server that never answers.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The timeout of each attempt of each request (default [`DEFAULT_TIMEOUT`], also on a
    /// client given with [`Self::http_client`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest response body any client reads, in bytes (default
    /// [`blockbind_runtime::DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB, far above the largest page any
    /// API sends): a larger one fails with `ApiError::ResponseTooLarge`, unread past the limit.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// How often and how long to retry 429s, 5xx and connection errors.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Whether to wait for a rate-limit reset before sending into an empty bucket (default on).
    pub fn pacing(mut self, pacing: bool) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// Paces through `limiter` (another config's [`Config::rate_limiter`]) instead of a limiter
    /// of its own, so that clients of both configs with equal credentials spend one bucket. By
    /// default each config has its own: a limiter is an estimate of one server's count, and two
    /// configs may point at different servers.
    pub fn rate_limiter(mut self, limiter: SharedRateLimiter) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The `User-Agent` of every request (default `blockbind/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The credentials every client takes its own from (replacing any set before).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Reads the credentials from the conventional environment variables
    /// ([`crate::credentials::ENV_VARS`]).
    pub fn credentials_from_env(self) -> Result<Self, Error> {
        Ok(self.credentials(Credentials::from_env()?))
    }

    /// Checks the settings and builds the config, with its HTTP client and shared runtime.
    pub fn build(self) -> Result<Config, Error> {
        if let Some(origin) = &self.origin {
            checked_url("base URL", origin)?;
        }
        for (api, url) in &self.base_urls {
            checked_url(&format!("base URL of {api}"), url)?;
        }
        let mut runtime = Runtime::new(Auth::none())
            .with_retry(self.retry.unwrap_or_default())
            .with_pacing(self.pacing.unwrap_or(true));
        if let Some(limiter) = self.rate_limiter {
            runtime = runtime.with_rate_limiter(limiter);
        }
        if let Some(limit) = self.max_response_bytes {
            runtime = runtime.with_max_response_bytes(limit);
        }
        let http = match self.http {
            Some(http) => {
                runtime = runtime.with_timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT));
                http
            }
            None => Runtime::http_client(self.timeout.unwrap_or(DEFAULT_TIMEOUT)),
        };
        if let Some(ua) = &self.user_agent {
            runtime = runtime
                .with_user_agent(ua)
                .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        }
        Ok(Config {
            origin: self.origin.map(|o| o.trim_end_matches('/').to_string()),
            base_urls: self.base_urls,
            http,
            runtime,
            credentials: self.credentials,
        })
    }
}

impl Config {
    /// A builder starting from the defaults, without credentials.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The defaults, with credentials from the environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().credentials_from_env()?.build()
    }

    /// Where `api`'s client sends: its override, else its spec's server URL moved to the
    /// overriding origin, else the spec's server URL.
    pub fn base_url(&self, api: Api) -> String {
        if let Some(url) = self.base_urls.get(&api) {
            return url.trim_end_matches('/').to_string();
        }
        let default = api.default_base_url();
        match &self.origin {
            Some(origin) => {
                let path = url::Url::parse(default)
                    .map(|u| u.path().trim_end_matches('/').to_string())
                    .unwrap_or_default();
                format!("{origin}{path}")
            }
            None => default.to_string(),
        }
    }

    /// The rate-limit state of the most recent response to any client built from this config.
    pub fn last_rate_limit(&self) -> Option<blockbind_runtime::RateLimit> {
        self.runtime.last_rate_limit()
    }

    /// Every rate-limit bucket the clients of this config have paced, as it stands: the window
    /// as counted (the server's last report less what was sent since), requests in flight and
    /// waiting for a reset, until when and why. What a front end shows while a long job waits,
    /// and what its ETA comes from ([`RateLimitState::time_to_send`]).
    pub fn rate_limit_state(&self) -> Vec<RateLimitState> {
        self.runtime.rate_limit_state()
    }

    /// The rate limiter every client of this config paces through, to share with another config
    /// ([`ConfigBuilder::rate_limiter`]).
    pub fn rate_limiter(&self) -> SharedRateLimiter {
        self.runtime.rate_limiter()
    }

    /// The `reqwest::Client` every client sends through.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The credentials the clients are built with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Whom to act as on `api`: `given`, else the user a signed-in token of `api`'s platform
    /// belongs to. When the environment supplies `api`'s token, a signed-in token does not
    /// serve it and says nothing. A `given` user who is not the signed-in one is refused before
    /// anything is sent: the token can only act for its own user.
    pub fn acting_user(
        &self,
        api: Api,
        given: Option<crate::Target>,
    ) -> Result<Option<crate::Target>, Error> {
        let c = &self.credentials;
        let env_token = Credentials::user_alternatives(api).any(|alternative| {
            alternative.iter().any(|name| {
                api.info()
                    .scheme(name)
                    .is_some_and(|s| s.kind != SchemeKind::ApiKeyHeader && c.feeds(s))
            })
        });
        let Some(user) = c.signed_in(api.platform()).filter(|_| !env_token) else {
            return Ok(given);
        };
        let Some(id) = &user.user_id else {
            return Ok(given);
        };
        match given {
            None => crate::Target::id(id.clone()).map(Some),
            Some(target) => {
                let same = match &target {
                    crate::Target::Id(given) => given == id,
                    crate::Target::Login(given) => user
                        .login
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(given)),
                };
                if same {
                    Ok(Some(target))
                } else {
                    Err(Error::InvalidConfig(format!(
                        "{api}: the signed-in token belongs to user {id}{}, not {}: it can only act for its own user (sign in as that user with `blockbind auth login --platform {}`, or leave --user out)",
                        user.login
                            .as_deref()
                            .map(|l| format!(" ({l})"))
                            .unwrap_or_default(),
                        target.as_str(),
                        api.name(),
                    )))
                }
            }
        }
    }

    /// The runtime for `api` (whose generated table is `spec`): this config's policies, its
    /// shared rate limiter, and the credentials `api`'s security schemes take.
    pub fn runtime(&self, api: Api, spec: &ApiSpec) -> Result<Runtime, Error> {
        Ok(self.runtime.with_auth(self.auth(api, spec)?))
    }

    /// Feeds every scheme of `spec` whose variables are all set; the runtime then uses the
    /// first security alternative of each operation these satisfy.
    fn auth(&self, api: Api, spec: &ApiSpec) -> Result<Auth, Error> {
        let c = &self.credentials;
        let signed_in = c.signed_in(api.platform());
        // A signed-in token feeds the token scheme whose variables are unset (variables win),
        // and Twitch's `Client-Id` when its variable is unset.
        let from_sign_in = |scheme: &blockbind_runtime::SchemeInfo| {
            signed_in.is_some()
                && !c.feeds(scheme)
                && match scheme.kind {
                    SchemeKind::OAuth2 | SchemeKind::Bearer => true,
                    SchemeKind::ApiKeyHeader => api.platform() == crate::Platform::Twitch,
                    SchemeKind::OAuth1 => false,
                }
        };
        let fed = |scheme: &blockbind_runtime::SchemeInfo| c.feeds(scheme) || from_sign_in(scheme);
        let satisfiable = Credentials::user_alternatives(api).any(|alternative| {
            alternative
                .iter()
                .all(|name| spec.scheme(name).is_some_and(fed))
        });
        if !satisfiable {
            return Err(Error::MissingCredentials {
                api,
                needs: Credentials::needs(api),
            });
        }
        let mut auth = Auth::none();
        let mut has_token = false;
        for scheme in spec.schemes.iter().filter(|s| fed(s)) {
            let value = |i: usize| scheme.env.get(i).and_then(|v| c.get(v)).unwrap_or_default();
            let invalid = |source| Error::credential(scheme.env.join(", "), source);
            if let Some(user) = signed_in.filter(|_| from_sign_in(scheme)) {
                auth = match scheme.kind {
                    SchemeKind::ApiKeyHeader => {
                        auth.with_api_key(&user.client_id).map_err(invalid)?
                    }
                    _ if !has_token => {
                        has_token = true;
                        let auth = auth.with_shared_oauth2_user(user.token.clone());
                        if user.scopes.is_empty() {
                            auth
                        } else {
                            auth.with_scopes(user.scopes.iter().cloned())
                        }
                    }
                    _ => auth,
                };
                continue;
            }
            auth = match scheme.kind {
                SchemeKind::OAuth2 | SchemeKind::Bearer if !has_token => {
                    has_token = true;
                    auth.with_user_token(value(0)).map_err(invalid)?
                }
                SchemeKind::OAuth2 | SchemeKind::Bearer => auth,
                SchemeKind::ApiKeyHeader => auth.with_api_key(value(0)).map_err(invalid)?,
                SchemeKind::OAuth1 => auth.with_oauth1(
                    OAuth1Credentials::new(value(0), value(1), value(2), value(3))
                        .map_err(invalid)?,
                ),
            };
        }
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::ENV_VARS;

    #[test]
    fn the_missing_credentials_messages_name_real_variables() {
        for api in Api::ALL {
            let needs = Credentials::needs(api);
            let named: Vec<&str> = needs
                .split(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
                .filter(|w| w.len() > 1)
                .collect();
            assert!(!named.is_empty(), "{api}: {needs}");
            for var in named {
                assert!(ENV_VARS.contains(&var), "{var} is not a variable we read");
            }
        }
    }

    #[cfg(feature = "full")]
    #[test]
    fn the_origin_override_keeps_each_api_path_prefix() {
        let config = Config::builder()
            .base_url("http://127.0.0.1:8080/")
            .api_base_url(Api::XV1, "http://127.0.0.1:9090/custom/1.1")
            .build()
            .unwrap();
        assert_eq!(
            config.base_url(Api::XV1),
            "http://127.0.0.1:9090/custom/1.1"
        );
        for api in Api::ALL.into_iter().filter(|a| *a != Api::XV1) {
            let default = url::Url::parse(api.default_base_url()).unwrap();
            assert_eq!(
                config.base_url(api),
                format!("http://127.0.0.1:8080{}", default.path())
            );
        }
        let real = Config::builder().build().unwrap();
        assert_eq!(real.base_url(Api::XV2), "https://api.x.com/2");
    }

    #[test]
    fn bad_urls_and_user_agents_are_refused_with_what_is_wrong() {
        for (url, says) in [
            ("not a url", "is not a URL"),
            ("ftp://example.test", "must be an http or https URL"),
            ("http://127.0.0.1:1/?q=1", "must not have a query"),
            ("https://user:hunter2@api.x.com", "user name or password"),
            ("http://hunter2@127.0.0.1:1/", "user name or password"),
            ("http://user:hunter2@127.0.0.1:bad/", "is not a URL"),
        ] {
            let e = Config::builder().base_url(url).build().unwrap_err();
            assert!(matches!(e, Error::InvalidConfig(_)));
            assert!(e.to_string().contains(says), "{e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
            assert!(!format!("{e:?}").contains("hunter2"), "{e:?}");
            let builder = Config::builder().base_url(url).api_base_url(Api::XV2, url);
            assert!(!format!("{builder:?}").contains("hunter2"), "{builder:?}");
        }
        let e = Config::builder()
            .user_agent("a\r\nX-Evil: 1")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("control character"), "{e}");
    }
}
