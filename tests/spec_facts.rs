//! The documents' facts, one test per spec: the enums, bounds, patterns, scopes and status codes
//! that `../shared/reference/` states must be in the spec, so that an edit dropping one fails here.

use std::path::Path;

use blockbind_spec::SpecFile;
use serde_json::{Value, json};

fn spec(stem: &str) -> SpecFile {
    SpecFile::load(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &format!("specs/{stem}.yaml"),
    )
    .unwrap()
}

/// The resolved schema of parameter `name` of operation `op`.
fn param_schema(spec: &SpecFile, op: &str, name: &str) -> Value {
    let operation = spec
        .operation(op)
        .unwrap_or_else(|| panic!("{}: no operation {op}", spec.rel_path));
    let param = spec
        .parameter(&operation, name)
        .unwrap_or_else(|| panic!("{}: {op} has no parameter {name}", spec.rel_path));
    let schema = spec.deref(&param["schema"]).unwrap().clone();
    // Merge the parameter's own fields the assertions look at.
    let mut out = schema;
    for key in ["required", "in", "style", "explode"] {
        if let Some(v) = param.get(key) {
            out[format!("param.{key}")] = v.clone();
        }
    }
    out
}

fn enum_of(schema: &Value) -> Vec<String> {
    let e = schema
        .get("enum")
        .or_else(|| schema.pointer("/items/enum"))
        .expect("enum");
    let mut v: Vec<String> = e
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn scopes(spec: &SpecFile, op: &str) -> Vec<String> {
    let operation = spec.operation(op).unwrap();
    let mut out: Vec<String> = operation.node["security"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|req| req.as_object().unwrap().values())
        .flat_map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn statuses(spec: &SpecFile, op: &str) -> Vec<String> {
    let operation = spec.operation(op).unwrap();
    operation.node["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// `(METHOD, path, operationId)` of every operation, sorted by operationId.
fn op_ids(spec: &SpecFile) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = spec
        .operations()
        .iter()
        .map(|o| {
            (
                o.method.to_uppercase(),
                o.path.to_string(),
                o.id.to_string(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.2.cmp(&b.2));
    out
}

#[test]
fn twitch_helix_facts() {
    let s = spec("twitch-helix");
    assert_eq!(
        s.document.pointer("/servers/0/url"),
        Some(&json!("https://api.twitch.tv/helix"))
    );
    assert_eq!(
        op_ids(&s),
        [
            ("PUT".into(), "/users/blocks".into(), "block_user".into()),
            (
                "GET".into(),
                "/users/blocks".into(),
                "get_user_block_list".into()
            ),
            ("GET".into(), "/users".into(), "get_users".into()),
            (
                "DELETE".into(),
                "/users/blocks".into(),
                "unblock_user".into()
            ),
        ]
    );
    // Get Users (README "Twitch Get Users"): `id` and `login` repeated, at most 100 in total;
    // `created_at` a timestamp; the same 800-point bucket; no scope (email needs one).
    for name in ["id", "login"] {
        let p = param_schema(&s, "get_users", name);
        assert_eq!(
            (
                p["type"].clone(),
                p["maxItems"].clone(),
                p["param.explode"].clone()
            ),
            (json!("array"), json!(100), json!(true)),
            "{name}"
        );
    }
    assert_eq!(scopes(&s, "get_users"), Vec::<String>::new());
    let get_users = s.operation("get_users").unwrap();
    assert_eq!(
        get_users.node["x-max-items-total"],
        json!({"parameters": ["id", "login"], "max": 100})
    );
    assert_eq!(
        get_users.node["x-rate-limit"],
        json!({"limit": 800, "window_seconds": 60, "per": "client-user", "cost": 1})
    );
    let user = s
        .deref(&json!({"$ref": "#/components/schemas/User"}))
        .unwrap()
        .clone();
    assert_eq!(
        user["properties"]["created_at"]["format"],
        json!("date-time")
    );
    for field in [
        "id",
        "login",
        "display_name",
        "type",
        "broadcaster_type",
        "description",
        "profile_image_url",
        "offline_image_url",
        "view_count",
        "email",
        "created_at",
    ] {
        assert!(
            user["properties"].get(field).is_some(),
            "User lacks {field}"
        );
    }
    assert!(
        s.document
            .pointer("/components/securitySchemes/twitch_user_token/flows/authorizationCode/scopes/user:read:email")
            .is_some()
    );
    let first = param_schema(&s, "get_user_block_list", "first");
    assert_eq!(
        (
            first["minimum"].clone(),
            first["maximum"].clone(),
            first["default"].clone()
        ),
        (json!(1), json!(100), json!(20))
    );
    assert_eq!(
        param_schema(&s, "get_user_block_list", "broadcaster_id")["param.required"],
        json!(true)
    );
    assert_eq!(
        param_schema(&s, "block_user", "target_user_id")["param.required"],
        json!(true)
    );
    assert_eq!(
        param_schema(&s, "unblock_user", "target_user_id")["param.required"],
        json!(true)
    );
    assert_eq!(
        enum_of(&param_schema(&s, "block_user", "source_context")),
        ["chat", "whisper"]
    );
    assert_eq!(
        enum_of(&param_schema(&s, "block_user", "reason")),
        ["harassment", "other", "spam"]
    );
    assert_eq!(
        scopes(&s, "get_user_block_list"),
        ["user:read:blocked_users"]
    );
    assert_eq!(scopes(&s, "block_user"), ["user:manage:blocked_users"]);
    assert_eq!(scopes(&s, "unblock_user"), ["user:manage:blocked_users"]);
    for op in ["block_user", "unblock_user"] {
        let st = statuses(&s, op);
        assert!(
            st.contains(&"204".into()) && st.contains(&"400".into()) && st.contains(&"401".into()),
            "{op}: {st:?}"
        );
    }
    assert!(statuses(&s, "get_user_block_list").contains(&"200".into()));
    let item = s.resolve("#/components/schemas/BlockedUser").or_else(|| {
        s.document.pointer("/components/schemas").and_then(|m| {
            m.as_object()
                .unwrap()
                .values()
                .find(|v| v.pointer("/properties/user_login").is_some())
        })
    });
    let item = item.expect("a blocked-user schema");
    for field in ["user_id", "user_login", "display_name"] {
        assert!(
            item["properties"].get(field).is_some(),
            "blocked user lacks {field}"
        );
    }
}

#[test]
fn twitch_kraken_v2_facts() {
    let s = spec("twitch-kraken-v2");
    assert_eq!(
        s.document.pointer("/servers/0/url"),
        Some(&json!("https://api.twitch.tv/kraken"))
    );
    assert_eq!(
        s.document.pointer("/info/x-accept"),
        Some(&json!("application/vnd.twitchtv.v2+json"))
    );
    assert_eq!(
        op_ids(&s),
        [
            (
                "PUT".into(),
                "/users/{user}/blocks/{target}".into(),
                "block_user".into()
            ),
            (
                "GET".into(),
                "/users/{login}/blocks".into(),
                "get_user_block_list".into()
            ),
            (
                "DELETE".into(),
                "/users/{user}/blocks/{target}".into(),
                "unblock_user".into()
            ),
        ]
    );
    let limit = param_schema(&s, "get_user_block_list", "limit");
    assert_eq!(
        (
            limit["minimum"].clone(),
            limit["maximum"].clone(),
            limit["default"].clone()
        ),
        (json!(1), json!(100), json!(25))
    );
    assert_eq!(
        param_schema(&s, "get_user_block_list", "offset")["default"],
        json!(0)
    );
    assert_eq!(scopes(&s, "get_user_block_list"), ["user_blocks_read"]);
    assert_eq!(scopes(&s, "block_user"), ["user_blocks_edit"]);
    assert_eq!(scopes(&s, "unblock_user"), ["user_blocks_edit"]);
    let st = statuses(&s, "unblock_user");
    for code in ["204", "404", "422"] {
        assert!(
            st.contains(&code.to_string()),
            "unblock_user lacks {code}: {st:?}"
        );
    }
    assert_eq!(
        statuses(&s, "block_user").first().map(String::as_str),
        Some("200")
    );
    let schemes = s
        .document
        .pointer("/components/securitySchemes")
        .unwrap()
        .as_object()
        .unwrap();
    assert!(
        schemes
            .values()
            .any(|v| v.get("x-authorization-prefix") == Some(&json!("OAuth")))
    );
}

#[test]
fn twitch_kraken_v5_facts() {
    let s = spec("twitch-kraken-v5");
    assert_eq!(
        s.document.pointer("/servers/0/url"),
        Some(&json!("https://api.twitch.tv/kraken"))
    );
    assert_eq!(
        s.document.pointer("/info/x-accept"),
        Some(&json!("application/vnd.twitchtv.v5+json"))
    );
    let ids: Vec<String> = s.operations().iter().map(|o| o.id.to_string()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "block_user",
            "check_user_follows_by_channel",
            "check_user_subscription_by_channel",
            "check_vhs_connection",
            "create_vhs_connection",
            "delete_vhs_connection",
            "follow_channel",
            "get_authenticated_user",
            "get_user_block_list",
            "get_user_by_id",
            "get_user_emotes",
            "get_user_follows",
            "get_users",
            "unblock_user",
            "unfollow_channel",
        ]
    );
    for op in ["get_user_follows", "get_user_block_list"] {
        let limit = param_schema(&s, op, "limit");
        assert_eq!(
            (
                limit["minimum"].clone(),
                limit["maximum"].clone(),
                limit["default"].clone()
            ),
            (json!(1), json!(100), json!(25)),
            "{op}"
        );
        assert_eq!(param_schema(&s, op, "offset")["default"], json!(0), "{op}");
    }
    assert_eq!(
        enum_of(&param_schema(&s, "get_user_follows", "direction")),
        ["asc", "desc"]
    );
    assert_eq!(
        enum_of(&param_schema(&s, "get_user_follows", "sortby")),
        ["created_at", "last_broadcast", "login"]
    );
    let login = param_schema(&s, "get_users", "login");
    assert_eq!(
        (login["param.style"].clone(), login["param.explode"].clone()),
        (json!("form"), json!(false))
    );
    assert_eq!(scopes(&s, "get_user_block_list"), ["user_blocks_read"]);
    assert_eq!(scopes(&s, "block_user"), ["user_blocks_edit"]);
    assert_eq!(scopes(&s, "follow_channel"), ["user_follows_edit"]);
    assert_eq!(scopes(&s, "get_authenticated_user"), ["user_read"]);
    assert!(statuses(&s, "unblock_user").contains(&"404".to_string()));
    // Every operation sends Client-ID: a requirement naming the Client-ID scheme.
    let schemes = s
        .document
        .pointer("/components/securitySchemes")
        .unwrap()
        .as_object()
        .unwrap();
    let client_id_scheme = schemes
        .iter()
        .find(|(_, v)| v["type"] == "apiKey" && v["name"] == "Client-ID")
        .map(|(k, _)| k.clone())
        .expect("a Client-ID apiKey scheme");
    for op in s.operations() {
        let reqs = op.node["security"].as_array().unwrap();
        assert!(
            reqs.iter().all(|r| r.get(&client_id_scheme).is_some()),
            "{}: no Client-ID",
            op.id
        );
    }
}

#[test]
fn x_v2_facts() {
    let s = spec("x-v2");
    assert_eq!(
        s.document.pointer("/servers/0/url"),
        Some(&json!("https://api.x.com/2"))
    );
    assert_eq!(
        op_ids(&s),
        [
            (
                "POST".into(),
                "/users/{id}/blocking".into(),
                "block_user".into()
            ),
            (
                "GET".into(),
                "/users/{id}/blocking".into(),
                "get_users_blocking".into()
            ),
            ("GET".into(), "/users".into(), "get_users_by_ids".into()),
            (
                "GET".into(),
                "/users/by".into(),
                "get_users_by_usernames".into()
            ),
            ("GET".into(), "/users/me".into(), "get_users_me".into()),
            (
                "DELETE".into(),
                "/users/{source_user_id}/blocking/{target_user_id}".into(),
                "unblock_user".into()
            ),
        ]
    );
    // `GET /2/users/me` (README "X users lookup"): user context, `{data: {id, name, username}}`.
    assert_eq!(scopes(&s, "get_users_me"), ["tweet.read", "users.read"]);
    let me = &s.operation("get_users_me").unwrap().node["responses"]["200"]["content"]["application/json"]
        ["example"]["data"];
    assert_eq!(
        (
            me["id"].as_str(),
            me["name"].is_string(),
            me["username"].is_string()
        ),
        (Some("2244994945"), true, true)
    );
    // Users lookup (README "X users lookup"): 1..100 comma-separated usernames of
    // `^[A-Za-z0-9_]{1,15}$`, or 1..100 IDs; scopes users.read tweet.read; 900 per 15 min per user.
    for (op, name, pattern) in [
        (
            "get_users_by_usernames",
            "usernames",
            "^[A-Za-z0-9_]{1,15}$",
        ),
        ("get_users_by_ids", "ids", "^[0-9]{1,19}$"),
    ] {
        let p = param_schema(&s, op, name);
        assert_eq!(
            (
                p["minItems"].clone(),
                p["maxItems"].clone(),
                p["param.style"].clone(),
                p["param.explode"].clone(),
                p["param.required"].clone()
            ),
            (
                json!(1),
                json!(100),
                json!("form"),
                json!(false),
                json!(true)
            ),
            "{op}"
        );
        assert_eq!(
            s.deref(&p["items"]).unwrap()["pattern"],
            json!(pattern),
            "{op}"
        );
        assert_eq!(scopes(&s, op), ["tweet.read", "users.read"], "{op}");
        assert_eq!(
            s.operation(op).unwrap().node["x-rate-limit"],
            json!({"limit": 900, "window_seconds": 900, "per": "user"}),
            "{op}"
        );
        for extra in ["user.fields", "expansions", "tweet.fields"] {
            param_schema(&s, op, extra);
        }
    }
    let max = param_schema(&s, "get_users_blocking", "max_results");
    assert_eq!(
        (
            max["minimum"].clone(),
            max["maximum"].clone(),
            max["default"].clone()
        ),
        (json!(1), json!(1000), json!(100))
    );
    assert_eq!(
        param_schema(&s, "get_users_blocking", "pagination_token")["minLength"],
        json!(16)
    );
    for (op, name) in [
        ("get_users_blocking", "id"),
        ("unblock_user", "source_user_id"),
        ("unblock_user", "target_user_id"),
        ("block_user", "id"),
    ] {
        assert_eq!(
            param_schema(&s, op, name)["pattern"],
            json!("^[0-9]{1,19}$"),
            "{op} {name}"
        );
    }
    for name in ["user.fields", "tweet.fields", "expansions"] {
        let p = param_schema(&s, "get_users_blocking", name);
        assert_eq!(
            (p["param.style"].clone(), p["param.explode"].clone()),
            (json!("form"), json!(false)),
            "{name}"
        );
        assert_eq!(
            (p["minItems"].clone(), p["uniqueItems"].clone()),
            (json!(1), json!(true)),
            "{name}"
        );
    }
    let items = |name: &str| {
        let p = param_schema(&s, "get_users_blocking", name);
        enum_of(s.deref(&p["items"]).unwrap())
    };
    for e in [
        "affiliation.user_id",
        "most_recent_tweet_id",
        "pinned_tweet_id",
    ] {
        assert!(
            items("expansions").contains(&e.to_string()),
            "expansions lacks {e}"
        );
    }
    for f in [
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_image_url",
        "protected",
        "public_metrics",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    ] {
        assert!(
            items("user.fields").contains(&f.to_string()),
            "user.fields lacks {f}"
        );
    }
    for f in [
        "attachments",
        "author_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "edit_controls",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "non_public_metrics",
        "public_metrics",
        "organic_metrics",
        "promoted_metrics",
        "possibly_sensitive",
        "referenced_tweets",
        "reply_settings",
        "source",
        "text",
        "withheld",
    ] {
        assert!(
            items("tweet.fields").contains(&f.to_string()),
            "tweet.fields lacks {f}"
        );
    }
    assert_eq!(
        scopes(&s, "get_users_blocking"),
        ["block.read", "tweet.read", "users.read"]
    );
    assert_eq!(
        scopes(&s, "block_user"),
        ["block.write", "tweet.read", "users.read"]
    );
    assert_eq!(
        scopes(&s, "unblock_user"),
        ["block.write", "tweet.read", "users.read"]
    );
    for op in ["get_users_blocking", "block_user", "unblock_user"] {
        let st = statuses(&s, op);
        for code in ["200", "400", "401", "403", "429"] {
            assert!(st.contains(&code.to_string()), "{op} lacks {code}: {st:?}");
        }
    }
    for op in ["block_user", "unblock_user"] {
        let o = s.operation(op).unwrap();
        assert_eq!(o.node["x-availability"], json!(["enterprise"]), "{op}");
        assert!(
            o.node["description"]
                .as_str()
                .unwrap()
                .contains("Enterprise"),
            "{op}"
        );
    }
    let get = s.operation("get_users_blocking").unwrap();
    assert_eq!(get.node["x-rate-limit"]["limit"], json!(15));
    assert_eq!(
        s.operation("block_user").unwrap().node["x-rate-limit"]["limit"],
        json!(50)
    );
    // The 200 response carries data / includes / errors / meta.
    let ok = s.deref(&get.node["responses"]["200"]).unwrap();
    let body = s
        .deref(&ok["content"]["application/json"]["schema"])
        .unwrap();
    for key in ["data", "includes", "errors", "meta"] {
        assert!(
            body["properties"].get(key).is_some(),
            "blocking response lacks {key}"
        );
    }
    // Problem errors are documented beside the JSON error shape.
    let err = s.deref(&get.node["responses"]["429"]).unwrap();
    assert!(err["content"].get("application/problem+json").is_some());
}

#[test]
fn x_v1_1_facts() {
    let s = spec("x-v1.1");
    assert_eq!(
        s.document.pointer("/servers/0/url"),
        Some(&json!("https://api.x.com/1.1"))
    );
    assert_eq!(
        op_ids(&s),
        [
            (
                "POST".into(),
                "/blocks/create.json".into(),
                "create_block".into()
            ),
            (
                "POST".into(),
                "/blocks/destroy.json".into(),
                "destroy_block".into()
            ),
            (
                "GET".into(),
                "/blocks/ids.json".into(),
                "get_block_ids".into()
            ),
            (
                "GET".into(),
                "/blocks/list.json".into(),
                "get_block_list".into()
            ),
        ]
    );
    for op in ["get_block_ids", "get_block_list"] {
        assert_eq!(param_schema(&s, op, "cursor")["default"], json!(-1), "{op}");
    }
    param_schema(&s, "get_block_ids", "stringify_ids");
    for op in ["get_block_list", "create_block", "destroy_block"] {
        param_schema(&s, op, "skip_status");
        param_schema(&s, op, "include_entities");
    }
    for op in ["create_block", "destroy_block"] {
        param_schema(&s, op, "screen_name");
        assert_eq!(
            param_schema(&s, op, "user_id")["pattern"],
            json!("^[0-9]{1,19}$"),
            "{op}"
        );
    }
    for key in ["next_cursor_str", "previous_cursor_str", "ids"] {
        assert!(
            s.resolve("#/components/schemas/BlockIdsResponse").unwrap()["properties"]
                .get(key)
                .is_some(),
            "{key}"
        );
    }
    assert!(
        s.resolve("#/components/schemas/BlockListResponse").unwrap()["properties"]
            .get("users")
            .is_some()
    );
}
