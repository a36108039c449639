//! One config builds every client: where each API lives (a base-URL override, e.g. the mock),
//! the `reqwest::Client` they share, timeouts, retry and pacing policy, user agent and
//! credentials. Clients built from one config share one rate limiter, so they pace together.

use std::collections::BTreeMap;
use std::time::Duration;

use blockbind_runtime::{Auth, OAuth1Credentials, OAuth2UserToken, RetryPolicy, Runtime};
use secrecy::ExposeSecret;

use crate::credentials::{Credentials, X_OAUTH2_TOKEN};
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
#[derive(Debug, Default)]
pub struct ConfigBuilder {
    origin: Option<String>,
    base_urls: BTreeMap<Api, String>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    pacing: Option<bool>,
    user_agent: Option<String>,
    credentials: Credentials,
}

fn checked_url(what: &str, url: &str) -> Result<url::Url, Error> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::InvalidConfig(format!("{what} {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::InvalidConfig(format!(
            "{what} {url:?} must be an http or https URL with a host"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::InvalidConfig(format!(
            "{what} {url:?} must not have a query or fragment"
        )));
    }
    Ok(parsed)
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

    /// Sends through this client (its connection pool, proxy and TLS settings). Its own timeout
    /// and user agent apply unless [`Self::timeout`] or [`Self::user_agent`] are set too.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The timeout of each attempt of each request (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
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

    /// The `User-Agent` of every request (default `blockbind/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Reads the credentials from the conventional environment variables
    /// ([`crate::credentials::ENV_VARS`]).
    pub fn credentials_from_env(self) -> Result<Self, Error> {
        Ok(self.credentials(Credentials::from_env()?))
    }

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
        let http = match self.http {
            Some(http) => {
                if let Some(timeout) = self.timeout {
                    runtime = runtime.with_timeout(timeout);
                }
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
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The defaults, with credentials from the environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().credentials_from_env()?.build()
    }

    /// Where `api`'s client sends: its override, else its spec's server URL moved to the
    /// overriding origin, else the spec's server URL. `None` when `api`'s feature is off and no
    /// override names its whole base URL.
    pub fn base_url(&self, api: Api) -> Option<String> {
        if let Some(url) = self.base_urls.get(&api) {
            return Some(url.trim_end_matches('/').to_string());
        }
        let default = api.default_base_url()?;
        Some(match &self.origin {
            Some(origin) => {
                let path = url::Url::parse(default)
                    .map(|u| u.path().trim_end_matches('/').to_string())
                    .unwrap_or_default();
                format!("{origin}{path}")
            }
            None => default.to_string(),
        })
    }

    /// The rate-limit state of the most recent response to any client built from this config.
    pub fn last_rate_limit(&self) -> Option<blockbind_runtime::RateLimit> {
        self.runtime.last_rate_limit()
    }

    /// The `reqwest::Client` every client sends through.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The runtime for `api`: this config's policies, its shared rate limiter, and the
    /// credentials `api` uses.
    pub fn runtime(&self, api: Api) -> Result<Runtime, Error> {
        Ok(self.runtime.with_auth(self.auth(api)?))
    }

    fn auth(&self, api: Api) -> Result<Auth, Error> {
        let c = &self.credentials;
        let invalid = |what: &'static str| move |source| Error::credential(what, source);
        match api {
            Api::TwitchHelix => {
                let (client_id, token) = c.twitch().ok_or(Error::MissingCredentials {
                    api,
                    needs: TWITCH_NEEDS,
                })?;
                Auth::twitch_helix(client_id, token).map_err(invalid("Twitch credentials"))
            }
            Api::TwitchKrakenV5 | Api::TwitchKrakenV2 => {
                let token = c.twitch_token.as_ref().ok_or(Error::MissingCredentials {
                    api,
                    needs: TWITCH_NEEDS,
                })?;
                Auth::twitch_kraken(
                    c.twitch_client_id.clone(),
                    Some(token.expose_secret().to_string()),
                )
                .map_err(invalid("Twitch credentials"))
            }
            Api::XV2 => {
                if let Some(token) = &c.x_oauth2_token {
                    return OAuth2UserToken::new(token.expose_secret())
                        .map(Auth::x_oauth2_user)
                        .map_err(invalid(X_OAUTH2_TOKEN));
                }
                self.oauth1(api, X_V2_NEEDS)
            }
            Api::XV1 => self.oauth1(api, X_V1_NEEDS),
        }
    }

    fn oauth1(&self, api: Api, needs: &'static str) -> Result<Auth, Error> {
        let p = self
            .credentials
            .x_oauth1
            .as_ref()
            .ok_or(Error::MissingCredentials { api, needs })?;
        OAuth1Credentials::new(
            &p.consumer_key,
            p.consumer_secret.expose_secret(),
            p.token.expose_secret(),
            p.token_secret.expose_secret(),
        )
        .map(Auth::x_oauth1)
        .map_err(|source| Error::credential("X OAuth 1.0a credentials", source))
    }
}

