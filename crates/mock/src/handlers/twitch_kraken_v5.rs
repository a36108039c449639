//! Twitch Kraken v5 (ID-based): users, emotes, subscriptions, follows, the block list and VHS
//! connections, with Kraken's user, channel and block objects.

use chrono::Utc;
use serde_json::{Value, json};

use super::{Ctx, Fail, Reply, time, time_micros};
use crate::world::{Block, Platform, User, World, hash_str, mix};

/// How one operation's example in the Kraken v5 document writes IDs and times: they differ by
/// operation (`"_id": "44322889"` with microseconds in Get User by ID, `"_id": 44322889` in whole
/// seconds in Get User and the block list), and the mock answers each as its example does.
#[derive(Debug, Clone, Copy)]
struct Style {
    /// `_id` as a JSON number rather than a string.
    numeric_ids: bool,
    /// Timestamps with microseconds rather than whole seconds.
    micros: bool,
}

impl Style {
    const fn new(numeric_ids: bool, micros: bool) -> Self {
        Self {
            numeric_ids,
            micros,
        }
    }

    fn id(self, id: &str) -> Value {
        match id.parse::<i64>() {
            Ok(n) if self.numeric_ids => json!(n),
            _ => json!(id),
        }
    }

    fn time(self, t: chrono::DateTime<Utc>) -> Value {
        json!(if self.micros { time_micros(t) } else { time(t) })
    }
}

fn kraken_user(u: &User, style: Style) -> Value {
    json!({
        "_id": style.id(&u.id),
        "bio": u.bio,
        "created_at": style.time(u.created_at),
        "display_name": u.display_name,
        "logo": u.logo,
        "name": u.login,
        "type": "user",
        "updated_at": style.time(u.updated_at),
    })
}

/// A channel object; `full` adds the members only Get User Follows' example has (`background`,
/// `banner`, `delay`).
fn kraken_channel(u: &User, world: &World, style: Style, full: bool) -> Value {
    let h = hash_str(&u.id);
    let mut channel = json!({
        "_id": style.id(&u.id),
        "broadcaster_language": "en",
        "created_at": style.time(u.created_at),
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
        "updated_at": style.time(u.updated_at),
        "url": format!("https://www.twitch.tv/{}", u.login),
        "video_banner": null,
        "views": (mix(world_seed(world), h) % 10_000_000) as i64,
    });
    if full {
        channel["background"] = json!(null);
        channel["banner"] = json!(null);
        channel["delay"] = json!(null);
    }
    channel
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
    // The block list's and Block User's examples: numeric IDs, whole seconds.
    let style = Style::new(true, false);
    Some(
        json!({"_id": style.id(&b.seq.to_string()), "updated_at": style.time(b.at), "user": kraken_user(&u, style)}),
    )
}

pub(super) fn handle(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    match op {
        "get_authenticated_user" => {
            let me = ctx.me()?;
            let u = user_or_400(ctx.world, &me, "user")?;
            let mut v = kraken_user(&u, Style::new(true, false));
            v["email"] = json!(format!("{}@example.invalid", u.login));
            v["email_verified"] = json!(true);
            v["notifications"] = json!({"email": true, "push": false});
            v["partnered"] = json!(u.partner);
            v["twitter_connected"] = json!(false);
            Ok(Reply::json(200, v))
        }
        "get_user_by_id" => {
            let u = user_or_400(ctx.world, &ctx.s("user_id"), "user_id")?;
            Ok(Reply::json(200, kraken_user(&u, Style::new(false, true))))
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
                        kraken_user(&u, Style::new(false, true))
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
                    "channel": kraken_channel(&channel, ctx.world, Style::new(false, false), false),
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
                        "channel": kraken_channel(&c, ctx.world, Style::new(true, false), true),
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
                json!({"created_at": time_micros(follow.at), "notifications": follow.notifications, "channel": kraken_channel(&channel, ctx.world, Style::new(true, true), false)}),
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
                json!({"created_at": time(follow.at), "notifications": follow.notifications, "channel": kraken_channel(&channel, ctx.world, Style::new(true, false), false)}),
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
            let identifier = ctx.values.body_str("identifier");
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
