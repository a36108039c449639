//! OAuth 2.0 user context (X's, and Twitch's user tokens): a user access token that refreshes
//! itself (before it expires, and once after a 401), hands every rotated pair to a persist
//! callback before using it, and (Twitch) is validated at start and hourly; and the PKCE
//! authorization-code helpers, on the `oauth2` crate driven by our reqwest 0.13 client.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
// Tokio's clock, not std's: the expiry and the hourly validation follow a paused clock in tests.
use tokio::time::Instant;

use crate::api_error::without_url;
use crate::error::{RequestError, check_header_value};

/// X's OAuth 2.0 authorization endpoint (where the user approves access).
pub const X_AUTHORIZE_URL: &str = "https://x.com/i/oauth2/authorize";
/// X's OAuth 2.0 token endpoint (code exchange and refresh).
pub const X_TOKEN_URL: &str = "https://api.x.com/2/oauth2/token";

/// Refresh this long before the token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Never refresh sooner than this after the token was obtained: a token endpoint that grants
/// tokens for less than [`REFRESH_MARGIN`] must not cost a refresh per request (a token that
/// does expire first is refreshed once after its 401).
const REFRESH_FLOOR: Duration = Duration::from_secs(10);

/// The largest token endpoint answer read: a token response is a few hundred bytes.
const TOKEN_RESPONSE_LIMIT: u64 = 64 * 1024;

struct TokenState {
    access: SecretString,
    refresh: Option<SecretString>,
    /// When to refresh before sending ([`refresh_at`]); `None`: only after a 401.
    refresh_at: Option<Instant>,
    /// When the token was last validated ([`OAuth2UserToken::validated_every`]).
    validated_at: Option<Instant>,
    /// The `Authorization` value last built from `access`, with its scheme prefix: built once
    /// per token, not per request. Cleared whenever `access` changes.
    header: Option<(&'static str, reqwest::header::HeaderValue)>,
}

/// What a token endpoint granted: an access token, the refresh token that replaces the one
/// spent (if any), how long the access token lasts, and its scopes. `Debug` shows no token.
#[derive(Clone)]
pub struct GrantedToken {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token (rotated: the one it replaces no longer works).
    pub refresh_token: Option<SecretString>,
    /// How long the access token lasts from when it was granted.
    pub expires_in: Option<Duration>,
    /// The scopes granted, when the endpoint says.
    pub scopes: Vec<String>,
}

impl fmt::Debug for GrantedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantedToken")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Called with every pair a refresh grants, before the new access token is sent and before the
/// old refresh token is dropped: a single-use (Twitch) or rotating (X) refresh token that is not
/// stored is lost with the process.
pub type PersistRotated = Arc<dyn Fn(&GrantedToken) + Send + Sync>;

/// A token endpoint's success answer, read leniently: X sends `scope` as a space-separated
/// string (RFC 6749), Twitch as an array.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<ScopeList>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ScopeList {
    Spaced(String),
    List(Vec<String>),
}

impl TokenAnswer {
    fn into_grant(self) -> Result<GrantedToken, RequestError> {
        check_header_value("granted access token", &self.access_token)?;
        if let Some(r) = &self.refresh_token {
            check_header_value("granted refresh token", r)?;
        }
        Ok(GrantedToken {
            access_token: self.access_token.into(),
            refresh_token: self.refresh_token.map(SecretString::from),
            expires_in: self.expires_in.map(Duration::from_secs),
            scopes: match self.scope {
                Some(ScopeList::Spaced(s)) => s.split_whitespace().map(str::to_string).collect(),
                Some(ScopeList::List(l)) => l,
                None => Vec::new(),
            },
        })
    }
}

/// A token endpoint's refusal: RFC 6749's `{error, error_description}` (X) or Twitch's
/// `{status, message}`.
#[derive(serde::Deserialize)]
struct TokenRefusal {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl TokenRefusal {
    /// The error code (`invalid_grant`, `authorization_pending`, ...), cut short and printable:
    /// it goes into messages.
    fn code(&self) -> String {
        let code = self
            .error
            .as_deref()
            .or(self.message.as_deref())
            .unwrap_or("");
        code.chars().filter(|c| !c.is_control()).take(80).collect()
    }
}

/// Where a confidential client's secret goes on a token request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientSecretIn {
    /// HTTP Basic (`client_id:client_secret`), as X asks.
    Basic,
    /// The form's `client_secret`, as Twitch asks.
    Form,
}

