//! What clients pointed at the mock need besides the block operations, as the platforms serve
//! it: X's `GET /2/users/me` (now a spec operation) and Twitch's `GET /oauth2/validate` (clients call them before a
//! block operation), OAuth 1.0a signatures over the platform's URL (a client redirected below
//! its URL building signs https://api.x.com/...), X v1.1's lenient booleans, and the counters
//! as JSON at `GET /mock/stats` for tests in other languages. `tools/pyclients/run` drives
//! pyTwitchAPI and tweepy through all of them.

use blockbind_mock::{Api, MockConfig, MockServer};
use oauth1_request as oauth;
use serde_json::Value;

async fn get(url: &str, authorization: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(url)
        .header("Authorization", authorization)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// An HMAC-SHA1 OAuth 1.0a header for GET `signed_url` with `query`.
fn oauth1(mock: &MockServer, signed_url: &str, query: &[(&str, &str)]) -> String {
    let o = &mock.credentials().x_oauth1;
    let mut builder = oauth::Builder::<_, _>::new(
        oauth::Credentials::new(o.consumer_key.as_str(), o.consumer_secret.as_str()),
        oauth::HmacSha1::new(),
    );
    builder.token(oauth::Credentials::new(
        o.token.as_str(),
        o.token_secret.as_str(),
    ));
    builder.authorize(
        "GET",
        signed_url,
        &oauth::ParameterList::new(query.to_vec()),
    )
}

#[tokio::test]
async fn x_users_me_names_the_user_of_a_user_token_and_refuses_others() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let c = mock.credentials().clone();
    let me = format!("{}/2/users/me", mock.base_url());
    let (status, body) = get(&me, &format!("Bearer {}", c.x_oauth2_token)).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["id"], c.x_user_id);
    assert_eq!(body["data"]["username"], c.x_username);
    let (status, body) = get(&me, &oauth1(&mock, "https://api.x.com/2/users/me", &[])).await;
    assert_eq!(
        (status, &body["data"]["id"]),
        (200, &Value::from(c.x_user_id.clone()))
    );
    // Served by its spec route (specs/x-v2.yaml): an app-only token has no user (X's 403
    // `Unsupported Authentication`), another platform's token is unknown (401).
    for (refused, expected) in [
        (
            format!("Bearer {}", c.x_app_token),
            (403, "Unsupported Authentication"),
        ),
        (format!("Bearer {}", c.twitch_token), (401, "Unauthorized")),
    ] {
        let (status, body) = get(&me, &refused).await;
        assert_eq!(
            (status, body["title"].as_str()),
            (expected.0, Some(expected.1)),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn twitch_validate_describes_a_twitch_token_and_refuses_others() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let c = mock.credentials().clone();
    let validate = format!("{}/oauth2/validate", mock.base_url());
    let (status, body) = get(&validate, &format!("OAuth {}", c.twitch_token)).await;
    assert_eq!(status, 200);
    assert_eq!(body["client_id"], c.twitch_client_id);
    assert_eq!(body["user_id"], c.twitch_user_id);
    assert_eq!(body["login"], c.twitch_login);
    let scopes: Vec<&str> = body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(scopes.contains(&"user:manage:blocked_users"), "{scopes:?}");
    let (status, body) = get(&validate, &format!("OAuth {}", c.x_oauth2_token)).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("invalid access token"))
    );
}

#[tokio::test]
async fn oauth1_signed_over_the_platforms_url_is_accepted_and_over_another_refused() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let url = format!("{}/blocks/ids.json", mock.url(Api::XV1));
    let query = [("stringify_ids", "true")];
    for (signed, expected) in [
        (url.clone(), 200),
        ("https://api.x.com/1.1/blocks/ids.json".to_string(), 200),
        (
            "https://api.twitter.com/1.1/blocks/ids.json".to_string(),
            200,
        ),
        (
            "https://elsewhere.example/1.1/blocks/ids.json".to_string(),
            401,
        ),
    ] {
        let (status, _) = get(
            &format!("{url}?stringify_ids=true"),
            &oauth1(&mock, &signed, &query),
        )
        .await;
        assert_eq!(status, expected, "signed over {signed}");
    }
}

#[tokio::test]
async fn x_v1_1_reads_true_t_and_1_in_any_case_as_true_and_anything_else_as_false() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let url = format!("{}/blocks/ids.json", mock.url(Api::XV1));
    for (value, strings) in [
        ("True", true),
        ("t", true),
        ("1", true),
        ("TRUE", true),
        ("False", false),
        ("0", false),
        ("no", false),
    ] {
        let query = [("stringify_ids", value)];
        let (status, body) = get(
            &format!("{url}?stringify_ids={value}"),
            &oauth1(&mock, &url, &query),
        )
        .await;
        assert_eq!(status, 200, "{value}");
        assert_eq!(
            body["ids"][0].is_string(),
            strings,
            "stringify_ids={value}: {body}"
        );
    }
}

#[tokio::test]
async fn mock_stats_counts_what_the_server_counts() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let c = mock.credentials().clone();
    let list = format!("{}/users/{}/blocking", mock.url(Api::XV2), c.x_user_id);
    get(&list, &format!("Bearer {}", c.x_oauth2_token)).await;
    get(&list, "Bearer nonsense").await;
    let (status, stats) = get(&format!("{}/mock/stats", mock.base_url()), "").await;
    assert_eq!(status, 200);
    assert_eq!(stats["requests_by_operation"]["x-v2 get_users_blocking"], 2);
    assert_eq!(stats["responses_by_status"]["200"], 1);
    assert_eq!(stats["responses_by_status"]["401"], 1);
    assert_eq!(stats["requests_received"], mock.requests_received());
    assert_eq!(stats["violations"], Value::Array(Vec::new()));
}
