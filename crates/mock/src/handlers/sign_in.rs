//! Signing in as the platforms let people do it: Twitch's device code grant flow on `id.twitch.tv`
//! (`POST /oauth2/device`, `POST /oauth2/token` with the device-code and refresh-token grants,
//! `POST /oauth2/revoke`) and X's OAuth 2.0 authorization code flow with PKCE
//! (`GET /i/oauth2/authorize`, `POST /2/oauth2/token`, `POST /2/oauth2/revoke`).
//!
//! Nobody clicks "Authorize" here: a test approves or denies a device code and decides how the
//! next authorize request ends ([`crate::MockServer::approve_device`],
//! [`crate::MockServer::deny_device`], [`crate::MockServer::deny_next_authorization`]), in
//! process or through `POST /mock/sign-in/...`. Tokens issued here are short-lived
//! ([`crate::SignInConfig`]), refresh tokens single-use (Twitch) or rotated (X), and the API
//! routes accept them as any other token of their user. Twitch answers errors as
//! `{"status": 400, "message": "authorization_pending"}`, X as RFC 6749's
//! `{"error": ..., "error_description": ...}`.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::json;
use sha2::Digest;

use super::Reply;
use crate::Shared;
use crate::auth::{Expiry, TokenKind};

/// What became of a device code.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    Pending,
    Approved(String),
    Denied,
}

#[derive(Debug)]
struct Device {
    user_code: String,
    client_id: String,
    scopes: BTreeSet<String>,
    expires_at: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    decision: Decision,
}

/// A code the authorize step handed out, waiting for its exchange.
#[derive(Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    method: String,
    scopes: BTreeSet<String>,
    user_id: String,
}

/// A refresh token: whose, for which client, with which scopes.
#[derive(Debug, Clone)]
struct Refresh {
    kind: TokenKind,
    user_id: String,
    client_id: String,
    scopes: BTreeSet<String>,
}

/// The sign-in endpoints' state.
#[derive(Debug, Default)]
pub(crate) struct SignIn {
    devices: HashMap<String, Device>,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    /// The user the next authorize requests approve for (`None`: the default X user).
    pub(crate) x_user: Option<String>,
    /// The next authorize request is denied (`error=access_denied`).
    pub(crate) deny_next: bool,
}

impl SignIn {
    /// Approves (`Some(user)`) or denies the device code the user was shown; false when no
    /// pending code has it.
    pub(crate) fn decide(&mut self, user_code: &str, user_id: Option<&str>) -> bool {
        let Some(device) = self
            .devices
            .values_mut()
            .find(|d| d.user_code == user_code && d.decision == Decision::Pending)
        else {
            return false;
        };
        device.decision = match user_id {
            Some(u) => Decision::Approved(u.to_string()),
            None => Decision::Denied,
        };
        true
    }

