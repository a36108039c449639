//! X OAuth 2.0 user context: a user access token that refreshes itself (before it expires, and
//! once after a 401), and the PKCE authorization-code helpers, on the `oauth2` crate driven by our
//! reqwest 0.13 client.

use std::fmt;
use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

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
}

/// A user access token, optionally with what it takes to refresh it.
pub struct OAuth2UserToken {
    state: Mutex<TokenState>,
    refresher: Option<Refresher>,
    /// The keyed fingerprint of the access token it was created with: its rate-limit identity,
    /// kept across refreshes (a refreshed token is the same user's).
    fingerprint: u64,
}

impl fmt::Debug for OAuth2UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2UserToken")
            .field("access_token", &"[redacted]")
            .field("refreshable", &self.refresher.is_some())
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
            }),
            refresher: None,
        })
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
        });
        Ok(token)
    }

    /// The keyed fingerprint of the token it was created with (see [`crate::CredentialIdentity`]).
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The access token to send now, refreshed first when it is about to expire.
    pub(crate) async fn access_token(
        &self,
        http: &reqwest::Client,
    ) -> Result<SecretString, RequestError> {
        let mut state = self.state.lock().await;
        let expiring = state.refresh_at.is_some_and(|at| at <= Instant::now());
        if expiring && self.refresher.is_some() {
            self.refresh_locked(http, &mut state).await?;
        }
        Ok(state.access.clone())
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
        let response = refresh_grant(http, refresher, refresh.expose_secret()).await?;
        let access = response.access_token().secret().clone();
        check_header_value("refreshed X OAuth 2.0 user token", &access)?;
        state.access = access.into();
        if let Some(r) = response.refresh_token() {
            state.refresh = Some(r.secret().clone().into());
        }
        state.refresh_at = refresh_at(Instant::now(), response.expires_in(), REFRESH_FLOOR);
        tracing::debug!("X OAuth 2.0 user token refreshed");
        Ok(())
    }
}

/// The refresh-token grant (RFC 6749 §6) as a plain form POST through our client, its answer read
/// with `oauth2`'s response types. Not through `oauth2`'s `request_async`: its future cannot be
/// proven `Send` for every lifetime, which would make every generated request future non-`Send`.
async fn refresh_grant(
    http: &reqwest::Client,
    refresher: &Refresher,
    refresh_token: &str,
) -> Result<oauth2::basic::BasicTokenResponse, RequestError> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("refresh_token", refresh_token)
        .append_pair("client_id", &refresher.client_id)
        .finish();
    let url = checked_token_url(&refresher.token_url)?;
    let response = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(crate::DEFAULT_ATTEMPT_TIMEOUT)
        .body(body)
        .send()
        .await
        .map_err(|e| RequestError::Refresh(format!("token request failed: {}", without_url(&e))))?;
    let response = crate::limits::capped(response, TOKEN_RESPONSE_LIMIT);
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| {
        RequestError::Refresh(format!("token response unreadable: {}", without_url(&e)))
    })?;
    if !status.is_success() {
        return Err(RequestError::Refresh(
            match serde_json::from_slice::<oauth2::basic::BasicErrorResponse>(&bytes) {
                Ok(r) => format!("token endpoint refused: {}", r.error()),
                Err(_) => format!("token endpoint answered {status}"),
            },
        ));
    }
    serde_json::from_slice(&bytes).map_err(|_| {
        RequestError::Refresh(
            "token endpoint answered something that is not a token response".into(),
        )
    })
}

/// The token URL, parsed and put through the API's transport check: a refresh token never
/// travels over plain http to another host, nor in Basic auth made from the URL's userinfo.
fn checked_token_url(token_url: &str) -> Result<reqwest::Url, RequestError> {
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
        oauth2::RequestTokenError::Other(m) => m.clone(),
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
    checked_token_url(token_url)?;
    let bad = |e: oauth2::url::ParseError| RequestError::Refresh(format!("bad URL: {e}"));
    let client = BasicClient::new(ClientId::new(client_id.into()))
        .set_token_uri(TokenUrl::new(token_url.into()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect_url.into()).map_err(bad)?);
    let response = client
        .exchange_code(AuthorizationCode::new(code.into()))
        .set_pkce_verifier(authorization.verifier)
        .request_async(&TokenHttp(http))
        .await
        .map_err(|e| RequestError::Refresh(describe_token_error(&e)))?;
    let access = response.access_token().secret().clone();
    match response.refresh_token() {
        Some(refresh) => OAuth2UserToken::refreshable(
            access,
            refresh.secret().clone(),
            response.expires_in(),
            client_id,
            token_url,
        ),
        None => OAuth2UserToken::new(access),
    }
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
