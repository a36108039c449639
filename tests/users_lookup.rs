//! The users-lookup operations (Helix Get Users, X v2 `/2/users/by` and `/2/users`) on the wire:
//! how the name lists travel (Helix repeats the parameter, X joins with commas) and the spec's
//! 100-name bound refused before sending.

mod common;

use blockbind_runtime::{ApiError, Auth, OAuth2UserToken, RequestError, Runtime};
use common::CaptureServer;
use common::secrets::{HELIX_TOKEN, X_TOKEN};

fn helix(server: &CaptureServer) -> blockbind_twitch_helix::Client {
    blockbind_twitch_helix::Client::new(
        &format!("{}/helix", server.base),
        Runtime::new(
            Auth::user_token(HELIX_TOKEN)
                .and_then(|a| a.with_api_key("clientid42"))
                .unwrap(),
        ),
    )
}

fn x(server: &CaptureServer) -> blockbind_x_v2::Client {
    blockbind_x_v2::Client::new(
        &format!("{}/2", server.base),
        Runtime::new(Auth::oauth2_user(OAuth2UserToken::new(X_TOKEN).unwrap())),
    )
}

/// `err` is the refusal of `count` values for `parameter` (the spec allowing `max`), before
/// sending.
fn assert_too_many_items(err: &ApiError, parameter: &str, count: usize, max: usize) {
    match err {
        ApiError::Refused(RequestError::TooManyItems {
            parameter: p,
            count: c,
            max: m,
            ..
        }) => assert_eq!((p.as_str(), *c, *m), (parameter, count, max)),
        other => panic!("expected a too-many-items refusal, got {other:?}"),
    }
}

const HELIX_USERS: &str = r#"{"data":[{"id":"141981764","login":"twitchdev","display_name":"TwitchDev","type":"","broadcaster_type":"partner","description":"","profile_image_url":"","offline_image_url":"","view_count":5980557,"created_at":"2016-12-14T20:32:28Z"}]}"#;

#[tokio::test]
async fn helix_get_users_repeats_id_and_login_and_reads_created_at() {
    let server = CaptureServer::start(200, HELIX_USERS).await;
    let users = helix(&server)
        .get_users()
        .id(vec!["141981764".to_string(), "12826".to_string()])
        .login(vec!["twitchdev".to_string()])
        .send()
        .await
        .unwrap();
    assert_eq!(users.data[0].login, "twitchdev");
    assert_eq!(
        users.data[0].created_at.to_rfc3339(),
        "2016-12-14T20:32:28+00:00"
    );
    let r = server.take_one();
    assert_eq!(r.path(), "/helix/users");
    assert_eq!(r.query(), Some("id=141981764&id=12826&login=twitchdev"));
}

#[tokio::test]
async fn helix_get_users_refuses_more_than_100_logins_before_sending() {
    let server = CaptureServer::start(200, HELIX_USERS).await;
    let logins: Vec<String> = (0..101).map(|i| format!("user{i:03}")).collect();
    let err = ApiError::from(
        helix(&server)
            .get_users()
            .login(logins)
            .send()
            .await
            .unwrap_err(),
    );
    assert_too_many_items(&err, "login", 101, 100);
    assert!(err.nothing_sent());
    assert!(server.requests().is_empty(), "nothing may reach the wire");
    // Exactly 100 goes.
    let logins: Vec<String> = (0..100).map(|i| format!("user{i:03}")).collect();
    helix(&server)
        .get_users()
        .login(logins)
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.take_one().query().unwrap().matches("login=").count(),
        100
    );
}

#[tokio::test]
async fn helix_get_users_refuses_more_than_100_ids_and_logins_together_before_sending() {
    let server = CaptureServer::start(200, HELIX_USERS).await;
    let ids: Vec<String> = (0..60).map(|i| (1000 + i).to_string()).collect();
    let logins: Vec<String> = (0..41).map(|i| format!("user{i:03}")).collect();
    let err = ApiError::from(
        helix(&server)
            .get_users()
            .id(ids.clone())
            .login(logins)
            .send()
            .await
            .unwrap_err(),
    );
    assert_too_many_items(&err, "id` and `login", 101, 100);
    assert!(
        err.to_string().contains("`id` and `login` has 101 values"),
        "{err}"
    );
    assert!(server.requests().is_empty(), "nothing may reach the wire");
    let logins: Vec<String> = (0..40).map(|i| format!("user{i:03}")).collect();
    helix(&server)
        .get_users()
        .id(ids)
        .login(logins)
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 1, "60 + 40 goes");
}

