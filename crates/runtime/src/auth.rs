//! Credentials, one kind per platform scheme, constructed once and shared by clients (cheap to
//! clone). Every secret sits in a `secrecy` type: `Debug` and `Display` print `[redacted]`, and no
//! error message carries one.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{RequestError, check_header_value};
use crate::oauth1::OAuth1Credentials;
use crate::oauth2::OAuth2UserToken;
use crate::operation::{CredentialNeed, OperationSpec};

const REDACTED: &str = "[redacted]";

/// Credentials for one client, plus the scopes the caller says its token has (optional).
#[derive(Clone)]
pub struct Auth {
    kind: AuthKind,
    scopes: Option<Arc<BTreeSet<String>>>,
    /// Distinguishes credentials in rate-limit buckets without hashing any secret.
    id: u64,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Clone)]
enum AuthKind {
    None,
    /// The header values are built once: they are the same on every request.
    TwitchHelix {
        client_id: String,
        authorization: HeaderValue,
        client_id_header: HeaderValue,
    },
    Kraken {
        client_id: Option<String>,
        token: Option<SecretString>,
    },
    XUserOAuth2(Arc<OAuth2UserToken>),
    XAppOnly(SecretString),
    XOAuth1(Arc<OAuth1Credentials>),
}

fn secret(what: &str, value: impl Into<String>) -> Result<SecretString, RequestError> {
    let value = value.into();
    check_header_value(what, &value)?;
    Ok(SecretString::from(value))
}

impl Auth {
    /// No credentials (tests, public endpoints).
    pub fn none() -> Self {
        Self::from_kind(AuthKind::None)
    }

    fn from_kind(kind: AuthKind) -> Self {
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self {
            kind,
            scopes: None,
            id,
        }
    }

    /// A number identifying this credential (shared by its clones).
    pub fn identity(&self) -> u64 {
        self.id
    }

    /// Twitch Helix: `Authorization: Bearer <user token>` and `Client-Id: <client id>`.
    pub fn twitch_helix(
        client_id: impl Into<String>,
        user_token: impl Into<String>,
    ) -> Result<Self, RequestError> {
        let client_id = client_id.into();
        check_header_value("Twitch client ID", &client_id)?;
        let token = secret("Twitch user token", user_token)?;
        Ok(Self::from_kind(AuthKind::TwitchHelix {
            authorization: sensitive(&format!("Bearer {}", token.expose_secret()))?,
            client_id_header: plain(&client_id)?,
            client_id,
        }))
    }

    /// Twitch Kraken (v5 or v2): `Authorization: OAuth <token>` and, when given, `Client-ID`. The
    /// `Accept` header that selects the version comes from the client's spec, not from here.
    pub fn twitch_kraken(
        client_id: Option<String>,
        oauth_token: Option<String>,
    ) -> Result<Self, RequestError> {
        if let Some(id) = &client_id {
            check_header_value("Twitch client ID", id)?;
        }
        let token = oauth_token
            .map(|t| secret("Twitch OAuth token", t))
            .transpose()?;
        Ok(Self::from_kind(AuthKind::Kraken { client_id, token }))
    }

    /// X OAuth 2.0 user context (a user access token, optionally refreshable).
    pub fn x_oauth2_user(token: OAuth2UserToken) -> Self {
        Self::from_kind(AuthKind::XUserOAuth2(Arc::new(token)))
    }

    /// An X app-only bearer token. User-context endpoints refuse it before sending.
    pub fn x_app_only(bearer: impl Into<String>) -> Result<Self, RequestError> {
        Ok(Self::from_kind(AuthKind::XAppOnly(secret(
            "X app-only bearer token",
            bearer,
        )?)))
    }

    /// X OAuth 1.0a user context (HMAC-SHA1 signed requests).
    pub fn x_oauth1(credentials: OAuth1Credentials) -> Self {
        Self::from_kind(AuthKind::XOAuth1(Arc::new(credentials)))
    }

