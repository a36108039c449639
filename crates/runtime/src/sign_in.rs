//! Signing a user in, as the platforms let people do it from a terminal: Twitch's device code
//! grant (RFC 8628; a public client needs only its client ID), X's authorization code with PKCE
//! through a loopback redirect on 127.0.0.1, and revocation (RFC 7009, through `oauth2`).
//!
//! The device flow's two requests are plain form POSTs read with `oauth2`'s device response
//! type rather than `oauth2`'s device-token request: Twitch asks for `scopes` (not `scope`) and
//! answers a pending grant with `{"status": 400, "message": "authorization_pending"}`, not
//! RFC 6749's `{"error": ...}`, which `oauth2`'s poller cannot read. What it does with the answers
//! (wait `interval`, five seconds more after `slow_down`, stop at expiry or denial) is RFC 8628
//! §3.5's. Nothing here prints or logs a token; errors name the endpoint's error code only.

use std::fmt;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::RequestError;
use crate::oauth2::{GrantedToken, PkceAuthorization, checked_token_url, read_grant, token_post};

/// Twitch's sign-in host.
pub const TWITCH_ID_URL: &str = "https://id.twitch.tv/oauth2";
/// X's revocation endpoint.
pub const X_REVOKE_URL: &str = "https://api.x.com/2/oauth2/revoke";

/// Why signing in did not give a token.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The user refused access (`access_denied`, on the device page or the authorize page).
    #[error("the authorization was denied")]
    Denied,
    /// The device code expired before the user acted.
    #[error("the device code expired before it was approved; run the login again")]
    Expired,
    /// The redirect's `state` is not the one sent (a forged or stale redirect).
    #[error("the redirect's state does not match the one sent: refused (possible forgery)")]
    StateMismatch,
    /// The redirect carried an `error` parameter (its code and description, printable).
    #[error("the authorization server redirected with error {0}")]
    Redirected(String),
    /// The endpoint answered something other than the flow allows.
    #[error("{0}")]
    Protocol(String),
    /// The request could not be made, or the answer not read (no token in the message).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The loopback listener failed.
    #[error("the loopback redirect listener failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What the device endpoint hands out: the code to show the user and where they enter it.
#[derive(Clone)]
pub struct DeviceCode {
    device_code: SecretString,
    /// The code the user types.
    pub user_code: String,
    /// Where they type it.
    pub verification_uri: String,
    /// How long the code can be approved.
    pub expires_in: Duration,
    /// The polling interval asked for.
    pub interval: Duration,
}

impl fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCode")
            .field("device_code", &"[redacted]")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish()
    }
}

/// The error code of a token endpoint's refusal, in either shape, printable and short.
fn refusal_code(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let code = v
        .get("error")
        .or_else(|| v.get("message"))
        .and_then(|c| c.as_str())?;
    Some(code.chars().filter(|c| !c.is_control()).take(80).collect())
}

fn url_under(base: &str, leaf: &str) -> String {
    format!("{}/{leaf}", base.trim_end_matches('/'))
}

/// Twitch's `POST oauth2/device` (`id_url` is [`TWITCH_ID_URL`] or the mock's): a device code
/// for `scopes`.
pub async fn twitch_device_code(
    http: &reqwest::Client,
    id_url: &str,
    client_id: &str,
    scopes: &[&str],
) -> Result<DeviceCode, SignInError> {
    let url = checked_token_url(&url_under(id_url, "device"))?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("scopes", &scopes.join(" "))
        .finish();
    let (status, bytes) = token_post(http.post(url), form).await?;
    if !status.is_success() {
        return Err(SignInError::Protocol(format!(
            "the device endpoint refused: {}",
            refusal_code(&bytes).unwrap_or_else(|| status.to_string())
        )));
    }
    let r: oauth2::StandardDeviceAuthorizationResponse =
        serde_json::from_slice(&bytes).map_err(|_| {
            SignInError::Protocol(
                "the device endpoint answered something that is not a device code".into(),
            )
        })?;
    Ok(DeviceCode {
        device_code: SecretString::from(r.device_code().secret().clone()),
        user_code: r.user_code().secret().clone(),
        verification_uri: r.verification_uri().to_string(),
        expires_in: r.expires_in(),
        interval: r.interval(),
    })
}

/// Polls Twitch's `POST oauth2/token` with the device-code grant until the user acts: waits
/// `interval` between polls (five seconds more after each `slow_down`), and stops on approval,
/// denial ([`SignInError::Denied`]) or expiry ([`SignInError::Expired`], also when the code's
/// lifetime runs out on this side).
pub async fn twitch_poll_device(
    http: &reqwest::Client,
    id_url: &str,
    client_id: &str,
    scopes: &[&str],
    code: &DeviceCode,
) -> Result<GrantedToken, SignInError> {
    let url = checked_token_url(&url_under(id_url, "token"))?;
    let deadline = Instant::now() + code.expires_in;
    let mut interval = code.interval;
    loop {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", client_id)
            .append_pair("scopes", &scopes.join(" "))
            .append_pair("device_code", code.device_code.expose_secret())
            .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
            .finish();
        let (status, bytes) = token_post(http.post(url.clone()), form).await?;
        if status.is_success() {
            return read_grant(&bytes).map_err(token_error);
        }
        match refusal_code(&bytes).as_deref() {
            Some("authorization_pending") => {}
            Some("slow_down") => interval += Duration::from_secs(5),
            Some("access_denied") => return Err(SignInError::Denied),
            Some("expired_token") => return Err(SignInError::Expired),
            Some(other) => {
                return Err(SignInError::Protocol(format!(
                    "the token endpoint refused the device code: {other}"
                )));
            }
            None => {
                return Err(SignInError::Protocol(format!(
                    "the token endpoint answered {status} with something that is not an OAuth error"
                )));
            }
        }
        if Instant::now() + interval >= deadline {
            return Err(SignInError::Expired);
        }
        tokio::time::sleep(interval).await;
    }
}

