//! What each operation does to the world and answers, in each platform's shapes. This module holds
//! the shared pieces: the reply and refusal types, the context an operation gets, and the routing
//! of an (API, operationId) to its API's module; each API, the error bodies, the credential check
//! and the token endpoints have a file of their own.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::auth::Caller;
use crate::block_log::LogEntry;
use crate::routes::{Invalid, Route, Values};
use crate::world::{Directory, Platform, World};
use crate::{Api, Counters, MockConfig};

mod credentials;
mod errors;
mod sign_in;
mod tokens;
mod twitch_helix;
mod twitch_kraken_v2;
mod twitch_kraken_v5;
mod x_v1;
mod x_v2;

pub(crate) use credentials::authenticate;
pub(crate) use errors::render_error;
pub(crate) use sign_in::{AuthorizeOutcome, SignIn};
pub(crate) mod sign_in_routes {
    //! The sign-in endpoints, for the server's routing.
    pub(crate) use super::sign_in::{
        hook, twitch_device, twitch_revoke, twitch_token, x_authorize, x_revoke,
    };
}
pub(crate) use tokens::{authorize, stats, twitch_validate, x_token};

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

    pub(crate) fn bytes(&self) -> Vec<u8> {
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
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
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
    /// This request's record in the block log, when it is a block request.
    pub block_entry: Option<LogEntry>,
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

    /// Blocks `target` for `user` when the target exists (else `unknown()`), and counts it.
    fn block_existing(
        &mut self,
        platform: Platform,
        user: &str,
        target: &str,
        unknown: impl FnOnce() -> Fail,
    ) -> Result<(), Fail> {
        if self.world.dir.by_id(target).is_none() {
            return Err(unknown());
        }
        let applied = self.world.block(platform, user, target);
        self.record_block(platform, user, target, applied);
        Ok(())
    }

    fn record_block(&mut self, platform: Platform, user: &str, target: &str, applied: bool) {
        let key = (platform, user.to_string(), target.to_string());
        *self.counters.block_requests.entry(key.clone()).or_default() += 1;
        if applied {
            *self.counters.blocks_applied.entry(key.clone()).or_default() += 1;
            self.counters
                .block_log
                .applied(key, self.block_entry.as_ref());
        }
    }
}

/// Routes an operation to its API's module. An operation no module handles (an API added by a
/// spec alone) answers with its spec's example of the success response, as Prism would.
pub(crate) fn dispatch(route: &Route, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    match (ctx.api, route.id.as_str()) {
        (Api::TwitchHelix, "get_user_block_list") => twitch_helix::get_user_block_list(ctx),
        (Api::TwitchHelix, "block_user") => twitch_helix::block_user(ctx),
        (Api::TwitchHelix, "unblock_user") => twitch_helix::unblock_user(ctx),
        (Api::TwitchHelix, "get_users") => twitch_helix::get_users(ctx),
        (Api::TwitchKrakenV5, op) => twitch_kraken_v5::handle(op, ctx),
        (Api::TwitchKrakenV2, op) => twitch_kraken_v2::handle(op, ctx),
        (Api::XV2, op) => x_v2::handle(op, ctx),
        (Api::XV1, op) => x_v1::handle(op, ctx),
        (api, op) => match &route.example {
            Some((status, Some(body))) => Ok(Reply::json(*status, body.clone())),
            Some((status, None)) if *status == 204 => Ok(Reply::empty(204)),
            _ => Err(Fail::new(
                501,
                format!("the mock has no behaviour for {api} {op} and its spec no example"),
            )),
        },
    }
}

/// The ID of the user a block operation names as its target, read from the request alone (the
/// world is only asked to turn a login into an ID): the pipeline files a block request in the
/// block log before faults, credentials or rate limits can answer it. `None` for any operation
/// that does not block, or a request that names nobody.
pub(crate) fn block_target(api: Api, op: &str, values: &Values, dir: &Directory) -> Option<String> {
    let by_login = |login: Option<&str>| dir.by_login(login?).map(|u| u.id);
    match (api, op) {
        (Api::TwitchHelix, "block_user") | (Api::TwitchKrakenV5, "block_user") => {
            values.str("target_user_id").map(str::to_string)
        }
        (Api::XV2, "block_user") => Some(values.body_str("target_user_id")),
        (Api::TwitchKrakenV2, "block_user") => by_login(values.str("target")),
        (Api::XV1, "create_block") => match values.str("user_id") {
            Some(id) => Some(id.to_string()),
            None => by_login(values.str("screen_name")),
        },
        _ => None,
    }
    .filter(|t| !t.is_empty())
}

/// RFC 3339 in whole seconds, UTC as `Z` (`2013-06-03T19:12:02Z`): Helix, Kraken v2, and the
/// Kraken v5 operations whose examples have no fraction.
fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// RFC 3339 with milliseconds, UTC as `Z` (`2011-11-21T13:12:51.000Z`): every X v2 timestamp.
/// Clients parse exactly that (tweepy's `%Y-%m-%dT%H:%M:%S.%f%z`).
fn time_millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// RFC 3339 with microseconds, UTC as `Z` (`2013-06-03T19:12:02.580593Z`): the Kraken v5
/// operations whose examples have them (Get User by ID, Get Users, Check User Follows by Channel).
fn time_micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// X v1.1's `created_at`: `Wed Oct 10 20:19:24 +0000 2018`.
fn time_v1(t: DateTime<Utc>) -> String {
    t.format("%a %b %d %H:%M:%S +0000 %Y").to_string()
}
