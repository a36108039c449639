//! The documents' facts, one test per spec: the enums, bounds, patterns, scopes and status codes
//! that `../shared/reference/` states must be in the spec, so that an edit dropping one fails here.

use std::path::Path;

use blockbind_spec::SpecFile;
use serde_json::{Value, json};

fn spec(stem: &str) -> SpecFile {
    SpecFile::load(Path::new(env!("CARGO_MANIFEST_DIR")), &format!("specs/{stem}.yaml")).unwrap()
}

/// The resolved schema of parameter `name` of operation `op`.
fn param_schema(spec: &SpecFile, op: &str, name: &str) -> Value {
    let operation = spec.operation(op).unwrap_or_else(|| panic!("{}: no operation {op}", spec.rel_path));
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
    let e = schema.get("enum").or_else(|| schema.pointer("/items/enum")).expect("enum");
    let mut v: Vec<String> = e.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
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
        .flat_map(|s| s.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn statuses(spec: &SpecFile, op: &str) -> Vec<String> {
    let operation = spec.operation(op).unwrap();
    operation.node["responses"].as_object().unwrap().keys().cloned().collect()
}

/// `(METHOD, path, operationId)` of every operation, sorted by operationId.
fn op_ids(spec: &SpecFile) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = spec
        .operations()
        .iter()
        .map(|o| (o.method.to_uppercase(), o.path.to_string(), o.id.to_string()))
        .collect();
    out.sort_by(|a, b| a.2.cmp(&b.2));
    out
}

#[test]
fn twitch_helix_facts() {
    let s = spec("twitch-helix");
    assert_eq!(s.document.pointer("/servers/0/url"), Some(&json!("https://api.twitch.tv/helix")));
    assert_eq!(
        op_ids(&s),
        [
            ("PUT".into(), "/users/blocks".into(), "block_user".into()),
            ("GET".into(), "/users/blocks".into(), "get_user_block_list".into()),
            ("DELETE".into(), "/users/blocks".into(), "unblock_user".into()),
        ]
    );
    let first = param_schema(&s, "get_user_block_list", "first");
    assert_eq!((first["minimum"].clone(), first["maximum"].clone(), first["default"].clone()), (json!(1), json!(100), json!(20)));
    assert_eq!(param_schema(&s, "get_user_block_list", "broadcaster_id")["param.required"], json!(true));
    assert_eq!(param_schema(&s, "block_user", "target_user_id")["param.required"], json!(true));
    assert_eq!(param_schema(&s, "unblock_user", "target_user_id")["param.required"], json!(true));
    assert_eq!(enum_of(&param_schema(&s, "block_user", "source_context")), ["chat", "whisper"]);
    assert_eq!(enum_of(&param_schema(&s, "block_user", "reason")), ["harassment", "other", "spam"]);
    assert_eq!(scopes(&s, "get_user_block_list"), ["user:read:blocked_users"]);
    assert_eq!(scopes(&s, "block_user"), ["user:manage:blocked_users"]);
    assert_eq!(scopes(&s, "unblock_user"), ["user:manage:blocked_users"]);
    for op in ["block_user", "unblock_user"] {
        let st = statuses(&s, op);
        assert!(st.contains(&"204".into()) && st.contains(&"400".into()) && st.contains(&"401".into()), "{op}: {st:?}");
    }
    assert!(statuses(&s, "get_user_block_list").contains(&"200".into()));
    let item = s.resolve("#/components/schemas/BlockedUser").or_else(|| {
        s.document.pointer("/components/schemas").and_then(|m| {
            m.as_object().unwrap().values().find(|v| v.pointer("/properties/user_login").is_some())
        })
    });
    let item = item.expect("a blocked-user schema");
    for field in ["user_id", "user_login", "display_name"] {
        assert!(item["properties"].get(field).is_some(), "blocked user lacks {field}");
    }
}

#[test]
fn twitch_kraken_v2_facts() {
    let s = spec("twitch-kraken-v2");
    assert_eq!(s.document.pointer("/servers/0/url"), Some(&json!("https://api.twitch.tv/kraken")));
    assert_eq!(s.document.pointer("/info/x-accept"), Some(&json!("application/vnd.twitchtv.v2+json")));
    assert_eq!(
        op_ids(&s),
        [
            ("PUT".into(), "/users/{user}/blocks/{target}".into(), "block_user".into()),
            ("GET".into(), "/users/{login}/blocks".into(), "get_user_block_list".into()),
            ("DELETE".into(), "/users/{user}/blocks/{target}".into(), "unblock_user".into()),
        ]
    );
    let limit = param_schema(&s, "get_user_block_list", "limit");
    assert_eq!((limit["minimum"].clone(), limit["maximum"].clone(), limit["default"].clone()), (json!(1), json!(100), json!(25)));
    assert_eq!(param_schema(&s, "get_user_block_list", "offset")["default"], json!(0));
    assert_eq!(scopes(&s, "get_user_block_list"), ["user_blocks_read"]);
    assert_eq!(scopes(&s, "block_user"), ["user_blocks_edit"]);
    assert_eq!(scopes(&s, "unblock_user"), ["user_blocks_edit"]);
    let st = statuses(&s, "unblock_user");
    for code in ["204", "404", "422"] {
        assert!(st.contains(&code.to_string()), "unblock_user lacks {code}: {st:?}");
    }
    assert_eq!(statuses(&s, "block_user").first().map(String::as_str), Some("200"));
    let schemes = s.document.pointer("/components/securitySchemes").unwrap().as_object().unwrap();
    assert!(schemes.values().any(|v| v.get("x-authorization-prefix") == Some(&json!("OAuth"))));
}

#[test]
fn twitch_kraken_v5_facts() {
    let s = spec("twitch-kraken-v5");
    assert_eq!(s.document.pointer("/servers/0/url"), Some(&json!("https://api.twitch.tv/kraken")));
    assert_eq!(s.document.pointer("/info/x-accept"), Some(&json!("application/vnd.twitchtv.v5+json")));
    let ids: Vec<String> = s.operations().iter().map(|o| o.id.to_string()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "block_user", "check_user_follows_by_channel", "check_user_subscription_by_channel",
            "check_vhs_connection", "create_vhs_connection", "delete_vhs_connection",
            "follow_channel", "get_authenticated_user", "get_user_block_list", "get_user_by_id",
            "get_user_emotes", "get_user_follows", "get_users", "unblock_user", "unfollow_channel",
        ]
    );
    for op in ["get_user_follows", "get_user_block_list"] {
        let limit = param_schema(&s, op, "limit");
        assert_eq!((limit["minimum"].clone(), limit["maximum"].clone(), limit["default"].clone()), (json!(1), json!(100), json!(25)), "{op}");
        assert_eq!(param_schema(&s, op, "offset")["default"], json!(0), "{op}");
    }
    assert_eq!(enum_of(&param_schema(&s, "get_user_follows", "direction")), ["asc", "desc"]);
    assert_eq!(enum_of(&param_schema(&s, "get_user_follows", "sortby")), ["created_at", "last_broadcast", "login"]);
    let login = param_schema(&s, "get_users", "login");
    assert_eq!((login["param.style"].clone(), login["param.explode"].clone()), (json!("form"), json!(false)));
    assert_eq!(scopes(&s, "get_user_block_list"), ["user_blocks_read"]);
    assert_eq!(scopes(&s, "block_user"), ["user_blocks_edit"]);
    assert_eq!(scopes(&s, "follow_channel"), ["user_follows_edit"]);
    assert_eq!(scopes(&s, "get_authenticated_user"), ["user_read"]);
    assert!(statuses(&s, "unblock_user").contains(&"404".to_string()));
    // Every operation sends Client-ID: a requirement naming the Client-ID scheme.
    let schemes = s.document.pointer("/components/securitySchemes").unwrap().as_object().unwrap();
    let client_id_scheme = schemes
        .iter()
        .find(|(_, v)| v["type"] == "apiKey" && v["name"] == "Client-ID")
        .map(|(k, _)| k.clone())
        .expect("a Client-ID apiKey scheme");
    for op in s.operations() {
        let reqs = op.node["security"].as_array().unwrap();
        assert!(reqs.iter().all(|r| r.get(&client_id_scheme).is_some()), "{}: no Client-ID", op.id);
    }
}