/// When a token valid for `expires_in` from `now` is refreshed before a request:
/// [`REFRESH_MARGIN`] before it expires, but not before `floor` has passed ([`REFRESH_FLOOR`]
/// for a token the endpoint just granted; none for one the caller brings, whose `expires_in` is
/// what is left of it). `None` (refresh only after a 401) when no expiry is known or none a
/// clock can hold (a huge `expires_in` saturates instead of overflowing).
fn refresh_at(now: Instant, expires_in: Option<Duration>, floor: Duration) -> Option<Instant> {
    let expires_at = now.checked_add(expires_in?)?;
    let floor = now.checked_add(floor)?;
    Some(
        expires_at
            .checked_sub(REFRESH_MARGIN)
            .map_or(floor, |at| at.max(floor)),
    )
}

struct Refresher {
    client_id: String,
    token_url: String,
    secret: Option<(SecretString, ClientSecretIn)>,
}

/// Twitch's hourly validation of a token in use.
struct Validation {
    url: String,
    every: Duration,
}

/// A user access token, optionally with what it takes to refresh it.
pub struct OAuth2UserToken {
    state: Mutex<TokenState>,
    refresher: Option<Refresher>,
    persist: Option<PersistRotated>,
    validation: Option<Validation>,
    /// The token endpoint refused the refresh token (revoked, spent, expired): only a new
    /// sign-in helps.
    login_required: AtomicBool,
    /// The keyed fingerprint of the access token it was created with: its rate-limit identity,
    /// kept across refreshes (a refreshed token is the same user's).
    fingerprint: u64,
}

impl fmt::Debug for OAuth2UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2UserToken")
            .field("access_token", &"[redacted]")
            .field("refreshable", &self.refresher.is_some())
            .field("login_required", &self.login_required())
            .finish()
    }
}

impl OAuth2UserToken {
    /// A token that is used as is until the server refuses it.
    pub fn new(access_token: impl Into<String>) -> Result<Self, RequestError> {
        let access = access_token.into();
        check_header_value("X OAuth 2.0 user token", &access)?;
        Ok(Self {
            fingerprint: crate::auth::token_fingerprint(&access),
            state: Mutex::new(TokenState {
                access: access.into(),
                refresh: None,
                refresh_at: None,
                validated_at: None,
                header: None,
            }),
            refresher: None,
            persist: None,
            validation: None,
            login_required: AtomicBool::new(false),
        })
    }

    /// A refreshable token from what a token endpoint granted (see [`Self::refreshable`]); a
    /// grant without a refresh token gives a token used until the server refuses it.
    pub fn from_grant(
        grant: &GrantedToken,
        client_id: impl Into<String>,
        token_url: impl Into<String>,
    ) -> Result<Self, RequestError> {
        match &grant.refresh_token {
            Some(refresh) => Self::refreshable(
                grant.access_token.expose_secret(),
                refresh.expose_secret(),
                grant.expires_in,
                client_id,
                token_url,
            ),
            None => Self::new(grant.access_token.expose_secret()),
        }
    }

    /// Authenticates refreshes as a confidential client: `secret` sent as `place` says.
    pub fn with_client_secret(mut self, secret: impl Into<String>, place: ClientSecretIn) -> Self {
        if let Some(r) = &mut self.refresher {
            r.secret = Some((SecretString::from(secret.into()), place));
        }
        self
    }

    /// Calls `persist` with every pair a refresh grants, before the new access token is used.
    pub fn on_refresh(mut self, persist: PersistRotated) -> Self {
        self.persist = Some(persist);
        self
    }

    /// Validates the token at `validate_url` (Twitch's `oauth2/validate`, `Authorization: OAuth
    /// <token>`) before its first request and again when `every` has passed (Twitch asks for
    /// hourly); a token found invalid is refreshed, or fails with [`RequestError::Refresh`].
    pub fn validated_every(mut self, validate_url: impl Into<String>, every: Duration) -> Self {
        self.validation = Some(Validation {
            url: validate_url.into(),
            every,
        });
        self
    }