/// Revokes `token` (RFC 7009) at `revoke_url` for public client `client_id`: Twitch's
/// `oauth2/revoke` and X's `2/oauth2/revoke` both take `token` and `client_id` as a form. A plain
/// form POST rather than `oauth2`'s revocation request, which refuses any URL but https (the
/// mock on 127.0.0.1 is http; the transport check allows http to loopback only).
pub async fn revoke(
    http: &reqwest::Client,
    revoke_url: &str,
    client_id: &str,
    token: &str,
) -> Result<(), SignInError> {
    let url = checked_token_url(revoke_url)?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .append_pair("client_id", client_id)
        .finish();
    let (status, bytes) = token_post(http.post(url), form).await?;
    if status.is_success() {
        return Ok(());
    }
    Err(SignInError::Protocol(format!(
        "the revocation endpoint refused: {}",
        refusal_code(&bytes).unwrap_or_else(|| status.to_string())
    )))
}

/// A token endpoint's failure as a sign-in error (its message names no token).
fn token_error(e: RequestError) -> SignInError {
    match e {
        RequestError::Refresh(m) => SignInError::Protocol(m),
        e => SignInError::Request(e),
    }
}

/// A loopback redirect listener on 127.0.0.1 (a free port): the `redirect_uri` to send, and
/// [`Self::wait_for_code`] serving exactly one request.
pub struct LoopbackRedirect {
    listener: tokio::net::TcpListener,
    redirect_uri: String,
}

impl fmt::Debug for LoopbackRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackRedirect")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

impl LoopbackRedirect {
    /// Binds 127.0.0.1 on a free port.
    pub async fn bind() -> Result<Self, SignInError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
        })
    }

    /// The `redirect_uri` to register and send.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves exactly one request, then closes: its `state` must be `expected_state`, and it
    /// must carry a `code` (an `error` parameter is [`SignInError::Redirected`] or, for
    /// `access_denied`, [`SignInError::Denied`]). The browser is told the outcome.
    pub async fn wait_for_code(self, expected_state: &str) -> Result<SecretString, SignInError> {
        let (mut stream, _) = self.listener.accept().await?;
        drop(self.listener);
        let mut head = Vec::new();
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&head);
        let target = line
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("");
        let query: Vec<(String, String)> = target
            .split_once('?')
            .map(|(_, q)| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let outcome = if get("state") != Some(expected_state) {
            Err(SignInError::StateMismatch)
        } else if let Some(error) = get("error") {
            let printable: String = error.chars().filter(|c| !c.is_control()).take(80).collect();
            if printable == "access_denied" {
                Err(SignInError::Denied)
            } else {
                let description: String = get("error_description")
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                Err(SignInError::Redirected(if description.is_empty() {
                    printable
                } else {
                    format!("{printable}: {description}")
                }))
            }
        } else if let Some(code) = get("code") {
            Ok(SecretString::from(code.to_string()))
        } else {
            Err(SignInError::Protocol(
                "the redirect carried neither code nor error".into(),
            ))
        };
        let (status, text) = match &outcome {
            Ok(_) => ("200 OK", "Signed in. You can close this tab."),
            Err(_) => ("400 Bad Request", "Sign-in failed; see the terminal."),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
            text.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        outcome
    }
}

/// The PKCE sign-in of [`crate::oauth2::pkce_authorization_url`] and
/// [`crate::oauth2::exchange_code_grant`] through a loopback redirect: binds, builds the URL
/// (S256 challenge, random state), hands it to `show` (print it, open a browser), serves the one
/// redirect, checks it and exchanges the code.
#[allow(clippy::too_many_arguments)]
pub async fn pkce_loopback(
    http: &reqwest::Client,
    authorize_url: &str,
    token_url: &str,
    client_id: &str,
    client_secret: Option<&str>,
    scopes: &[&str],
    show: impl FnOnce(&url::Url),
) -> Result<GrantedToken, SignInError> {
    let loopback = LoopbackRedirect::bind().await?;
    let redirect = loopback.redirect_uri().to_string();
    let authorization: PkceAuthorization =
        crate::oauth2::pkce_authorization_url(authorize_url, client_id, &redirect, scopes)?;
    show(&authorization.url);
    let state = authorization.csrf_state.clone();
    let code = loopback.wait_for_code(&state).await?;
    crate::oauth2::exchange_code_grant(
        http,
        token_url,
        client_id,
        client_secret,
        &redirect,
        authorization,
        code.expose_secret(),
    )
    .await
    .map_err(token_error)
}