const TWITCH_NEEDS: &str = "TWITCH_CLIENT_ID and TWITCH_TOKEN";
const X_V2_NEEDS: &str = "X_OAUTH2_TOKEN, or X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET";
const X_V1_NEEDS: &str =
    "X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET";

macro_rules! client_constructors {
    ($($feature:literal, $krate:ident, $api:expr, $name:ident;)*) => {
        impl Config {
            $(
                #[doc = concat!("A `", stringify!($krate), "` client for this config (feature `", $feature, "`).")]
                #[cfg(feature = $feature)]
                pub fn $name(&self) -> Result<$krate::Client, Error> {
                    let base_url = self.base_url($api).ok_or(Error::FeatureDisabled { api: $api })?;
                    Ok($krate::Client::new_with_client(
                        &base_url,
                        self.http.clone(),
                        self.runtime($api)?,
                    ))
                }
            )*
        }
    };
}

client_constructors! {
    "twitch-helix", blockbind_twitch_helix, Api::TwitchHelix, twitch_helix;
    "twitch-kraken-v5", blockbind_twitch_kraken_v5, Api::TwitchKrakenV5, twitch_kraken_v5;
    "twitch-kraken-v2", blockbind_twitch_kraken_v2, Api::TwitchKrakenV2, twitch_kraken_v2;
    "x-v2", blockbind_x_v2, Api::XV2, x_v2;
    "x-v1", blockbind_x_v1, Api::XV1, x_v1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::ENV_VARS;

    #[test]
    fn the_missing_credentials_messages_name_real_variables() {
        for needs in [TWITCH_NEEDS, X_V2_NEEDS, X_V1_NEEDS] {
            let named: Vec<&str> = needs
                .split(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
                .filter(|w| w.len() > 1)
                .collect();
            assert!(!named.is_empty());
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
            config.base_url(Api::XV1).unwrap(),
            "http://127.0.0.1:9090/custom/1.1"
        );
        for api in Api::ALL.into_iter().filter(|a| *a != Api::XV1) {
            let default = url::Url::parse(api.default_base_url().unwrap()).unwrap();
            assert_eq!(
                config.base_url(api).unwrap(),
                format!("http://127.0.0.1:8080{}", default.path())
            );
        }
        let real = Config::builder().build().unwrap();
        assert_eq!(
            real.base_url(Api::XV2).as_deref(),
            Some("https://api.x.com/2")
        );
    }

    #[test]
    fn bad_urls_and_user_agents_are_refused_with_what_is_wrong() {
        for (url, says) in [
            ("not a url", "is not a URL"),
            ("ftp://example.test", "must be an http or https URL"),
            ("http://127.0.0.1:1/?q=1", "must not have a query"),
        ] {
            let e = Config::builder().base_url(url).build().unwrap_err();
            assert!(matches!(e, Error::InvalidConfig(_)));
            assert!(e.to_string().contains(says), "{e}");
        }
        let e = Config::builder()
            .user_agent("a\r\nX-Evil: 1")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("control character"), "{e}");
    }
}