    /// Whether the token endpoint refused the refresh token (revoked, already used, expired):
    /// the user has to sign in again.
    pub fn login_required(&self) -> bool {
        self.login_required.load(Ordering::Relaxed)
    }

    /// A token refreshed with `refresh_token` (public client `client_id`, at `token_url`) shortly
    /// before `expires_in` runs out and once after a 401. `token_url` must pass the same
    /// transport check as the API's base URL (https, or http to a loopback host; no userinfo).
    pub fn refreshable(
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
        expires_in: Option<Duration>,
        client_id: impl Into<String>,
        token_url: impl Into<String>,
    ) -> Result<Self, RequestError> {
        let token_url = token_url.into();
        checked_token_url(&token_url)?;
        let mut token = Self::new(access_token)?;
        let refresh = refresh_token.into();
        check_header_value("X OAuth 2.0 refresh token", &refresh)?;
        let state = token.state.get_mut();
        state.refresh = Some(refresh.into());
        state.refresh_at = refresh_at(Instant::now(), expires_in, Duration::ZERO);
        token.refresher = Some(Refresher {
            client_id: client_id.into(),
            token_url,
            secret: None,
        });
        Ok(token)
    }

    /// The keyed fingerprint of the token it was created with (see [`crate::CredentialIdentity`]).
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The access token to send now, for the runtime and for a caller that sends it itself (a
    /// script's `blockbind auth token`): refreshed first when it has expired or is about to (the
    /// rotated pair handed to the [`Self::on_refresh`] callback before it is returned),
    /// validated first when validation is due. A refused refresh token fails with
    /// [`RequestError::Refresh`] and sets [`Self::login_required`].
    pub async fn access_token(&self, http: &reqwest::Client) -> Result<SecretString, RequestError> {
        Ok(self.fresh(http).await?.access.clone())
    }

    /// The `Authorization` value of the token [`Self::access_token`] would return, as
    /// `{prefix} {token}`, marked sensitive.
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        prefix: &'static str,
    ) -> Result<reqwest::header::HeaderValue, RequestError> {
        let mut state = self.fresh(http).await?;
        if let Some((cached_prefix, value)) = &state.header
            && *cached_prefix == prefix
        {
            return Ok(value.clone());
        }
        let value = crate::auth::authorization(prefix, &state.access)?;
        state.header = Some((prefix, value.clone()));
        Ok(value)
    }

    /// The state, its token refreshed and validated first where due.
    async fn fresh(
        &self,
        http: &reqwest::Client,
    ) -> Result<tokio::sync::MutexGuard<'_, TokenState>, RequestError> {
        let mut state = self.state.lock().await;
        let expiring = state.refresh_at.is_some_and(|at| at <= Instant::now());
        if expiring && self.refresher.is_some() {
            self.refresh_locked(http, &mut state).await?;
        }
        if let Some(v) = &self.validation {
            let due = state.validated_at.is_none_or(|at| at.elapsed() >= v.every);
            if due {
                match validate_twitch(http, &v.url, state.access.expose_secret()).await {
                    Ok(_) => {}
                    Err(RequestError::Refresh(m)) if m == INVALID_TOKEN => {
                        if self.refresher.is_none() {
                            self.login_required.store(true, Ordering::Relaxed);
                            return Err(RequestError::Refresh(
                                "the token is no longer valid: sign in again".into(),
                            ));
                        }
                        self.refresh_locked(http, &mut state).await?;
                    }
                    // The validation endpoint being unreachable does not stop the work: the
                    // API itself answers 401 to a token that is no longer valid.
                    Err(e) => tracing::warn!("token validation failed: {e}"),
                }
                state.validated_at = Some(Instant::now());
            }
        }
        Ok(state)
    }

    /// Refreshes unless another caller already replaced the token that was refused.
    pub(crate) async fn refresh_if_current(&self, http: &reqwest::Client, refused: &str) -> bool {
        if self.refresher.is_none() {
            return false;
        }
        let mut state = self.state.lock().await;
        if state.access.expose_secret() != refused {
            return true; // someone refreshed meanwhile: retry with the new token
        }
        self.refresh_locked(http, &mut state).await.is_ok()
    }

    async fn refresh_locked(
        &self,
        http: &reqwest::Client,
        state: &mut TokenState,
    ) -> Result<(), RequestError> {
        let refresher = self.refresher.as_ref().expect("checked by callers");
        let refresh = state
            .refresh
            .as_ref()
            .ok_or_else(|| RequestError::Refresh("no refresh token".into()))?;
        let grant = match refresh_grant(http, refresher, refresh.expose_secret()).await {
            Ok(grant) => grant,
            Err(Refused::Grant(code)) => {
                self.login_required.store(true, Ordering::Relaxed);
                return Err(RequestError::Refresh(format!(
                    "the refresh token was refused ({code}): it was revoked, already used or expired; sign in again"
                )));
            }
            Err(Refused::Other(e)) => return Err(e),
        };
        // Stored before it is used, and before the old refresh token is dropped.
        if let Some(persist) = &self.persist {
            persist(&grant);
        }
        state.access = grant.access_token;
        state.header = None;
        if let Some(r) = grant.refresh_token {
            state.refresh = Some(r);
        }
        state.refresh_at = refresh_at(Instant::now(), grant.expires_in, REFRESH_FLOOR);
        state.validated_at = Some(Instant::now());
        tracing::debug!("OAuth 2.0 user token refreshed");
        Ok(())
    }
}