    /// Forgets a refresh token (revocation).
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        self.refresh.remove(token).is_some()
    }
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn scopes_of(list: &str) -> BTreeSet<String> {
    list.split([' ', '+'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Twitch's error shape on `id.twitch.tv`.
fn twitch_error(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({"status": status, "message": message}))
}

/// X's (RFC 6749 §5.2) error shape on its token endpoints.
fn x_error(error: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({"error": error, "error_description": description}),
    )
}

/// Twitch's `POST /oauth2/device`: form `client_id`, `scopes` (space-separated).
pub(crate) fn twitch_device(shared: &Shared, body: &[u8], origin: &str) -> Reply {
    let form = form(body);
    if field(&form, "client_id") != Some(crate::TWITCH_CLIENT_ID) {
        return twitch_error(400, "invalid client");
    }
    let scopes = scopes_of(field(&form, "scopes").unwrap_or(""));
    let config = &shared.config.sign_in;
    let mut state = shared.lock();
    let device_code = state.tokens.fresh("", 40);
    let user_code: String = state
        .tokens
        .fresh("", 8)
        .bytes()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let interval = Duration::from_secs(config.device_interval_secs);
    state.sign_in.devices.insert(
        device_code.clone(),
        Device {
            user_code: user_code.clone(),
            client_id: crate::TWITCH_CLIENT_ID.into(),
            scopes,
            expires_at: Instant::now() + Duration::from_secs(config.device_code_secs),
            interval,
            last_poll: None,
            decision: Decision::Pending,
        },
    );
    Reply::json(
        200,
        json!({
            "device_code": device_code,
            "expires_in": config.device_code_secs,
            "interval": config.device_interval_secs,
            "user_code": user_code,
            "verification_uri": format!("{origin}/activate?public=true&device-code={user_code}"),
        }),
    )
}

/// Twitch's `POST /oauth2/token`: the device-code grant and the refresh-token grant (a public
/// client's refresh token works once).
pub(crate) fn twitch_token(shared: &Shared, body: &[u8]) -> Reply {
    let form = form(body);
    let client_id = field(&form, "client_id");
    match field(&form, "grant_type") {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            let Some(code) = field(&form, "device_code") else {
                return twitch_error(400, "missing device_code");
            };
            let mut state = shared.lock();
            let now = Instant::now();
            let Some(device) = state.sign_in.devices.get_mut(code) else {
                return twitch_error(400, "invalid device code");
            };
            if client_id != Some(device.client_id.as_str()) {
                return twitch_error(400, "invalid client");
            }
            if device.expires_at <= now {
                state.sign_in.devices.remove(code);
                return twitch_error(400, "expired_token");
            }
            // Polled sooner than asked. A quarter second of slack: a client that waits
            // exactly the interval may arrive a hair early by this clock.
            let too_soon = device.last_poll.is_some_and(|last| {
                now.duration_since(last) + Duration::from_millis(250) < device.interval
            });
            device.last_poll = Some(now);
            if too_soon && device.decision == Decision::Pending {
                return twitch_error(400, "slow_down");
            }
            match device.decision.clone() {
                Decision::Pending => twitch_error(400, "authorization_pending"),
                Decision::Denied => {
                    state.sign_in.devices.remove(code);
                    twitch_error(400, "access_denied")
                }
                Decision::Approved(user) => {
                    let device = state.sign_in.devices.remove(code).expect("found above");
                    let refresh = Refresh {
                        kind: TokenKind::TwitchUser,
                        user_id: user,
                        client_id: device.client_id,
                        scopes: device.scopes,
                    };
                    issue(shared, &mut state, refresh)
                }
            }
        }
        Some("refresh_token") => {
            let Some(token) = field(&form, "refresh_token") else {
                return twitch_error(400, "missing refresh token");
            };
            let mut state = shared.lock();
            match state.sign_in.refresh.get(token) {
                Some(r)
                    if r.kind == TokenKind::TwitchUser
                        && Some(r.client_id.as_str()) == client_id =>
                {
                    let r = state.sign_in.refresh.remove(token).expect("found above");
                    issue(shared, &mut state, r)
                }
                _ => twitch_error(400, "Invalid refresh token"),
            }
        }
        _ => twitch_error(400, "unsupported grant type"),
    }
}

/// An access token and its refresh token, in the platform's token response.
fn issue(shared: &Shared, state: &mut crate::State, grant: Refresh) -> Reply {
    let config = &shared.config.sign_in;
    let secs = match grant.kind {
        TokenKind::TwitchUser => config.twitch_token_secs,
        _ => config.x_token_secs,
    };
    let expiry = Expiry::after(Duration::from_secs(secs), config.token_max_uses);
    let client = (grant.kind == TokenKind::TwitchUser).then_some(grant.client_id.as_str());
    let access = state.tokens.issue_expiring(
        grant.kind.clone(),
        &grant.user_id,
        client,
        &grant.scopes,
        expiry,
    );
    let scopes: Vec<String> = grant.scopes.iter().cloned().collect();
    let body = match grant.kind {
        TokenKind::TwitchUser => {
            let refresh = state.tokens.fresh("", 50);
            state.sign_in.refresh.insert(refresh.clone(), grant);
            json!({"access_token": access, "expires_in": secs, "refresh_token": refresh, "scope": scopes, "token_type": "bearer"})
        }
        _ => {
            let mut body = json!({"token_type": "bearer", "expires_in": secs, "access_token": access, "scope": scopes.join(" ")});
            if grant.scopes.contains("offline.access") {
                let refresh = state.tokens.fresh("xr-", 48);
                state.sign_in.refresh.insert(refresh.clone(), grant);
                body["refresh_token"] = json!(refresh);
            }
            body
        }
    };
    Reply::json(200, body)
}

