//! The mock answers in the platforms' formats: every success answer of every operation of the five
//! APIs is compared, member by member, with its spec's example answer, which the spec copied
//! from the platform's document (the Twitch references, X's integration guide and official
//! OpenAPI definitions). Compared is the FORMAT, not the values:
//!
//! - the same members (exactly, where the example is a whole answer; at least the example's,
//!   where the document abbreviates its example, said per case),
//! - the same JSON type per member (an ID sent as a string stays a string, one sent as a number
//!   a number; integers stay integers),
//! - the same shape per string: RFC 3339 in whole seconds, with milliseconds (X v2:
//!   `2011-11-21T13:12:51.000Z`) or with microseconds (Kraken v5's), X v1.1's
//!   `Wed Oct 10 20:19:24 +0000 2018`, a decimal integer (`id_str`, cursors), or free text,
//! - the response headers the spec names (`Ratelimit-*` on Helix, `x-rate-limit-*` on X), and
//!   no body and no `Content-Type` where the platform sends none (204).
//!
//! A `null` on either side matches any type: whether a member may be null is the spec's schema's
//! business, which the mock checks on every answer (`violations()`, asserted empty here too).

use std::path::Path;

use blockbind_mock::{Api, Credentials, MockConfig, MockServer, Platform};
use chrono::DateTime;
use serde_json::Value;

/// The shape of one JSON value, as far as a client's parser cares.
fn shape(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "boolean".into(),
        Value::Number(n) if n.is_f64() => "float".into(),
        Value::Number(_) => "integer".into(),
        Value::String(s) => string_shape(s).into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

fn string_shape(s: &str) -> &'static str {
    if DateTime::parse_from_rfc3339(s).is_ok() && s.contains('T') {
        let fraction = s
            .split_once('.')
            .map(|(_, f)| f.chars().take_while(char::is_ascii_digit).count());
        let zone = if s.ends_with('Z') { "Z" } else { "offset" };
        return match (fraction, zone) {
            (None, _) => "RFC 3339 in whole seconds",
            (Some(3), "Z") => "RFC 3339 with milliseconds, Z",
            (Some(3), _) => "RFC 3339 with milliseconds and an offset",
            (Some(_), "Z") => "RFC 3339 with a fraction of up to microseconds, Z",
            (Some(_), _) => "RFC 3339 with a fraction and an offset",
        };
    }
    if DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y").is_ok() {
        return "X v1.1 date (Wed Oct 10 20:19:24 +0000 2018)";
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return "decimal integer string";
    }
    "text"
}

/// Every way `mock` differs in format from `example`, with JSON pointers.
/// How strictly two bodies are compared.
#[derive(Clone, Copy)]
struct Rules<'a> {
    /// The mock has exactly the example's members (else at least them).
    exact_keys: bool,
    /// Members either side may have without the other: X sends them only when the user has
    /// them, or one version of X's definitions names them and the other does not.
    optional: &'a [&'a str],
    /// Objects keyed by data (Kraken's emote sets by set ID): each of the mock's values is
    /// compared with the example's values, the keys are not.
    maps: &'a [&'a str],
}

fn differences(mock: &Value, example: &Value, rules: Rules<'_>, at: &str, out: &mut Vec<String>) {
    if mock.is_null() || example.is_null() {
        return;
    }
    let (m, e) = (shape(mock), shape(example));
    if m != e {
        out.push(format!(
            "{at}: the example has {e} ({example}), the mock {m} ({mock})"
        ));
        return;
    }
    match (mock, example) {
        (Value::Object(mo), Value::Object(eo)) if rules.maps.iter().any(|m| at.ends_with(m)) => {
            let values: Value = eo.values().cloned().collect();
            for (k, mv) in mo {
                let mut d = Vec::new();
                differences(&Value::Array(vec![mv.clone()]), &values, rules, at, &mut d);
                out.extend(
                    d.into_iter()
                        .map(|d| d.replace(&format!("{at}/0"), &format!("{at}/{k}"))),
                );
            }
        }
        (Value::Object(mo), Value::Object(eo)) => {
            for (k, ev) in eo {
                match mo.get(k) {
                    Some(mv) => differences(mv, ev, rules, &format!("{at}/{k}"), out),
                    None if rules.optional.contains(&k.as_str()) => {}
                    None => out.push(format!("{at}: the mock lacks `{k}`")),
                }
            }
            if rules.exact_keys {
                let extra =
                    |k: &&String| !eo.contains_key(*k) && !rules.optional.contains(&k.as_str());
                for k in mo.keys().filter(extra) {
                    out.push(format!("{at}: the mock has `{k}`, the example does not"));
                }
            }
        }
        (Value::Array(ma), Value::Array(ea)) if !ea.is_empty() => {
            // Each element must have the format of one of the example's elements.
            for (i, mv) in ma.iter().enumerate() {
                let mut best: Option<Vec<String>> = None;
                for ev in ea {
                    let mut d = Vec::new();
                    differences(mv, ev, rules, &format!("{at}/{i}"), &mut d);
                    if best.as_ref().is_none_or(|b| d.len() < b.len()) {
                        best = Some(d);
                    }
                }
                out.extend(best.unwrap_or_default());
            }
        }
        _ => {}
    }
}