/// Why a refresh failed: the endpoint refused the grant (sign in again), or anything else.
enum Refused {
    Grant(String),
    Other(RequestError),
}

/// The refresh-token grant (RFC 6749 §6) as a plain form POST through our client. Not through
/// `oauth2`'s `request_async`: its future cannot be proven `Send` for every lifetime, which would
/// make every generated request future non-`Send`; and its response type reads no `scope` array
/// (Twitch's).
async fn refresh_grant(
    http: &reqwest::Client,
    refresher: &Refresher,
    refresh_token: &str,
) -> Result<GrantedToken, Refused> {
    // Finished before any await: the serializer is not `Send`.
    let mut basic = None;
    let body = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", refresh_token)
            .append_pair("client_id", &refresher.client_id);
        match &refresher.secret {
            Some((secret, ClientSecretIn::Form)) => {
                form.append_pair("client_secret", secret.expose_secret());
            }
            Some((secret, ClientSecretIn::Basic)) => basic = Some(secret),
            None => {}
        }
        form.finish()
    };
    let url = checked_token_url(&refresher.token_url).map_err(Refused::Other)?;
    let mut request = http.post(url);
    if let Some(secret) = basic {
        request = request.basic_auth(
            form_encode(&refresher.client_id),
            Some(form_encode(secret.expose_secret())),
        );
    }
    let (status, bytes) = token_post(request, body).await.map_err(Refused::Other)?;
    if !status.is_success() {
        return Err(match serde_json::from_slice::<TokenRefusal>(&bytes) {
            Ok(r) if status.as_u16() == 400 || status.as_u16() == 401 => Refused::Grant(r.code()),
            _ => Refused::Other(RequestError::Refresh(format!(
                "token endpoint answered {status}"
            ))),
        });
    }
    read_grant(&bytes).map_err(Refused::Other)
}

/// RFC 6749 §2.3.1: the client ID and secret are form-encoded before Basic.
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A token endpoint's success answer, or an error that does not echo it.
pub(crate) fn read_grant(bytes: &[u8]) -> Result<GrantedToken, RequestError> {
    serde_json::from_slice::<TokenAnswer>(bytes)
        .map_err(|_| {
            RequestError::Refresh(
                "token endpoint answered something that is not a token response".into(),
            )
        })?
        .into_grant()
}

/// A form POST to a token endpoint, capped and timed out; the status and body.
pub(crate) async fn token_post(
    request: reqwest::RequestBuilder,
    form: String,
) -> Result<(reqwest::StatusCode, Vec<u8>), RequestError> {
    let response = request
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(crate::DEFAULT_ATTEMPT_TIMEOUT)
        .body(form)
        .send()
        .await
        .map_err(|e| RequestError::Refresh(format!("token request failed: {}", without_url(&e))))?;
    let response = crate::limits::capped(response, TOKEN_RESPONSE_LIMIT);
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| {
        RequestError::Refresh(format!("token response unreadable: {}", without_url(&e)))
    })?;
    Ok((status, bytes.to_vec()))
}

