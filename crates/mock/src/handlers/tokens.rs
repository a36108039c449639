//! The token endpoints: `GET /auth/authorize` (issues a token of any kind for a known user) and
//! X's OAuth 2.0 token endpoint (refresh-token grant).

use serde_json::json;

use super::Reply;
use crate::Shared;

/// `GET /auth/authorize?platform=twitch|x|x-oauth1|x-app&user_id=..&scope=a+b`, like
/// twitch-cli's: issues a token for any known user.
pub(crate) fn authorize(shared: &Shared, query: &[(String, String)]) -> Reply {
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let platform = get("platform").unwrap_or("twitch");
    let default_user = if platform.starts_with('x') {
        crate::X_DEFAULT_USER
    } else {
        crate::TWITCH_DEFAULT_USER
    };
    let user_id = get("user_id").unwrap_or(default_user);
    let scopes: Vec<String> = get("scope")
        .unwrap_or("")
        .split([' ', '+', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut state = shared.lock();
    let Some(user) = state.world.dir.by_id(user_id) else {
        return Reply::json(
            400,
            json!({"error": "Bad Request", "status": 400, "message": format!("unknown user_id {user_id}")}),
        );
    };
    let body = match platform {
        "twitch" => {
            let token = state
                .tokens
                .issue_twitch(&user.id, crate::TWITCH_CLIENT_ID, &scopes);
            json!({"access_token": token, "client_id": crate::TWITCH_CLIENT_ID, "user_id": user.id, "login": user.login, "scope": scopes, "token_type": "bearer"})
        }
        "x" => {
            let (token, refresh) = state.tokens.issue_x_user(&user.id, &scopes);
            json!({"access_token": token, "refresh_token": refresh, "user_id": user.id, "username": user.login, "scope": scopes.join(" "), "token_type": "bearer", "expires_in": 7200})
        }
        "x-app" => json!({"access_token": state.tokens.issue_x_app(), "token_type": "bearer"}),
        "x-oauth1" => {
            let issued = state.tokens.issue_oauth1(&user.id);
            json!({"consumer_key": issued.consumer_key, "consumer_secret": issued.consumer_secret, "oauth_token": issued.token, "oauth_token_secret": issued.token_secret, "user_id": user.id, "screen_name": user.login})
        }
        other => {
            return Reply::json(
                400,
                json!({"error": "Bad Request", "status": 400, "message": format!("unknown platform {other:?} (twitch, x, x-app, x-oauth1)")}),
            );
        }
    };
    Reply::json(200, body)
}

/// X's OAuth 2.0 token endpoint, refresh-token grant (public client).
pub(crate) fn x_token(shared: &Shared, body: &[u8], authorization: Option<&str>) -> Reply {
    if let Some(reply) = super::sign_in::x_token(shared, body, authorization) {
        return reply;
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let error = |code: &str, description: &str| {
        Reply::json(
            400,
            json!({"error": code, "error_description": description}),
        )
    };
    if get("grant_type") != Some("refresh_token") {
        return error(
            "unsupported_grant_type",
            "only refresh_token is supported by the mock",
        );
    }
    if get("client_id") != Some(crate::X_CLIENT_ID) {
        return error("invalid_client", "unknown client_id");
    }
    let Some(refresh) = get("refresh_token") else {
        return error("invalid_request", "refresh_token is required");
    };
    match shared.lock().tokens.refresh_x(refresh) {
        Some((token, refresh, scopes)) => Reply::json(
            200,
            json!({
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": token,
                "refresh_token": refresh,
                "scope": scopes.into_iter().collect::<Vec<_>>().join(" "),
            }),
        ),
        None => error("invalid_request", "Value passed for the token was invalid."),
    }
}

/// `GET /mock/stats`: the mock's counters as JSON, for tests in any language (a Rust test reads
/// them from [`crate::MockServer`] directly): every request received, responses by status,
/// requests per operation (`"<api> <operationId>"`), faults injected and contract violations.
pub(crate) fn stats(shared: &Shared) -> Reply {
    let state = shared.lock();
    let c = &state.counters;
    let statuses: serde_json::Map<String, serde_json::Value> = c
        .statuses
        .iter()
        .map(|(s, n)| (s.to_string(), json!(n)))
        .collect();
    let operations: serde_json::Map<String, serde_json::Value> = c
        .requests
        .iter()
        .map(|((api, op), n)| (format!("{} {op}", api.name()), json!(n)))
        .collect();
    Reply::json(
        200,
        json!({
            "requests_received": c.received,
            "responses_by_status": statuses,
            "requests_by_operation": operations,
            "faults_injected": c.faults,
            "violations": c.violations,
        }),
    )
}

/// Twitch's `GET /oauth2/validate` (on `id.twitch.tv`), which clients call when given a user
/// token (pyTwitchAPI's `set_user_authentication`): a Twitch token's client ID, login, scopes
/// and user ID, or Twitch's 401.
pub(crate) fn twitch_validate(shared: &Shared, authorization: Option<&str>) -> Reply {
    let state = shared.lock();
    let info = authorization
        .and_then(|a| a.split_once(' '))
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("oauth") || scheme.eq_ignore_ascii_case("bearer")
        })
        .and_then(|(_, token)| state.tokens.peek(token.trim()))
        .filter(|info| info.kind == crate::auth::TokenKind::TwitchUser);
    let user = info
        .and_then(|i| i.user_id.as_deref())
        .and_then(|id| state.world.dir.by_id(id));
    match (info, user) {
        (Some(info), Some(user)) => Reply::json(
            200,
            json!({
                "client_id": info.client_id,
                "login": user.login,
                "scopes": info.scopes,
                "user_id": user.id,
                "expires_in": info.expiry.seconds_left().unwrap_or(14_400),
            }),
        ),
        _ => Reply::json(
            401,
            json!({"status": 401, "message": "invalid access token"}),
        ),
    }
}
