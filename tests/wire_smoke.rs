//! Every operation of every generated client, sent once to a local TCP listener: the captured
//! request line proves the method, path and query string each builder puts on the wire.

mod common;

use common::CaptureServer;

#[tokio::test]
async fn twitch_helix_operations_on_the_wire() {
    use blockbind_twitch_helix::{Client, types};
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/helix", server.base));

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
    assert_eq!(r.query(), Some("after=eyJiIjpudWxsfQ&broadcaster_id=141981764&first=100"));

    let _ = client
        .block_user()
        .target_user_id("12826")
        .source_context(types::BlockUserSourceContext::Chat)
        .reason(types::BlockUserReason::Harassment)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!((r.method.as_str(), r.path()), ("PUT", "/helix/users/blocks"));
    assert_eq!(r.query(), Some("reason=harassment&source_context=chat&target_user_id=12826"));
    assert!(r.body.is_empty());

    let _ = client.unblock_user().target_user_id("12826").send().await;
    let r = server.take_one();
    assert_eq!((r.method.as_str(), r.path()), ("DELETE", "/helix/users/blocks"));
    assert_eq!(r.query(), Some("target_user_id=12826"));
}

#[tokio::test]
async fn twitch_kraken_v2_operations_on_the_wire() {
    use blockbind_twitch_kraken_v2::Client;
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/kraken", server.base));

    let _ = client.get_user_block_list().login("test_user1").limit(100u64).offset(25u64).send().await;
    let r = server.take_one();
    assert_eq!((r.method.as_str(), r.target.as_str()), ("GET", "/kraken/users/test_user1/blocks?limit=100&offset=25"));

    let _ = client.block_user().user("test_user1").target("test_user_troll").send().await;
    let r = server.take_one();
    assert_eq!((r.method.as_str(), r.target.as_str()), ("PUT", "/kraken/users/test_user1/blocks/test_user_troll"));

    let _ = client.unblock_user().user("test_user1").target("test_user_troll").send().await;
    let r = server.take_one();
    assert_eq!((r.method.as_str(), r.target.as_str()), ("DELETE", "/kraken/users/test_user1/blocks/test_user_troll"));
}

#[tokio::test]
async fn twitch_kraken_v5_operations_on_the_wire() {
    use blockbind_twitch_kraken_v5::{Client, types};
    let server = CaptureServer::start(204, "").await;
    let client = Client::new(&format!("{}/kraken", server.base));

    macro_rules! sent {
        ($call:expr, $method:expr, $target:expr) => {{
            let _ = $call.send().await;
            let r = server.take_one();
            assert_eq!((r.method.as_str(), r.target.as_str()), ($method, $target));
            r
        }};
    }
    sent!(client.get_authenticated_user(), "GET", "/kraken/user");
    sent!(client.get_user_by_id().user_id("44322889"), "GET", "/kraken/users/44322889");
    // A single login: comma-joining several (`explode: false`) is the runtime's wire fix.
    sent!(client.get_users().login(vec!["dallas".to_string()]), "GET", "/kraken/users?login=dallas");
    sent!(client.get_user_emotes().user_id("44322889"), "GET", "/kraken/users/44322889/emotes");
    sent!(
        client.check_user_subscription_by_channel().user_id("44322889").channel_id("129454141"),
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
        client.check_user_follows_by_channel().user_id("44322889").channel_id("129454141"),
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
        client.unfollow_channel().user_id("44322889").channel_id("129454141"),
        "DELETE",
        "/kraken/users/44322889/follows/channels/129454141"
    );
    sent!(
        client.get_user_block_list().user_id("44322889").limit(25u64).offset(0u64),
        "GET",
        "/kraken/users/44322889/blocks?limit=25&offset=0"
    );
    sent!(
        client.block_user().user_id("44322889").target_user_id("13460644"),
        "PUT",
        "/kraken/users/44322889/blocks/13460644"
    );
    sent!(
        client.unblock_user().user_id("44322889").target_user_id("13460644"),
        "DELETE",
        "/kraken/users/44322889/blocks/13460644"
    );
    let r = sent!(
        client.create_vhs_connection().body_map(|b| b.identifier("VHS_ID")),
        "PUT",
        "/kraken/user/vhs"
    );
    assert_eq!(r.body, br#"{"identifier":"VHS_ID"}"#);
    sent!(client.check_vhs_connection(), "GET", "/kraken/user/vhs");
    sent!(client.delete_vhs_connection(), "DELETE", "/kraken/user/vhs");
}