/// The error [`validate_twitch`] gives for a token the endpoint calls invalid (its 401).
pub(crate) const INVALID_TOKEN: &str = "the token is not valid (oauth2/validate answered 401)";

/// What Twitch's `oauth2/validate` says of a token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct TokenValidation {
    /// The client ID the token was issued to.
    pub client_id: String,
    /// The user's login (absent for app tokens).
    #[serde(default)]
    pub login: Option<String>,
    /// The scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The user's ID (absent for app tokens).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Seconds left.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// Twitch's `GET oauth2/validate` (`Authorization: OAuth <token>`): whose token it is, its
/// scopes and the time left. A 401 is [`RequestError::Refresh`] saying the token is not valid.
pub async fn validate_twitch(
    http: &reqwest::Client,
    validate_url: &str,
    access_token: &str,
) -> Result<TokenValidation, RequestError> {
    let url = checked_token_url(validate_url)?;
    let header = reqwest::header::HeaderValue::from_str(&format!("OAuth {access_token}"))
        .map(|mut v| {
            v.set_sensitive(true);
            v
        })
        .map_err(|_| RequestError::InvalidHeaderValue {
            what: "access token".into(),
        })?;
    let response = http
        .get(url)
        .header(reqwest::header::AUTHORIZATION, header)
        .timeout(crate::DEFAULT_ATTEMPT_TIMEOUT)
        .send()
        .await
        .map_err(|e| {
            RequestError::Refresh(format!("validate request failed: {}", without_url(&e)))
        })?;
    let response = crate::limits::capped(response, TOKEN_RESPONSE_LIMIT);
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| {
        RequestError::Refresh(format!("validate response unreadable: {}", without_url(&e)))
    })?;
    if status.as_u16() == 401 {
        return Err(RequestError::Refresh(INVALID_TOKEN.into()));
    }
    if !status.is_success() {
        return Err(RequestError::Refresh(format!(
            "oauth2/validate answered {status}"
        )));
    }
    serde_json::from_slice(&bytes).map_err(|_| {
        RequestError::Refresh("oauth2/validate answered something that is not a validation".into())
    })
}

/// The token URL, parsed and put through the API's transport check: a refresh token never
/// travels over plain http to another host, nor in Basic auth made from the URL's userinfo.
pub(crate) fn checked_token_url(token_url: &str) -> Result<reqwest::Url, RequestError> {
    let url = reqwest::Url::parse(token_url)
        .map_err(|e| RequestError::Refresh(format!("bad token URL: {e}")))?;
    crate::wire::check_transport(&url)?;
    Ok(url)
}

/// Error messages from the token endpoint without any token in them.
fn describe_token_error<RE: std::error::Error + 'static>(
    e: &oauth2::RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> String {
    match e {
        oauth2::RequestTokenError::ServerResponse(r) => {
            format!("token endpoint refused: {}", r.error())
        }
        oauth2::RequestTokenError::Request(e) => format!("token request failed: {e}"),
        oauth2::RequestTokenError::Parse(_, _) => {
            "token endpoint answered something that is not a token response".into()
        }
        oauth2::RequestTokenError::Other(m) => {
            format!("token endpoint answered something that is not a token response: {m}")
        }
    }
}

/// `oauth2`'s HTTP client over our reqwest client. A named type with a boxed `Send` future, not a
/// closure: through a closure the compiler cannot prove the refresh future `Send` for every
/// lifetime, and then no generated client's request future is `Send` (`tokio::spawn` refuses it).
struct TokenHttp<'h>(&'h reqwest::Client);

impl<'c, 'h: 'c> oauth2::AsyncHttpClient<'c> for TokenHttp<'h> {
    type Error = reqwest::Error;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, reqwest::Error>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self.0, request))
    }
}

/// Sends an `oauth2` request through our reqwest client.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let mut request = reqwest::Request::try_from(request)?;
    *request.timeout_mut() = Some(crate::DEFAULT_ATTEMPT_TIMEOUT);
    let response = crate::limits::capped(http.execute(request).await?, TOKEN_RESPONSE_LIMIT);
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(builder
        .body(body)
        .expect("status and headers come from a valid response"))
}