fn spec(api: Api) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs")
        .join(match api {
            Api::XV1 => "x-v1.1.yaml".to_string(),
            _ => format!("{}.yaml", api.name()),
        });
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    yaml_serde::from_str(&text).unwrap()
}

/// The spec's response object for (path, method, status), `$ref`s followed.
fn response<'a>(spec: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    let mut r = &spec["paths"][path][method]["responses"][status.to_string()];
    while let Some(Value::String(reference)) = r.get("$ref") {
        r = spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{reference} does not resolve"));
    }
    assert!(
        r.is_object(),
        "{} has no {status} response for {method} {path}",
        spec["info"]["title"]
    );
    r
}

fn header_names(spec: &Value, response: &Value) -> Vec<String> {
    response
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| h.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_else(|| {
            let _ = spec;
            Vec::new()
        })
}

/// One request, and the example its answer is compared with.
struct Case<'a> {
    api: Api,
    method: &'a str,
    /// The request path under the API's prefix, with its query.
    request: String,
    /// The spec's path template, and the example's name (`None`: no body, a 204).
    spec_path: &'a str,
    status: u16,
    example: Option<&'a str>,
    /// Compare only below this pointer of both bodies ("" for the whole body): for an example
    /// that shows one part of an answer.
    pointer: &'a str,
    rules: Rules<'a>,
}

impl<'a> Case<'a> {
    fn new(api: Api, method: &'a str, request: impl Into<String>, spec_path: &'a str) -> Self {
        Self {
            api,
            method,
            request: request.into(),
            spec_path,
            status: 200,
            example: None,
            pointer: "",
            rules: Rules {
                exact_keys: true,
                optional: &[],
                maps: &[],
            },
        }
    }

    fn example(mut self, name: &'a str) -> Self {
        self.example = Some(name);
        self
    }

    fn no_content(mut self) -> Self {
        self.status = 204;
        self
    }

    fn below(mut self, pointer: &'a str) -> Self {
        self.pointer = pointer;
        self
    }

    /// The document abbreviates this example: the mock has at least its members.
    fn abbreviated(mut self) -> Self {
        self.rules.exact_keys = false;
        self
    }

    /// Members the mock may leave out.
    fn optional(mut self, members: &'a [&'a str]) -> Self {
        self.rules.optional = members;
        self
    }

    /// Objects keyed by data, compared by their values.
    fn maps(mut self, pointers: &'a [&'a str]) -> Self {
        self.rules.maps = pointers;
        self
    }
}

fn auth(api: Api, c: &Credentials) -> Vec<(&'static str, String)> {
    match api {
        Api::TwitchHelix => vec![
            ("authorization", format!("Bearer {}", c.twitch_token)),
            ("client-id", c.twitch_client_id.clone()),
        ],
        Api::TwitchKrakenV5 => vec![
            ("authorization", format!("OAuth {}", c.twitch_token)),
            ("client-id", c.twitch_client_id.clone()),
            ("accept", "application/vnd.twitchtv.v5+json".into()),
        ],
        Api::TwitchKrakenV2 => vec![
            ("authorization", format!("OAuth {}", c.twitch_token)),
            ("accept", "application/vnd.twitchtv.v2+json".into()),
        ],
        Api::XV2 => vec![("authorization", format!("Bearer {}", c.x_oauth2_token))],
        // PLAINTEXT (the config allows it) stands in for per-request HMAC-SHA1 signing, which
        // changes nothing in the answer.
        _ => {
            let o = &c.x_oauth1;
            vec![(
                "authorization",
                format!(
                    "OAuth oauth_consumer_key=\"{}\", oauth_token=\"{}\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"{}%26{}\", oauth_timestamp=\"1\", oauth_nonce=\"formats\", oauth_version=\"1.0\"",
                    o.consumer_key, o.token, o.consumer_secret, o.token_secret
                ),
            )]
        }
    }
}

