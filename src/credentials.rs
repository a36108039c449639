//! Credentials for every API, from the environment variables the specs name (`x-env` of each
//! security scheme, gathered in the registry: [`ENV_VARS`]) or given in code. Every value is a
//! `secrecy::SecretString`: `Debug` prints `[redacted]`, and no error names a value, only the
//! variable it came from.

use std::collections::BTreeMap;
use std::fmt;

use blockbind_registry::{Api, SchemeInfo, SchemeKind};
use blockbind_runtime::check_header_value;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

pub use blockbind_registry::ENV_VARS;
pub use blockbind_registry::env::*;

/// What the clients authenticate with, by environment variable name. An API's client is given
/// every credential of its spec's schemes whose variables are all set; each request then uses
/// the first of its operation's security alternatives those satisfy (X v2: the OAuth 2.0 token,
/// else the OAuth 1.0a credentials).
#[derive(Clone, Default)]
pub struct Credentials {
    values: BTreeMap<&'static str, SecretString>,
}

fn known(name: &str) -> Option<&'static str> {
    ENV_VARS.iter().copied().find(|v| *v == name)
}

impl Credentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads [`ENV_VARS`] from the process environment (unset or empty variables are skipped).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads [`ENV_VARS`] through `lookup` (unset or empty values are skipped). A value with a
    /// control character (CR, LF, NUL, ...) is refused naming the variable, never the value; so
    /// is an incomplete set of the variables of one scheme (the four of OAuth 1.0a).
    pub fn from_lookup(mut lookup: impl FnMut(&str) -> Option<String>) -> Result<Self, Error> {
        let mut out = Self::new();
        for name in ENV_VARS {
            if let Some(value) = lookup(name).filter(|v| !v.is_empty()) {
                out = out.with(name, value)?;
            }
        }
        for info in Api::ALL.map(Api::info) {
            for scheme in info.schemes {
                let set = scheme.env.iter().filter(|v| out.values.contains_key(*v));
                let count = set.count();
                if count > 0 && count < scheme.env.len() {
                    return Err(Error::InvalidConfig(format!(
                        "{} needs all of {}; only some are set",
                        scheme_title(scheme),
                        and_list(scheme.env)
                    )));
                }
            }
        }
        Ok(out)
    }

    /// Sets one variable's value (one of [`ENV_VARS`]). Refused naming the variable if the value
    /// holds a control character, or if no spec reads the variable.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Result<Self, Error> {
        let Some(name) = known(name) else {
            return Err(Error::InvalidConfig(format!(
                "{name:?} is not a credential variable: expected one of {}",
                ENV_VARS.join(", ")
            )));
        };
        let value = value.into();
        check_header_value(name, &value).map_err(|source| Error::credential(name, source))?;
        self.values.insert(name, SecretString::from(value));
        Ok(self)
    }

    /// Twitch: the app's client ID and a user access token (Helix and Kraken).
    pub fn with_twitch(
        self,
        client_id: impl Into<String>,
        user_token: impl Into<String>,
    ) -> Result<Self, Error> {
        self.with(TWITCH_CLIENT_ID, client_id)?
            .with(TWITCH_TOKEN, user_token)
    }

    /// X: an OAuth 2.0 user access token (API v2).
    pub fn with_x_oauth2(self, user_token: impl Into<String>) -> Result<Self, Error> {
        self.with(X_OAUTH2_TOKEN, user_token)
    }

    /// X: OAuth 1.0a user credentials (API v1.1, and v2 when no OAuth 2.0 token is set).
    pub fn with_x_oauth1(
        self,
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        access_token: impl Into<String>,
        access_token_secret: impl Into<String>,
    ) -> Result<Self, Error> {
        self.with(X_CONSUMER_KEY, consumer_key)?
            .with(X_CONSUMER_SECRET, consumer_secret)?
            .with(X_ACCESS_TOKEN, access_token)?
            .with(X_ACCESS_TOKEN_SECRET, access_token_secret)
    }

    /// The value of a variable, if set.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.expose_secret())
    }

    /// Whether every variable of `scheme` is set (a scheme that names none is never fed).
    pub(crate) fn feeds(&self, scheme: &SchemeInfo) -> bool {
        !scheme.env.is_empty() && scheme.env.iter().all(|v| self.values.contains_key(v))
    }

    /// The security alternatives of `api` that act as a user: those with more than an API key
    /// (a block list always acts as one; Kraken v5's `Client-ID`-only reads do not count).
    pub(crate) fn user_alternatives(api: Api) -> impl Iterator<Item = &'static [&'static str]> {
        let info = api.info();
        let acts_as_user = |alternative: &&'static [&'static str]| {
            alternative.iter().any(|name| {
                info.scheme(name)
                    .is_some_and(|s| s.kind != SchemeKind::ApiKeyHeader)
            })
        };
        let any = info.security.iter().any(acts_as_user);
        info.security
            .iter()
            .copied()
            .filter(move |alternative| !any || acts_as_user(alternative))
    }

    /// The variables that would satisfy `api`: `A and B, or C, D and E`.
    pub(crate) fn needs(api: Api) -> String {
        let info = api.info();
        Self::user_alternatives(api)
            .map(|alternative| {
                let vars: Vec<&str> = alternative
                    .iter()
                    .filter_map(|name| info.scheme(name))
                    .flat_map(|s| s.env.iter().copied())
                    .collect();
                and_list(&vars)
            })
            .collect::<Vec<_>>()
            .join(", or ")
    }
}

/// `A`, `A and B`, `A, B and C`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn scheme_title(scheme: &SchemeInfo) -> String {
    match scheme.kind {
        SchemeKind::OAuth1 => "OAuth 1.0a".to_string(),
        _ => format!("`{}`", scheme.name),
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        for name in ENV_VARS {
            d.field(
                name,
                &if self.values.contains_key(name) {
                    "[redacted]"
                } else {
                    "unset"
                },
            );
        }
        d.finish()
    }
}