/// Twitch's `POST /oauth2/revoke`: form `client_id`, `token` (an access or refresh token).
pub(crate) fn twitch_revoke(shared: &Shared, body: &[u8]) -> Reply {
    let form = form(body);
    let (Some(client_id), Some(token)) = (field(&form, "client_id"), field(&form, "token")) else {
        return twitch_error(400, "missing client id or token");
    };
    let mut state = shared.lock();
    let access_of_client = state
        .tokens
        .peek(token)
        .is_some_and(|i| i.client_id.as_deref() == Some(client_id));
    if access_of_client {
        state.tokens.revoke(token);
        return Reply::empty(200);
    }
    if state
        .sign_in
        .refresh
        .get(token)
        .map(|r| r.client_id.as_str())
        == Some(client_id)
    {
        state.sign_in.revoke(token);
        return Reply::empty(200);
    }
    twitch_error(400, "Invalid token")
}

/// X's `GET /i/oauth2/authorize`: answers as the user's browser would end up, with a redirect
/// to `redirect_uri` carrying `code` and `state` (or `error=access_denied` when the test denied
/// it). A request that names no valid client or redirect gets a 400 page and no redirect
/// (RFC 6749 §4.1.2.1).
pub(crate) fn x_authorize(shared: &Shared, query: &[(String, String)]) -> AuthorizeOutcome {
    let bad = |m: &str| AuthorizeOutcome::Refused(m.to_string());
    if field(query, "client_id") != Some(crate::X_CLIENT_ID) {
        return bad("unknown client_id");
    }
    let Some(redirect) = field(query, "redirect_uri").and_then(|r| url::Url::parse(r).ok()) else {
        return bad("redirect_uri is missing or not a URL");
    };
    let mut to = redirect.clone();
    let state_param = field(query, "state").unwrap_or("").to_string();
    let mut answer = |pairs: &[(&str, &str)]| {
        let mut q = to.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        q.append_pair("state", &state_param);
        drop(q);
        AuthorizeOutcome::Redirect(to.to_string())
    };
    if field(query, "response_type") != Some("code") {
        return answer(&[("error", "unsupported_response_type")]);
    }
    let (Some(challenge), Some(method)) = (
        field(query, "code_challenge"),
        field(query, "code_challenge_method"),
    ) else {
        return answer(&[("error", "invalid_request")]);
    };
    if method != "S256" && method != "plain" {
        return answer(&[("error", "invalid_request")]);
    }
    let mut state = shared.lock();
    if std::mem::take(&mut state.sign_in.deny_next) {
        return answer(&[("error", "access_denied")]);
    }
    let user_id = state
        .sign_in
        .x_user
        .clone()
        .unwrap_or_else(|| crate::X_DEFAULT_USER.to_string());
    let code = state.tokens.fresh("xc-", 40);
    state.sign_in.codes.insert(
        code.clone(),
        Code {
            client_id: crate::X_CLIENT_ID.into(),
            redirect_uri: redirect.to_string(),
            challenge: challenge.to_string(),
            method: method.to_string(),
            scopes: scopes_of(field(query, "scope").unwrap_or("")),
            user_id,
        },
    );
    drop(state);
    answer(&[("code", &code)])
}

/// How an authorize request ends.
pub(crate) enum AuthorizeOutcome {
    /// 302 to this URL.
    Redirect(String),
    /// 400, no redirect.
    Refused(String),
}

/// The client ID of a token request: the form's `client_id`, or a confidential client's Basic
/// `Authorization` (any secret is accepted).
fn x_client(form: &[(String, String)], authorization: Option<&str>) -> Option<String> {
    if let Some(id) = field(form, "client_id") {
        return Some(id.to_string());
    }
    let (scheme, encoded) = authorization?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    Some(pair.split_once(':')?.0.to_string())
}

