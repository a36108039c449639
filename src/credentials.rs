//! Credentials for every API, from the environment variables the specs name (`x-env` of each
//! security scheme, gathered in the registry: [`ENV_VARS`]) or given in code. Every value is a
//! `secrecy::SecretString`: `Debug` prints `[redacted]`, and no error names a value, only the
//! variable it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use blockbind_registry::{Api, Platform, SchemeInfo, SchemeKind};
use blockbind_runtime::check_header_value;
use blockbind_runtime::oauth2::{ClientSecretIn, GrantedToken, OAuth2UserToken, PersistRotated};
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
    /// Signed-in user tokens that refresh, per platform (one token shared by every client).
    users: BTreeMap<Platform, SignedIn>,
}

#[derive(Clone)]
pub(crate) struct SignedIn {
    pub(crate) token: Arc<OAuth2UserToken>,
    pub(crate) client_id: String,
    pub(crate) user_id: Option<String>,
    pub(crate) login: Option<String>,
    pub(crate) scopes: Vec<String>,
}

/// Twitch's hourly validation interval (Twitch asks apps to validate at start and hourly).
pub const VALIDATE_EVERY: Duration = Duration::from_secs(3600);

/// A user token from a sign-in (`blockbind auth login`, or your own): the tokens granted, the
/// client they were granted to, whose they are, and where to refresh them. Given to
/// [`Credentials::with_user_token`]. `Debug` shows no token.
#[derive(Clone)]
pub struct UserToken {
    platform: Platform,
    grant: GrantedToken,
    client_id: String,
    client_secret: Option<SecretString>,
    user_id: Option<String>,
    login: Option<String>,
    origin: Option<String>,
    persist: Option<PersistRotated>,
}

impl fmt::Debug for UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserToken")
            .field("platform", &self.platform)
            .field("grant", &self.grant)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("user_id", &self.user_id)
            .field("origin", &self.origin)
            .finish()
    }
}

impl UserToken {
    /// A Twitch (`Platform::Twitch`) or X (`Platform::X`) user token granted to `client_id`.
    pub fn new(platform: Platform, grant: GrantedToken, client_id: impl Into<String>) -> Self {
        Self {
            platform,
            grant,
            client_id: client_id.into(),
            client_secret: None,
            user_id: None,
            login: None,
            origin: None,
            persist: None,
        }
    }

    /// The user the token belongs to (from Twitch's validation or X's `users/me`): the acting
    /// user of every API of its platform.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The user's login (Twitch) or username (X), to recognise `--user @name`.
    pub fn login(mut self, login: impl Into<String>) -> Self {
        self.login = Some(login.into());
        self
    }

    /// A confidential client's secret, sent on refreshes as the platform asks.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Refreshes (and validates) at this origin instead of the platform's (the mock's).
    pub fn endpoints_at(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into().trim_end_matches('/').to_string());
        self
    }

    /// Called with every rotated pair before it is used: store it, or the next run cannot
    /// refresh (Twitch's public-client refresh tokens work once, X's rotate).
    pub fn on_refresh(mut self, persist: PersistRotated) -> Self {
        self.persist = Some(persist);
        self
    }

    /// The platform's token URL (or the origin's).
    pub fn token_url(&self) -> String {
        match (self.platform, &self.origin) {
            (Platform::Twitch, None) => {
                format!("{}/token", blockbind_runtime::sign_in::TWITCH_ID_URL)
            }
            (Platform::Twitch, Some(o)) => format!("{o}/oauth2/token"),
            (_, None) => blockbind_runtime::oauth2::X_TOKEN_URL.to_string(),
            (_, Some(o)) => format!("{o}/2/oauth2/token"),
        }
    }

    fn build(self) -> Result<SignedIn, Error> {
        let invalid = |source| Error::credential(format!("{} user token", self.platform), source);
        let mut token = OAuth2UserToken::from_grant(&self.grant, &self.client_id, self.token_url())
            .map_err(invalid)?;
        if let Some(secret) = &self.client_secret {
            let place = match self.platform {
                Platform::Twitch => ClientSecretIn::Form,
                _ => ClientSecretIn::Basic,
            };
            token = token.with_client_secret(secret.expose_secret(), place);
        }
        if let Some(persist) = self.persist.clone() {
            token = token.on_refresh(persist);
        }
        if self.platform == Platform::Twitch {
            let validate = match &self.origin {
                Some(o) => format!("{o}/oauth2/validate"),
                None => format!("{}/validate", blockbind_runtime::sign_in::TWITCH_ID_URL),
            };
            token = token.validated_every(validate, VALIDATE_EVERY);
        }
        Ok(SignedIn {
            token: Arc::new(token),
            client_id: self.client_id,
            user_id: self.user_id,
            login: self.login,
            scopes: self.grant.scopes,
        })
    }
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

    /// Adds a signed-in user token for its platform (replacing one set before). It serves every
    /// API of the platform whose token variable is not set (environment variables win), refreshes
    /// before expiry and once after a 401 (one token shared by all clients of a config), and its
    /// scopes are checked before sending. A Twitch token also supplies the `Client-Id` when
    /// `TWITCH_CLIENT_ID` is unset, and is validated at start and hourly.
    pub fn with_user_token(mut self, token: UserToken) -> Result<Self, Error> {
        let platform = token.platform;
        self.users.insert(platform, token.build()?);
        Ok(self)
    }

    /// The signed-in user of `platform`, if a user token names one.
    pub fn acting_user(&self, platform: Platform) -> Option<&str> {
        self.users.get(&platform)?.user_id.as_deref()
    }

    /// The signed-in token of `platform`, if any: to ask whether the user must sign in again
    /// ([`OAuth2UserToken::login_required`]) after a failure.
    pub fn user_token(&self, platform: Platform) -> Option<&Arc<OAuth2UserToken>> {
        self.users.get(&platform).map(|u| &u.token)
    }

    pub(crate) fn signed_in(&self, platform: Platform) -> Option<&SignedIn> {
        self.users.get(&platform)
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
        for (platform, user) in &self.users {
            d.field(
                if *platform == Platform::Twitch {
                    "twitch_user_token"
                } else {
                    "x_user_token"
                },
                &format_args!("[redacted] (user {:?})", user.user_id),
            );
        }
        d.finish()
    }
}
