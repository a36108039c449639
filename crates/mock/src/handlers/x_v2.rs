//! X API v2: the blocking list (token-paginated, with `user.fields` and the pinned-tweet
//! expansion), block and unblock.

use serde_json::{Value, json};

use super::{Ctx, Fail, Reply, time_millis};
use crate::world::{Platform, User, hash_str};

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
            "created_at" => json!(time_millis(u.created_at)),
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
                // July 2025 requires `tweet_count`, 2.167 `post_count`: X sends both.
                "tweet_count": (h % 20_000) as i64,
                "post_count": (h % 20_000) as i64,
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

/// A 403 for another user's list: `not-authorized-for-resource`, naming the path parameter.
fn not_yours(ctx: &Ctx<'_>, parameter: &str, message: &str) -> Fail {
    Fail {
        parameter: Some((parameter.to_string(), Some(ctx.s(parameter)))),
        ..Fail::new(403, message)
    }
}

/// The 403 X gives when the app's access level does not include the operation (the spec's
/// `x-availability`); rendered as a `client-forbidden` problem, reason `client-not-enrolled`.
fn not_enrolled(ctx: &Ctx<'_>, op: &str) -> Option<Fail> {
    let level = ctx.config.x_access_level.as_deref()?;
    let availability = ctx
        .api
        .info()
        .operations
        .iter()
        .find(|o| o.id == op)?
        .availability;
    (!availability.is_empty() && !availability.iter().any(|a| a.eq_ignore_ascii_case(level)))
        .then(|| {
            Fail::new(
                403,
                format!(
                    "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project with the appropriate level of API access ({level} does not include {op})."
                ),
            )
        })
}

pub(super) fn handle(op: &str, ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let me = ctx.me()?;
    if let Some(fail) = not_enrolled(ctx, op) {
        return Err(fail);
    }
    match op {
        "get_users_blocking" => {
            if ctx.s("id") != me {
                return Err(not_yours(
                    ctx,
                    "id",
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
            let mut fields = ctx.values.list("user.fields");
            let expand_pinned = ctx
                .values
                .list("expansions")
                .iter()
                .any(|e| e == "pinned_tweet_id");
            // X sends the ID an expansion expands whether or not `user.fields` names it (its
            // example: `user.fields=created_at&expansions=pinned_tweet_id` has `pinned_tweet_id`).
            if expand_pinned && !fields.iter().any(|f| f == "pinned_tweet_id") {
                fields.push("pinned_tweet_id".into());
            }
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
            if expand_pinned {
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
                                "created_at" => t["created_at"] = json!(time_millis(u.updated_at)),
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
                return Err(not_yours(
                    ctx,
                    "id",
                    "You can only block on behalf of the authenticating user",
                ));
            }
            let target = ctx.values.body_str("target_user_id");
            if target == me {
                return Err(Fail::new(400, "You cannot block yourself"));
            }
            ctx.block_existing(Platform::X, &me, &target, || Fail {
                parameter: Some(("target_user_id".into(), Some(target.clone()))),
                ..Fail::new(
                    404,
                    format!("Could not find user with target_user_id: [{target}]."),
                )
            })?;
            Ok(Reply::json(200, json!({"data": {"blocking": true}})))
        }
        "unblock_user" => {
            if ctx.s("source_user_id") != me {
                return Err(not_yours(
                    ctx,
                    "source_user_id",
                    "You can only unblock on behalf of the authenticating user",
                ));
            }
            let target = ctx.s("target_user_id");
            ctx.world.unblock(Platform::X, &me, &target);
            Ok(Reply::json(200, json!({"data": {"blocking": false}})))
        }
        "get_users_by_usernames" => Ok(lookup(ctx, "usernames")),
        "get_users_by_ids" => Ok(lookup(ctx, "ids")),
        "get_users_me" => match ctx.world.dir.by_id(&me) {
            Some(u) => Ok(Reply::json(
                200,
                json!({"data": {"id": u.id, "name": u.display_name, "username": u.login}}),
            )),
            None => Err(Fail::new(401, "Unauthorized")),
        },
        other => Err(Fail::new(404, format!("no X v2 operation {other}"))),
    }
}

/// Users lookup by `usernames` or `ids`: the users found in `data` (with `user.fields`), and a
/// `resource-not-found` problem in `errors` for each name of no user, as X answers; no `data`
/// when none was found.
fn lookup(ctx: &Ctx<'_>, parameter: &str) -> Reply {
    let fields = ctx.values.list("user.fields");
    let mut data = Vec::new();
    let mut errors = Vec::new();
    for name in ctx.values.list(parameter) {
        let user = if parameter == "ids" {
            ctx.world.dir.by_id(&name)
        } else {
            ctx.world.dir.by_login(&name)
        };
        match user {
            Some(u) => data.push(x_v2_user(&u, &fields)),
            None => errors.push(json!({
                "value": name,
                "detail": format!("Could not find user with {parameter}: [{name}]."),
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": parameter,
                "resource_id": name,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            })),
        }
    }
    let mut body = json!({});
    if !data.is_empty() {
        body["data"] = json!(data);
    }
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    Reply::json(200, body)
}