const X_USERS: &str = r#"{"data":[{"id":"2244994945","name":"Developers","username":"XDevelopers","created_at":"2013-12-14T04:35:55.000Z"}],"errors":[{"value":"nosuchuser_zz","detail":"Could not find user with usernames: [nosuchuser_zz].","title":"Not Found Error","resource_type":"user","parameter":"usernames","resource_id":"nosuchuser_zz","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;

#[tokio::test]
async fn x_users_by_usernames_joins_names_with_commas_and_reads_not_found_errors() {
    use blockbind_x_v2::types::{UserField, UserName};
    let server = CaptureServer::start(200, X_USERS).await;
    let names: Vec<UserName> = ["XDevelopers", "nosuchuser_zz"]
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    let found = x(&server)
        .get_users_by_usernames()
        .usernames(names)
        .user_fields(vec![UserField::CreatedAt])
        .send()
        .await
        .unwrap();
    assert_eq!(found.data[0].username.as_deref(), Some("XDevelopers"));
    assert_eq!(
        found.errors[0].type_,
        "https://api.twitter.com/2/problems/resource-not-found"
    );
    let r = server.take_one();
    assert_eq!(r.path(), "/2/users/by");
    assert_eq!(
        r.query(),
        Some("user.fields=created_at&usernames=XDevelopers,nosuchuser_zz")
    );
}

#[tokio::test]
async fn x_users_lookups_refuse_more_than_100_before_sending_and_bad_usernames_at_build() {
    use blockbind_x_v2::types::{UserId, UserName};
    let server = CaptureServer::start(200, X_USERS).await;
    let ids: Vec<UserId> = (0..101)
        .map(|i| (1000 + i).to_string().parse().unwrap())
        .collect();
    let err = ApiError::from(
        x(&server)
            .get_users_by_ids()
            .ids(ids)
            .send()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, ApiError::Refused(RequestError::TooManyItems { parameter, count: 101, max: 100, .. }) if parameter == "ids"),
        "{err:?}"
    );
    let names: Vec<UserName> = (0..101).map(|i| format!("u{i}").parse().unwrap()).collect();
    let err = ApiError::from(
        x(&server)
            .get_users_by_usernames()
            .usernames(names)
            .send()
            .await
            .unwrap_err(),
    );
    assert!(err.nothing_sent(), "{err:?}");
    assert!(err.to_string().contains("usernames"), "{err}");
    // X usernames are 1 to 15 of [A-Za-z0-9_]: refused when built, before anything is sent.
    for bad in ["", "sixteen_chars_xx", "with-dash", "@at"] {
        assert!(bad.parse::<UserName>().is_err(), "{bad:?}");
    }
    assert!(server.requests().is_empty(), "nothing may reach the wire");
}

// The facade's resolution (`BlockList::resolve` and blocking by login) against the mock.

use blockbind::{
    BlockList, BlockOptions, Config, Credentials, Error, Target, TwitchHelixBlocks, XV2Blocks,
};
use blockbind_mock::{MockConfig, MockServer, Platform};
use common::facade::config;

