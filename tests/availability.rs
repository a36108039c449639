//! X's access levels: an endpoint the app's plan does not include (the spec's `x-availability`)
//! answers 403 `client-forbidden`, reason `client-not-enrolled`; the client turns it into
//! `ApiError::NotAvailable` naming the level the endpoint needs.

use blockbind_mock::{Api, MockConfig, MockServer};
use blockbind_runtime::{ApiError, Auth, OAuth2UserToken, Runtime};

/// The mock answering as an X plan, and an X v2 client of its user with the user's ID.
async fn x_v2_on_plan(level: &str) -> (MockServer, blockbind_x_v2::Client, String) {
    let mock = MockServer::start(MockConfig {
        x_access_level: Some(level.into()),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let c = mock.credentials();
    let runtime = Runtime::new(Auth::oauth2_user(
        OAuth2UserToken::new(&c.x_oauth2_token).unwrap(),
    ));
    let client = blockbind_x_v2::Client::new(&mock.url(Api::XV2), runtime);
    let me = c.x_user_id.clone();
    (mock, client, me)
}

#[tokio::test]
async fn enterprise_only_blocking_on_a_basic_plan_is_not_available_naming_enterprise() {
    let (_mock, client, me) = x_v2_on_plan("basic").await;
    let me = me.as_str();

    let blocked = client
        .block_user()
        .id(me)
        .body_map(|b| b.target_user_id("12"))
        .send()
        .await;
    let error = ApiError::from_client(blocked.unwrap_err()).await;
    let ApiError::NotAvailable {
        status,
        access_levels,
        problem,
        message,
        ..
    } = &error
    else {
        panic!("expected NotAvailable, got {error:?}");
    };
    assert_eq!(*status, 403);
    assert_eq!(access_levels, &["enterprise".to_string()]);
    assert_eq!(problem, "client-forbidden");
    assert!(!message.is_empty());
    assert!(
        error
            .to_string()
            .contains("this endpoint needs the Enterprise access level"),
        "{error}"
    );

    let unblocked = client
        .unblock_user()
        .source_user_id(me)
        .target_user_id("12")
        .send()
        .await;
    let error = ApiError::from_client(unblocked.unwrap_err()).await;
    assert!(matches!(error, ApiError::NotAvailable { .. }), "{error:?}");

    // At the level the spec names, the same call goes through.
    let (_mock, client, me) = x_v2_on_plan("enterprise").await;
    client
        .block_user()
        .id(me.as_str())
        .body_map(|b| b.target_user_id("12"))
        .send()
        .await
        .expect("enterprise includes blocking");
}
