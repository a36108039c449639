//! Twitch Helix: the user block list (cursor-paginated), block and unblock, and Get Users.

use base64::Engine;
use serde_json::{Value, json};

use super::{Ctx, Fail, Reply, time};
use crate::world::{Platform, User, hash_str};

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

pub(super) fn get_user_block_list(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
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

pub(super) fn block_user(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    let target = ctx.s("target_user_id");
    if target == me {
        return Err(Fail::new(
            400,
            "The ID in target_user_id cannot be the same as the user ID in the access token.",
        ));
    }
    ctx.block_existing(Platform::Twitch, &me, &target, || {
        Fail::new(
            400,
            format!("The user in target_user_id ({target}) does not exist."),
        )
    })?;
    Ok(Reply::empty(204))
}

pub(super) fn unblock_user(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    let target = ctx.s("target_user_id");
    ctx.world.unblock(Platform::Twitch, &me, &target);
    Ok(Reply::empty(204))
}

/// Get Users: each `id` and `login` that names a user (logins in any case), once, in the order
/// asked; names of no user are simply absent, as on Twitch. Neither parameter: the token's user.
pub(super) fn get_users(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let ids = ctx.values.list("id");
    let logins = ctx.values.list("login");
    if ids.len() + logins.len() > 100 {
        return Err(Fail::new(
            400,
            "The request exceeded the maximum allowed number of id and/or login query parameters.",
        ));
    }
    let wanted: Vec<Option<User>> = if ids.is_empty() && logins.is_empty() {
        let me = ctx.caller.user_id.clone().ok_or_else(|| {
            Fail::new(
                400,
                "The id or login query parameter is required unless the request uses a user access token.",
            )
        })?;
        vec![ctx.world.dir.by_id(&me)]
    } else {
        ids.iter()
            .map(|id| ctx.world.dir.by_id(id))
            .chain(logins.iter().map(|login| ctx.world.dir.by_login(login)))
            .collect()
    };
    let mut seen = std::collections::HashSet::new();
    let data: Vec<Value> = wanted
        .into_iter()
        .flatten()
        .filter(|u| seen.insert(u.id.clone()))
        .map(|u| helix_user(&u))
        .collect();
    Ok(Reply::json(200, json!({ "data": data })))
}

fn helix_user(u: &User) -> Value {
    let h = hash_str(&u.id);
    json!({
        "id": u.id,
        "login": u.login.to_ascii_lowercase(),
        "display_name": u.display_name,
        "type": "",
        "broadcaster_type": if u.partner { "partner" } else if h.is_multiple_of(3) { "affiliate" } else { "" },
        "description": u.bio,
        "profile_image_url": u.logo,
        "offline_image_url": "",
        "view_count": 0,
        "created_at": time(u.created_at),
    })
}