async fn mock() -> MockServer {
    MockServer::start(MockConfig {
        rate_limiting: false,
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn helix_lookups(mock: &MockServer) -> u64 {
    mock.requests(blockbind_mock::Api::TwitchHelix, "get_users")
}

#[tokio::test]
async fn helix_blocks_5000_logins_with_50_lookups_each_name_once_and_reports_the_missing() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = TwitchHelixBlocks::new(config(&mock).twitch_helix().unwrap(), &c.twitch_user_id);
    // 4,990 users of the mock's world (their logins in upper case: logins compare without
    // case) and 10 names of no user, spread through the list.
    let mut targets: Vec<Target> = Vec::new();
    let mut missing = Vec::new();
    for i in 0..5000u64 {
        if i % 500 == 499 {
            let name = format!("nosuchuser{i}");
            missing.push(Target::Login(name.clone()));
            targets.push(Target::Login(name));
        } else {
            let login = mock.nth_user(i + 100).unwrap().login.to_uppercase();
            targets.push(Target::Login(login));
        }
    }
    let resolved = blocks
        .resolve(&targets)
        .await
        .unwrap()
        .expect("Helix resolves");
    assert_eq!(helix_lookups(&mock), 50, "5,000 names, 100 a request");
    assert_eq!(
        mock.responses_with_status(400),
        0,
        "no lookup over the bound"
    );
    assert_eq!(resolved.len(), 5000);
    let mut reported = Vec::new();
    let mut ids = Vec::new();
    for (target, result) in targets.iter().zip(&resolved) {
        match result {
            Ok(user) => {
                let expected = mock.user_by_login(target.as_str()).unwrap();
                assert_eq!(user.id, expected.id);
                assert_eq!(user.created_at, Some(expected.created_at), "{target}");
                ids.push(user.id.clone());
            }
            Err(Error::NoSuchUser { target: t, .. }) => {
                assert_eq!(t, target);
                reported.push(t.clone());
            }
            Err(e) => panic!("{target}: {e}"),
        }
    }
    assert_eq!(reported, missing, "each missing name reported, once");

    // Each name is asked once per list: resolving again, or blocking by login, asks nothing.
    blocks.resolve(&targets).await.unwrap();
    for target in &targets[..20] {
        if !missing.contains(target) {
            blocks
                .block(target.clone(), BlockOptions::default())
                .await
                .unwrap();
        }
    }
    let e = blocks
        .block(missing[0].clone(), BlockOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no such user"), "{e}");
    assert_eq!(helix_lookups(&mock), 50);

    for id in &ids {
        blocks
            .block(Target::Id(id.clone()), BlockOptions::default())
            .await
            .unwrap();
    }
    for id in &ids {
        assert!(
            mock.blocks_applied(Platform::Twitch, &c.twitch_user_id, id) == 1,
            "{id}"
        );
    }
    assert_eq!(
        mock.requests(blockbind_mock::Api::TwitchHelix, "block_user"),
        4990 + 20,
        "the blocks, and no block for a missing name"
    );
    assert_eq!(helix_lookups(&mock), 50);
    assert_eq!(mock.violations(), Vec::<String>::new());
}

fn capture_config(server: &CaptureServer) -> Config {
    Config::builder()
        .base_url(&server.base)
        .credentials(Credentials::new().with_twitch("cid", "tok").unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn no_lookup_carries_more_than_100_names() {
    let server = CaptureServer::start(200, r#"{"data":[]}"#).await;
    let blocks = TwitchHelixBlocks::new(capture_config(&server).twitch_helix().unwrap(), "1");
    let targets: Vec<Target> = (0..250)
        .map(|i| Target::Login(format!("name{i:04}")))
        .chain((0..30).map(|i| Target::Id(format!("{}", 5000 + i))))
        .collect();
    let resolved = blocks.resolve(&targets).await.unwrap().unwrap();
    assert!(
        resolved
            .iter()
            .all(|r| matches!(r, Err(Error::NoSuchUser { .. })))
    );
    let counts: Vec<(usize, usize)> = server
        .requests()
        .iter()
        .map(|r| {
            let q = r.query().unwrap_or_default();
            (q.matches("login=").count(), q.matches("id=").count())
        })
        .collect();
    assert_eq!(counts, [(100, 0), (100, 0), (50, 0), (0, 30)]);
}

#[tokio::test]
async fn a_lookup_answering_fewer_users_than_asked_reports_the_missing_ones() {
    // Asked for three logins, the server answers with one user only.
    let server = CaptureServer::start(200, HELIX_USERS).await;
    let blocks = TwitchHelixBlocks::new(capture_config(&server).twitch_helix().unwrap(), "1");
    let targets = [
        Target::Login("someone_a".into()),
        Target::Login("TwitchDev".into()),
        Target::Login("someone_b".into()),
    ];
    let resolved = blocks.resolve(&targets).await.unwrap().unwrap();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(resolved[1].as_ref().unwrap().id, "141981764");
    for i in [0, 2] {
        assert_eq!(
            resolved[i].as_ref().unwrap_err(),
            &Error::NoSuchUser {
                api: blockbind::Api::TwitchHelix,
                target: targets[i].clone()
            }
        );
    }
    // A missing name is never sent to the block endpoint.
    let e = blocks
        .block(targets[0].clone(), BlockOptions::default())
        .await
        .unwrap_err();
    assert!(e.nothing_sent(), "{e}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_name_resolving_to_the_acting_account_is_refused() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = TwitchHelixBlocks::new(config(&mock).twitch_helix().unwrap(), &c.twitch_user_id);
    let me = Target::Login(c.twitch_login.to_uppercase());
    let resolved = blocks
        .resolve(std::slice::from_ref(&me))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        resolved[0].as_ref().unwrap_err(),
        &Error::SelfTarget {
            api: blockbind::Api::TwitchHelix,
            target: me.clone()
        }
    );
    let e = blocks.block(me, BlockOptions::default()).await.unwrap_err();
    assert!(e.to_string().contains("you cannot block yourself"), "{e}");
    let e = blocks
        .block(
            Target::Id(c.twitch_user_id.clone()),
            BlockOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SelfTarget { .. }), "{e}");
    assert_eq!(
        mock.requests(blockbind_mock::Api::TwitchHelix, "block_user"),
        0
    );

    let x = XV2Blocks::new(config(&mock).x_v2().unwrap(), &c.x_user_id);
    let e = x
        .block(Target::Login(c.x_username.clone()), BlockOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SelfTarget { .. }), "{e}");
    assert_eq!(mock.requests(blockbind_mock::Api::XV2, "block_user"), 0);
}

#[tokio::test]
async fn names_the_platform_forbids_are_refused_before_any_lookup() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let blocks = TwitchHelixBlocks::new(config(&mock).twitch_helix().unwrap(), &c.twitch_user_id);
    let good = mock.nth_user(7).unwrap();
    let targets = [
        Target::Login("abc".into()),   // 3 characters
        Target::Login("a".repeat(26)), // 26 characters
        Target::Login(good.login.clone()),
    ];
    let resolved = blocks.resolve(&targets).await.unwrap().unwrap();
    assert!(
        matches!(&resolved[0], Err(Error::InvalidTarget { reason, .. }) if reason.contains("4 to 25"))
    );
    assert!(matches!(&resolved[1], Err(Error::InvalidTarget { .. })));
    assert_eq!(resolved[2].as_ref().unwrap().id, good.id);
    assert_eq!(
        helix_lookups(&mock),
        1,
        "one lookup, of the valid name only"
    );

    let x = XV2Blocks::new(config(&mock).x_v2().unwrap(), &c.x_user_id);
    let resolved = x
        .resolve(&[Target::Login("sixteen_chars_xx".into())])
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(&resolved[0], Err(Error::InvalidTarget { reason, .. }) if reason.contains("1 to 15"))
    );
    assert_eq!(
        mock.requests(blockbind_mock::Api::XV2, "get_users_by_usernames"),
        0
    );
}

#[tokio::test]
async fn x_v2_resolves_usernames_and_ids_with_created_at_and_reports_missing_from_errors() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    let x = XV2Blocks::new(config(&mock).x_v2().unwrap(), &c.x_user_id);
    let a = mock.nth_user(3).unwrap();
    let b = mock.nth_user(4).unwrap();
    let targets = [
        Target::Login(a.login.clone()),
        Target::Login("nosuchuser_zz".into()),
        Target::Id(b.id.clone()),
        Target::Id("1234567890123456789".into()),
    ];
    let resolved = x.resolve(&targets).await.unwrap().unwrap();
    assert_eq!(resolved[0].as_ref().unwrap().id, a.id);
    assert_eq!(resolved[0].as_ref().unwrap().created_at, Some(a.created_at));
    assert!(matches!(&resolved[1], Err(Error::NoSuchUser { .. })));
    assert_eq!(
        resolved[2].as_ref().unwrap().login.as_deref(),
        Some(b.login.as_str())
    );
    assert_eq!(resolved[2].as_ref().unwrap().created_at, Some(b.created_at));
    assert!(matches!(&resolved[3], Err(Error::NoSuchUser { .. })));
    assert_eq!(
        mock.requests(blockbind_mock::Api::XV2, "get_users_by_usernames"),
        1
    );
    assert_eq!(
        mock.requests(blockbind_mock::Api::XV2, "get_users_by_ids"),
        1
    );
    assert_eq!(mock.violations(), Vec::<String>::new());
}
