//! What each operation does to the world and answers, in each platform's shapes: credentials,
//! the operations of all five APIs, error bodies, the token-issuing endpoint and X's OAuth 2.0
//! token endpoint.

use std::collections::BTreeSet;

use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use http::HeaderMap;
use serde_json::{Value, json};

use crate::auth::{Caller, TokenKind, Tokens};
use crate::routes::{Invalid, Route, Values};
use crate::world::{Block, Platform, User, World, hash_str, mix};
use crate::{Api, Counters, MockConfig, Shared};

/// A response body and status.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub content_type: &'static str,
}

impl Reply {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            content_type: "application/json",
        }
    }

    fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            content_type: "application/json",
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default()
    }
}

/// A refusal, rendered in the API's error shape.
#[derive(Debug, Clone)]
pub(crate) struct Fail {
    pub status: u16,
    pub message: String,
    /// The offending parameter and value (X v2 names them in its error body).
    pub parameter: Option<(String, Option<String>)>,
}

impl Fail {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            parameter: None,
        }
    }
}

impl From<Invalid> for Fail {
    fn from(i: Invalid) -> Self {
        Self {
            status: 400,
            message: i.message,
            parameter: Some((i.parameter, i.value)),
        }
    }
}

impl From<crate::auth::Refusal> for Fail {
    fn from(r: crate::auth::Refusal) -> Self {
        Fail::new(r.status, r.message)
    }
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

/// Each platform's error body.
pub(crate) fn render_error(api: Api, fail: &Fail) -> Reply {
    match api {
        Api::TwitchHelix | Api::TwitchKrakenV5 | Api::TwitchKrakenV2 => Reply::json(
            fail.status,
            json!({"error": reason(fail.status), "status": fail.status, "message": fail.message}),
        ),
        Api::XV2 => {
            if fail.status == 400 {
                let mut detail = json!({"message": fail.message});
                if let Some((name, value)) = &fail.parameter {
                    detail["parameters"] = json!({ name: [value.clone().unwrap_or_default()] });
                }
                Reply::json(
                    400,
                    json!({
                        "errors": [detail],
                        "title": "Invalid Request",
                        "detail": "One or more parameters to your request was invalid.",
                        "type": "https://api.twitter.com/2/problems/invalid-request",
                    }),
                )
            } else {
                let (kind, title) = match fail.status {
                    403 if fail.message.contains("Application-Only") => (
                        "https://api.twitter.com/2/problems/unsupported-authentication",
                        "Unsupported Authentication",
                    ),
                    403 => (
                        "https://api.twitter.com/2/problems/client-forbidden",
                        "Forbidden",
                    ),
                    404 => (
                        "https://api.twitter.com/2/problems/resource-not-found",
                        "Not Found Error",
                    ),
                    _ => ("about:blank", reason(fail.status)),
                };
                Reply {
                    status: fail.status,
                    body: Some(json!({
                        "title": title,
                        "type": kind,
                        "status": fail.status,
                        "detail": fail.message,
                    })),
                    content_type: "application/problem+json",
                }
            }
        }
        Api::XV1 => {
            let code = match fail.status {
                400 if fail.message.contains("Bad Authentication") => 215,
                400 => 44,
                401 if fail.message.contains("Invalid or expired") => 89,
                401 => 32,
                403 => 220,
                404 => 50,
                429 => 88,
                _ => 131,
            };
            Reply::json(
                fail.status,
                json!({"errors": [{"code": code, "message": fail.message}]}),
            )
        }
    }
}

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
        Api::TwitchKrakenV5 | Api::TwitchKrakenV2 => {
            let client = header(headers, "client-id");
            if security.client_id && client.is_none() {
                return Err(Fail::new(400, "No client id specified"));
            }
            let token = credential(headers, "OAuth");
            let Some(needed) = &security.token_scopes else {
                return Ok(Caller {
                    user_id: None,
                    client_id: client.map(str::to_string),
                });
            };
            let token = token.ok_or_else(|| {
                Fail::new(
                    401,
                    "authentication failed: send Authorization: OAuth <token>",
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
        Api::XV2 | Api::XV1 => {
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

/// What an operation handler gets.
pub(crate) struct Ctx<'a> {
    pub api: Api,
    pub values: Values,
    pub caller: Caller,
    pub world: &'a mut World,
    pub counters: &'a mut Counters,
    pub config: &'a MockConfig,
    /// `http://host:port`, for Kraken v2 `_links`.
    pub origin: String,
}

impl Ctx<'_> {
    fn me(&self) -> Result<String, Fail> {
        self.caller
            .user_id
            .clone()
            .ok_or_else(|| Fail::new(401, "a user token is required"))
    }

    fn s(&self, name: &str) -> String {
        self.values.str(name).unwrap_or_default().to_string()
    }

    fn record_block(&mut self, platform: Platform, user: &str, target: &str, applied: bool) {
        let key = (platform, user.to_string(), target.to_string());
        *self.counters.block_requests.entry(key.clone()).or_default() += 1;
        if applied {
            *self.counters.blocks_applied.entry(key).or_default() += 1;
        }
    }
}

pub(crate) fn dispatch(operation: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    match (ctx.api, operation) {
        (Api::TwitchHelix, "get_user_block_list") => helix_list(ctx),
        (Api::TwitchHelix, "block_user") => helix_block(ctx),
        (Api::TwitchHelix, "unblock_user") => helix_unblock(ctx),
        (Api::TwitchKrakenV5, op) => kraken_v5(op, ctx),
        (Api::TwitchKrakenV2, op) => kraken_v2(op, ctx),
        (Api::XV2, op) => x_v2(op, ctx),
        (Api::XV1, op) => x_v1(op, ctx),
        (api, op) => Err(Fail::new(404, format!("{api:?} has no operation {op}"))),
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

// ---------------------------------------------------------------- Helix

/// Helix cursors look like Twitch's: base64 of a small JSON object.
fn helix_cursor(seq: u64) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!(r#"{{"b":null,"a":{{"Cursor":"{seq}"}}}}"#))
}

fn helix_uncursor(cursor: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    v.pointer("/a/Cursor")?.as_str()?.parse().ok()
}

fn helix_list(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    if ctx.s("broadcaster_id") != me {
        return Err(Fail::new(
            401,
            "The ID in broadcaster_id must match the user ID found in the request's access token.",
        ));
    }
    let first = ctx.values.int("first").unwrap_or(20) as usize;
    let before = match ctx.values.str("after") {
        Some(c) => Some(helix_uncursor(c).ok_or_else(|| {
            let mut f = Fail::new(400, "The `after` cursor is not valid");
            f.parameter = Some(("after".into(), Some(c.to_string())));
            f
        })?),
        None => None,
    };
    let mut page = ctx
        .world
        .list(Platform::Twitch, &me)
        .map(|l| l.newest_before(before, first + 1))
        .unwrap_or_default();
    let more = page.len() > first;
    page.truncate(first);
    let data: Vec<Value> = page
        .iter()
        .filter_map(|b| ctx.world.dir.by_id(&b.target))
        .map(|u| json!({"user_id": u.id, "user_login": u.login, "display_name": u.display_name}))
        .collect();
    let pagination = match (more, page.last()) {
        (true, Some(last)) => json!({"cursor": helix_cursor(last.seq)}),
        _ => json!({}),
    };
    Ok(Reply::json(
        200,
        json!({"data": data, "pagination": pagination}),
    ))
}

fn helix_block(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    let target = ctx.s("target_user_id");
    if target == me {
        return Err(Fail::new(
            400,
            "The ID in target_user_id cannot be the same as the user ID in the access token.",
        ));
    }
    if ctx.world.dir.by_id(&target).is_none() {
        return Err(Fail::new(
            400,
            format!("The user in target_user_id ({target}) does not exist."),
        ));
    }
    let applied = ctx.world.block(Platform::Twitch, &me, &target);
    ctx.record_block(Platform::Twitch, &me, &target, applied);
    Ok(Reply::empty(204))
}

fn helix_unblock(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    let target = ctx.s("target_user_id");
    ctx.world.unblock(Platform::Twitch, &me, &target);
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------- Kraken

fn kraken_user(u: &User) -> Value {
    json!({
        "_id": u.id,
        "bio": u.bio,
        "created_at": time(u.created_at),
        "display_name": u.display_name,
        "logo": u.logo,
        "name": u.login,
        "type": "user",
        "updated_at": time(u.updated_at),
    })
}

fn kraken_channel(u: &User, world: &World) -> Value {
    let h = hash_str(&u.id);
    json!({
        "_id": u.id,
        "background": null,
        "banner": null,
        "broadcaster_language": "en",
        "created_at": time(u.created_at),
        "delay": null,
        "display_name": u.display_name,
        "followers": (h % 100_000) as i64,
        "game": if h.is_multiple_of(3) { json!("Science & Technology") } else { json!(null) },
        "language": "en",
        "logo": u.logo,
        "mature": h.is_multiple_of(7),
        "name": u.login,
        "partner": u.partner,
        "profile_banner": null,
        "profile_banner_background_color": null,
        "status": format!("{} live on the mock", u.display_name),
        "updated_at": time(u.updated_at),
        "url": format!("https://www.twitch.tv/{}", u.login),
        "video_banner": null,
        "views": (mix(world_seed(world), h) % 10_000_000) as i64,
    })
}

fn world_seed(world: &World) -> u64 {
    world.dir.population()
}

fn user_or_400(world: &World, id: &str, what: &str) -> Result<User, Fail> {
    world
        .dir
        .by_id(id)
        .ok_or_else(|| Fail::new(400, format!("{what} {id:?} is not a valid user")))
}

fn require_self(ctx: &Ctx<'_>, user_id: &str) -> Result<String, Fail> {
    let me = ctx.me()?;
    if user_id != me {
        return Err(Fail::new(
            401,
            format!("the OAuth token is for user {me}, not {user_id}"),
        ));
    }
    Ok(me)
}

fn kraken_block(b: &Block, world: &World) -> Option<Value> {
    let u = world.dir.by_id(&b.target)?;
    Some(json!({"_id": b.seq.to_string(), "updated_at": time(b.at), "user": kraken_user(&u)}))
}

fn kraken_v5(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    match op {
        "get_authenticated_user" => {
            let me = ctx.me()?;
            let u = user_or_400(ctx.world, &me, "user")?;
            let mut v = kraken_user(&u);
            v["email"] = json!(format!("{}@example.invalid", u.login));
            v["email_verified"] = json!(true);
            v["notifications"] = json!({"email": true, "push": false});
            v["partnered"] = json!(u.partner);
            v["twitter_connected"] = json!(false);
            Ok(Reply::json(200, v))
        }
        "get_user_by_id" => {
            let u = user_or_400(ctx.world, &ctx.s("user_id"), "user_id")?;
            Ok(Reply::json(200, kraken_user(&u)))
        }
        "get_users" => {
            let logins = ctx.values.list("login");
            let users: Vec<Value> = logins
                .iter()
                .filter_map(|l| ctx.world.dir.by_login(l))
                .map(|u| {
                    // A fixed tenth of users have no verified email: the document says `null`.
                    if hash_str(&u.id).is_multiple_of(10) {
                        Value::Null
                    } else {
                        kraken_user(&u)
                    }
                })
                .collect();
            Ok(Reply::json(
                200,
                json!({"_total": users.len(), "users": users}),
            ))
        }
        "get_user_emotes" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let mut sets = serde_json::Map::new();
            sets.insert(
                "0".into(),
                json!([{"code": "Kappa", "id": 25}, {"code": "PogChamp", "id": 88}, {"code": "4Head", "id": 354}]),
            );
            let h = mix(hash_str(&me), 1);
            let set = 19_000 + h % 1000;
            sets.insert(
                set.to_string(),
                json!([{"code": format!("mock{}Hype", h % 100), "id": 115_000 + (h % 1000) as i64}]),
            );
            Ok(Reply::json(200, json!({"emoticon_sets": sets})))
        }
        "check_user_subscription_by_channel" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let channel = user_or_400(ctx.world, &ctx.s("channel_id"), "channel_id")?;
            if !channel.partner {
                return Err(Fail::new(
                    422,
                    format!("{} does not have a subscription program", channel.login),
                ));
            }
            if !ctx.world.subscribed(&me, &channel) {
                return Err(Fail::new(
                    404,
                    format!("{me} has no subscriptions to {}", channel.login),
                ));
            }
            let since = channel.created_at + chrono::Duration::days(30);
            Ok(Reply::json(
                200,
                json!({
                    "_id": format!("{:040x}", u128::from(hash_str(&me)) << 64 | u128::from(hash_str(&channel.id))),
                    "sub_plan": "1000",
                    "sub_plan_name": format!("Channel Subscription ({})", channel.login),
                    "channel": kraken_channel(&channel, ctx.world),
                    "created_at": time(since),
                }),
            ))
        }
        "get_user_follows" => {
            let user = user_or_400(ctx.world, &ctx.s("user_id"), "user_id")?;
            let limit = ctx.values.int("limit").unwrap_or(25).max(1) as usize;
            let offset = ctx.values.int("offset").unwrap_or(0).max(0) as usize;
            let desc = ctx.values.str("direction") != Some("asc");
            let sortby = ctx.s("sortby");
            let mut follows = ctx.world.follows_of(&user.id).clone();
            let dir = ctx.world.dir.clone();
            follows.sort_by(|a, b| match sortby.as_str() {
                "login" => {
                    let la = dir.by_id(&a.channel).map(|u| u.login).unwrap_or_default();
                    let lb = dir.by_id(&b.channel).map(|u| u.login).unwrap_or_default();
                    la.cmp(&lb)
                }
                "last_broadcast" => {
                    let ua = dir.by_id(&a.channel).map(|u| u.updated_at);
                    let ub = dir.by_id(&b.channel).map(|u| u.updated_at);
                    ua.cmp(&ub)
                }
                _ => a.at.cmp(&b.at),
            });
            if desc {
                follows.reverse();
            }
            let total = follows.len();
            let page: Vec<Value> = follows
                .iter()
                .skip(offset)
                .take(limit)
                .filter_map(|f| {
                    let c = dir.by_id(&f.channel)?;
                    Some(json!({
                        "created_at": time(f.at),
                        "notifications": f.notifications,
                        "channel": kraken_channel(&c, ctx.world),
                    }))
                })
                .collect();
            Ok(Reply::json(200, json!({"_total": total, "follows": page})))
        }
        "check_user_follows_by_channel" => {
            let user = user_or_400(ctx.world, &ctx.s("user_id"), "user_id")?;
            let channel = user_or_400(ctx.world, &ctx.s("channel_id"), "channel_id")?;
            let follow = ctx
                .world
                .follows_of(&user.id)
                .iter()
                .find(|f| f.channel == channel.id)
                .cloned()
                .ok_or_else(|| {
                    Fail::new(
                        404,
                        format!("{} is not following {}", user.login, channel.login),
                    )
                })?;
            Ok(Reply::json(
                200,
                json!({"created_at": time(follow.at), "notifications": follow.notifications, "channel": kraken_channel(&channel, ctx.world)}),
            ))
        }
        "follow_channel" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let channel_id = ctx.s("channel_id");
            let Some(channel) = ctx.world.dir.by_id(&channel_id) else {
                return Err(Fail::new(
                    422,
                    format!("Unable to follow channel {channel_id}"),
                ));
            };
            if channel.id == me {
                return Err(Fail::new(422, "A user cannot follow their own channel"));
            }
            let notifications = ctx
                .values
                .body
                .as_ref()
                .and_then(|b| b.get("notifications"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let follows = ctx.world.follows_of(&me);
            let follow = match follows.iter_mut().find(|f| f.channel == channel.id) {
                Some(f) => {
                    f.notifications = notifications;
                    f.clone()
                }
                None => {
                    let f = crate::world::Follow {
                        channel: channel.id.clone(),
                        at: Utc::now(),
                        notifications,
                    };
                    follows.push(f.clone());
                    f
                }
            };
            Ok(Reply::json(
                200,
                json!({"created_at": time(follow.at), "notifications": follow.notifications, "channel": kraken_channel(&channel, ctx.world)}),
            ))
        }
        "unfollow_channel" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let channel = ctx.s("channel_id");
            ctx.world.follows_of(&me).retain(|f| f.channel != channel);
            Ok(Reply::empty(204))
        }
        "get_user_block_list" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let limit = ctx.values.int("limit").unwrap_or(25).max(1) as usize;
            let offset = ctx.values.int("offset").unwrap_or(0).max(0) as usize;
            let (total, page) = match ctx.world.list(Platform::Twitch, &me) {
                Some(l) => (l.len(), l.page_by_offset(offset, limit)),
                None => (0, Vec::new()),
            };
            let blocks: Vec<Value> = page
                .iter()
                .filter_map(|b| kraken_block(b, ctx.world))
                .collect();
            Ok(Reply::json(200, json!({"_total": total, "blocks": blocks})))
        }
        "block_user" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let target = user_or_400(ctx.world, &ctx.s("target_user_id"), "target_user_id")?;
            if target.id == me {
                return Err(Fail::new(400, "A user cannot block themselves"));
            }
            let applied = ctx.world.block(Platform::Twitch, &me, &target.id);
            ctx.record_block(Platform::Twitch, &me, &target.id, applied);
            if let Some(cap) = ctx.config.kraken_block_cap {
                ctx.world.list_mut(Platform::Twitch, &me).cap(cap);
            }
            let block = ctx
                .world
                .list(Platform::Twitch, &me)
                .and_then(|l| l.get(&target.id))
                .and_then(|b| kraken_block(&b, ctx.world))
                .ok_or_else(|| Fail::new(400, "the block could not be stored"))?;
            Ok(Reply::json(200, block))
        }
        "unblock_user" => {
            let me = require_self(ctx, &ctx.s("user_id"))?;
            let target = ctx.s("target_user_id");
            if !ctx.world.unblock(Platform::Twitch, &me, &target) {
                return Err(Fail::new(
                    404,
                    format!("{target} is not on {me}'s block list"),
                ));
            }
            Ok(Reply::empty(204))
        }
        "create_vhs_connection" => {
            let me = ctx.me()?;
            let identifier = ctx
                .values
                .body
                .as_ref()
                .and_then(|b| b.get("identifier"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if identifier.is_empty() {
                return Err(Fail::new(400, "`identifier` must not be empty"));
            }
            ctx.world.vhs.insert(me, identifier);
            Ok(Reply::empty(204))
        }
        "check_vhs_connection" => {
            let me = ctx.me()?;
            match ctx.world.vhs.get(&me) {
                Some(id) => Ok(Reply::json(200, json!({"identifier": id}))),
                None => Err(Fail::new(404, "No VHS connection exists for this user")),
            }
        }
        "delete_vhs_connection" => {
            let me = ctx.me()?;
            ctx.world.vhs.remove(&me);
            Ok(Reply::empty(204))
        }
        other => Err(Fail::new(404, format!("no Kraken v5 operation {other}"))),
    }
}

fn v2_user(u: &User, origin: &str) -> Value {
    json!({
        "_links": {"self": format!("{origin}/kraken/users/{}", u.login)},
        "_id": u.id.parse::<i64>().unwrap_or_default(),
        "name": u.login,
        "display_name": u.display_name,
        "staff": false,
        "logo": u.logo,
        "created_at": time(u.created_at),
        "updated_at": time(u.updated_at),
    })
}

fn v2_block(b: &Block, owner: &str, world: &World, origin: &str) -> Option<Value> {
    let u = world.dir.by_id(&b.target)?;
    Some(json!({
        "_links": {"self": format!("{origin}/kraken/users/{owner}/blocks/{}", u.login)},
        "_id": b.seq as i64,
        "updated_at": time(b.at),
        "user": v2_user(&u, origin),
    }))
}

fn require_self_login(ctx: &Ctx<'_>, login: &str) -> Result<User, Fail> {
    let me = ctx.me()?;
    let user = ctx
        .world
        .dir
        .by_id(&me)
        .ok_or_else(|| Fail::new(401, "unknown token user"))?;
    if !user.login.eq_ignore_ascii_case(login) {
        return Err(Fail::new(
            401,
            format!("the OAuth token is for {}, not {login}", user.login),
        ));
    }
    Ok(user)
}

fn kraken_v2(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    match op {
        "get_user_block_list" => {
            let me = require_self_login(ctx, &ctx.s("login"))?;
            let limit = ctx.values.int("limit").unwrap_or(25).max(1) as usize;
            let offset = ctx.values.int("offset").unwrap_or(0).max(0) as usize;
            let (total, page) = match ctx.world.list(Platform::Twitch, &me.id) {
                Some(l) => (l.len(), l.page_by_offset(offset, limit)),
                None => (0, Vec::new()),
            };
            let blocks: Vec<Value> = page
                .iter()
                .filter_map(|b| v2_block(b, &me.login, ctx.world, &ctx.origin))
                .collect();
            let link = |o: usize| {
                format!(
                    "{}/kraken/users/{}/blocks?limit={limit}&offset={o}",
                    ctx.origin, me.login
                )
            };
            let mut links = json!({"self": link(offset)});
            if offset + limit < total {
                links["next"] = json!(link(offset + limit));
            }
            Ok(Reply::json(200, json!({"_links": links, "blocks": blocks})))
        }
        "block_user" => {
            let me = require_self_login(ctx, &ctx.s("user"))?;
            let target_login = ctx.s("target");
            let target =
                ctx.world.dir.by_login(&target_login).ok_or_else(|| {
                    Fail::new(422, format!("{target_login} is not a Twitch user"))
                })?;
            if target.id == me.id {
                return Err(Fail::new(422, "A user cannot block themselves"));
            }
            let applied = ctx.world.block(Platform::Twitch, &me.id, &target.id);
            ctx.record_block(Platform::Twitch, &me.id, &target.id, applied);
            if let Some(cap) = ctx.config.kraken_block_cap {
                ctx.world.list_mut(Platform::Twitch, &me.id).cap(cap);
            }
            let block = ctx
                .world
                .list(Platform::Twitch, &me.id)
                .and_then(|l| l.get(&target.id))
                .and_then(|b| v2_block(&b, &me.login, ctx.world, &ctx.origin))
                .ok_or_else(|| Fail::new(422, "the block could not be stored"))?;
            Ok(Reply::json(200, block))
        }
        "unblock_user" => {
            let me = require_self_login(ctx, &ctx.s("user"))?;
            let target_login = ctx.s("target");
            let removed = ctx
                .world
                .dir
                .by_login(&target_login)
                .is_some_and(|t| ctx.world.unblock(Platform::Twitch, &me.id, &t.id));
            if !removed {
                return Err(Fail::new(
                    404,
                    format!("{target_login} is not on {}'s block list", me.login),
                ));
            }
            Ok(Reply::empty(204))
        }
        other => Err(Fail::new(404, format!("no Kraken v2 operation {other}"))),
    }
}

// ---------------------------------------------------------------- X v2

/// X v2 pagination tokens: a direction letter and a sequence number, 16 characters or more.
fn x_token_for(next: bool, seq: u64) -> String {
    format!("{}{:015}", if next { 'N' } else { 'P' }, seq)
}

fn x_untoken(token: &str) -> Option<(bool, u64)> {
    let (dir, rest) = token.split_at_checked(1)?;
    let seq = rest.parse().ok()?;
    match dir {
        "N" => Some((true, seq)),
        "P" => Some((false, seq)),
        _ => None,
    }
}

fn x_v2_user(u: &User, fields: &[String]) -> Value {
    let h = hash_str(&u.id);
    let mut v = json!({"id": u.id, "name": u.display_name, "username": u.login});
    for f in fields {
        let value = match f.as_str() {
            "created_at" => json!(time(u.created_at)),
            "description" => json!(u.bio),
            "location" => json!("The blockbind mock"),
            "profile_image_url" => json!(u.logo),
            "protected" => json!(h.is_multiple_of(11)),
            "verified" => json!(u.partner),
            "verified_type" => json!(if u.partner { "blue" } else { "none" }),
            "url" => json!(""),
            "public_metrics" => json!({
                "followers_count": (h % 50_000) as i64,
                "following_count": (h % 900) as i64,
                "tweet_count": (h % 20_000) as i64,
                "listed_count": (h % 40) as i64,
                "like_count": (h % 5_000) as i64,
            }),
            "pinned_tweet_id" if h.is_multiple_of(3) => json!(pinned_tweet(u)),
            "most_recent_tweet_id" => json!(((h >> 8) % 1_000_000_000_000_000_000 + 1).to_string()),
            _ => continue,
        };
        v[f.as_str()] = value;
    }
    v
}

fn pinned_tweet(u: &User) -> String {
    (1_000_000_000_000_000_000 + hash_str(&u.id) % 800_000_000_000_000_000).to_string()
}

fn x_v2(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    match op {
        "get_users_blocking" => {
            if ctx.s("id") != me {
                return Err(Fail::new(
                    403,
                    "You can only list the blocks of the authenticating user (`id` must be your own user ID)",
                ));
            }
            let max = ctx.values.int("max_results").unwrap_or(100) as usize;
            let token = ctx.values.str("pagination_token").map(str::to_string);
            let Some(list) = ctx.world.list(Platform::X, &me) else {
                return Ok(Reply::json(200, json!({"meta": {"result_count": 0}})));
            };
            let page = match token.as_deref().map(|t| (t, x_untoken(t))) {
                None => list.newest_before(None, max + 1),
                Some((_, Some((true, seq)))) => list.newest_before(Some(seq), max + 1),
                Some((_, Some((false, seq)))) => {
                    let mut p = list.oldest_after(seq, max + 1);
                    p.reverse();
                    p
                }
                Some((t, None)) => {
                    let mut f = Fail::new(
                        400,
                        format!("The `pagination_token` query parameter value [{t}] is not valid"),
                    );
                    f.parameter = Some(("pagination_token".into(), Some(t.to_string())));
                    return Err(f);
                }
            };
            let backwards = matches!(token.as_deref().and_then(x_untoken), Some((false, _)));
            let mut page = page;
            let more = page.len() > max;
            if more {
                if backwards {
                    page.remove(0);
                } else {
                    page.truncate(max);
                }
            }
            let fields = ctx.values.list("user.fields");
            let users: Vec<User> = page
                .iter()
                .filter_map(|b| ctx.world.dir.by_id(&b.target))
                .collect();
            let data: Vec<Value> = users.iter().map(|u| x_v2_user(u, &fields)).collect();
            let mut meta = json!({"result_count": data.len()});
            if let (Some(first), Some(last)) = (page.first(), page.last()) {
                let has_next = if backwards { true } else { more };
                let has_prev = if backwards { more } else { token.is_some() };
                if has_next {
                    meta["next_token"] = json!(x_token_for(true, last.seq));
                }
                if has_prev {
                    meta["previous_token"] = json!(x_token_for(false, first.seq));
                }
            }
            if data.is_empty() {
                return Ok(Reply::json(200, json!({"meta": meta})));
            }
            let mut body = json!({"data": data, "meta": meta});
            if ctx
                .values
                .list("expansions")
                .iter()
                .any(|e| e == "pinned_tweet_id")
                && fields.iter().any(|f| f == "pinned_tweet_id")
            {
                let tweet_fields = ctx.values.list("tweet.fields");
                let tweets: Vec<Value> = users
                    .iter()
                    .filter(|u| hash_str(&u.id).is_multiple_of(3))
                    .map(|u| {
                        let id = pinned_tweet(u);
                        let mut t = json!({"id": id, "text": format!("Pinned by @{}", u.login), "edit_history_tweet_ids": [id]});
                        for f in &tweet_fields {
                            match f.as_str() {
                                "author_id" => t["author_id"] = json!(u.id),
                                "created_at" => t["created_at"] = json!(time(u.updated_at)),
                                "lang" => t["lang"] = json!("en"),
                                _ => {}
                            }
                        }
                        t
                    })
                    .collect();
                if !tweets.is_empty() {
                    body["includes"] = json!({"tweets": tweets});
                }
            }
            Ok(Reply::json(200, body))
        }
        "block_user" => {
            if ctx.s("id") != me {
                return Err(Fail::new(
                    403,
                    "You can only block on behalf of the authenticating user",
                ));
            }
            let target = ctx
                .values
                .body
                .as_ref()
                .and_then(|b| b.get("target_user_id"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if target == me {
                return Err(Fail::new(400, "You cannot block yourself"));
            }
            if ctx.world.dir.by_id(&target).is_none() {
                return Err(Fail::new(
                    404,
                    format!("Could not find user with target_user_id: [{target}]."),
                ));
            }
            let applied = ctx.world.block(Platform::X, &me, &target);
            ctx.record_block(Platform::X, &me, &target, applied);
            Ok(Reply::json(200, json!({"data": {"blocking": true}})))
        }
        "unblock_user" => {
            if ctx.s("source_user_id") != me {
                return Err(Fail::new(
                    403,
                    "You can only unblock on behalf of the authenticating user",
                ));
            }
            let target = ctx.s("target_user_id");
            ctx.world.unblock(Platform::X, &me, &target);
            Ok(Reply::json(200, json!({"data": {"blocking": false}})))
        }
        other => Err(Fail::new(404, format!("no X v2 operation {other}"))),
    }
}

// ---------------------------------------------------------------- X v1.1

fn x_v1_user(u: &User, include_entities: bool, skip_status: bool, blocking: bool) -> Value {
    let h = hash_str(&u.id);
    let mut v = json!({
        "id": u.id.parse::<i64>().unwrap_or_default(),
        "id_str": u.id,
        "name": u.display_name,
        "screen_name": u.login,
        "location": "The blockbind mock",
        "description": u.bio,
        "url": null,
        "protected": h.is_multiple_of(11),
        "verified": u.partner,
        "followers_count": (h % 50_000) as i64,
        "friends_count": (h % 900) as i64,
        "listed_count": (h % 40) as i64,
        "favourites_count": (h % 5_000) as i64,
        "statuses_count": (h % 20_000) as i64,
        "created_at": u.created_at.format("%a %b %d %H:%M:%S +0000 %Y").to_string(),
        "utc_offset": null,
        "time_zone": null,
        "geo_enabled": false,
        "lang": null,
        "profile_image_url_https": u.logo,
        "default_profile": true,
        "default_profile_image": false,
        "following": false,
        "follow_request_sent": false,
        "notifications": false,
        "blocking": blocking,
        "translator_type": "none",
    });
    if include_entities {
        v["entities"] = json!({"description": {"urls": []}});
    }
    if !skip_status {
        let id = 1_000_000_000_000_000_000u64 + h % 800_000_000_000_000_000;
        v["status"] = json!({
            "created_at": u.updated_at.format("%a %b %d %H:%M:%S +0000 %Y").to_string(),
            "id": id as i64,
            "id_str": id.to_string(),
            "text": format!("Hello from @{}", u.login),
            "truncated": false,
            "retweet_count": 0,
            "favorite_count": 0,
            "favorited": false,
            "retweeted": false,
            "lang": "en",
        });
    }
    v
}

fn x_v1(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    match op {
        "get_block_ids" | "get_block_list" => {
            let ids = op == "get_block_ids";
            let size = if ids { 5000 } else { 20 };
            let cursor = ctx.values.int("cursor").unwrap_or(-1);
            let empty = crate::world::BlockList::default();
            let list = ctx.world.list(Platform::X, &me).unwrap_or(&empty);
            let (page, more_after, first_page) = match cursor {
                -1 | 0 => {
                    let mut p = list.newest_before(None, size + 1);
                    let more = p.len() > size;
                    p.truncate(size);
                    (p, more, true)
                }
                c if c > 0 => {
                    let mut p = list.newest_before(Some(c as u64), size + 1);
                    let more = p.len() > size;
                    p.truncate(size);
                    (p, more, false)
                }
                c => {
                    let mut p = list.oldest_after(c.unsigned_abs(), size + 1);
                    let at_start = p.len() <= size;
                    p.truncate(size);
                    p.reverse();
                    (p, true, at_start)
                }
            };
            let next = if more_after {
                page.last().map(|b| b.seq as i64).unwrap_or(0)
            } else {
                0
            };
            let previous = if first_page {
                0
            } else {
                page.first().map(|b| -(b.seq as i64)).unwrap_or(0)
            };
            let mut body = json!({
                "next_cursor": next,
                "next_cursor_str": next.to_string(),
                "previous_cursor": previous,
                "previous_cursor_str": previous.to_string(),
            });
            if ids {
                let stringify = ctx.values.bool("stringify_ids").unwrap_or(false);
                let ids: Vec<Value> = page
                    .iter()
                    .map(|b| {
                        if stringify {
                            json!(b.target)
                        } else {
                            json!(b.target.parse::<i64>().unwrap_or_default())
                        }
                    })
                    .collect();
                body["ids"] = json!(ids);
            } else {
                let entities = ctx.values.bool("include_entities").unwrap_or(true);
                let skip = ctx.values.bool("skip_status").unwrap_or(false);
                let users: Vec<Value> = page
                    .iter()
                    .filter_map(|b| ctx.world.dir.by_id(&b.target))
                    .map(|u| x_v1_user(&u, entities, skip, true))
                    .collect();
                body["users"] = json!(users);
            }
            Ok(Reply::json(200, body))
        }
        "create_block" | "destroy_block" => {
            let target = match (ctx.values.str("user_id"), ctx.values.str("screen_name")) {
                (Some(id), _) => ctx.world.dir.by_id(id),
                (None, Some(name)) => ctx.world.dir.by_login(name),
                (None, None) => {
                    return Err(Fail::new(400, "Give `user_id` or `screen_name`."));
                }
            }
            .ok_or_else(|| Fail::new(404, "User not found."))?;
            if target.id == me {
                return Err(Fail::new(403, "You cannot block yourself."));
            }
            let create = op == "create_block";
            if create {
                let applied = ctx.world.block(Platform::X, &me, &target.id);
                ctx.record_block(Platform::X, &me, &target.id, applied);
            } else {
                ctx.world.unblock(Platform::X, &me, &target.id);
            }
            let entities = ctx.values.bool("include_entities").unwrap_or(true);
            let skip = ctx.values.bool("skip_status").unwrap_or(false);
            Ok(Reply::json(200, x_v1_user(&target, entities, skip, create)))
        }
        other => Err(Fail::new(404, format!("no X v1.1 operation {other}"))),
    }
}

// ---------------------------------------------------------------- token endpoints

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
