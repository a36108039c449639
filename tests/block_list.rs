//! Contract tests of the facade against the mock: every `BlockList` operation on all five APIs,
//! a 2,500-entry list read completely through each API's stream and compared with the mock's
//! state, errors keeping the platform's status and message, and the shared config.

mod common;

use blockbind::{
    Api, BlockList, BlockOptions, BlockReason, BlockedUser, Config, Credentials, Error,
    PageOptions, SourceContext, Target, TwitchHelixBlocks, TwitchKrakenV2Blocks,
    TwitchKrakenV5Blocks, XV1Blocks, XV2Blocks,
};
use blockbind_mock::{MockConfig, MockServer, Platform};
use common::facade::{config, credentials};
use futures::{StreamExt, TryStreamExt};

async fn mock() -> MockServer {
    MockServer::start(MockConfig {
        kraken_block_cap: None,
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn mock_api(api: Api) -> blockbind_mock::Api {
    match api {
        Api::TwitchHelix => blockbind_mock::Api::TwitchHelix,
        Api::TwitchKrakenV5 => blockbind_mock::Api::TwitchKrakenV5,
        Api::TwitchKrakenV2 => blockbind_mock::Api::TwitchKrakenV2,
        Api::XV2 => blockbind_mock::Api::XV2,
        Api::XV1 => blockbind_mock::Api::XV1,
    }
}

/// The acting user each API needs, and the mock's owner of the list.
fn acting(mock: &MockServer, api: Api) -> (Option<Target>, Platform, String) {
    let c = mock.credentials();
    match api {
        Api::TwitchHelix | Api::TwitchKrakenV5 => (
            Some(Target::Id(c.twitch_user_id.clone())),
            Platform::Twitch,
            c.twitch_user_id.clone(),
        ),
        Api::TwitchKrakenV2 => (
            Some(Target::Login(c.twitch_login.clone())),
            Platform::Twitch,
            c.twitch_user_id.clone(),
        ),
        Api::XV2 => (
            Some(Target::Id(c.x_user_id.clone())),
            Platform::X,
            c.x_user_id.clone(),
        ),
        Api::XV1 => (None, Platform::X, c.x_user_id.clone()),
    }
}

/// The list operation behind each API's `blocked()`, and how many requests 2,500 entries take
/// at the largest page the spec allows.
fn list_operation(api: Api) -> (&'static str, u64) {
    match api {
        Api::TwitchHelix => ("get_user_block_list", 25), // 100 per page, no cursor on the last
        Api::TwitchKrakenV5 => ("get_user_block_list", 25), // 100 per page, stops at `_total`
        Api::TwitchKrakenV2 => ("get_user_block_list", 26), // 100 per page, then an empty page
        Api::XV2 => ("get_users_blocking", 3),           // 1000 per page
        Api::XV1 => ("get_block_ids", 1),                // 5000 per page
    }
}

/// What any user can write once the trait exists: one export for every platform.
async fn export(list: &impl BlockList) -> Result<Vec<BlockedUser>, Error> {
    list.blocked().try_collect().await
}

#[tokio::test]
async fn every_api_streams_a_2500_entry_list_completely_in_order_at_the_largest_page() {
    for api in Api::ALL {
        let mock = mock().await;
        let (user, platform, owner) = acting(&mock, api);
        mock.clear_blocks(platform, &owner);
        mock.seed_blocks(platform, &owner, 1_000, 2_500);
        let expected = mock.blocked(platform, &owner);
        assert_eq!(expected.len(), 2_500);

        let list = config(&mock).block_list(api, user).await.unwrap();
        let (operation, pages) = list_operation(api);
        let before = mock.requests(mock_api(api), operation);
        let got = export(&list).await.unwrap();

        let ids: Vec<&str> = got.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(
            ids, expected,
            "{api}: the stream is the mock's list, newest first"
        );
        assert_eq!(
            mock.requests(mock_api(api), operation) - before,
            pages,
            "{api}: pages of the largest size the spec allows"
        );
        for user in &got {
            assert_eq!((user.api, user.platform), (api, api.platform()));
            let known = mock.user(&user.id).expect("a real user");
            match api {
                Api::XV1 => assert_eq!(
                    (user.login.as_deref(), user.display_name.as_deref()),
                    (None, None)
                ),
                _ => {
                    assert_eq!(user.login.as_deref(), Some(known.login.as_str()), "{api}");
                    assert_eq!(
                        user.display_name.as_deref(),
                        Some(known.display_name.as_str())
                    );
                }
            }
            let dated = matches!(api, Api::TwitchKrakenV5 | Api::TwitchKrakenV2);
            assert_eq!(
                user.blocked_at.is_some(),
                dated,
                "{api}: only Kraken dates blocks"
            );
            // Kraken v5's user objects carry the account's creation time; X v2 sends it only
            // when asked (`user.fields`), and the lists do not ask.
            if api == Api::TwitchKrakenV5 {
                assert_eq!(user.created_at, Some(known.created_at), "{api}");
            }
        }
        assert_eq!(mock.violations(), Vec::<String>::new());
    }
}

#[tokio::test]
async fn max_pages_and_take_fetch_only_the_pages_they_need() {
    let mock = mock().await;
    let (user, platform, owner) = acting(&mock, Api::TwitchHelix);
    mock.seed_blocks(platform, &owner, 1_000, 1_000);
    let list = config(&mock)
        .block_list(Api::TwitchHelix, user)
        .await
        .unwrap();
    let requests = || mock.requests(blockbind_mock::Api::TwitchHelix, "get_user_block_list");

    let before = requests();
    let two_pages: Vec<_> = list
        .blocked_with(PageOptions::max_pages(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!((two_pages.len(), requests() - before), (200, 2));

    let before = requests();
    let first: Vec<_> = list.blocked().take(150).try_collect().await.unwrap();
    assert_eq!((first.len(), requests() - before), (150, 2));

    let before = requests();
    let small: Vec<_> = list
        .blocked_with(PageOptions::max_pages(3).with_page_size(7))
        .try_collect()
        .await
        .unwrap();
    assert_eq!((small.len(), requests() - before), (21, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_lists_and_their_streams_can_be_spawned_on_a_multithreaded_runtime() {
    let mock = mock().await;
    let config = config(&mock);
    let mut tasks = Vec::new();
    for (n, api) in (100..).zip(Api::ALL) {
        let (user, platform, owner) = acting(&mock, api);
        // One target per API, on no list yet, so each block is seen apart from the others.
        let target = mock.nth_user(n).unwrap();
        assert!(!mock.blocked(platform, &owner).contains(&target.id));
        let by = match api {
            Api::TwitchKrakenV2 => Target::Login(target.login.clone()), // v2 takes logins
            _ => Target::Id(target.id.clone()),
        };
        let list = config.block_list(api, user).await.unwrap();
        tasks.push((
            api,
            platform,
            owner,
            target.id,
            tokio::spawn(async move {
                list.block(by, BlockOptions::default()).await?;
                export(&list).await
            }),
        ));
    }
    for (api, platform, owner, target, task) in tasks {
        let listed = task.await.expect("task ran").expect("blocked and listed");
        assert!(
            listed.iter().any(|u| u.id == target),
            "{api}: the task's own block is missing from its list"
        );
        assert_eq!(
            mock.blocks_applied(platform, &owner, &target),
            1,
            "{api}: the mock applied the block once"
        );
        assert!(mock.blocked(platform, &owner).contains(&target), "{api}");
    }
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn twitch_helix_blocks_by_id_with_options_and_unblocks_by_id_or_login() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = TwitchHelixBlocks::new(config(&mock).twitch_helix().unwrap(), &c.twitch_user_id);
    let target = mock.nth_user(5).unwrap();

    let options = BlockOptions {
        source_context: Some(SourceContext::Whisper),
        reason: Some(BlockReason::Harassment),
    };
    blocks
        .block(Target::Id(target.id.clone()), options)
        .await
        .unwrap();
    blocks
        .block(Target::Id(target.id.clone()), options)
        .await
        .unwrap(); // already blocked: fine
    assert_eq!(
        mock.blocks_applied(Platform::Twitch, &c.twitch_user_id, &target.id),
        1
    );

    // A login is resolved with Get Users (once), then blocked by ID.
    blocks
        .block(Target::Login(target.login.clone()), options)
        .await
        .unwrap();
    assert_eq!(
        mock.requests(blockbind_mock::Api::TwitchHelix, "get_users"),
        1
    );
    assert_eq!(
        mock.block_requests(Platform::Twitch, &c.twitch_user_id, &target.id),
        3
    );

    blocks
        .unblock(Target::Login(target.login.to_uppercase()))
        .await
        .unwrap();
    assert!(
        !mock
            .blocked(Platform::Twitch, &c.twitch_user_id)
            .contains(&target.id)
    );
    blocks
        .unblock(Target::Login("nobody_blocked_this".into()))
        .await
        .unwrap();
    blocks.unblock(Target::Id(target.id.clone())).await.unwrap(); // not blocked: fine
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn helix_block_options_and_the_configured_user_agent_are_on_the_wire() {
    let server = common::CaptureServer::start(204, "").await;
    let config = Config::builder()
        .base_url(&server.base)
        .user_agent("blockbind-tests/1.0")
        .credentials(Credentials::new().with_twitch("cid", "tok").unwrap())
        .build()
        .unwrap();
    let blocks = TwitchHelixBlocks::new(config.twitch_helix().unwrap(), "141981764");
    let options = BlockOptions {
        source_context: Some(SourceContext::Whisper),
        reason: Some(BlockReason::Spam),
    };
    blocks
        .block(Target::Id("12826".into()), options)
        .await
        .unwrap();
    let sent = server.take_one();
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.path(), "/helix/users/blocks");
    let query = sent.query().unwrap();
    for pair in [
        "target_user_id=12826",
        "source_context=whisper",
        "reason=spam",
    ] {
        assert!(query.split('&').any(|p| p == pair), "{pair} in {query}");
    }
    assert_eq!(sent.header("user-agent"), Some("blockbind-tests/1.0"));
    assert_eq!(sent.header("authorization"), Some("Bearer tok"));
    assert_eq!(sent.header("client-id"), Some("cid"));

    // Without options, neither parameter is sent.
    blocks
        .block(Target::Id("12826".into()), BlockOptions::default())
        .await
        .unwrap();
    assert_eq!(server.take_one().query(), Some("target_user_id=12826"));
}

#[tokio::test]
async fn kraken_v5_resolves_logins_with_get_users_and_finds_the_token_user() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = TwitchKrakenV5Blocks::for_token_user(config(&mock).twitch_kraken_v5().unwrap())
        .await
        .unwrap();
    assert_eq!(blocks.user_id(), c.twitch_user_id);
    let target = mock.nth_user(7).unwrap();

    blocks
        .block(Target::Login(target.login.clone()), BlockOptions::default())
        .await
        .unwrap();
    assert!(
        mock.blocked(Platform::Twitch, &c.twitch_user_id)
            .contains(&target.id)
    );
    assert_eq!(
        mock.requests(blockbind_mock::Api::TwitchKrakenV5, "get_users"),
        1
    );

    let e = blocks
        .block(
            Target::Login("no_such_login_here".into()),
            BlockOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UnknownUser { .. }), "{e}");

    blocks.unblock(Target::Id(target.id.clone())).await.unwrap();
    assert!(
        !mock
            .blocked(Platform::Twitch, &c.twitch_user_id)
            .contains(&target.id)
    );
    // Kraken answers 404 for a user who is not blocked: the goal is reached all the same.
    blocks.unblock(Target::Id(target.id.clone())).await.unwrap();
    assert!(mock.responses_with_status(404) >= 1);

    // The same list, found by login through Config::block_list.
    let by_login = config(&mock)
        .block_list(
            Api::TwitchKrakenV5,
            Some(Target::Login(c.twitch_login.clone())),
        )
        .await
        .unwrap();
    assert_eq!(
        export(&by_login).await.unwrap().len(),
        mock.blocked(Platform::Twitch, &c.twitch_user_id).len()
    );
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn kraken_v2_blocks_by_login_and_unblocks_an_id_through_the_list() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks =
        TwitchKrakenV2Blocks::new(config(&mock).twitch_kraken_v2().unwrap(), &c.twitch_login);
    let target = mock.nth_user(9).unwrap();

    let before = mock.total_requests();
    let e = blocks
        .block(Target::Id(target.id.clone()), BlockOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unresolvable {
                api: Api::TwitchKrakenV2,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.nothing_sent());
    assert_eq!(mock.total_requests(), before);

    blocks
        .block(Target::Login(target.login.clone()), BlockOptions::default())
        .await
        .unwrap();
    assert!(
        mock.blocked(Platform::Twitch, &c.twitch_user_id)
            .contains(&target.id)
    );
    blocks.unblock(Target::Id(target.id.clone())).await.unwrap();
    assert!(
        !mock
            .blocked(Platform::Twitch, &c.twitch_user_id)
            .contains(&target.id)
    );
    blocks
        .unblock(Target::Login(target.login.clone()))
        .await
        .unwrap(); // 404: not blocked
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn x_v2_blocks_by_id_and_unblocks_a_username_through_the_list() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = XV2Blocks::new(config(&mock).x_v2().unwrap(), &c.x_user_id);
    let target = mock.nth_user(11).unwrap();

    blocks
        .block(Target::Id(target.id.clone()), BlockOptions::default())
        .await
        .unwrap();
    assert_eq!(
        mock.blocks_applied(Platform::X, &c.x_user_id, &target.id),
        1
    );
    // A username is resolved with users lookup, then blocked by ID.
    blocks
        .block(Target::Login(target.login.clone()), BlockOptions::default())
        .await
        .unwrap();
    assert_eq!(
        mock.requests(blockbind_mock::Api::XV2, "get_users_by_usernames"),
        1
    );

    blocks
        .unblock(Target::login(format!("@{}", target.login)).unwrap())
        .await
        .unwrap();
    assert!(!mock.blocked(Platform::X, &c.x_user_id).contains(&target.id));
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn x_v1_passes_ids_and_screen_names_through() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = XV1Blocks::for_credentials(config(&mock).x_v1().unwrap());
    let (a, b) = (mock.nth_user(13).unwrap(), mock.nth_user(14).unwrap());

    blocks
        .block(Target::Id(a.id.clone()), BlockOptions::default())
        .await
        .unwrap();
    blocks
        .block(Target::Login(b.login.clone()), BlockOptions::default())
        .await
        .unwrap();
    let listed: Vec<String> = export(&blocks)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert!(listed.contains(&a.id) && listed.contains(&b.id));

    blocks
        .unblock(Target::Login(a.login.clone()))
        .await
        .unwrap();
    blocks.unblock(Target::Id(b.id.clone())).await.unwrap();
    let now = mock.blocked(Platform::X, &c.x_user_id);
    assert!(!now.contains(&a.id) && !now.contains(&b.id));
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn errors_keep_the_platform_status_and_message_on_every_api() {
    let mock = mock().await;
    let config = config(&mock);
    let mut lists = Vec::new();
    for api in Api::ALL {
        let (user, ..) = acting(&mock, api);
        lists.push(config.block_list(api, user).await.unwrap());
    }
    let c = mock.credentials();
    for token in [&c.twitch_token, &c.x_oauth2_token, &c.x_oauth1.token] {
        mock.revoke(token);
    }
    for list in &lists {
        let e = export(list).await.unwrap_err();
        assert_eq!(e.status(), Some(401), "{}: {e}", list.api());
        assert!(e.is_auth() && !e.nothing_sent());
        let message = e.platform_message().expect("the platform's message");
        assert!(!message.is_empty());
        let shown = e.to_string();
        assert!(shown.starts_with(list.api().name()), "{shown}");
        assert!(shown.contains(message), "{shown}");
    }
}

#[tokio::test]
async fn missing_or_unusable_credentials_are_refused_naming_the_variables_never_the_values() {
    let mock = mock().await;
    let config = Config::builder().base_url(mock.base_url()).build().unwrap();
    for api in Api::ALL {
        let (user, ..) = acting(&mock, api);
        let e = config
            .block_list(api, user)
            .await
            .err()
            .expect("no credentials");
        assert!(matches!(e, Error::MissingCredentials { .. }), "{api}: {e}");
        assert!(e.is_auth());
    }
    assert!(
        config
            .x_v1()
            .unwrap_err()
            .to_string()
            .contains("X_ACCESS_TOKEN_SECRET")
    );
    assert_eq!(mock.total_requests(), 0);

    let secret = "s3cr3t-token-value";
    let e = Credentials::from_lookup(|name| {
        (name == "TWITCH_TOKEN").then(|| format!("{secret}\r\nX-Evil: 1"))
    })
    .unwrap_err();
    assert!(e.to_string().contains("TWITCH_TOKEN"), "{e}");
    assert!(!format!("{e} {e:?}").contains(secret));

    let e = Credentials::from_lookup(|name| (name == "X_CONSUMER_KEY").then(|| "key".into()))
        .unwrap_err();
    assert!(e.to_string().contains("only some are set"), "{e}");

    let creds = credentials(&mock);
    let config = Config::builder()
        .credentials(creds.clone())
        .build()
        .unwrap();
    let shown = format!("{creds:?} {config:?}");
    let c = mock.credentials();
    for secret in [
        &c.twitch_token,
        &c.x_oauth2_token,
        &c.x_oauth1.consumer_secret,
        &c.x_oauth1.token,
        &c.x_oauth1.token_secret,
    ] {
        assert!(!shown.contains(secret.as_str()), "a secret in {shown}");
    }
}

#[tokio::test]
async fn block_list_needs_the_acting_user_where_the_api_cannot_find_it() {
    let mock = mock().await;
    let config = config(&mock);
    for (api, user) in [
        (Api::TwitchHelix, None),
        (Api::TwitchHelix, Some(Target::Login("dallas".into()))),
        (Api::TwitchKrakenV2, Some(Target::Id("1".into()))),
        (Api::XV2, None),
    ] {
        let e = config.block_list(api, user).await.err().expect("refused");
        assert!(matches!(e, Error::NeedsUser { .. }), "{api}: {e}");
    }
    assert_eq!(mock.total_requests(), 0);
    assert_eq!("x-v1.1".parse::<Api>().unwrap(), Api::XV1);
    assert!(
        "myspace"
            .parse::<Api>()
            .unwrap_err()
            .to_string()
            .contains("twitch-helix")
    );
}
