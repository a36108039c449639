//! Credentials by kind, not by API: a token (static, refreshable or app-only), an API key and
//! OAuth 1.0a credentials. Which ones an operation needs, and how each goes on the wire (the
//! `Authorization` prefix, the API key's header), comes from the spec's security schemes in the
//! generated [`ApiSpec`](crate::ApiSpec) table; nothing here names an API.
//!
//! Constructed once and shared by clients (cheap to clone). Every secret sits in a `secrecy`
//! type: `Debug` and `Display` print `[redacted]`, and no error message carries one. The
//! rate-limit identity ([`CredentialIdentity`]) is a keyed hash taken when a credential is added,
//! so equal credentials pace together however many `Auth`s hold them.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{RequestError, check_header_value};
use crate::identity::{CredentialIdentity, Parts, fingerprint};
use crate::oauth1::OAuth1Credentials;
use crate::oauth2::OAuth2UserToken;
use crate::operation::{CredentialNeed, OperationSpec, SchemeInfo, SchemeKind};

const REDACTED: &str = "[redacted]";

/// The credentials of one client, plus the scopes the caller says its token has (optional).
///
/// Build it from the kinds of credential the API's spec asks for: [`Auth::user_token`] (an OAuth
/// 2.0 user access token, sent with the scheme's prefix: `Bearer`, Kraken's `OAuth`),
/// [`Auth::oauth2_user`] (one that refreshes), [`Auth::app_token`], [`Auth::oauth1`], and
/// [`Auth::with_api_key`] for a scheme that sends a key in a header of its own (Twitch's
/// `Client-Id`). Each request uses the first of the operation's security alternatives these
/// credentials satisfy; when none is satisfied the request is refused before sending.
#[derive(Clone)]
pub struct Auth {
    token: Option<Token>,
    api_key: Option<ApiKey>,
    oauth1: Option<Arc<OAuth1Credentials>>,
    scopes: Option<Arc<BTreeSet<String>>>,
    /// The keyed fingerprint of each credential held, by kind ([`part`]): what the rate-limit
    /// identity is made of, taken once when the credential is added.
    parts: Parts,
    /// The identity of each subset of `parts` (bit [`part`] set: that part is sent), computed
    /// when a credential is added rather than hashed on every request.
    identities: [CredentialIdentity; 8],
}

/// Where each kind of credential's fingerprint sits in [`Auth::parts`].
const fn part(kind: SchemeKind) -> usize {
    match kind {
        SchemeKind::OAuth2 | SchemeKind::Bearer => 0,
        SchemeKind::ApiKeyHeader => 1,
        SchemeKind::OAuth1 => 2,
    }
}

/// The identity of every subset of `parts`, by bitmask of [`part`]s.
fn identities(parts: &Parts) -> [CredentialIdentity; 8] {
    std::array::from_fn(|mask| {
        let mut sent = Parts::default();
        for (i, part) in parts.iter().enumerate() {
            if mask & (1 << i) != 0 {
                sent[i] = *part;
            }
        }
        CredentialIdentity::of(sent)
    })
}

/// The fingerprint of a token, whatever its kind: the platform sees the same token either way.
pub(crate) fn token_fingerprint(token: &str) -> u64 {
    fingerprint("token", &[token])
}

