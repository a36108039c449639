//! The generated clients, with the runtime's auth, against the embedded mock of all five APIs:
//! the mock's state changes as the documents say, its validation and auth answer in each
//! platform's shapes, rate limits and faults behave, and every response it sent matched the spec
//! (the mock checks each one and the tests assert it found no violation).

use std::time::Duration;

use blockbind_mock::{Api, Bucket, Faults, MockConfig, MockServer, Platform};
use blockbind_runtime::{ApiError, Auth, OAuth1Credentials, OAuth2UserToken, RetryPolicy, Runtime};

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

fn helix(mock: &MockServer) -> blockbind_twitch_helix::Client {
    let c = mock.credentials();
    let auth = Auth::user_token(&c.twitch_token)
        .and_then(|a| a.with_api_key(&c.twitch_client_id))
        .unwrap();
    blockbind_twitch_helix::Client::new(&mock.url(Api::TwitchHelix), Runtime::new(auth))
}

fn kraken_auth(mock: &MockServer) -> Auth {
    let c = mock.credentials();
    Auth::user_token(c.twitch_token.clone())
        .and_then(|a| a.with_api_key(c.twitch_client_id.clone()))
        .unwrap()
}

fn x_v2(mock: &MockServer) -> blockbind_x_v2::Client {
    let token = OAuth2UserToken::new(&mock.credentials().x_oauth2_token).unwrap();
    blockbind_x_v2::Client::new(&mock.url(Api::XV2), Runtime::new(Auth::oauth2_user(token)))
}

fn x_v1(mock: &MockServer) -> blockbind_x_v1::Client {
    let o = &mock.credentials().x_oauth1;
    let creds = OAuth1Credentials::new(
        &o.consumer_key,
        &o.consumer_secret,
        &o.token,
        &o.token_secret,
    )
    .unwrap();
    blockbind_x_v1::Client::new(&mock.url(Api::XV1), Runtime::new(Auth::oauth1(creds)))
}

fn assert_contract(mock: &MockServer) {
    let v = mock.violations();
    assert!(v.is_empty(), "responses that do not match the spec: {v:#?}");
}

/// A raw request, for what the typed clients refuse to send.
async fn raw(
    method: reqwest::Method,
    url: String,
    headers: &[(&str, &str)],
) -> (u16, Option<String>, serde_json::Value) {
    let mut request = reqwest::Client::new().request(method, url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, ct, body)
}

#[tokio::test]
async fn helix_blocks_lists_and_unblocks_as_documented() {
    use blockbind_twitch_helix::types;
    let mock = mock().await;
    let client = helix(&mock);
    let me = mock.credentials().twitch_user_id.clone();

    let page = client
        .get_user_block_list()
        .broadcaster_id(&me)
        .send()
        .await
        .unwrap();
    let logins: Vec<_> = page.data.iter().map(|u| u.user_login.as_str()).collect();
    assert_eq!(
        logins,
        [
            "bluelava",
            "travistyoj",
            mock.user(&page.data[2].user_id).unwrap().login.as_str()
        ]
    );

    for _ in 0..2 {
        let r = client
            .block_user()
            .target_user_id("12826")
            .source_context(types::BlockUserSourceContext::Chat)
            .reason(types::BlockUserReason::Spam)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
    }
    assert_eq!(
        mock.blocked(Platform::Twitch, &me)[0],
        "12826",
        "newest first"
    );
    assert_eq!(mock.block_requests(Platform::Twitch, &me, "12826"), 2);
    assert_eq!(
        mock.blocks_applied(Platform::Twitch, &me, "12826"),
        1,
        "a repeat PUT is ignored"
    );

    let err = ApiError::from(
        client
            .block_user()
            .target_user_id(&me)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("cannot be the same"), "{err}");

    let err = ApiError::from(
        client
            .get_user_block_list()
            .broadcaster_id("12826")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(401));
    assert!(
        err.to_string().contains("broadcaster_id must match"),
        "{err}"
    );

    client
        .unblock_user()
        .target_user_id("12826")
        .send()
        .await
        .unwrap();
    assert!(
        !mock
            .blocked(Platform::Twitch, &me)
            .contains(&"12826".to_string())
    );
    client
        .unblock_user()
        .target_user_id("12826")
        .send()
        .await
        .unwrap(); // not blocked: still 204

    // 250 blocks, read with cursors, 100 at a time, newest first.
    mock.seed_blocks(Platform::Twitch, &me, 1000, 247);
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut request = client
            .get_user_block_list()
            .broadcaster_id(&me)
            .first(100u32);
        if let Some(a) = &after {
            request = request.after(a.clone());
        }
        let page = request.send().await.unwrap().into_inner();
        seen.extend(page.data.iter().map(|u| u.user_id.clone()));
        match page.pagination.and_then(|p| p.cursor) {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, mock.blocked(Platform::Twitch, &me));
    assert_eq!(seen.len(), 250);
    assert_contract(&mock);
}