/// The first step of the authorization-code flow with PKCE: where to send the user, and what to
/// keep for the exchange.
pub struct PkceAuthorization {
    /// The authorization URL to send the user to.
    pub url: url::Url,
    /// The `state` the redirect must bring back, to check against cross-site request forgery.
    pub csrf_state: String,
    verifier: PkceCodeVerifier,
}

impl fmt::Debug for PkceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PkceAuthorization")
            .field("url", &self.url.as_str())
            .field("verifier", &"[redacted]")
            .finish()
    }
}

/// Builds the authorization URL (S256 challenge, random state) for `scopes`.
pub fn pkce_authorization_url(
    authorize_url: &str,
    client_id: &str,
    redirect_url: &str,
    scopes: &[&str],
) -> Result<PkceAuthorization, RequestError> {
    let bad = |e: oauth2::url::ParseError| RequestError::Refresh(format!("bad URL: {e}"));
    let client = BasicClient::new(ClientId::new(client_id.into()))
        .set_auth_uri(AuthUrl::new(authorize_url.into()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect_url.into()).map_err(bad)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(challenge)
        .url();
    let url = url::Url::parse(url.as_str()).map_err(|e| RequestError::Refresh(e.to_string()))?;
    Ok(PkceAuthorization {
        url,
        csrf_state: state.secret().clone(),
        verifier,
    })
}

/// Exchanges the code the redirect brought back for a refreshable user token.
pub async fn exchange_code(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    redirect_url: &str,
    authorization: PkceAuthorization,
    code: &str,
) -> Result<OAuth2UserToken, RequestError> {
    let grant = exchange_code_grant(
        http,
        token_url,
        client_id,
        None,
        redirect_url,
        authorization,
        code,
    )
    .await?;
    OAuth2UserToken::from_grant(&grant, client_id, token_url)
}

/// Exchanges the code the redirect brought back (with the PKCE verifier) for what the token
/// endpoint grants; a confidential client sends `client_secret` in Basic auth (X's way).
pub async fn exchange_code_grant(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    client_secret: Option<&str>,
    redirect_url: &str,
    authorization: PkceAuthorization,
    code: &str,
) -> Result<GrantedToken, RequestError> {
    checked_token_url(token_url)?;
    let bad = |e: oauth2::url::ParseError| RequestError::Refresh(format!("bad URL: {e}"));
    let mut client = BasicClient::new(ClientId::new(client_id.into()))
        .set_token_uri(TokenUrl::new(token_url.into()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect_url.into()).map_err(bad)?);
    if let Some(secret) = client_secret {
        client = client.set_client_secret(oauth2::ClientSecret::new(secret.into()));
    }
    let response = client
        .exchange_code(AuthorizationCode::new(code.into()))
        .set_pkce_verifier(authorization.verifier)
        .request_async(&TokenHttp(http))
        .await
        .map_err(|e| RequestError::Refresh(describe_token_error(&e)))?;
    let access = response.access_token().secret().clone();
    check_header_value("granted access token", &access)?;
    let refresh = response.refresh_token().map(|r| r.secret().clone());
    if let Some(r) = &refresh {
        check_header_value("granted refresh token", r)?;
    }
    Ok(GrantedToken {
        access_token: access.into(),
        refresh_token: refresh.map(SecretString::from),
        expires_in: response.expires_in(),
        scopes: response
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_expires_in_saturates_to_no_expiry_known_instead_of_overflowing() {
        let now = Instant::now();
        for floor in [Duration::ZERO, REFRESH_FLOOR] {
            assert_eq!(refresh_at(now, Some(Duration::MAX), floor), None);
            assert_eq!(
                refresh_at(now, Some(Duration::from_secs(u64::MAX)), floor),
                None
            );
            assert_eq!(refresh_at(now, None, floor), None);
        }
        // Through the constructor too (it used to panic in `Instant + Duration`).
        let token = OAuth2UserToken::refreshable(
            "a",
            "r",
            Some(Duration::MAX),
            "c",
            "https://api.x.com/2/oauth2/token",
        )
        .unwrap();
        assert_eq!(token.state.try_lock().unwrap().refresh_at, None);
    }

    #[test]
    fn a_short_lived_granted_token_is_not_refreshed_before_the_floor() {
        let now = Instant::now();
        // Two hours: a minute before it expires.
        assert_eq!(
            refresh_at(now, Some(Duration::from_secs(7200)), REFRESH_FLOOR),
            Some(now + Duration::from_secs(7200) - REFRESH_MARGIN)
        );
        // Under the margin (30 s, 0 s): not at once, but after the floor.
        for short in [30, 59, 0] {
            assert_eq!(
                refresh_at(now, Some(Duration::from_secs(short)), REFRESH_FLOOR),
                Some(now + REFRESH_FLOOR),
                "{short} s"
            );
        }
        // A token the caller brings with 30 s left is refreshed before the first request.
        assert_eq!(
            refresh_at(now, Some(Duration::from_secs(30)), Duration::ZERO),
            Some(now)
        );
    }

    #[test]
    fn the_token_url_passes_the_api_transport_check() {
        for (url, insecure) in [
            ("http://api.x.com/2/oauth2/token", true),
            ("https://user:hunter2@api.x.com/2/oauth2/token", false),
        ] {
            let e = OAuth2UserToken::refreshable("a", "r", None, "c", url).unwrap_err();
            if insecure {
                assert!(matches!(e, RequestError::InsecureTransport { .. }), "{e:?}");
            } else {
                assert!(matches!(e, RequestError::UserinfoInUrl { .. }), "{e:?}");
            }
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        for ok in [
            "https://api.x.com/2/oauth2/token",
            "http://127.0.0.1:9/token",
        ] {
            assert!(OAuth2UserToken::refreshable("a", "r", None, "c", ok).is_ok());
        }
    }

    /// A local Twitch-like token server: `GET /validate` answers 200 until `invalid_from` calls
    /// (counted from 1), then 401; `POST /token` grants `fresh-access`/`fresh-refresh`. Counts
    /// both, and keeps the last `Authorization` the validation got.
    struct TokenServer {
        url: String,
        validations: Arc<std::sync::atomic::AtomicUsize>,
        refreshes: Arc<std::sync::atomic::AtomicUsize>,
        validated_with: Arc<std::sync::Mutex<String>>,
    }

    async fn token_server(invalid_from: usize) -> TokenServer {
        use std::sync::atomic::AtomicUsize;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let validations = Arc::new(AtomicUsize::new(0));
        let refreshes = Arc::new(AtomicUsize::new(0));
        let validated_with = Arc::new(std::sync::Mutex::new(String::new()));
        let (v, r, w) = (
            validations.clone(),
            refreshes.clone(),
            validated_with.clone(),
        );
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // Head, then as much body as Content-Length says.
                let (head, body_len) = loop {
                    let n = socket.read(&mut buf).await.unwrap();
                    assert!(n > 0, "connection closed mid-request");
                    request.extend_from_slice(&buf[..n]);
                    if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |n| n.trim().parse::<usize>().unwrap());
                        break (head, end + 4 + len);
                    }
                };
                while request.len() < body_len {
                    let n = socket.read(&mut buf).await.unwrap();
                    request.extend_from_slice(&buf[..n]);
                }
                let (status, body) = if head.starts_with("get /validate ") {
                    let n = v.fetch_add(1, Ordering::SeqCst) + 1;
                    *w.lock().unwrap() = head
                        .lines()
                        .find_map(|l| l.strip_prefix("authorization:"))
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    if n >= invalid_from {
                        (
                            "401 Unauthorized",
                            r#"{"status":401,"message":"invalid access token"}"#,
                        )
                    } else {
                        (
                            "200 OK",
                            r#"{"client_id":"c","login":"u","scopes":[],"user_id":"1","expires_in":5000000}"#,
                        )
                    }
                } else if head.starts_with("post /token ") {
                    r.fetch_add(1, Ordering::SeqCst);
                    (
                        "200 OK",
                        r#"{"access_token":"fresh-access","refresh_token":"fresh-refresh","scope":[]}"#,
                    )
                } else {
                    ("404 Not Found", "{}")
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(answer.as_bytes()).await.unwrap();
                socket.shutdown().await.ok();
            }
        });
        TokenServer {
            url,
            validations,
            refreshes,
            validated_with,
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    /// Sixty requests a minute apart (validated once, at the first), then the clock at the hour.
    async fn an_hour_of_requests(
        token: &OAuth2UserToken,
        http: &reqwest::Client,
        server: &TokenServer,
    ) {
        token.access_token(http).await.unwrap();
        assert_eq!(
            server.validations.load(Ordering::SeqCst),
            1,
            "validated at start"
        );
        for _ in 0..59 {
            tokio::time::advance(Duration::from_secs(60)).await;
            token.access_token(http).await.unwrap();
        }
        assert_eq!(
            server.validations.load(Ordering::SeqCst),
            1,
            "not validated again within the hour"
        );
        tokio::time::advance(Duration::from_secs(60)).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_twitch_token_is_validated_at_start_and_again_after_an_hour() {
        let server = token_server(usize::MAX).await;
        let http = reqwest::Client::new();
        let token = OAuth2UserToken::new("old-access")
            .unwrap()
            .validated_every(format!("{}/validate", server.url), HOUR);
        an_hour_of_requests(&token, &http, &server).await;
        let access = token.access_token(&http).await.unwrap();
        assert_eq!(
            server.validations.load(Ordering::SeqCst),
            2,
            "validated at the hour"
        );
        assert_eq!(access.expose_secret(), "old-access");
        assert_eq!(*server.validated_with.lock().unwrap(), "oauth old-access");
        // And not again until the next hour.
        tokio::time::advance(HOUR - Duration::from_secs(1)).await;
        token.access_token(&http).await.unwrap();
        assert_eq!(server.validations.load(Ordering::SeqCst), 2);
        assert_eq!(server.refreshes.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_found_invalid_at_the_hourly_check_is_refreshed_and_persisted() {
        let server = token_server(2).await;
        let http = reqwest::Client::new();
        let persisted = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let p = persisted.clone();
        let token = OAuth2UserToken::refreshable(
            "old-access",
            "old-refresh",
            None,
            "c",
            format!("{}/token", server.url),
        )
        .unwrap()
        .on_refresh(Arc::new(move |g: &GrantedToken| {
            p.lock()
                .unwrap()
                .push(g.access_token.expose_secret().to_string());
        }))
        .validated_every(format!("{}/validate", server.url), HOUR);
        an_hour_of_requests(&token, &http, &server).await;
        assert_eq!(server.refreshes.load(Ordering::SeqCst), 0);
        let access = token.access_token(&http).await.unwrap();
        assert_eq!(server.validations.load(Ordering::SeqCst), 2);
        assert_eq!(server.refreshes.load(Ordering::SeqCst), 1, "refreshed once");
        assert_eq!(access.expose_secret(), "fresh-access");
        assert_eq!(
            *persisted.lock().unwrap(),
            ["fresh-access"],
            "persisted before use"
        );
        assert!(!token.login_required());
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_found_invalid_at_the_hourly_check_without_a_refresh_token_asks_to_sign_in() {
        let server = token_server(2).await;
        let http = reqwest::Client::new();
        let token = OAuth2UserToken::new("old-access")
            .unwrap()
            .validated_every(format!("{}/validate", server.url), HOUR);
        an_hour_of_requests(&token, &http, &server).await;
        let e = token.access_token(&http).await.unwrap_err();
        assert_eq!(server.validations.load(Ordering::SeqCst), 2);
        assert!(
            matches!(&e, RequestError::Refresh(m) if m.contains("sign in again")),
            "{e:?}"
        );
        assert!(token.login_required());
        assert!(!e.to_string().contains("old-access"), "{e}");
        assert!(!format!("{e:?}").contains("old-access"), "{e:?}");
    }

    #[tokio::test]
    async fn the_code_exchange_refuses_a_plain_http_token_url_before_sending() {
        let auth = pkce_authorization_url(
            "https://x.com/i/oauth2/authorize",
            "c",
            "http://127.0.0.1/cb",
            &["block.read"],
        )
        .unwrap();
        let e = exchange_code(
            &reqwest::Client::new(),
            "http://token.example.test/token",
            "c",
            "http://127.0.0.1/cb",
            auth,
            "code",
        )
        .await
        .unwrap_err();
        assert!(matches!(e, RequestError::InsecureTransport { .. }), "{e:?}");
    }
}
