//! Twitch Kraken v2 (login-based): the block list with `_links` paging, block and unblock.

use serde_json::{Value, json};

use super::{Ctx, Fail, Reply, time};
use crate::world::{Block, Platform, User, World};

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

pub(super) fn handle(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
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
