//! X API v1.1: `blocks/ids` and `blocks/list` (cursored), `blocks/create` and `blocks/destroy`,
//! with v1.1's user objects.

use serde_json::{Value, json};

use super::{Ctx, Fail, Reply};
use crate::world::{Platform, User, hash_str};

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

pub(super) fn handle(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
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
