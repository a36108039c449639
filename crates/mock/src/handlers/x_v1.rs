//! X API v1.1: `blocks/ids` and `blocks/list` (cursored), `blocks/create` and `blocks/destroy`,
//! with v1.1's user objects.

use serde_json::{Value, json};

use super::{Ctx, Fail, Reply, time_v1};
use crate::world::{Platform, User, hash_str};

/// The user's profile link, a t.co link as X shortens every URL.
fn profile_url(u: &User) -> String {
    format!("https://t.co/{:010}", hash_str(&u.id) % 10_000_000_000)
}

fn x_v1_user(u: &User, include_entities: bool, skip_status: bool, blocking: bool) -> Value {
    let h = hash_str(&u.id);
    // X's default profile colours. Every member of the user objects in X's examples (blocks/list, one page), with `muting`
    // from its example with statuses.
    let mut v = json!({
        "id": u.id.parse::<i64>().unwrap_or_default(),
        "id_str": u.id,
        "name": u.display_name,
        "screen_name": u.login,
        "location": "The blockbind mock",
        "url": profile_url(u),
        "description": u.bio,
        "protected": h.is_multiple_of(11),
        "followers_count": (h % 50_000) as i64,
        "friends_count": (h % 900) as i64,
        "listed_count": (h % 40) as i64,
        "created_at": time_v1(u.created_at),
        "favourites_count": (h % 5_000) as i64,
        "utc_offset": null,
        "time_zone": null,
        "geo_enabled": false,
        "verified": u.partner,
        "statuses_count": (h % 20_000) as i64,
        "lang": null,
    });
    // In two parts: one `json!` of every member exceeds the macro's recursion limit.
    let more = json!({
        "contributors_enabled": false,
        "is_translator": false,
        "is_translation_enabled": false,
        "profile_background_color": "C0DEED",
        "profile_background_image_url": "http://abs.twimg.com/images/themes/theme1/bg.png",
        "profile_background_image_url_https": "https://abs.twimg.com/images/themes/theme1/bg.png",
        "profile_background_tile": false,
        "profile_image_url": u.logo.replacen("https://", "http://", 1),
        "profile_image_url_https": u.logo,
        "profile_banner_url": format!("https://pbs.twimg.com/profile_banners/{}/1", u.id),
        "profile_link_color": "1DA1F2",
        "profile_sidebar_border_color": "C0DEED",
        "profile_sidebar_fill_color": "DDEEF6",
        "profile_text_color": "333333",
        "profile_use_background_image": false,
        "has_extended_profile": false,
        "default_profile": true,
        "default_profile_image": false,
        "following": false,
        "follow_request_sent": false,
        "notifications": false,
        "blocking": blocking,
        "muting": false,
        "translator_type": "none",
        "withheld_in_countries": [],
    });
    if let (Some(v), Value::Object(more)) = (v.as_object_mut(), more) {
        v.extend(more);
    }
    if include_entities {
        let url = profile_url(u);
        v["entities"] = json!({
            "url": {"urls": [{
                "url": url,
                "expanded_url": format!("https://example.invalid/{}", u.login),
                "display_url": format!("example.invalid/{}", u.login),
                "indices": [0, url.len()],
            }]},
            "description": {"urls": []},
        });
    }
    if !skip_status {
        let id = 1_000_000_000_000_000_000u64 + h % 800_000_000_000_000_000;
        v["status"] = json!({
            "created_at": time_v1(u.updated_at),
            "id": id as i64,
            "id_str": id.to_string(),
            "text": format!("Hello from @{}", u.login),
            "truncated": false,
            "in_reply_to_status_id": null,
            "in_reply_to_status_id_str": null,
            "in_reply_to_user_id": null,
            "in_reply_to_user_id_str": null,
            "in_reply_to_screen_name": null,
            "retweet_count": 0,
            "favorite_count": 0,
            "favorited": false,
            "retweeted": false,
            "possibly_sensitive": false,
            "lang": "en",
            "source": "<a href=\"https://example.invalid\" rel=\"nofollow\">blockbind mock</a>",
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
