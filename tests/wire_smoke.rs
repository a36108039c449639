//! Every operation of every generated client, sent once to a local TCP listener: the captured
//! request line proves the method, path and query string each builder puts on the wire.

mod common;

use blockbind_runtime::{Auth, OAuth1Credentials, OAuth2UserToken, Runtime};
use common::CaptureServer;

fn helix() -> Runtime {
    Runtime::new(
        Auth::user_token("2gbdx6oar67tqtcmt49t3wpcgycthx")
            .and_then(|a| a.with_api_key("wbmytr93xzw8zbg0p1izqyzzc5mbiz"))
            .unwrap(),
    )
}

fn kraken() -> Runtime {
    Runtime::new(
        Auth::user_token("cfabdegwdoklmawdzdo98xt2fo512y")
            .and_then(|a| a.with_api_key("uo6dggojyb8d6soh92zknwmi5ej1q2"))
            .unwrap(),
    )
}

fn x_oauth2() -> Runtime {
    Runtime::new(Auth::oauth2_user(
        OAuth2UserToken::new("x-user-token").unwrap(),
    ))
}

fn x_oauth1() -> Runtime {
    Runtime::new(Auth::oauth1(
        OAuth1Credentials::new("ck", "cs", "at", "ats").unwrap(),
    ))
}

#[tokio::test]
async fn twitch_helix_operations_on_the_wire() {
    use blockbind_twitch_helix::{Client, types};
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/helix", server.base), helix());

    let _ = client
        .get_user_block_list()
        .broadcaster_id("141981764")
        .first(100u32)
        .after("eyJiIjpudWxsfQ")
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path(), "/helix/users/blocks");
    assert_eq!(
        r.query(),
        Some("after=eyJiIjpudWxsfQ&broadcaster_id=141981764&first=100")
    );

    let _ = client
        .block_user()
        .target_user_id("12826")
        .source_context(types::BlockUserSourceContext::Chat)
        .reason(types::BlockUserReason::Harassment)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.path()),
        ("PUT", "/helix/users/blocks")
    );
    assert_eq!(
        r.query(),
        Some("reason=harassment&source_context=chat&target_user_id=12826")
    );
    assert!(r.body.is_empty());

    let _ = client.unblock_user().target_user_id("12826").send().await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.path()),
        ("DELETE", "/helix/users/blocks")
    );
    assert_eq!(r.query(), Some("target_user_id=12826"));
}

#[tokio::test]
async fn twitch_kraken_v2_operations_on_the_wire() {
    use blockbind_twitch_kraken_v2::Client;
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/kraken", server.base), kraken());

    let _ = client
        .get_user_block_list()
        .login("test_user1")
        .limit(100u64)
        .offset(25u64)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("GET", "/kraken/users/test_user1/blocks?limit=100&offset=25")
    );

    let _ = client
        .block_user()
        .user("test_user1")
        .target("test_user_troll")
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("PUT", "/kraken/users/test_user1/blocks/test_user_troll")
    );

    let _ = client
        .unblock_user()
        .user("test_user1")
        .target("test_user_troll")
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("DELETE", "/kraken/users/test_user1/blocks/test_user_troll")
    );
}

