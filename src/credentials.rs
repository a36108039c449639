//! Credentials for every API, from the conventional environment variables or given in code.
//! Every secret is a `secrecy::SecretString`: `Debug` prints `[redacted]`, and no error names a
//! value, only the variable it came from.

use std::fmt;

use blockbind_runtime::check_header_value;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// Twitch: the app's client ID (sent as `Client-Id`).
pub const TWITCH_CLIENT_ID: &str = "TWITCH_CLIENT_ID";
/// Twitch: a user access token (Helix `Bearer`, Kraken `OAuth`).
pub const TWITCH_TOKEN: &str = "TWITCH_TOKEN";
/// X: an OAuth 2.0 user access token (API v2).
pub const X_OAUTH2_TOKEN: &str = "X_OAUTH2_TOKEN";
/// X OAuth 1.0a: the app's consumer key.
pub const X_CONSUMER_KEY: &str = "X_CONSUMER_KEY";
/// X OAuth 1.0a: the app's consumer secret.
pub const X_CONSUMER_SECRET: &str = "X_CONSUMER_SECRET";
/// X OAuth 1.0a: the user's access token.
pub const X_ACCESS_TOKEN: &str = "X_ACCESS_TOKEN";
/// X OAuth 1.0a: the user's access token secret.
pub const X_ACCESS_TOKEN_SECRET: &str = "X_ACCESS_TOKEN_SECRET";

/// Every variable [`Credentials::from_env`] reads.
pub const ENV_VARS: [&str; 7] = [
    TWITCH_CLIENT_ID,
    TWITCH_TOKEN,
    X_OAUTH2_TOKEN,
    X_CONSUMER_KEY,
    X_CONSUMER_SECRET,
    X_ACCESS_TOKEN,
    X_ACCESS_TOKEN_SECRET,
];

/// X OAuth 1.0a user credentials (all four parts).
#[derive(Clone)]
pub(crate) struct OAuth1Parts {
    pub consumer_key: String,
    pub consumer_secret: SecretString,
    pub token: SecretString,
    pub token_secret: SecretString,
}

/// What the clients authenticate with. Each API uses the part it needs:
/// Helix and Kraken the Twitch client ID and token; X v2 the OAuth 2.0 user token, else the
/// OAuth 1.0a credentials; X v1.1 the OAuth 1.0a credentials.
#[derive(Clone, Default)]
pub struct Credentials {
    pub(crate) twitch_client_id: Option<String>,
    pub(crate) twitch_token: Option<SecretString>,
    pub(crate) x_oauth2_token: Option<SecretString>,
    pub(crate) x_oauth1: Option<OAuth1Parts>,
}

fn checked(what: &str, value: String) -> Result<String, Error> {
    check_header_value(what, &value).map_err(|source| Error::credential(what, source))?;
    Ok(value)
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
    /// is an incomplete set of the four OAuth 1.0a variables.
    pub fn from_lookup(mut lookup: impl FnMut(&str) -> Option<String>) -> Result<Self, Error> {
        let mut get = |name: &str| -> Result<Option<String>, Error> {
            match lookup(name).filter(|v| !v.is_empty()) {
                Some(v) => checked(name, v).map(Some),
                None => Ok(None),
            }
        };
        let twitch_client_id = get(TWITCH_CLIENT_ID)?;
        let twitch_token = get(TWITCH_TOKEN)?.map(SecretString::from);
        let x_oauth2_token = get(X_OAUTH2_TOKEN)?.map(SecretString::from);
        let parts = [
            get(X_CONSUMER_KEY)?,
            get(X_CONSUMER_SECRET)?,
            get(X_ACCESS_TOKEN)?,
            get(X_ACCESS_TOKEN_SECRET)?,
        ];
        let x_oauth1 = match parts {
            [Some(key), Some(secret), Some(token), Some(token_secret)] => Some(OAuth1Parts {
                consumer_key: key,
                consumer_secret: secret.into(),
                token: token.into(),
                token_secret: token_secret.into(),
            }),
            [None, None, None, None] => None,
            _ => {
                return Err(Error::InvalidConfig(format!(
                    "X OAuth 1.0a needs all of {X_CONSUMER_KEY}, {X_CONSUMER_SECRET}, {X_ACCESS_TOKEN} and {X_ACCESS_TOKEN_SECRET}; only some are set"
                )));
            }
        };
        Ok(Self {
            twitch_client_id,
            twitch_token,
            x_oauth2_token,
            x_oauth1,
        })
    }

    /// Twitch: the app's client ID and a user access token (Helix and Kraken).
    pub fn with_twitch(
        mut self,
        client_id: impl Into<String>,
        user_token: impl Into<String>,
    ) -> Result<Self, Error> {
        self.twitch_client_id = Some(checked("Twitch client ID", client_id.into())?);
        self.twitch_token = Some(checked("Twitch user token", user_token.into())?.into());
        Ok(self)
    }

    /// X: an OAuth 2.0 user access token (API v2).
    pub fn with_x_oauth2(mut self, user_token: impl Into<String>) -> Result<Self, Error> {
        self.x_oauth2_token = Some(checked("X OAuth 2.0 user token", user_token.into())?.into());
        Ok(self)
    }

    /// X: OAuth 1.0a user credentials (API v1.1, and v2 when no OAuth 2.0 token is set).
    pub fn with_x_oauth1(
        mut self,
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        access_token: impl Into<String>,
        access_token_secret: impl Into<String>,
    ) -> Result<Self, Error> {
        self.x_oauth1 = Some(OAuth1Parts {
            consumer_key: checked("X OAuth 1.0a consumer key", consumer_key.into())?,
            consumer_secret: checked("X OAuth 1.0a consumer secret", consumer_secret.into())?
                .into(),
            token: checked("X OAuth 1.0a access token", access_token.into())?.into(),
            token_secret: checked(
                "X OAuth 1.0a access token secret",
                access_token_secret.into(),
            )?
            .into(),
        });
        Ok(self)
    }

    pub(crate) fn twitch(&self) -> Option<(&str, &str)> {
        Some((
            self.twitch_client_id.as_deref()?,
            self.twitch_token.as_ref()?.expose_secret(),
        ))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |present: bool| if present { "[redacted]" } else { "unset" };
        f.debug_struct("Credentials")
            .field("twitch_client_id", &self.twitch_client_id)
            .field("twitch_token", &set(self.twitch_token.is_some()))
            .field("x_oauth2_token", &set(self.x_oauth2_token.is_some()))
            .field(
                "x_oauth1",
                &self
                    .x_oauth1
                    .as_ref()
                    .map(|p| format!("consumer key {}, secrets [redacted]", p.consumer_key)),
            )
            .finish()
    }
}