    /// Declares the scopes the token was granted; operations needing another one are then refused
    /// before sending with [`RequestError::MissingScopes`].
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(Arc::new(scopes.into_iter().map(Into::into).collect()));
        self
    }

    /// What kind of credential this is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            AuthKind::None => "no credentials",
            AuthKind::TwitchHelix { .. } => "a Twitch Helix user token",
            AuthKind::Kraken { .. } => "a Twitch Kraken OAuth token",
            AuthKind::XUserOAuth2(_) => "an X OAuth 2.0 user token",
            AuthKind::XAppOnly(_) => "an X app-only bearer token",
            AuthKind::XOAuth1(_) => "X OAuth 1.0a user credentials",
        }
    }

    pub(crate) fn is_user_context(&self) -> bool {
        !matches!(self.kind, AuthKind::XAppOnly(_) | AuthKind::None)
    }

    /// Checks, before sending, that this credential may call `op`.
    pub(crate) fn check(&self, op: &OperationSpec) -> Result<(), RequestError> {
        if op.credential == CredentialNeed::UserContext && !self.is_user_context() {
            return Err(RequestError::WrongCredentialKind {
                operation: op.id.into(),
                needs: "a user-context credential (an OAuth 2.0 user token or OAuth 1.0a user credentials)".into(),
                given: self.kind_name().into(),
            });
        }
        if let Some(granted) = &self.scopes {
            let missing: Vec<String> = op
                .scopes
                .iter()
                .filter(|s| !granted.contains(**s))
                .map(|s| s.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(RequestError::MissingScopes {
                    operation: op.id.into(),
                    missing,
                    granted: granted.iter().cloned().collect(),
                });
            }
        }
        Ok(())
    }

    /// Puts the credential on one attempt of a request (OAuth 1.0a signs each attempt anew, with
    /// a fresh nonce and timestamp; OAuth 2.0 refreshes an expiring token first).
    pub(crate) async fn apply(
        &self,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
    ) -> Result<(), RequestError> {
        let headers = request.headers_mut();
        match &self.kind {
            AuthKind::None => {}
            AuthKind::TwitchHelix {
                authorization,
                client_id_header,
                ..
            } => {
                headers.insert(AUTHORIZATION, authorization.clone());
                headers.insert(
                    HeaderName::from_static("client-id"),
                    client_id_header.clone(),
                );
            }
            AuthKind::Kraken { client_id, token } => {
                if let Some(token) = token {
                    headers.insert(
                        AUTHORIZATION,
                        sensitive(&format!("OAuth {}", token.expose_secret()))?,
                    );
                }
                if let Some(id) = client_id {
                    headers.insert(HeaderName::from_static("client-id"), plain(id)?);
                }
            }
            AuthKind::XUserOAuth2(token) => {
                let access = token.access_token(http).await?;
                headers.insert(
                    AUTHORIZATION,
                    sensitive(&format!("Bearer {}", access.expose_secret()))?,
                );
            }
            AuthKind::XAppOnly(bearer) => {
                headers.insert(
                    AUTHORIZATION,
                    sensitive(&format!("Bearer {}", bearer.expose_secret()))?,
                );
            }
            AuthKind::XOAuth1(creds) => {
                let header = creds.authorization_for(request)?;
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, sensitive(&header)?);
            }
        }
        Ok(())
    }

    /// After a 401: refresh an OAuth 2.0 token once. Returns whether a retry may succeed.
    pub(crate) async fn refresh_after_unauthorized(
        &self,
        http: &reqwest::Client,
        sent: &reqwest::Request,
    ) -> bool {
        match &self.kind {
            AuthKind::XUserOAuth2(token) => {
                let sent_token = sent
                    .headers()
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .unwrap_or("");
                token.refresh_if_current(http, sent_token).await
            }
            _ => false,
        }
    }
}

fn sensitive(value: &str) -> Result<HeaderValue, RequestError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| RequestError::InvalidHeaderValue {
        what: "Authorization header".into(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn plain(value: &str) -> Result<HeaderValue, RequestError> {
    HeaderValue::from_str(value).map_err(|_| RequestError::InvalidHeaderValue {
        what: "header value".into(),
    })
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Auth");
        d.field("kind", &self.kind_name());
        match &self.kind {
            AuthKind::TwitchHelix { client_id, .. } => {
                d.field("client_id", client_id).field("token", &REDACTED);
            }
            AuthKind::Kraken { client_id, token } => {
                d.field("client_id", client_id)
                    .field("token", &token.as_ref().map(|_| REDACTED));
            }
            AuthKind::XUserOAuth2(t) => {
                d.field("token", t);
            }
            AuthKind::XAppOnly(_) => {
                d.field("bearer", &REDACTED);
            }
            AuthKind::XOAuth1(c) => {
                d.field("credentials", c);
            }
            AuthKind::None => {}
        }
        d.field("scopes", &self.scopes).finish()
    }
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({REDACTED})", self.kind_name())
    }
}