async fn start() -> MockServer {
    let mock = MockServer::start(MockConfig {
        oauth1_plaintext: true,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let c = mock.credentials().clone();
    // Enough blocks for a next page everywhere, among them the named users with pinned posts.
    mock.seed_blocks(Platform::Twitch, &c.twitch_user_id, 0, 30);
    mock.seed_blocks(Platform::X, &c.x_user_id, 0, 30);
    mock
}

/// Sends each case and returns every difference, prefixed with the case.
async fn check(mock: &MockServer, cases: Vec<Case<'_>>) -> Vec<String> {
    let http = reqwest::Client::new();
    let c = mock.credentials().clone();
    let mut out = Vec::new();
    for case in cases {
        let spec = spec(case.api);
        let label = format!("{} {} {}", case.api, case.method, case.request);
        let url = format!("{}{}", mock.url(case.api), case.request);
        let mut request = http.request(case.method.parse().unwrap(), &url);
        for (name, value) in auth(case.api, &c) {
            request = request.header(name, value);
        }
        if case.api == Api::XV2 && case.method == "POST" {
            request = request.json(&serde_json::json!({"target_user_id": "783214"}));
        }
        let answer = request.send().await.unwrap();
        let status = answer.status().as_u16();
        let headers: Vec<String> = answer.headers().keys().map(|k| k.to_string()).collect();
        let content_type = answer.headers().get("content-type").cloned();
        let body = answer.bytes().await.unwrap();
        if status != case.status {
            out.push(format!(
                "{label}: status {status}, expected {} ({})",
                case.status,
                String::from_utf8_lossy(&body)
            ));
            continue;
        }
        let documented = response(
            &spec,
            case.spec_path,
            &case.method.to_ascii_lowercase(),
            status,
        );
        for name in header_names(&spec, documented) {
            if !headers.contains(&name) {
                out.push(format!("{label}: no `{name}` header (has {headers:?})"));
            }
        }
        let Some(example) = case.example else {
            if !body.is_empty() || content_type.is_some() {
                out.push(format!(
                    "{label}: the platform sends no body and no Content-Type; the mock sent {content_type:?} {:?}",
                    String::from_utf8_lossy(&body)
                ));
            }
            continue;
        };
        let example = documented
            .pointer(&format!(
                "/content/application~1json/examples/{example}/value"
            ))
            .unwrap_or_else(|| panic!("{label}: the spec has no example {example}"));
        let mock_body: Value = serde_json::from_slice(&body).unwrap();
        let (Some(m), Some(e)) = (
            mock_body.pointer(case.pointer),
            example.pointer(case.pointer),
        ) else {
            out.push(format!("{label}: no {} in the answer", case.pointer));
            continue;
        };
        let mut d = Vec::new();
        differences(m, e, case.rules, case.pointer, &mut d);
        out.extend(d.into_iter().map(|d| format!("{label}: {d}")));
    }
    out.extend(mock.violations());
    out
}

fn assert_none(differences: Vec<String>) {
    assert!(
        differences.is_empty(),
        "the mock's answers differ in format from the documents' examples:\n{}",
        differences.join("\n")
    );
}

#[test]
fn the_shapes_tell_the_platforms_formats_apart() {
    assert_eq!(
        string_shape("2011-11-21T13:12:51.000Z"),
        "RFC 3339 with milliseconds, Z"
    );
    assert_eq!(
        string_shape("2011-11-21T13:12:51Z"),
        "RFC 3339 in whole seconds"
    );
    assert_ne!(
        string_shape("2013-06-03T19:12:02.580593Z"),
        string_shape("2013-06-03T19:12:02Z")
    );
    assert_eq!(
        string_shape("Wed Oct 10 20:19:24 +0000 2018"),
        "X v1.1 date (Wed Oct 10 20:19:24 +0000 2018)"
    );
    assert_eq!(
        string_shape("1305102810874389703"),
        "decimal integer string"
    );
    let mut d = Vec::new();
    differences(
        &serde_json::json!({"id": 12, "created_at": "2011-11-21T13:12:51Z", "extra": 1}),
        &serde_json::json!({"id": "12", "created_at": "2011-11-21T13:12:51.000Z", "gone": 1}),
        Rules {
            exact_keys: true,
            optional: &[],
            maps: &[],
        },
        "",
        &mut d,
    );
    assert_eq!(d.len(), 4, "{d:?}");
}

#[tokio::test]
async fn helix_answers_in_helix_formats() {
    let mock = start().await;
    let me = mock.credentials().twitch_user_id.clone();
    let path = "/users/blocks";
    assert_none(
        check(
            &mock,
            vec![
                Case::new(
                    Api::TwitchHelix,
                    "GET",
                    format!("{path}?broadcaster_id={me}&first=2"),
                    path,
                )
                // The document shows `data`; the page's `pagination` it describes in words.
                .example("Example")
                .below("/data"),
                Case::new(
                    Api::TwitchHelix,
                    "PUT",
                    format!("{path}?target_user_id=12826&source_context=chat&reason=spam"),
                    path,
                )
                .no_content(),
                Case::new(
                    Api::TwitchHelix,
                    "DELETE",
                    format!("{path}?target_user_id=12826"),
                    path,
                )
                .no_content(),
            ],
        )
        .await,
    );
}

#[tokio::test]
async fn kraken_v2_answers_in_kraken_v2_formats() {
    let mock = start().await;
    let login = mock.credentials().twitch_login.clone();
    let api = Api::TwitchKrakenV2;
    assert_none(
        check(
            &mock,
            vec![
                Case::new(
                    api,
                    "GET",
                    format!("/users/{login}/blocks?limit=2"),
                    "/users/{login}/blocks",
                )
                .example("Example"),
                Case::new(
                    api,
                    "PUT",
                    format!("/users/{login}/blocks/test_user_troll"),
                    "/users/{user}/blocks/{target}",
                )
                .example("Example"),
                Case::new(
                    api,
                    "DELETE",
                    format!("/users/{login}/blocks/test_user_troll"),
                    "/users/{user}/blocks/{target}",
                )
                .no_content(),
            ],
        )
        .await,
    );
}

#[tokio::test]
async fn kraken_v5_answers_in_kraken_v5_formats() {
    let mock = start().await;
    let me = mock.credentials().twitch_user_id.clone();
    let api = Api::TwitchKrakenV5;
    // A channel the default user subscribes to: the world decides which.
    let http = reqwest::Client::new();
    let mut subscribed = None;
    for n in 0..2000 {
        let channel = mock.nth_user(n).unwrap().id;
        let mut r = http.get(format!(
            "{}/users/{me}/subscriptions/{channel}",
            mock.url(api)
        ));
        for (k, v) in auth(api, mock.credentials()) {
            r = r.header(k, v);
        }
        if r.send().await.unwrap().status() == 200 {
            subscribed = Some(channel);
            break;
        }
    }
    let subscribed = subscribed.expect("the default user subscribes to some channel");
    let follows = "/users/{user_id}/follows/channels/{channel_id}";
    assert_none(
        check(
            &mock,
            vec![
                Case::new(api, "GET", "/user", "/user").example("Example"),
                Case::new(api, "GET", "/users/44322889", "/users/{user_id}").example("Example"),
                Case::new(api, "GET", "/users?login=dallas,dallasnchains", "/users")
                    .example("Example"),
                Case::new(
                    api,
                    "GET",
                    format!("/users/{me}/emotes"),
                    "/users/{user_id}/emotes",
                )
                .example("Example")
                .maps(&["/emoticon_sets"]),
                Case::new(
                    api,
                    "GET",
                    format!("/users/{me}/subscriptions/{subscribed}"),
                    "/users/{user_id}/subscriptions/{channel_id}",
                )
                .example("Subscribed"),
                Case::new(
                    api,
                    "PUT",
                    format!("/users/{me}/follows/channels/129454141"),
                    follows,
                )
                .example("Example"),
                Case::new(
                    api,
                    "GET",
                    format!("/users/{me}/follows/channels/129454141"),
                    follows,
                )
                .example("Following"),
                Case::new(
                    api,
                    "GET",
                    format!("/users/{me}/follows/channels"),
                    "/users/{user_id}/follows/channels",
                )
                .example("Example"),
                Case::new(
                    api,
                    "DELETE",
                    format!("/users/{me}/follows/channels/129454141"),
                    follows,
                )
                .no_content(),
                Case::new(
                    api,
                    "GET",
                    format!("/users/{me}/blocks?limit=3"),
                    "/users/{user_id}/blocks",
                )
                .example("Example"),
                Case::new(
                    api,
                    "PUT",
                    format!("/users/{me}/blocks/129454141"),
                    "/users/{user_id}/blocks/{target_user_id}",
                )
                .example("Example"),
                Case::new(
                    api,
                    "DELETE",
                    format!("/users/{me}/blocks/129454141"),
                    "/users/{user_id}/blocks/{target_user_id}",
                )
                .no_content(),
            ],
        )
        .await,
    );
}

#[tokio::test]
async fn x_v2_answers_in_x_v2_formats() {
    let mock = start().await;
    let me = mock.credentials().x_user_id.clone();
    let api = Api::XV2;
    let list = "/users/{id}/blocking";
    let all_fields = "created_at,description,location,url,protected,verified,verified_type,profile_image_url,most_recent_tweet_id,public_metrics";
    assert_none(
        check(
            &mock,
            vec![
                // The integration guide's example shows only `data`.
                Case::new(api, "GET", format!("/users/{me}/blocking"), list)
                    .example("default_fields")
                    .below("/data"),
                Case::new(
                    api,
                    "GET",
                    format!(
                        "/users/{me}/blocking?user.fields=created_at&expansions=pinned_tweet_id&tweet.fields=created_at&max_results=20"
                    ),
                    list,
                )
                // Only some users have a pinned post: each user is compared with the example's
                // users, which have it or not.
                .example("with_fields_and_expansions"),
                // `entities` and `withheld` are members the mock never sends (no user of its
                // world has links in their profile or is withheld); every other member is.
                Case::new(
                    api,
                    "GET",
                    format!("/users/{me}/blocking?user.fields={all_fields}&max_results=1000"),
                    list,
                )
                .example("all_user_fields_last_page")
                .below("/data")
                // 2.167 names `post_count` where July 2025 has `tweet_count`: X sends both.
                .optional(&["entities", "withheld", "post_count"]),
                Case::new(api, "POST", format!("/users/{me}/blocking"), list).example("blocked"),
                Case::new(
                    api,
                    "DELETE",
                    format!("/users/{me}/blocking/783214"),
                    "/users/{source_user_id}/blocking/{target_user_id}",
                )
                .example("unblocked"),
            ],
        )
        .await,
    );
}

#[tokio::test]
async fn x_v1_1_answers_in_x_v1_1_formats() {
    let mock = start().await;
    let api = Api::XV1;
    assert_none(
        check(
            &mock,
            vec![
                Case::new(api, "GET", "/blocks/ids.json", "/blocks/ids.json")
                    .example("numeric_ids"),
                Case::new(
                    api,
                    "GET",
                    "/blocks/ids.json?stringify_ids=true",
                    "/blocks/ids.json",
                )
                .example("string_ids"),
                Case::new(
                    api,
                    "GET",
                    "/blocks/list.json?skip_status=true",
                    "/blocks/list.json",
                )
                .example("one_page")
                // `muting` is in X's other example of the same answer.
                .optional(&["muting"]),
                // This example shows fewer user members than the one above (and a
                // `total_count` X's reference does not list, which the mock leaves out).
                Case::new(api, "GET", "/blocks/list.json", "/blocks/list.json")
                    .example("with_status")
                    .abbreviated()
                    .optional(&["total_count"]),
                // X's examples of the two writes show a few members of the user object.
                Case::new(
                    api,
                    "POST",
                    "/blocks/create.json?user_id=783214&skip_status=true",
                    "/blocks/create.json",
                )
                .example("blocked")
                .abbreviated(),
                Case::new(
                    api,
                    "POST",
                    "/blocks/destroy.json?user_id=783214&skip_status=true",
                    "/blocks/destroy.json",
                )
                .example("unblocked")
                .abbreviated(),
            ],
        )
        .await,
    );
}