#[derive(Clone)]
enum Token {
    /// A user access token that does not change; the header for the prefix it was last sent
    /// with is built once (it is the same on every request).
    User {
        secret: SecretString,
        header: Arc<OnceLock<(&'static str, HeaderValue)>>,
    },
    Refreshable(Arc<OAuth2UserToken>),
    AppOnly {
        secret: SecretString,
        header: Arc<OnceLock<(&'static str, HeaderValue)>>,
    },
}

#[derive(Clone)]
struct ApiKey {
    header: HeaderValue,
    /// The header's name as last parsed from the spec (the same on every request).
    name: Arc<OnceLock<(&'static str, HeaderName)>>,
}

fn secret(what: &str, value: impl Into<String>) -> Result<SecretString, RequestError> {
    let value = value.into();
    check_header_value(what, &value)?;
    Ok(SecretString::from(value))
}

impl Default for Auth {
    fn default() -> Self {
        Self::none()
    }
}

impl Auth {
    /// No credentials (tests, public endpoints); add some with the `with_*` methods.
    pub fn none() -> Self {
        Self {
            token: None,
            api_key: None,
            oauth1: None,
            scopes: None,
            parts: Parts::default(),
            identities: identities(&Parts::default()),
        }
    }

    /// Who the platform counts these credentials' requests against: equal for every `Auth`
    /// built from equal credentials (in this process), different for different ones. Scopes do
    /// not count. Requests are paced by [`Auth::identity_for`] the credentials they send.
    pub fn identity(&self) -> CredentialIdentity {
        self.identities[7]
    }

    /// Records the fingerprint of the credential of `kind`, and the identities made with it.
    fn set_part(&mut self, kind: SchemeKind, fingerprint: u64) {
        self.parts[part(kind)] = Some(fingerprint);
        self.identities = identities(&self.parts);
    }

    /// The identity of the credentials one security alternative sends (`None`: an operation
    /// that sends none): what the platform sees of a request, hence what it can count it by.
    /// Twitch counts a client-ID-only request per client ID and a user-token one per client ID
    /// and user; these differ here too.
    pub fn identity_for(&self, chosen: Option<&[&SchemeInfo]>) -> CredentialIdentity {
        let mut sent = 0;
        for scheme in chosen.into_iter().flatten() {
            sent |= 1 << part(scheme.kind);
        }
        self.identities[sent]
    }

    /// An OAuth 2.0 user access token that does not refresh. Refused if it holds a control
    /// character.
    pub fn user_token(token: impl Into<String>) -> Result<Self, RequestError> {
        Self::none().with_user_token(token)
    }

    /// An OAuth 2.0 user token that refreshes before expiry and once after a 401.
    pub fn oauth2_user(token: OAuth2UserToken) -> Self {
        Self::none().with_oauth2_user(token)
    }

    /// An app-only bearer token. Operations that need user context refuse it before sending.
    pub fn app_token(bearer: impl Into<String>) -> Result<Self, RequestError> {
        Self::none().with_app_token(bearer)
    }

    /// OAuth 1.0a user credentials (HMAC-SHA1 signed requests).
    pub fn oauth1(credentials: OAuth1Credentials) -> Self {
        Self::none().with_oauth1(credentials)
    }

    /// Adds (or replaces) the token: an OAuth 2.0 user access token that does not refresh.
    pub fn with_user_token(mut self, token: impl Into<String>) -> Result<Self, RequestError> {
        let secret = secret("user access token", token)?;
        self.set_part(
            SchemeKind::Bearer,
            token_fingerprint(secret.expose_secret()),
        );
        self.token = Some(Token::User {
            secret,
            header: Arc::default(),
        });
        Ok(self)
    }

    /// Adds (or replaces) the token with one that refreshes. Its rate-limit identity is the one it
    /// was created with and survives refreshes (the user stays the same).
    pub fn with_oauth2_user(mut self, token: OAuth2UserToken) -> Self {
        self.set_part(SchemeKind::OAuth2, token.fingerprint());
        self.token = Some(Token::Refreshable(Arc::new(token)));
        self
    }

    /// Adds (or replaces) the token with a refreshing one shared with other `Auth`s (every
    /// client of one config): a single-use refresh token must be spent by one holder only.
    pub fn with_shared_oauth2_user(mut self, token: Arc<OAuth2UserToken>) -> Self {
        self.set_part(SchemeKind::OAuth2, token.fingerprint());
        self.token = Some(Token::Refreshable(token));
        self
    }

    /// Adds (or replaces) the token with an app-only bearer token.
    pub fn with_app_token(mut self, bearer: impl Into<String>) -> Result<Self, RequestError> {
        let secret = secret("app-only bearer token", bearer)?;
        self.set_part(
            SchemeKind::Bearer,
            token_fingerprint(secret.expose_secret()),
        );
        self.token = Some(Token::AppOnly {
            secret,
            header: Arc::default(),
        });
        Ok(self)
    }

    /// Adds OAuth 1.0a user credentials.
    pub fn with_oauth1(mut self, credentials: OAuth1Credentials) -> Self {
        self.set_part(SchemeKind::OAuth1, credentials.fingerprint());
        self.oauth1 = Some(Arc::new(credentials));
        self
    }

    /// Adds the value of an API-key scheme (sent in the header the spec names, e.g. Twitch's
    /// `Client-Id`). `Debug` does not show it.
    pub fn with_api_key(mut self, value: impl Into<String>) -> Result<Self, RequestError> {
        let value = value.into();
        check_header_value("API key", &value)?;
        let header = plain(&value)?;
        self.set_part(SchemeKind::ApiKeyHeader, fingerprint("API key", &[&value]));
        self.api_key = Some(ApiKey {
            header,
            name: Arc::default(),
        });
        Ok(self)
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

    /// What these credentials are, for messages (no secret).
    pub fn kind_name(&self) -> String {
        let mut parts = Vec::new();
        match &self.token {
            Some(Token::User { .. }) => parts.push("a user access token"),
            Some(Token::Refreshable(_)) => parts.push("a refreshable OAuth 2.0 user token"),
            Some(Token::AppOnly { .. }) => parts.push("an app-only bearer token"),
            None => {}
        }
        if self.api_key.is_some() {
            parts.push("an API key");
        }
        if self.oauth1.is_some() {
            parts.push("OAuth 1.0a user credentials");
        }
        match parts.as_slice() {
            [] => "no credentials".into(),
            [one] => (*one).into(),
            more => more.join(" and "),
        }
    }

    fn satisfies(&self, scheme: &SchemeInfo) -> bool {
        match scheme.kind {
            SchemeKind::OAuth2 | SchemeKind::Bearer => match &self.token {
                Some(Token::AppOnly { .. }) => scheme.app_only,
                Some(_) => true,
                None => false,
            },
            SchemeKind::ApiKeyHeader => self.api_key.is_some(),
            SchemeKind::OAuth1 => self.oauth1.is_some(),
        }
    }

    /// Chooses, before sending, the security alternative of `op` these credentials satisfy,
    /// and checks the declared scopes. `None`: the operation needs no credentials.
    pub(crate) fn choose(
        &self,
        op: &OperationSpec,
    ) -> Result<Option<&'static [&'static SchemeInfo]>, RequestError> {
        if op.security.is_empty() || op.credential == CredentialNeed::None {
            return Ok(None);
        }
        // Runs on every request: the generated table points at the schemes, so nothing is looked
        // up or allocated here.
        let satisfied =
            |alt: &&'static [&'static SchemeInfo]| alt.iter().all(|s| self.satisfies(s));
        let Some(chosen) = op.security.iter().copied().find(satisfied) else {
            return Err(self.unsatisfied(op));
        };
        let oauth2 = chosen.iter().any(|s| s.kind == SchemeKind::OAuth2);
        if oauth2 && let Some(granted) = &self.scopes {
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
        Ok(Some(chosen))
    }

    /// The refusal when no security alternative of `op` is satisfied: what it needs, what was
    /// given.
    fn unsatisfied(&self, op: &OperationSpec) -> RequestError {
        let needs: Vec<String> = op
            .security
            .iter()
            .map(|alt| {
                alt.iter()
                    .map(|s| describe(s))
                    .collect::<Vec<_>>()
                    .join(" with ")
            })
            .collect();
        let context = if op.credential == CredentialNeed::UserContext {
            "a user-context credential: "
        } else {
            ""
        };
        RequestError::WrongCredentialKind {
            operation: op.id.into(),
            needs: format!("{context}{}", needs.join(", or ")),
            given: self.kind_name(),
        }
    }

    /// Puts the credentials of the chosen alternative on one attempt of a request (OAuth 1.0a
    /// signs each attempt anew, with a fresh nonce and timestamp; OAuth 2.0 refreshes an
    /// expiring token first).
    pub(crate) async fn apply(
        &self,
        chosen: Option<&'static [&'static SchemeInfo]>,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
    ) -> Result<(), RequestError> {
        for scheme in chosen.into_iter().flatten() {
            match scheme.kind {
                SchemeKind::OAuth2 | SchemeKind::Bearer => {
                    let value = match &self.token {
                        Some(Token::User { secret, header })
                        | Some(Token::AppOnly { secret, header }) => {
                            cached(header, scheme.prefix, secret)?
                        }
                        Some(Token::Refreshable(token)) => {
                            token.authorization(http, scheme.prefix).await?
                        }
                        None => continue,
                    };
                    request.headers_mut().insert(AUTHORIZATION, value);
                }
                SchemeKind::ApiKeyHeader => {
                    if let (Some(key), Some(name)) = (&self.api_key, scheme.header) {
                        let name = header_name(&key.name, name)?;
                        request.headers_mut().insert(name, key.header.clone());
                    }
                }
                SchemeKind::OAuth1 => {
                    if let Some(creds) = &self.oauth1 {
                        let header = creds.authorization_for(request)?;
                        request
                            .headers_mut()
                            .insert(AUTHORIZATION, sensitive(&header)?);
                    }
                }
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
        match &self.token {
            Some(Token::Refreshable(token)) => {
                let sent_token = sent
                    .headers()
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split_once(' ').map(|(_, t)| t))
                    .unwrap_or("");
                token.refresh_if_current(http, sent_token).await
            }
            _ => false,
        }
    }
}

/// `twitch_user_token (Authorization: Bearer)`, `client_id (Client-Id header)`.
fn describe(scheme: &SchemeInfo) -> String {
    match (scheme.kind, scheme.header) {
        (SchemeKind::ApiKeyHeader, Some(header)) => format!("{} ({header} header)", scheme.name),
        (SchemeKind::OAuth1, _) => format!("{} (OAuth 1.0a user credentials)", scheme.name),
        _ => format!(
            "{} (a token sent as Authorization: {})",
            scheme.name, scheme.prefix
        ),
    }
}

fn header_name(
    slot: &OnceLock<(&'static str, HeaderName)>,
    name: &'static str,
) -> Result<HeaderName, RequestError> {
    if let Some((n, parsed)) = slot.get()
        && *n == name
    {
        return Ok(parsed.clone());
    }
    let parsed =
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| RequestError::InvalidHeaderValue {
            what: "API key header name".into(),
        })?;
    let _ = slot.set((name, parsed.clone()));
    Ok(parsed)
}

fn cached(
    slot: &OnceLock<(&'static str, HeaderValue)>,
    prefix: &'static str,
    secret: &SecretString,
) -> Result<HeaderValue, RequestError> {
    if let Some((p, value)) = slot.get()
        && *p == prefix
    {
        return Ok(value.clone());
    }
    let value = authorization(prefix, secret)?;
    let _ = slot.set((prefix, value.clone()));
    Ok(value)
}

pub(crate) fn authorization(
    prefix: &str,
    secret: &SecretString,
) -> Result<HeaderValue, RequestError> {
    sensitive(&format!("{prefix} {}", secret.expose_secret()))
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
        match &self.token {
            Some(Token::Refreshable(t)) => {
                d.field("token", t);
            }
            Some(_) => {
                d.field("token", &REDACTED);
            }
            None => {}
        }
        if self.api_key.is_some() {
            // A spec's API key may be a secret (Twitch's client ID is not, others are).
            d.field("api_key", &REDACTED);
        }
        if let Some(c) = &self.oauth1 {
            d.field("oauth1", c);
        }
        d.field("scopes", &self.scopes)
            .field("identity", &self.identity())
            .finish()
    }
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({REDACTED})", self.kind_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok3n-s3cret-value";
    const CLIENT_ID: &str = "client-id-s3cret";

    fn helix(token: &str, client_id: &str) -> Auth {
        Auth::user_token(token)
            .and_then(|a| a.with_api_key(client_id))
            .unwrap()
    }

    fn oauth1(token: &str) -> Auth {
        Auth::oauth1(
            OAuth1Credentials::new("consumer-key", "consumer-s3cret", token, "token-s3cret")
                .unwrap(),
        )
    }

    #[test]
    fn equal_credentials_have_one_identity_and_different_ones_differ() {
        // Built apart, in another order, with scopes declared: still the same credentials.
        let a = helix(TOKEN, CLIENT_ID);
        let b = Auth::none()
            .with_api_key(CLIENT_ID)
            .and_then(|a| a.with_user_token(TOKEN))
            .unwrap()
            .with_scopes(["user:read:blocked_users"]);
        assert_eq!(a.identity(), b.identity());
        assert_eq!(a.identity(), a.clone().identity());
        // A refreshable token is the token it was created with.
        let refreshable = Auth::oauth2_user(OAuth2UserToken::new(TOKEN).unwrap())
            .with_api_key(CLIENT_ID)
            .unwrap();
        assert_eq!(a.identity(), refreshable.identity());
        assert_eq!(oauth1("at-1").identity(), oauth1("at-1").identity());

        let different = [
            helix("another-token", CLIENT_ID),
            helix(TOKEN, "another-client-id"),
            Auth::user_token(TOKEN).unwrap(),
            Auth::none().with_api_key(CLIENT_ID).unwrap(),
            // The same text as another kind of credential is another credential.
            Auth::user_token(CLIENT_ID)
                .and_then(|a| a.with_api_key(TOKEN))
                .unwrap(),
            oauth1("at-1"),
            oauth1("at-2"),
            Auth::none(),
        ];
        let mut all = vec![a.identity()];
        for auth in &different {
            assert!(!all.contains(&auth.identity()), "{auth:?} collides");
            all.push(auth.identity());
        }
        assert_eq!(Auth::none().identity(), Auth::default().identity());
    }

    #[test]
    fn a_request_is_counted_by_the_credentials_it_sends() {
        static TOKEN_SCHEME: SchemeInfo = SchemeInfo {
            name: "user_token",
            kind: SchemeKind::OAuth2,
            header: None,
            prefix: "Bearer",
            app_only: false,
            env: &[],
        };
        static CLIENT_ID_SCHEME: SchemeInfo = SchemeInfo {
            name: "client_id",
            kind: SchemeKind::ApiKeyHeader,
            header: Some("Client-Id"),
            prefix: "",
            app_only: false,
            env: &[],
        };
        let both: &[&SchemeInfo] = &[&TOKEN_SCHEME, &CLIENT_ID_SCHEME];
        let client_only: &[&SchemeInfo] = &[&CLIENT_ID_SCHEME];
        let a = helix(TOKEN, CLIENT_ID);
        // Client ID and user: every credential it holds.
        assert_eq!(a.identity_for(Some(both)), a.identity());
        // Client ID alone: per client ID, whoever's token sits beside it.
        let other_user = helix("another-token", CLIENT_ID);
        assert_eq!(
            a.identity_for(Some(client_only)),
            other_user.identity_for(Some(client_only))
        );
        assert_ne!(a.identity_for(Some(client_only)), a.identity());
        // Nothing sent: the identity of no credentials.
        assert_eq!(a.identity_for(None), Auth::none().identity());
    }

    #[test]
    fn debug_and_display_of_auth_and_its_identity_show_no_secret() {
        let auths = [
            helix(TOKEN, CLIENT_ID),
            Auth::app_token(TOKEN).unwrap(),
            Auth::oauth2_user(OAuth2UserToken::new(TOKEN).unwrap()),
            oauth1(TOKEN),
        ];
        for auth in auths {
            let shown = [
                format!("{auth:?}"),
                format!("{auth:#?}"),
                format!("{auth}"),
                format!("{:?}", auth.identity()),
            ];
            for text in shown {
                for secret in [TOKEN, CLIENT_ID, "consumer-s3cret", "token-s3cret"] {
                    assert!(!text.contains(secret), "{text} shows {secret}");
                }
                assert!(!text.contains("s3cret"), "{text}");
            }
            assert!(format!("{auth:?}").contains("identity: CredentialIdentity("));
        }
    }
}
