//! The pagination streams of the generated crates, used without the facade: every list
//! operation of every crate against the mock, and the stops (empty page, repeated page, page
//! cap) against servers that misbehave on purpose.

mod common;

use blockbind_mock::{Api, MockConfig, MockServer, Platform};
use blockbind_runtime::pagination::{StreamExt, TryStreamExt};
use blockbind_runtime::{Auth, OAuth1Credentials, OAuth2UserToken, PageOptions, Runtime};

async fn mock() -> MockServer {
    MockServer::start(MockConfig {
        kraken_block_cap: None,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn twitch_runtime(mock: &MockServer) -> Runtime {
    let c = mock.credentials();
    Runtime::new(
        Auth::user_token(c.twitch_token.clone())
            .and_then(|a| a.with_api_key(c.twitch_client_id.clone()))
            .unwrap(),
    )
}

#[tokio::test]
async fn helix_follows_cursors_to_the_last_page() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    mock.seed_blocks(Platform::Twitch, &c.twitch_user_id, 100, 250);
    let runtime = Runtime::new(
        Auth::user_token(&c.twitch_token)
            .and_then(|a| a.with_api_key(&c.twitch_client_id))
            .unwrap(),
    );
    let client = blockbind_twitch_helix::Client::new(&mock.url(Api::TwitchHelix), runtime);
    let ids: Vec<String> = client
        .get_user_block_list()
        .broadcaster_id(&c.twitch_user_id)
        .stream()
        .map_ok(|u| u.user_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, mock.blocked(Platform::Twitch, &c.twitch_user_id));
    assert_eq!(ids.len(), 253); // the three the mock starts with, and 250
    assert_eq!(mock.requests(Api::TwitchHelix, "get_user_block_list"), 3);
}

#[tokio::test]
async fn kraken_v5_blocks_and_follows_follow_offsets_to_the_total() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    mock.seed_blocks(Platform::Twitch, &c.twitch_user_id, 100, 120);
    let client = blockbind_twitch_kraken_v5::Client::new(
        &mock.url(Api::TwitchKrakenV5),
        twitch_runtime(&mock),
    );
    let blocks: Vec<String> = client
        .get_user_block_list()
        .user_id(&c.twitch_user_id)
        .stream()
        .map_ok(|b| b.user.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(blocks, mock.blocked(Platform::Twitch, &c.twitch_user_id));
    assert_eq!(mock.requests(Api::TwitchKrakenV5, "get_user_block_list"), 2);

    let mut channels = Vec::new();
    for n in 0..130 {
        let channel = mock.nth_user(5_000 + n).unwrap().id;
        client
            .follow_channel()
            .user_id(&c.twitch_user_id)
            .channel_id(&channel)
            .send()
            .await
            .unwrap();
        channels.push(channel);
    }
    let followed: Vec<String> = client
        .get_user_follows()
        .user_id(&c.twitch_user_id)
        .stream()
        .map_ok(|f| f.channel.id.to_string())
        .try_collect()
        .await
        .unwrap();
    for channel in &channels {
        assert!(followed.contains(channel), "{channel} is streamed");
    }
    let mut unique = followed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), followed.len(), "no follow twice");
    let pages = followed.len().div_ceil(100) as u64;
    assert_eq!(
        mock.requests(Api::TwitchKrakenV5, "get_user_follows"),
        pages
    );
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn kraken_v2_follows_offsets_until_an_empty_page() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    mock.seed_blocks(Platform::Twitch, &c.twitch_user_id, 100, 197);
    let client = blockbind_twitch_kraken_v2::Client::new(
        &mock.url(Api::TwitchKrakenV2),
        twitch_runtime(&mock),
    );
    let logins: Vec<String> = client
        .get_user_block_list()
        .login(&c.twitch_login)
        .stream()
        .map_ok(|b| b.user.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(logins.len(), 200);
    assert_eq!(mock.requests(Api::TwitchKrakenV2, "get_user_block_list"), 3);
}

#[tokio::test]
async fn x_v2_follows_next_tokens() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    mock.seed_blocks(Platform::X, &c.x_user_id, 100, 2_100);
    let token = OAuth2UserToken::new(&c.x_oauth2_token).unwrap();
    let client =
        blockbind_x_v2::Client::new(&mock.url(Api::XV2), Runtime::new(Auth::oauth2_user(token)));
    let ids: Vec<String> = client
        .get_users_blocking()
        .id(c.x_user_id.as_str())
        .stream()
        .map_ok(|u| u.id.unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, mock.blocked(Platform::X, &c.x_user_id));
    assert_eq!(mock.requests(Api::XV2, "get_users_blocking"), 3);
}

