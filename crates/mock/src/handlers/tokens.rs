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
pub(crate) fn x_token(shared: &Shared, body: &[u8]) -> Reply {
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