#[tokio::test]
async fn twitch_kraken_v5_operations_on_the_wire() {
    use blockbind_twitch_kraken_v5::{Client, types};
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/kraken", server.base), kraken());

    macro_rules! sent {
        ($call:expr, $method:expr, $target:expr) => {{
            let _ = $call.send().await;
            let r = server.take_one();
            assert_eq!((r.method.as_str(), r.target.as_str()), ($method, $target));
            r
        }};
    }
    sent!(client.get_authenticated_user(), "GET", "/kraken/user");
    sent!(
        client.get_user_by_id().user_id("44322889"),
        "GET",
        "/kraken/users/44322889"
    );
    // `explode: false`: several logins travel as one comma-joined parameter.
    sent!(
        client
            .get_users()
            .login(vec!["dallas".to_string(), "dallasnchains".to_string()]),
        "GET",
        "/kraken/users?login=dallas,dallasnchains"
    );
    sent!(
        client.get_user_emotes().user_id("44322889"),
        "GET",
        "/kraken/users/44322889/emotes"
    );
    sent!(
        client
            .check_user_subscription_by_channel()
            .user_id("44322889")
            .channel_id("129454141"),
        "GET",
        "/kraken/users/44322889/subscriptions/129454141"
    );
    sent!(
        client
            .get_user_follows()
            .user_id("44322889")
            .limit(100u64)
            .offset(200u64)
            .direction(types::GetUserFollowsDirection::Asc)
            .sortby(types::GetUserFollowsSortby::LastBroadcast),
        "GET",
        "/kraken/users/44322889/follows/channels?direction=asc&limit=100&offset=200&sortby=last_broadcast"
    );
    sent!(
        client
            .check_user_follows_by_channel()
            .user_id("44322889")
            .channel_id("129454141"),
        "GET",
        "/kraken/users/44322889/follows/channels/129454141"
    );
    let r = sent!(
        client
            .follow_channel()
            .user_id("44322889")
            .channel_id("129454141")
            .body_map(|b| b.notifications(true)),
        "PUT",
        "/kraken/users/44322889/follows/channels/129454141"
    );
    assert_eq!(r.body, br#"{"notifications":true}"#);
    sent!(
        client
            .unfollow_channel()
            .user_id("44322889")
            .channel_id("129454141"),
        "DELETE",
        "/kraken/users/44322889/follows/channels/129454141"
    );
    sent!(
        client
            .get_user_block_list()
            .user_id("44322889")
            .limit(25u64)
            .offset(0u64),
        "GET",
        "/kraken/users/44322889/blocks?limit=25&offset=0"
    );
    sent!(
        client
            .block_user()
            .user_id("44322889")
            .target_user_id("13460644"),
        "PUT",
        "/kraken/users/44322889/blocks/13460644"
    );
    sent!(
        client
            .unblock_user()
            .user_id("44322889")
            .target_user_id("13460644"),
        "DELETE",
        "/kraken/users/44322889/blocks/13460644"
    );
    let r = sent!(
        client
            .create_vhs_connection()
            .body_map(|b| b.identifier("VHS_ID")),
        "PUT",
        "/kraken/user/vhs"
    );
    assert_eq!(r.body, br#"{"identifier":"VHS_ID"}"#);
    sent!(client.check_vhs_connection(), "GET", "/kraken/user/vhs");
    sent!(client.delete_vhs_connection(), "DELETE", "/kraken/user/vhs");
}

#[tokio::test]
async fn x_v2_operations_on_the_wire() {
    use blockbind_x_v2::{Client, types};
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/2", server.base), x_oauth2());

    let _ = client
        .get_users_blocking()
        .id("2244994945")
        .max_results(1000u32)
        .pagination_token("1D3PU6DRII9HEZZZ")
        .user_fields(vec![
            types::UserField::CreatedAt,
            types::UserField::Description,
        ])
        .expansions(vec![types::UserExpansion::PinnedTweetId])
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.path()),
        ("GET", "/2/users/2244994945/blocking")
    );
    // `explode: false` arrays go out as one parameter with literal commas.
    assert_eq!(
        r.query(),
        Some(
            "expansions=pinned_tweet_id&max_results=1000&pagination_token=1D3PU6DRII9HEZZZ&user.fields=created_at,description"
        )
    );

    let _ = client
        .block_user()
        .id("2244994945")
        .body_map(|b| b.target_user_id("783214"))
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("POST", "/2/users/2244994945/blocking")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body, br#"{"target_user_id":"783214"}"#);

    let _ = client
        .unblock_user()
        .source_user_id("2244994945")
        .target_user_id("783214")
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("DELETE", "/2/users/2244994945/blocking/783214")
    );
}

#[tokio::test]
async fn x_v2_rejects_a_malformed_user_id_before_sending() {
    let server = CaptureServer::start(204, "").await;
    let client = blockbind_x_v2::Client::new(&format!("{}/2", server.base), x_oauth2());
    let err = client
        .get_users_blocking()
        .id("12ab")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("id"), "{err}");
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn x_v1_operations_on_the_wire() {
    use blockbind_x_v1::Client;
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/1.1", server.base), x_oauth1());

    let _ = client
        .get_block_ids()
        .cursor(-1i64)
        .stringify_ids(true)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("GET", "/1.1/blocks/ids.json?cursor=-1&stringify_ids=true")
    );

    let _ = client
        .get_block_list()
        .cursor(1_374_004_777_531_007_833i64)
        .include_entities(false)
        .skip_status(true)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        (
            "GET",
            "/1.1/blocks/list.json?cursor=1374004777531007833&include_entities=false&skip_status=true"
        )
    );

    let _ = client
        .create_block()
        .screen_name("theseancook")
        .skip_status(true)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        (
            "POST",
            "/1.1/blocks/create.json?screen_name=theseancook&skip_status=true"
        )
    );

    let _ = client
        .destroy_block()
        .user_id("6253282")
        .include_entities(false)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        (
            "POST",
            "/1.1/blocks/destroy.json?include_entities=false&user_id=6253282"
        )
    );
}