#[tokio::test]
async fn x_v1_ids_and_users_follow_cursors() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    mock.seed_blocks(Platform::X, &c.x_user_id, 100, 47);
    let o = &c.x_oauth1;
    let creds = OAuth1Credentials::new(
        &o.consumer_key,
        &o.consumer_secret,
        &o.token,
        &o.token_secret,
    )
    .unwrap();
    let client =
        blockbind_x_v1::Client::new(&mock.url(Api::XV1), Runtime::new(Auth::oauth1(creds)));
    let expected = mock.blocked(Platform::X, &c.x_user_id);
    let ids: Vec<String> = client
        .get_block_ids()
        .stream()
        .map_ok(|id| id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, expected);
    let users: Vec<String> = client
        .get_block_list()
        .stream()
        .map_ok(|u| u.id_str)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users, expected);
    assert_eq!(mock.requests(Api::XV1, "get_block_list"), 3); // 20 per page
    assert_eq!(mock.violations(), Vec::<String>::new());
}

/// A Helix page of `ids` with `cursor`, as a raw response.
fn helix_page(ids: &[&str], cursor: Option<&str>) -> String {
    let data: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"user_id":"{id}","user_login":"u{id}","display_name":"U{id}"}}"#))
        .collect();
    let pagination = cursor
        .map(|c| format!(r#"{{"cursor":"{c}"}}"#))
        .unwrap_or("{}".into());
    common::response(
        200,
        &[],
        &format!(
            r#"{{"data":[{}],"pagination":{pagination}}}"#,
            data.join(",")
        ),
    )
}

fn helix_client(base: &str) -> blockbind_twitch_helix::Client {
    let runtime = Runtime::new(
        Auth::user_token("token")
            .and_then(|a| a.with_api_key("cid"))
            .unwrap(),
    );
    blockbind_twitch_helix::Client::new(&format!("{base}/helix"), runtime)
}

#[tokio::test]
async fn a_server_repeating_a_page_under_new_cursors_is_left_after_the_second_copy() {
    let server = common::CaptureServer::script(vec![
        helix_page(&["1", "2"], Some("a")),
        helix_page(&["1", "2"], Some("b")), // the same page again, with another cursor
    ])
    .await;
    let client = helix_client(&server.base);
    let got: Vec<String> = client
        .get_user_block_list()
        .broadcaster_id("9")
        .stream()
        .map_ok(|u| u.user_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, ["1", "2"]);
    let sent = server.requests();
    assert_eq!(sent.len(), 2, "stopped instead of going round forever");
    assert!(
        sent[0].query().unwrap().contains("first=100"),
        "the largest page the spec allows"
    );
    assert!(sent[1].query().unwrap().contains("after=a"));
}

#[tokio::test]
async fn a_cursor_that_comes_back_ends_the_stream_and_an_empty_page_too() {
    let server = common::CaptureServer::script(vec![
        helix_page(&["1"], Some("a")),
        helix_page(&["2"], Some("b")),
        helix_page(&["3"], Some("a")), // back to a cursor already followed
    ])
    .await;
    let got: Vec<String> = helix_client(&server.base)
        .get_user_block_list()
        .broadcaster_id("9")
        .stream()
        .map_ok(|u| u.user_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, ["1", "2", "3"]);
    assert_eq!(server.requests().len(), 3);

    let server = common::CaptureServer::script(vec![
        helix_page(&["1"], Some("a")),
        helix_page(&[], Some("b")),
    ])
    .await;
    let got: Vec<_> = helix_client(&server.base)
        .get_user_block_list()
        .broadcaster_id("9")
        .stream_with(PageOptions::default())
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!((got.len(), server.requests().len()), (1, 2));
}

#[tokio::test]
async fn a_malformed_page_ends_the_stream_with_a_typed_error() {
    let server = common::CaptureServer::script(vec![
        helix_page(&["1"], Some("a")),
        common::response(200, &[], r#"{"data": "not a list"}"#),
    ])
    .await;
    let got: Vec<_> = helix_client(&server.base)
        .get_user_block_list()
        .broadcaster_id("9")
        .stream()
        .collect()
        .await;
    assert_eq!(got.len(), 2);
    assert!(got[0].is_ok());
    let e = got[1].as_ref().unwrap_err();
    assert!(
        matches!(e, blockbind_runtime::ApiError::InvalidResponse { .. }),
        "{e}"
    );
}
