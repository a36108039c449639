//! Checking a request's credentials as its platform does: Helix and Kraken tokens with their
//! client IDs and scopes, X OAuth 2.0 bearer tokens and OAuth 1.0a signatures. The token store
//! itself is `crate::auth`.

use std::collections::BTreeSet;

use http::HeaderMap;

use super::Fail;
use crate::auth::{Caller, TokenKind, Tokens};
use crate::routes::Route;
use crate::world::Platform;
use crate::{Api, MockConfig};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Authorization: <scheme> <credential>`, scheme compared case-insensitively.
fn credential<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = header(headers, "authorization")?;
    let (s, rest) = value.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

fn missing_scopes(needed: &[String], granted: &BTreeSet<String>) -> Vec<String> {
    needed
        .iter()
        .filter(|s| !granted.contains(*s))
        .cloned()
        .collect()
}

/// Checks the request's credentials as the API's platform does.
#[allow(clippy::too_many_arguments)]
pub(crate) fn authenticate(
    api: Api,
    route: &Route,
    headers: &HeaderMap,
    method: &str,
    base_url: &str,
    query: &[(String, String)],
    body: &[u8],
    tokens: &mut Tokens,
    config: &MockConfig,
) -> Result<Caller, Fail> {
    let security = &route.security;
    match api {
        Api::TwitchHelix => {
            let token = credential(headers, "Bearer")
                .ok_or_else(|| Fail::new(401, "OAuth token is missing"))?;
            let info = tokens
                .bearer(token)
                .filter(|i| i.kind == TokenKind::TwitchUser)
                .ok_or_else(|| Fail::new(401, "Invalid OAuth token"))?;
            let client = header(headers, "client-id")
                .ok_or_else(|| Fail::new(401, "Client-Id header is required"))?;
            if info.client_id.as_deref() != Some(client) {
                return Err(Fail::new(
                    401,
                    "The ID in the Client-Id header must match the client ID in the access token",
                ));
            }
            let missing = missing_scopes(
                security.token_scopes.as_deref().unwrap_or_default(),
                &info.scopes,
            );
            if !missing.is_empty() {
                return Err(Fail::new(
                    401,
                    format!("Missing scope: {}", missing.join(" ")),
                ));
            }
            Ok(Caller {
                user_id: info.user_id.clone(),
                client_id: info.client_id.clone(),
            })
        }
        // Any other Twitch API (Kraken, and one added by a spec alone): the token with the
        // spec's prefix, a `Client-ID` where the spec asks for one.
        _ if api.platform() == Platform::Twitch => {
            let client = header(headers, "client-id");
            if security.client_id && client.is_none() {
                return Err(Fail::new(400, "No client id specified"));
            }
            let token = credential(headers, &security.prefix);
            let Some(needed) = &security.token_scopes else {
                return Ok(Caller {
                    user_id: None,
                    client_id: client.map(str::to_string),
                });
            };
            let token = token.ok_or_else(|| {
                Fail::new(
                    401,
                    format!(
                        "authentication failed: send Authorization: {} <token>",
                        security.prefix
                    ),
                )
            })?;
            let info = tokens
                .bearer(token)
                .filter(|i| i.kind == TokenKind::TwitchUser)
                .ok_or_else(|| Fail::new(401, "invalid oauth token"))?;
            if let Some(c) = client
                && info.client_id.as_deref() != Some(c)
            {
                return Err(Fail::new(401, "client ID and OAuth token do not match"));
            }
            let missing = missing_scopes(needed, &info.scopes);
            if !missing.is_empty() {
                return Err(Fail::new(
                    401,
                    format!("missing required oauth scope: {}", missing.join(" ")),
                ));
            }
            Ok(Caller {
                user_id: info.user_id.clone(),
                client_id: info.client_id.clone(),
            })
        }
        _ => {
            if header(headers, "authorization").is_some_and(|a| a.starts_with("OAuth ")) {
                let mut params = query.to_vec();
                let is_form = header(headers, "content-type")
                    .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
                if is_form {
                    params.extend(url::form_urlencoded::parse(body).into_owned());
                }
                let user = tokens
                    .verify_oauth1(
                        header(headers, "authorization").unwrap_or_default(),
                        method,
                        base_url,
                        &params,
                        config.oauth1_plaintext,
                    )
                    .map_err(|r| {
                        if api == Api::XV2 {
                            Fail::new(401, "Unauthorized")
                        } else {
                            Fail::from(r)
                        }
                    })?;
                return Ok(Caller {
                    user_id: Some(user),
                    client_id: None,
                });
            }
            let Some(token) = credential(headers, "Bearer") else {
                return Err(if api == Api::XV1 {
                    Fail::new(400, "Bad Authentication data.")
                } else {
                    Fail::new(401, "Unauthorized")
                });
            };
            let Some(info) = tokens
                .bearer(token)
                .filter(|i| crate::auth::platform_of(&i.kind) == Platform::X)
            else {
                return Err(if api == Api::XV1 {
                    Fail::new(401, "Invalid or expired token.")
                } else {
                    Fail::new(401, "Unauthorized")
                });
            };
            if api == Api::XV1 {
                return Err(Fail::new(
                    403,
                    "Your credentials do not allow access to this resource.",
                ));
            }
            if info.kind == TokenKind::XApp {
                return Err(Fail::new(
                    403,
                    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                ));
            }
            let missing = missing_scopes(
                security.token_scopes.as_deref().unwrap_or_default(),
                &info.scopes,
            );
            if !missing.is_empty() {
                return Err(Fail::new(
                    403,
                    format!(
                        "You do not have the scope(s) this endpoint needs: {}",
                        missing.join(", ")
                    ),
                ));
            }
            Ok(Caller {
                user_id: info.user_id.clone(),
                client_id: None,
            })
        }
    }
}