/// X's `POST /2/oauth2/token`, for the flows signed in here: the authorization-code grant (its
/// PKCE verifier checked) and the refresh-token grant (rotating). `None` for a refresh token
/// this module did not issue (the default credentials' refresh token, `handlers::x_token`).
pub(crate) fn x_token(shared: &Shared, body: &[u8], authorization: Option<&str>) -> Option<Reply> {
    let form = form(body);
    let client = x_client(&form, authorization);
    match field(&form, "grant_type") {
        Some("authorization_code") => {
            let mut state = shared.lock();
            let Some(code) = field(&form, "code").and_then(|c| state.sign_in.codes.remove(c))
            else {
                return Some(x_error(
                    "invalid_request",
                    "Value passed for the authorization code was invalid.",
                ));
            };
            if client.as_deref() != Some(code.client_id.as_str()) {
                return Some(x_error(
                    "invalid_client",
                    "Missing valid authorization header",
                ));
            }
            if field(&form, "redirect_uri").and_then(|r| url::Url::parse(r).ok())
                != url::Url::parse(&code.redirect_uri).ok()
            {
                return Some(x_error(
                    "invalid_request",
                    "Value passed for the redirect uri did not match the uri of the authorization code.",
                ));
            }
            let verifier = field(&form, "code_verifier").unwrap_or("");
            let expected = match code.method.as_str() {
                "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(sha2::Sha256::digest(verifier.as_bytes())),
                _ => verifier.to_string(),
            };
            if verifier.is_empty() || expected != code.challenge {
                return Some(x_error(
                    "invalid_request",
                    "Value passed for the code verifier did not match the code challenge.",
                ));
            }
            let grant = Refresh {
                kind: TokenKind::XUser,
                user_id: code.user_id,
                client_id: code.client_id,
                scopes: code.scopes,
            };
            Some(issue(shared, &mut state, grant))
        }
        Some("refresh_token") => {
            let token = field(&form, "refresh_token")?;
            let mut state = shared.lock();
            let grant = state.sign_in.refresh.get(token)?.clone();
            if grant.kind != TokenKind::XUser || client.as_deref() != Some(grant.client_id.as_str())
            {
                return Some(x_error(
                    "invalid_request",
                    "Value passed for the token was invalid.",
                ));
            }
            state.sign_in.refresh.remove(token);
            Some(issue(shared, &mut state, grant))
        }
        _ => None,
    }
}

/// X's `POST /2/oauth2/revoke`: form `token` (access or refresh), `client_id` or Basic auth.
pub(crate) fn x_revoke(shared: &Shared, body: &[u8], authorization: Option<&str>) -> Reply {
    let form = form(body);
    if x_client(&form, authorization).as_deref() != Some(crate::X_CLIENT_ID) {
        return x_error("invalid_client", "Missing valid authorization header");
    }
    let Some(token) = field(&form, "token") else {
        return x_error("invalid_request", "Missing required parameter [token].");
    };
    let mut state = shared.lock();
    state.sign_in.revoke(token);
    state.tokens.revoke(token);
    Reply::json(200, json!({"revoked": true}))
}

/// `POST /mock/sign-in/device?user_code=..&user_id=..` (approve) or `&deny=true`, and
/// `POST /mock/sign-in/authorize?deny=true|user_id=..`: the test hooks over HTTP, for a mock
/// run as a binary.
pub(crate) fn hook(shared: &Shared, path: &str, query: &[(String, String)]) -> Reply {
    let mut state = shared.lock();
    let deny = field(query, "deny") == Some("true");
    let user = field(query, "user_id");
    if let Some(u) = user
        && state.world.dir.by_id(u).is_none()
    {
        return Reply::json(400, json!({"message": format!("unknown user {u}")}));
    }
    match path {
        "/mock/sign-in/device" => {
            let Some(code) = field(query, "user_code") else {
                return Reply::json(400, json!({"message": "user_code is required"}));
            };
            let user = user.unwrap_or(crate::TWITCH_DEFAULT_USER);
            if state.sign_in.decide(code, (!deny).then_some(user)) {
                Reply::empty(204)
            } else {
                Reply::json(
                    404,
                    json!({"message": "no pending device code has this user code"}),
                )
            }
        }
        _ => {
            state.sign_in.deny_next = deny;
            if let Some(u) = user {
                state.sign_in.x_user = Some(u.to_string());
            }
            Reply::empty(204)
        }
    }
}