#[tokio::test]
async fn kraken_v5_blocks_follows_subscriptions_and_vhs() {
    let config = MockConfig {
        kraken_block_cap: Some(5),
        ..MockConfig::default()
    };
    let mock = MockServer::start(config).await.unwrap();
    let client = blockbind_twitch_kraken_v5::Client::new(
        &mock.url(Api::TwitchKrakenV5),
        Runtime::new(kraken_auth(&mock)),
    );
    let me = mock.credentials().twitch_user_id.clone();

    let user = client.get_authenticated_user().send().await.unwrap();
    assert_eq!(user.name, "twitchdev");
    assert!(user.email.is_some());

    let block = client
        .block_user()
        .user_id(&me)
        .target_user_id("44322889")
        .send()
        .await
        .unwrap();
    assert_eq!(block.user.name, "dallas");
    let list = client
        .get_user_block_list()
        .user_id(&me)
        .limit(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(list.total, Some(4));
    assert_eq!(list.blocks.len(), 2);
    assert_eq!(list.blocks[0].user.name, "dallas", "newest first");
    let next = client
        .get_user_block_list()
        .user_id(&me)
        .limit(2u64)
        .offset(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(next.blocks[0].user.name, "travistyoj");

    // The cap (5 here) evicts the oldest.
    let oldest = mock.blocked(Platform::Twitch, &me).last().cloned().unwrap();
    for target in ["129454141", "19571752"] {
        client
            .block_user()
            .user_id(&me)
            .target_user_id(target)
            .send()
            .await
            .unwrap();
    }
    let now = mock.blocked(Platform::Twitch, &me);
    assert_eq!(now.len(), 5);
    assert!(!now.contains(&oldest));

    let err = ApiError::from(
        client
            .unblock_user()
            .user_id(&me)
            .target_user_id("26610234")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(404));
    client
        .unblock_user()
        .user_id(&me)
        .target_user_id("44322889")
        .send()
        .await
        .unwrap();

    let err = ApiError::from(
        client
            .get_user_block_list()
            .user_id("12826")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(401), "another user's list");

    // Follows: follow, check, list, unfollow.
    client
        .follow_channel()
        .user_id(&me)
        .channel_id("19571752")
        .send()
        .await
        .unwrap();
    let f = client
        .check_user_follows_by_channel()
        .user_id(&me)
        .channel_id("19571752")
        .send()
        .await
        .unwrap();
    assert_eq!(f.channel.name, "cohhcarnage");
    let list = client
        .get_user_follows()
        .user_id(&me)
        .limit(100u64)
        .send()
        .await
        .unwrap();
    assert_eq!(
        list.follows[0].channel.name, "cohhcarnage",
        "newest follow first"
    );
    client
        .unfollow_channel()
        .user_id(&me)
        .channel_id("19571752")
        .send()
        .await
        .unwrap();
    let err = ApiError::from(
        client
            .check_user_follows_by_channel()
            .user_id(&me)
            .channel_id("19571752")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(404));

    // Subscriptions: 422 without a program, 404 or 200 with one.
    let no_program = (0..200)
        .find_map(|n| mock.nth_user(n).filter(|u| !u.partner))
        .unwrap();
    let err = ApiError::from(
        client
            .check_user_subscription_by_channel()
            .user_id(&me)
            .channel_id(&no_program.id)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(422));
    let mut statuses = std::collections::BTreeSet::new();
    for n in 0..200 {
        let u = mock.nth_user(n).unwrap();
        if !u.partner {
            continue;
        }
        match client
            .check_user_subscription_by_channel()
            .user_id(&me)
            .channel_id(&u.id)
            .send()
            .await
        {
            Ok(s) => {
                assert_eq!(s.channel.name, u.login);
                statuses.insert(200);
            }
            Err(e) => {
                statuses.insert(ApiError::from(e).status().unwrap());
            }
        }
    }
    assert_eq!(statuses, [200, 404].into(), "some subscribed, some not");

    // VHS: create, check, delete, check.
    client
        .create_vhs_connection()
        .body_map(|b| b.identifier("ABC12345"))
        .send()
        .await
        .unwrap();
    let vhs = client.check_vhs_connection().send().await.unwrap();
    assert_eq!(vhs.identifier, "ABC12345");
    client.delete_vhs_connection().send().await.unwrap();
    let err = ApiError::from(client.check_vhs_connection().send().await.unwrap_err());
    assert_eq!(err.status(), Some(404));

    let emotes = client.get_user_emotes().user_id(&me).send().await.unwrap();
    assert!(emotes.emoticon_sets.contains_key("0"));
    let users = client
        .get_users()
        .login(vec!["dallas".to_string(), "nosuchuser".to_string()])
        .send()
        .await
        .unwrap();
    assert_eq!(users.users.len(), 1);
    assert_contract(&mock);
}

#[tokio::test]
async fn kraken_v2_addresses_users_by_login_with_links() {
    let mock = mock().await;
    let client = blockbind_twitch_kraken_v2::Client::new(
        &mock.url(Api::TwitchKrakenV2),
        Runtime::new(kraken_auth(&mock)),
    );
    let me = mock.credentials().twitch_login.clone();
    let block = client
        .block_user()
        .user(&me)
        .target("test_user_troll")
        .send()
        .await
        .unwrap();
    assert_eq!(block.user.id, 13460644);
    let page = client
        .get_user_block_list()
        .login(&me)
        .limit(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.blocks[0].user.name, "test_user_troll");
    let links = page.links.clone().unwrap();
    assert!(
        links
            .next
            .unwrap()
            .ends_with(&format!("/kraken/users/{me}/blocks?limit=2&offset=2"))
    );
    client
        .unblock_user()
        .user(&me)
        .target("test_user_troll")
        .send()
        .await
        .unwrap();
    let err = ApiError::from(
        client
            .unblock_user()
            .user(&me)
            .target("test_user_troll")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(404));
    let err = ApiError::from(
        client
            .block_user()
            .user("dallas")
            .target("bluelava")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(401), "only the token's user");
    assert_contract(&mock);
}

#[tokio::test]
async fn x_v2_blocks_pages_with_tokens_and_unblocks() {
    use blockbind_x_v2::types;
    let mock = mock().await;
    let client = x_v2(&mock);
    let me = mock.credentials().x_user_id.clone();

    let r = client
        .block_user()
        .id(me.as_str())
        .body_map(|b| b.target_user_id("12"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.data.as_ref().and_then(|d| d.blocking), Some(true));
    mock.seed_blocks(Platform::X, &me, 5000, 2496); // 3 initial + 1 + 2496
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = client
            .get_users_blocking()
            .id(me.as_str())
            .max_results(1000u32)
            .user_fields(vec![
                types::UserField::CreatedAt,
                types::UserField::PublicMetrics,
            ]);
        if let Some(t) = &token {
            request = request.pagination_token(t.as_str());
        }
        let page = request.send().await.unwrap().into_inner();
        pages += 1;
        assert!(
            page.data
                .iter()
                .all(|u| u.created_at.is_some() && u.public_metrics.is_some())
        );
        seen.extend(page.data.iter().map(|u| u.id.as_ref().unwrap().to_string()));
        match page.meta.and_then(|m| m.next_token) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);

    // previous_token of the second page leads back to the first.
    let first = client
        .get_users_blocking()
        .id(me.as_str())
        .max_results(1000u32)
        .send()
        .await
        .unwrap();
    let next = first
        .meta
        .as_ref()
        .and_then(|m| m.next_token.clone())
        .unwrap();
    let second = client
        .get_users_blocking()
        .id(me.as_str())
        .max_results(1000u32)
        .pagination_token(next.as_str())
        .send()
        .await
        .unwrap();
    let previous = second
        .meta
        .as_ref()
        .and_then(|m| m.previous_token.clone())
        .unwrap();
    let back = client
        .get_users_blocking()
        .id(me.as_str())
        .max_results(1000u32)
        .pagination_token(previous.as_str())
        .send()
        .await
        .unwrap();
    let ids = |p: &blockbind_x_v2::types::GetUsersBlockingResponse| {
        p.data
            .iter()
            .map(|u| u.id.as_ref().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&back), ids(&first));
    assert!(
        first.meta.as_ref().unwrap().previous_token.is_none(),
        "the first page has none"
    );
    assert_eq!(seen, mock.blocked(Platform::X, &me));
    assert_eq!(seen.len(), 2500);

    let r = client
        .unblock_user()
        .source_user_id(me.as_str())
        .target_user_id("12")
        .send()
        .await
        .unwrap();
    assert_eq!(r.data.as_ref().and_then(|d| d.blocking), Some(false));
    let err = ApiError::from(
        client
            .block_user()
            .id(me.as_str())
            .body_map(|b| b.target_user_id("999"))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(404));
    assert_contract(&mock);
}

#[tokio::test]
async fn x_v1_signed_requests_page_with_cursors() {
    let mock = mock().await;
    let client = x_v1(&mock);
    let me = mock.credentials().x_user_id.clone();
    let user = client
        .create_block()
        .screen_name("jack")
        .send()
        .await
        .unwrap();
    assert_eq!(user.id_str, "12");
    mock.seed_blocks(Platform::X, &me, 0, 11_000);
    let mut ids = Vec::new();
    let mut cursor = -1i64;
    loop {
        let page = client
            .get_block_ids()
            .cursor(cursor)
            .stringify_ids(true)
            .send()
            .await
            .unwrap();
        ids.extend(page.ids.iter().map(|i| match i {
            blockbind_x_v1::types::BlockedUserId::String(s) => s.to_string(),
            blockbind_x_v1::types::BlockedUserId::Int64(n) => n.to_string(),
        }));
        if page.next_cursor == 0 {
            break;
        }
        cursor = page.next_cursor;
    }
    assert_eq!(ids.len(), 11_004);
    assert_eq!(ids, mock.blocked(Platform::X, &me));
    let list = client
        .get_block_list()
        .skip_status(true)
        .send()
        .await
        .unwrap();
    assert_eq!(list.users.len(), 20);
    let second = client
        .get_block_list()
        .cursor(list.next_cursor)
        .send()
        .await
        .unwrap();
    assert!(
        second.previous_cursor < 0,
        "X's previous cursors are negative"
    );
    let back = client
        .get_block_list()
        .cursor(second.previous_cursor)
        .send()
        .await
        .unwrap();
    let first_ids: Vec<_> = list.users.iter().map(|u| u.id_str.clone()).collect();
    let back_ids: Vec<_> = back.users.iter().map(|u| u.id_str.clone()).collect();
    assert_eq!(
        back_ids, first_ids,
        "previous_cursor leads back to the first page"
    );
    client.destroy_block().user_id("12").send().await.unwrap();
    assert!(!mock.blocked(Platform::X, &me).contains(&"12".to_string()));
    let err = ApiError::from(
        client
            .create_block()
            .screen_name("nosuchuser")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().contains("(code 50)"), "{err}");
    assert_contract(&mock);
}

#[tokio::test]
async fn auth_is_checked_like_the_platforms() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let helix_url = format!(
        "{}/users/blocks?broadcaster_id={}",
        mock.url(Api::TwitchHelix),
        c.twitch_user_id
    );

    let (status, ct, body) = raw(reqwest::Method::GET, helix_url.clone(), &[]).await;
    assert_eq!((status, ct.as_deref()), (401, Some("application/json")));
    assert_eq!(body["error"], "Unauthorized");
    let bearer = format!("Bearer {}", c.twitch_token);
    let (status, _, body) = raw(
        reqwest::Method::GET,
        helix_url.clone(),
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(status, 401, "Client-Id is required: {body}");

    // A token without the scope.
    let narrow = mock
        .issue_twitch_token(&c.twitch_user_id, &["user:manage:blocked_users"])
        .unwrap();
    let client = blockbind_twitch_helix::Client::new(
        &mock.url(Api::TwitchHelix),
        Runtime::new(
            Auth::user_token(narrow)
                .and_then(|a| a.with_api_key(&c.twitch_client_id))
                .unwrap(),
        ),
    );
    let err = ApiError::from(
        client
            .get_user_block_list()
            .broadcaster_id(&c.twitch_user_id)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("user:read:blocked_users"), "{err}");

    // Kraken needs its Accept header.
    let url = format!(
        "{}/users/{}/blocks",
        mock.url(Api::TwitchKrakenV5),
        c.twitch_user_id
    );
    let oauth = format!("OAuth {}", c.twitch_token);
    let (status, _, body) = raw(
        reqwest::Method::GET,
        url.clone(),
        &[
            ("Authorization", &oauth),
            ("Client-ID", &c.twitch_client_id),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("Accept"),
        "{body}"
    );

    // X: app-only 403 (the runtime refuses it first; the mock refuses it too).
    let url = format!("{}/users/{}/blocking", mock.url(Api::XV2), c.x_user_id);
    let app = format!("Bearer {}", c.x_app_token);
    let (status, ct, body) = raw(
        reqwest::Method::GET,
        url.clone(),
        &[("Authorization", &app)],
    )
    .await;
    assert_eq!(
        (status, ct.as_deref()),
        (403, Some("application/problem+json"))
    );
    assert_eq!(
        body["type"],
        "https://api.x.com/2/problems/unsupported-authentication"
    );
    let (x_narrow, _) = mock
        .issue_x_token(&c.x_user_id, &["users.read", "tweet.read"])
        .unwrap();
    let (status, _, body) = raw(
        reqwest::Method::GET,
        url,
        &[("Authorization", &format!("Bearer {x_narrow}"))],
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body["detail"].as_str().unwrap().contains("block.read"),
        "{body}"
    );

    // v1.1 wants OAuth 1.0a; a tampered signature is refused.
    let url = format!("{}/blocks/ids.json", mock.url(Api::XV1));
    let (status, _, body) = raw(
        reqwest::Method::GET,
        url.clone(),
        &[("Authorization", &app)],
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_i64()),
        (403, Some(220))
    );
    let o = &c.x_oauth1;
    let wrong =
        OAuth1Credentials::new(&o.consumer_key, "notthesecret", &o.token, &o.token_secret).unwrap();
    let client =
        blockbind_x_v1::Client::new(&mock.url(Api::XV1), Runtime::new(Auth::oauth1(wrong)));
    let err = ApiError::from(client.get_block_ids().send().await.unwrap_err());
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("(code 32)"), "{err}");

    // Tokens over HTTP, like twitch-cli's /auth/authorize.
    let url = format!(
        "{}/auth/authorize?platform=twitch&user_id=44322889&scope=user:read:blocked_users",
        mock.base_url()
    );
    let (status, _, body) = raw(reqwest::Method::GET, url, &[]).await;
    assert_eq!(status, 200);
    let client = blockbind_twitch_helix::Client::new(
        &mock.url(Api::TwitchHelix),
        Runtime::new(
            Auth::user_token(body["access_token"].as_str().unwrap())
                .and_then(|a| a.with_api_key(body["client_id"].as_str().unwrap()))
                .unwrap(),
        ),
    );
    let page = client
        .get_user_block_list()
        .broadcaster_id("44322889")
        .send()
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert_contract(&mock);
}

#[tokio::test]
async fn requests_the_spec_forbids_get_the_platform_error_naming_the_parameter() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let bearer = format!("Bearer {}", c.twitch_token);
    let helix_headers = [
        ("Authorization", bearer.as_str()),
        ("Client-Id", c.twitch_client_id.as_str()),
    ];
    let base = mock.url(Api::TwitchHelix);

    let cases = [
        (
            format!(
                "{base}/users/blocks?broadcaster_id={}&first=101",
                c.twitch_user_id
            ),
            "first",
        ),
        (
            format!(
                "{base}/users/blocks?broadcaster_id={}&first=ten",
                c.twitch_user_id
            ),
            "first",
        ),
        (format!("{base}/users/blocks"), "broadcaster_id"),
    ];
    for (url, param) in cases {
        let (status, _, body) = raw(reqwest::Method::GET, url, &helix_headers).await;
        assert_eq!(status, 400);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{param}`")),
            "{body}"
        );
    }
    let (status, _, body) = raw(
        reqwest::Method::PUT,
        format!("{base}/users/blocks?target_user_id=12826&reason=boredom"),
        &helix_headers,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("`reason`"),
        "{body}"
    );

    let x = format!("Bearer {}", c.x_oauth2_token);
    let (status, ct, body) = raw(
        reqwest::Method::GET,
        format!(
            "{}/users/{}/blocking?max_results=0&user.fields=created_at,shoe_size",
            mock.url(Api::XV2),
            c.x_user_id
        ),
        &[("Authorization", &x)],
    )
    .await;
    // As X's 2.167 definitions describe it: a problem document with the kind's own members.
    assert_eq!(
        (status, ct.as_deref()),
        (400, Some("application/problem+json"))
    );
    assert_eq!(body["type"], "https://api.x.com/2/problems/invalid-request");
    assert_eq!(body["status"], 400);
    assert_eq!(body["parameter"], "max_results", "{body}");
    assert_eq!(body["value"], "0", "{body}");
    assert!(
        body["errors"][0]["parameters"].get("max_results").is_some(),
        "{body}"
    );

    // Blocking a user X does not know: resource-not-found, naming the parameter and the value.
    let response = reqwest::Client::new()
        .post(format!(
            "{}/users/{}/blocking",
            mock.url(Api::XV2),
            c.x_user_id
        ))
        .header("Authorization", &x)
        .json(&serde_json::json!({"target_user_id": "9999999999999999999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["type"],
        "https://api.x.com/2/problems/resource-not-found"
    );
    // Another user's list: not-authorized-for-resource, one of the kinds X's 2.167 names.
    let (status, ct, other) = raw(
        reqwest::Method::GET,
        format!("{}/users/12345/blocking", mock.url(Api::XV2)),
        &[("Authorization", &x)],
    )
    .await;
    assert_eq!(
        (status, ct.as_deref()),
        (403, Some("application/problem+json"))
    );
    assert_eq!(
        other["type"],
        "https://api.x.com/2/problems/not-authorized-for-resource"
    );
    assert_eq!(
        (&other["parameter"], &other["value"]),
        (&serde_json::json!("id"), &serde_json::json!("12345"))
    );
    assert_eq!(
        (&body["parameter"], &body["value"], &body["resource_type"]),
        (
            &serde_json::json!("target_user_id"),
            &serde_json::json!("9999999999999999999"),
            &serde_json::json!("user")
        ),
        "{body}"
    );

    let oauth = format!("OAuth {}", c.twitch_token);
    let (status, _, body) = raw(
        reqwest::Method::GET,
        format!(
            "{}/users/{}/blocks?limit=1000",
            mock.url(Api::TwitchKrakenV5),
            c.twitch_user_id
        ),
        &[
            ("Authorization", &oauth),
            ("Client-ID", &c.twitch_client_id),
            ("Accept", "application/vnd.twitchtv.v5+json"),
        ],
    )
    .await;
    assert_eq!((status, body["status"].as_i64()), (400, Some(400)));
    assert!(body["message"].as_str().unwrap().contains("`limit`"));
    assert_eq!(
        mock.total_requests(),
        8,
        "each reached the mock and was refused there"
    );
    assert_contract(&mock);
}

#[tokio::test]
async fn every_request_that_reaches_the_mock_is_counted_routed_or_not() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let bearer = format!("Bearer {}", c.twitch_token);
    let helix_auth = [
        ("Authorization", bearer.as_str()),
        ("Client-Id", c.twitch_client_id.as_str()),
    ];
    let blocks = format!(
        "{}/users/blocks?broadcaster_id={}",
        mock.url(Api::TwitchHelix),
        c.twitch_user_id
    );
    let answered = [
        raw(reqwest::Method::GET, blocks.clone(), &helix_auth)
            .await
            .0,
        raw(reqwest::Method::PATCH, blocks, &helix_auth).await.0,
        raw(
            reqwest::Method::GET,
            format!("{}/nowhere", mock.base_url()),
            &[],
        )
        .await
        .0,
        raw(
            reqwest::Method::GET,
            format!("{}/kraken/users/1/blocks", mock.base_url()),
            &[],
        )
        .await
        .0,
        raw(
            reqwest::Method::GET,
            format!("{}/auth/authorize", mock.base_url()),
            &[],
        )
        .await
        .0,
    ];
    assert_eq!(answered[..4], [200, 405, 404, 400], "{answered:?}");
    assert_eq!(
        mock.requests_received(),
        5,
        "the routed request, and the wrong method, the unknown path, the Kraken request \
         without a version and the authorize endpoint, which reach no operation"
    );
    assert_eq!(mock.total_requests(), 1, "only one reached an operation");
    assert_contract(&mock);
}

#[tokio::test]
async fn rate_limits_carry_headers_answer_429_and_pacing_avoids_them() {
    let mut config = MockConfig::default();
    config.rate_limits.insert(
        "x-v2".into(),
        Bucket {
            limit: 3,
            window_ms: 2000,
        },
    );
    let mock = MockServer::start(config).await.unwrap();
    let c = mock.credentials().clone();
    let url = format!("{}/users/{}/blocking", mock.url(Api::XV2), c.x_user_id);
    let x = format!("Bearer {}", c.x_oauth2_token);
    let client = reqwest::Client::new();
    let mut remaining = Vec::new();
    let mut resets = std::collections::BTreeSet::new();
    for _ in 0..4 {
        let r = client
            .get(&url)
            .header("Authorization", &x)
            .send()
            .await
            .unwrap();
        remaining.push((
            r.status().as_u16(),
            r.headers()["x-rate-limit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        ));
        resets.insert(
            r.headers()["x-rate-limit-reset"]
                .to_str()
                .unwrap()
                .to_string(),
        );
        assert_eq!(r.headers()["x-rate-limit-limit"], "3");
    }
    assert_eq!(
        remaining,
        [
            (200, "2".into()),
            (200, "1".into()),
            (200, "0".into()),
            (429, "0".into())
        ]
    );
    // The window the four shared ran dry once, and the mock says when it is reset.
    let reset: u64 = resets.pop_first().unwrap().parse().unwrap();
    assert!(resets.is_empty(), "one window");
    assert_eq!(
        mock.dry_resets(Api::XV2),
        [std::time::UNIX_EPOCH + Duration::from_secs(reset)]
    );

    // The runtime waits for the reset instead of earning another 429.
    let before = mock.responses_with_status(429);
    let runtime = Runtime::new(Auth::oauth2_user(
        OAuth2UserToken::new(&c.x_oauth2_token).unwrap(),
    ));
    let paced = blockbind_x_v2::Client::new(&mock.url(Api::XV2), runtime);
    for _ in 0..5 {
        paced
            .get_users_blocking()
            .id(c.x_user_id.as_str())
            .send()
            .await
            .unwrap();
    }
    assert!(
        mock.responses_with_status(429) - before <= 1,
        "at most the first call can hit the window the raw client emptied"
    );
    assert_contract(&mock);
}

#[tokio::test]
async fn faults_are_injected_as_configured() {
    let mock = mock().await;
    let client = helix(&mock);
    let me = mock.credentials().twitch_user_id.clone();
    let no_retry = |m: &MockServer| {
        let c = m.credentials();
        blockbind_twitch_helix::Client::new(
            &m.url(Api::TwitchHelix),
            Runtime::new(
                Auth::user_token(&c.twitch_token)
                    .and_then(|a| a.with_api_key(&c.twitch_client_id))
                    .unwrap(),
            )
            .with_retry(RetryPolicy::none()),
        )
    };
    let plain = no_retry(&mock);

    mock.set_faults(Faults {
        p_503: 1.0,
        ..Faults::default()
    });
    let err = ApiError::from(
        plain
            .get_user_block_list()
            .broadcaster_id(&me)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(503));

    mock.set_faults(Faults {
        p_reset: 1.0,
        ..Faults::default()
    });
    let err = ApiError::from(
        plain
            .get_user_block_list()
            .broadcaster_id(&me)
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");

    mock.set_faults(Faults {
        p_truncate: 1.0,
        ..Faults::default()
    });
    let err = ApiError::from(
        plain
            .get_user_block_list()
            .broadcaster_id(&me)
            .send()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            ApiError::Transport(_) | ApiError::InvalidResponse { .. }
        ),
        "{err:?}"
    );

    // Half the requests fail with 500 or 503: the runtime's retries get every call through.
    mock.set_faults(Faults {
        p_500: 0.25,
        p_503: 0.25,
        ..Faults::default()
    });
    let patient = {
        let c = mock.credentials();
        blockbind_twitch_helix::Client::new(
            &mock.url(Api::TwitchHelix),
            Runtime::new(
                Auth::user_token(&c.twitch_token)
                    .and_then(|a| a.with_api_key(&c.twitch_client_id))
                    .unwrap(),
            )
            .with_retry(RetryPolicy {
                max_retries: 10,
                min_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(5),
                ..RetryPolicy::default()
            }),
        )
    };
    let _ = client;
    for _ in 0..20 {
        patient
            .get_user_block_list()
            .broadcaster_id(&me)
            .send()
            .await
            .unwrap();
    }
    assert!(
        mock.faults_injected() >= 10,
        "faults were injected: {}",
        mock.faults_injected()
    );
    assert_contract(&mock);
}

#[tokio::test]
async fn an_x_token_refreshes_at_the_mock_token_endpoint() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let token = OAuth2UserToken::refreshable(
        &c.x_oauth2_token,
        &c.x_oauth2_refresh_token,
        Some(Duration::from_secs(1)), // inside the refresh margin: refreshed before the call
        &c.x_client_id,
        mock.x_token_url(),
    )
    .unwrap();
    let client =
        blockbind_x_v2::Client::new(&mock.url(Api::XV2), Runtime::new(Auth::oauth2_user(token)));
    client
        .get_users_blocking()
        .id(c.x_user_id.as_str())
        .send()
        .await
        .unwrap();
    // The refresh replaced the old token: it no longer works.
    let old = x_v2(&mock);
    let err = ApiError::from(
        old.get_users_blocking()
            .id(c.x_user_id.as_str())
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(err.status(), Some(401));
    client
        .get_users_blocking()
        .id(c.x_user_id.as_str())
        .send()
        .await
        .unwrap();
    assert_contract(&mock);
}

#[tokio::test]
async fn the_world_is_deterministic_from_the_seed() {
    let a = mock().await;
    let b = mock().await;
    assert_eq!(a.credentials().twitch_token, b.credentials().twitch_token);
    assert_eq!(
        a.blocked(Platform::Twitch, "141981764"),
        b.blocked(Platform::Twitch, "141981764")
    );
    assert_eq!(a.nth_user(123), b.nth_user(123));
    let other = MockConfig {
        seed: 7,
        ..MockConfig::default()
    };
    let c = MockServer::start(other).await.unwrap();
    assert_ne!(a.credentials().twitch_token, c.credentials().twitch_token);
    let logins = |m: &MockServer| {
        (0..20)
            .map(|n| m.nth_user(n).unwrap().login)
            .collect::<Vec<_>>()
    };
    assert_eq!(logins(&a), logins(&b));
    assert_ne!(logins(&a), logins(&c));
}
