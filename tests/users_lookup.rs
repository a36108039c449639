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
    match &err {
        ApiError::Refused(RequestError::TooManyItems {
            parameter,
            count,
            max,
            ..
        }) => assert_eq!((parameter.as_str(), *count, *max), ("login", 101, 100)),
        other => panic!("expected a too-many-items refusal, got {other:?}"),
    }
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
