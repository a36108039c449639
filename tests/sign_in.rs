//! Signing in and using what it gives, against the mock: Twitch's device flow (approved, denied,
//! expired), X's PKCE loopback (completed by following the redirect; a forged state, an `error`
//! redirect, a token endpoint answering garbage), signed-in tokens in `Credentials` that refresh
//! after a 401 and hand the new pair to the persist callback first, a revoked refresh token that
//! asks for a new sign-in, the acting user known from the token, scopes checked before sending,
//! and no secret in any `Debug` or error.

mod common;

use std::sync::{Arc, Mutex};

use blockbind::runtime::oauth2::{GrantedToken, validate_twitch};
use blockbind::runtime::sign_in::{self, SignInError};
use blockbind::{Api, BlockList, BlockOptions, Config, Credentials, Platform, Target, UserToken};
use blockbind_mock::{MockConfig, MockServer, SignInConfig};
use futures::TryStreamExt;
use secrecy::ExposeSecret;

const TWITCH_SCOPES: [&str; 2] = ["user:read:blocked_users", "user:manage:blocked_users"];
const X_SCOPES: [&str; 5] = [
    "users.read",
    "tweet.read",
    "block.read",
    "block.write",
    "offline.access",
];

async fn mock(sign_in: SignInConfig) -> MockServer {
    MockServer::start(MockConfig {
        sign_in,
        initial_blocks: 0,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

/// A device login for `user` on the mock, approved as soon as the code is shown.
async fn twitch_login(mock: &MockServer, user: &str, scopes: &[&str]) -> GrantedToken {
    let http = reqwest::Client::new();
    let client_id = mock.credentials().twitch_client_id.clone();
    let code = sign_in::twitch_device_code(&http, &mock.twitch_id_url(), &client_id, scopes)
        .await
        .unwrap();
    assert!(mock.approve_device(&code.user_code, user).unwrap());
    sign_in::twitch_poll_device(&http, &mock.twitch_id_url(), &client_id, scopes, &code)
        .await
        .unwrap()
}

type Persisted = Arc<Mutex<Vec<GrantedToken>>>;

fn twitch_credentials(
    mock: &MockServer,
    grant: &GrantedToken,
    user: &str,
) -> (Credentials, Persisted) {
    let persisted: Persisted = Arc::default();
    let sink = persisted.clone();
    let token = UserToken::new(
        Platform::Twitch,
        grant.clone(),
        &mock.credentials().twitch_client_id,
    )
    .user_id(user)
    .login(mock.user(user).unwrap().login)
    .endpoints_at(mock.base_url())
    .on_refresh(Arc::new(move |g: &GrantedToken| {
        sink.lock().unwrap().push(g.clone())
    }));
    (
        Credentials::new().with_user_token(token).unwrap(),
        persisted,
    )
}

fn config(mock: &MockServer, credentials: Credentials) -> Config {
    Config::builder()
        .base_url(mock.base_url())
        .credentials(credentials)
        .build()
        .unwrap()
}

/// The signed-in user's block list on `api`: the acting user is the token's.
async fn own_block_list(config: &Config, api: Api) -> Box<dyn BlockList> {
    config
        .block_list(api, config.acting_user(api, None).unwrap())
        .await
        .unwrap()
}

fn secrets(grant: &GrantedToken) -> Vec<String> {
    let mut out = vec![grant.access_token.expose_secret().to_string()];
    out.extend(
        grant
            .refresh_token
            .as_ref()
            .map(|r| r.expose_secret().to_string()),
    );
    out
}

fn assert_no_secret(text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "a secret leaked into: {text}");
    }
}

#[tokio::test]
async fn a_device_login_gives_a_token_whose_user_is_the_acting_user_without_being_named() {
    let mock = mock(SignInConfig::without_waits()).await;
    let user = mock.nth_user(11).unwrap();
    let grant = twitch_login(&mock, &user.id, &TWITCH_SCOPES).await;
    let v = validate_twitch(
        &reqwest::Client::new(),
        &format!("{}/validate", mock.twitch_id_url()),
        grant.access_token.expose_secret(),
    )
    .await
    .unwrap();
    assert_eq!(v.user_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(v.login.as_deref(), Some(user.login.as_str()));
    let (credentials, _) = twitch_credentials(&mock, &grant, &user.id);
    let config = config(&mock, credentials);
    mock.seed_blocks(Platform::Twitch, &user.id, 500, 3);
    // No user given: the token's.
    let acting = config.acting_user(Api::TwitchHelix, None).unwrap();
    assert_eq!(acting, Some(Target::id(&user.id).unwrap()));
    let list = config.block_list(Api::TwitchHelix, acting).await.unwrap();
    let got: Vec<_> = list.blocked().try_collect().await.unwrap();
    assert_eq!(got.len(), 3);
    // The same user named by ID or login is fine; another is refused, naming both.
    config
        .acting_user(Api::TwitchHelix, Some(Target::login(&user.login).unwrap()))
        .unwrap();
    let e = config
        .acting_user(Api::TwitchHelix, Some(Target::id("12345").unwrap()))
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("12345")
            && shown.contains(&user.id)
            && shown.contains("blockbind auth login"),
        "{shown}"
    );
    assert_no_secret(
        &format!("{shown} {e:?} {config:?} {:?}", config.credentials()),
        &secrets(&grant),
    );
}

#[tokio::test]
async fn a_denied_and_an_expired_device_code_end_the_login_with_what_happened() {
    let mock = mock(SignInConfig::without_waits()).await;
    let http = reqwest::Client::new();
    let client_id = mock.credentials().twitch_client_id.clone();
    let id_url = mock.twitch_id_url();
    let code = sign_in::twitch_device_code(&http, &id_url, &client_id, &TWITCH_SCOPES)
        .await
        .unwrap();
    assert!(!format!("{code:?}").contains("device_code\": \""));
    assert!(mock.deny_device(&code.user_code));
    let e = sign_in::twitch_poll_device(&http, &id_url, &client_id, &TWITCH_SCOPES, &code)
        .await
        .unwrap_err();
    assert!(matches!(e, SignInError::Denied), "{e:?}");

    let expiring = self::mock(SignInConfig {
        device_code_secs: 0,
        ..SignInConfig::without_waits()
    })
    .await;
    let id_url = expiring.twitch_id_url();
    let code = sign_in::twitch_device_code(&http, &id_url, &client_id, &TWITCH_SCOPES)
        .await
        .unwrap();
    let e = sign_in::twitch_poll_device(&http, &id_url, &client_id, &TWITCH_SCOPES, &code)
        .await
        .unwrap_err();
    assert!(matches!(e, SignInError::Expired), "{e:?}");
    assert!(e.to_string().contains("expired"), "{e}");
}

#[tokio::test]
async fn an_expired_token_is_refreshed_after_its_401_and_the_new_pair_persisted_first() {
    // Each access token works for two requests: a three-page list needs one refresh.
    let mock = mock(SignInConfig {
        token_max_uses: Some(2),
        ..SignInConfig::without_waits()
    })
    .await;
    let me = mock.credentials().twitch_user_id.clone();
    let grant = twitch_login(&mock, &me, &TWITCH_SCOPES).await;
    let (credentials, persisted) = twitch_credentials(&mock, &grant, &me);
    mock.seed_blocks(Platform::Twitch, &me, 1_000, 250);
    let config = config(&mock, credentials);
    let list = own_block_list(&config, Api::TwitchHelix).await;
    let got: Vec<_> = list.blocked().try_collect().await.unwrap();
    assert_eq!(got.len(), 250);
    let persisted = persisted.lock().unwrap().clone();
    assert_eq!(persisted.len(), 1, "one refresh, persisted once");
    let old_refresh = grant
        .refresh_token
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_string();
    let new_refresh = persisted[0]
        .refresh_token
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_string();
    assert_ne!(new_refresh, old_refresh);
    // The old refresh token is spent (single use); the persisted one is the live one.
    let form = |r: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", r)
            .append_pair("client_id", &mock.credentials().twitch_client_id)
            .finish()
    };
    let post = |body: String| {
        reqwest::Client::new()
            .post(format!("{}/token", mock.twitch_id_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    assert_eq!(
        post(form(&old_refresh)).await.unwrap().status().as_u16(),
        400
    );
    assert_eq!(
        post(form(&new_refresh)).await.unwrap().status().as_u16(),
        200
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_fails_asking_for_a_new_sign_in_without_a_secret() {
    let mock = mock(SignInConfig {
        token_max_uses: Some(1),
        ..SignInConfig::without_waits()
    })
    .await;
    let me = mock.credentials().twitch_user_id.clone();
    let grant = twitch_login(&mock, &me, &TWITCH_SCOPES).await;
    mock.revoke(grant.refresh_token.as_ref().unwrap().expose_secret());
    let (credentials, persisted) = twitch_credentials(&mock, &grant, &me);
    mock.seed_blocks(Platform::Twitch, &me, 1_000, 250);
    let config = config(&mock, credentials);
    let list = own_block_list(&config, Api::TwitchHelix).await;
    let e = list.blocked().try_collect::<Vec<_>>().await.unwrap_err();
    let token = config.credentials().user_token(Platform::Twitch).unwrap();
    assert!(token.login_required(), "{e}");
    assert!(persisted.lock().unwrap().is_empty());
    assert_no_secret(&format!("{e} {e:?} {token:?}"), &secrets(&grant));
}

#[tokio::test]
async fn a_scope_the_token_lacks_is_reported_before_sending() {
    let mock = mock(SignInConfig::without_waits()).await;
    let me = mock.credentials().twitch_user_id.clone();
    let grant = twitch_login(&mock, &me, &["user:read:blocked_users"]).await;
    let (credentials, _) = twitch_credentials(&mock, &grant, &me);
    let config = config(&mock, credentials);
    let list = own_block_list(&config, Api::TwitchHelix).await;
    let before = mock.requests(blockbind_mock::Api::TwitchHelix, "block_user");
    let e = list
        .block(Target::id("12826").unwrap(), BlockOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("user:manage:blocked_users"), "{e}");
    assert_eq!(
        mock.requests(blockbind_mock::Api::TwitchHelix, "block_user"),
        before
    );
}

/// Follows the authorize URL on the mock to its redirect, rewritten by `tamper`, and delivers
/// it to the loopback listener as a browser would.
async fn follow(url: url::Url, tamper: fn(url::Url) -> url::Url) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client.get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let _ = client.get(tamper(location)).send().await;
}

async fn x_login(
    mock: &MockServer,
    token_url: &str,
    tamper: fn(url::Url) -> url::Url,
) -> Result<GrantedToken, SignInError> {
    let http = reqwest::Client::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let follower = tokio::spawn(async move {
        if let Ok(url) = rx.await {
            follow(url, tamper).await;
        }
    });
    let result = sign_in::pkce_loopback(
        &http,
        &mock.x_authorize_url(),
        token_url,
        &mock.credentials().x_client_id,
        None,
        &X_SCOPES,
        |url| {
            let _ = tx.send(url.clone());
        },
    )
    .await;
    follower.await.unwrap();
    result
}

#[tokio::test]
async fn an_x_pkce_login_completed_through_the_redirect_gives_the_user_a_refreshable_token() {
    let mock = mock(SignInConfig::without_waits()).await;
    let user = mock.nth_user(5).unwrap();
    mock.authorize_as(&user.id).unwrap();
    let grant = x_login(&mock, &mock.x_token_url(), |u| u).await.unwrap();
    assert!(grant.refresh_token.is_some());
    assert_eq!(grant.scopes.len(), 5);
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/2/users/me", mock.base_url()))
        .bearer_auth(grant.access_token.expose_secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["id"], user.id.as_str());
    let token = UserToken::new(Platform::X, grant.clone(), &mock.credentials().x_client_id)
        .user_id(&user.id)
        .endpoints_at(mock.base_url());
    assert_no_secret(&format!("{token:?} {grant:?}"), &secrets(&grant));
    let config = config(&mock, Credentials::new().with_user_token(token).unwrap());
    let list = own_block_list(&config, Api::XV2).await;
    let target = mock.nth_user(77).unwrap();
    list.block(Target::id(&target.id).unwrap(), BlockOptions::default())
        .await
        .unwrap();
    assert_eq!(mock.blocked(Platform::X, &user.id), vec![target.id]);
}

#[tokio::test]
async fn a_forged_state_a_denial_and_a_garbage_token_answer_each_end_the_x_login() {
    let mock = mock(SignInConfig::without_waits()).await;
    let forged = x_login(&mock, &mock.x_token_url(), |mut u| {
        let pairs: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        u.query_pairs_mut().clear();
        for (k, v) in pairs {
            let v = if k == "state" {
                "forged".to_string()
            } else {
                v
            };
            u.query_pairs_mut().append_pair(&k, &v);
        }
        u
    })
    .await
    .unwrap_err();
    assert!(matches!(forged, SignInError::StateMismatch), "{forged:?}");

    mock.deny_next_authorization();
    let denied = x_login(&mock, &mock.x_token_url(), |u| u)
        .await
        .unwrap_err();
    assert!(matches!(denied, SignInError::Denied), "{denied:?}");

    let garbage = common::CaptureServer::start(200, "<html>not json</html>").await;
    let e = x_login(&mock, &format!("{}/2/oauth2/token", garbage.base), |u| u)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a token response"), "{e}");
}

#[tokio::test]
async fn a_twitch_token_is_validated_before_its_first_request_and_refreshed_when_invalid() {
    let mock = mock(SignInConfig::without_waits()).await;
    let me = mock.credentials().twitch_user_id.clone();
    let grant = twitch_login(&mock, &me, &TWITCH_SCOPES).await;
    // Revoked before the first request: the validation at start finds it, not the API.
    mock.revoke(grant.access_token.expose_secret());
    let (credentials, persisted) = twitch_credentials(&mock, &grant, &me);
    mock.seed_blocks(Platform::Twitch, &me, 1_000, 3);
    let config = config(&mock, credentials);
    let list = own_block_list(&config, Api::TwitchHelix).await;
    let got: Vec<_> = list.blocked().try_collect().await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(
        persisted.lock().unwrap().len(),
        1,
        "refreshed once, persisted"
    );
    // One list request reached the API, and it carried the refreshed token: no 401 on the way.
    assert_eq!(
        mock.requests(blockbind_mock::Api::TwitchHelix, "get_user_block_list"),
        1
    );
    assert_eq!(mock.responses_with_status(401), 0);
}

#[tokio::test]
async fn the_device_poll_slows_down_when_asked_and_sends_the_device_grant_as_twitch_documents() {
    // A server that hands out a device code, answers the first poll `slow_down`, then grants.
    let server = common::CaptureServer::script(vec![
        common::response(
            200,
            &[],
            r#"{"device_code":"dc-secret-0123456789","expires_in":1800,"interval":0,"user_code":"ABCDEFGH","verification_uri":"https://www.twitch.tv/activate"}"#,
        ),
        common::response(400, &[], r#"{"status":400,"message":"slow_down"}"#),
        common::response(
            200,
            &[],
            r#"{"access_token":"at-0123456789abcdef","expires_in":14400,"refresh_token":"rt-0123456789abcdef","scope":["user:read:blocked_users"],"token_type":"bearer"}"#,
        ),
    ])
    .await;
    let http = reqwest::Client::new();
    let id_url = format!("{}/oauth2", server.base);
    let scopes = ["user:read:blocked_users"];
    let code = sign_in::twitch_device_code(&http, &id_url, "cid", &scopes)
        .await
        .unwrap();
    assert!(!format!("{code:?}").contains("dc-secret"), "{code:?}");
    let grant = sign_in::twitch_poll_device(&http, &id_url, "cid", &scopes, &code)
        .await
        .unwrap();
    assert_eq!(grant.scopes, ["user:read:blocked_users"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "one device request, two polls");
    let form = |i: usize| -> Vec<(String, String)> {
        url::form_urlencoded::parse(&requests[i].body)
            .into_owned()
            .collect()
    };
    assert_eq!(requests[0].path(), "/oauth2/device");
    assert!(form(0).contains(&("scopes".into(), "user:read:blocked_users".into())));
    for poll in [1, 2] {
        assert_eq!(requests[poll].path(), "/oauth2/token");
        let f = form(poll);
        assert!(f.contains(&("device_code".into(), "dc-secret-0123456789".into())));
        assert!(f.contains(&(
            "grant_type".into(),
            "urn:ietf:params:oauth:grant-type:device_code".into()
        )));
        assert!(f.contains(&("client_id".into(), "cid".into())));
    }
    assert_no_secret(
        &format!("{grant:?}"),
        &["at-0123456789abcdef".into(), "rt-0123456789abcdef".into()],
    );
}

#[tokio::test]
async fn an_x_token_rotates_on_refresh_and_the_new_pair_is_persisted_before_use() {
    let mock = mock(SignInConfig {
        token_max_uses: Some(1),
        ..SignInConfig::without_waits()
    })
    .await;
    let user = mock.nth_user(6).unwrap();
    mock.authorize_as(&user.id).unwrap();
    let grant = x_login(&mock, &mock.x_token_url(), |u| u).await.unwrap();
    let persisted: Persisted = Arc::default();
    let sink = persisted.clone();
    let token = UserToken::new(Platform::X, grant.clone(), &mock.credentials().x_client_id)
        .user_id(&user.id)
        .endpoints_at(mock.base_url())
        .on_refresh(Arc::new(move |g: &GrantedToken| {
            sink.lock().unwrap().push(g.clone())
        }));
    let config = config(&mock, Credentials::new().with_user_token(token).unwrap());
    let list = own_block_list(&config, Api::XV2).await;
    let targets: Vec<String> = (0..3).map(|n| mock.nth_user(300 + n).unwrap().id).collect();
    for t in &targets {
        list.block(Target::id(t).unwrap(), BlockOptions::default())
            .await
            .unwrap();
    }
    // One use per token: three blocks, two refreshes, each new pair persisted.
    let persisted = persisted.lock().unwrap().clone();
    assert_eq!(persisted.len(), 2);
    let mut refresh: Vec<String> = persisted
        .iter()
        .map(|g| {
            g.refresh_token
                .as_ref()
                .unwrap()
                .expose_secret()
                .to_string()
        })
        .collect();
    refresh.push(
        grant
            .refresh_token
            .as_ref()
            .unwrap()
            .expose_secret()
            .to_string(),
    );
    refresh.sort();
    refresh.dedup();
    assert_eq!(refresh.len(), 3, "every refresh rotated the refresh token");
    for t in &targets {
        assert_eq!(mock.blocks_applied(Platform::X, &user.id, t), 1);
    }
}

/// X's confidential client, on the wire: the refresh and the code exchange both carry
/// `Authorization: Basic base64(client_id:client_secret)` (each form-encoded first, RFC 6749
/// §2.3.1) and no `client_secret` in the form; a refusal's error, and every `Debug`, show no
/// secret.
#[tokio::test]
async fn an_x_confidential_client_sends_its_secret_as_basic_on_the_token_endpoint_and_nowhere_else()
{
    use base64::Engine as _;
    const CLIENT_ID: &str = "x-client-id";
    const SECRET: &str = "x-s3cret:with+chars";
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("x-client-id:x-s3cret%3Awith%2Bchars")
    );
    assert_eq!(
        expected,
        "Basic eC1jbGllbnQtaWQ6eC1zM2NyZXQlM0F3aXRoJTJCY2hhcnM="
    );
    let granted = common::response(
        200,
        &[],
        r#"{"token_type":"bearer","access_token":"at-new-0123456789","refresh_token":"rt-new-0123456789","expires_in":7200,"scope":"block.read"}"#,
    );
    let refused = common::response(
        401,
        &[],
        r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
    );
    let http = reqwest::Client::new();
    let grant = GrantedToken {
        access_token: "at-old-0123456789".to_string().into(),
        refresh_token: Some("rt-old-0123456789".to_string().into()),
        expires_in: Some(std::time::Duration::ZERO), // expired: refreshed before use
        scopes: vec!["block.read".into()],
    };
    let user_token = |origin: &str| {
        UserToken::new(Platform::X, grant.clone(), CLIENT_ID)
            .client_secret(SECRET)
            .endpoints_at(origin)
    };
    let check = |request: &common::CapturedRequest, grant_type: &str| {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path(), "/2/oauth2/token");
        assert_eq!(request.header("authorization"), Some(expected.as_str()));
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
        assert!(
            form.contains(&("grant_type".into(), grant_type.into())),
            "{form:?}"
        );
        assert!(
            form.iter()
                .all(|(k, v)| k != "client_secret" && v != SECRET),
            "the secret is in the form: {form:?}"
        );
        let body = String::from_utf8_lossy(&request.body);
        assert!(!body.contains("s3cret"), "{body}");
    };

    // The refresh.
    let server = common::CaptureServer::script(vec![granted.clone()]).await;
    let token = user_token(&server.base);
    assert_no_secret(&format!("{token:?}"), &[SECRET.into()]);
    let credentials = Credentials::new().with_user_token(token).unwrap();
    assert_no_secret(&format!("{credentials:?}"), &[SECRET.into()]);
    let signed_in = credentials.user_token(Platform::X).unwrap().clone();
    let access = signed_in.access_token(&http).await.unwrap();
    assert_eq!(access.expose_secret(), "at-new-0123456789");
    check(&server.take_one(), "refresh_token");
    assert_no_secret(&format!("{signed_in:?}"), &[SECRET.into()]);

    // A refused refresh: the error names the refusal, not the secret.
    let server = common::CaptureServer::script(vec![refused.clone()]).await;
    let credentials = Credentials::new()
        .with_user_token(user_token(&server.base))
        .unwrap();
    let e = credentials
        .user_token(Platform::X)
        .unwrap()
        .access_token(&http)
        .await
        .unwrap_err();
    check(&server.take_one(), "refresh_token");
    assert!(e.to_string().contains("invalid_client"), "{e}");
    assert_no_secret(&format!("{e} {e:?}"), &[SECRET.into(), "s3cret".into()]);

    // The code exchange (the oauth2 crate's request).
    for (answer, ok) in [(granted, true), (refused, false)] {
        let server = common::CaptureServer::script(vec![answer]).await;
        let authorization = blockbind::runtime::oauth2::pkce_authorization_url(
            "https://x.com/i/oauth2/authorize",
            CLIENT_ID,
            "http://127.0.0.1/callback",
            &X_SCOPES,
        )
        .unwrap();
        let exchanged = blockbind::runtime::oauth2::exchange_code_grant(
            &http,
            &format!("{}/2/oauth2/token", server.base),
            CLIENT_ID,
            Some(SECRET),
            "http://127.0.0.1/callback",
            authorization,
            "the-code",
        )
        .await;
        check(&server.take_one(), "authorization_code");
        match exchanged {
            Ok(g) => {
                assert!(ok);
                assert_eq!(g.access_token.expose_secret(), "at-new-0123456789");
            }
            Err(e) => {
                assert!(!ok, "{e}");
                assert!(e.to_string().contains("invalid_client"), "{e}");
                assert_no_secret(&format!("{e} {e:?}"), &[SECRET.into(), "s3cret".into()]);
            }
        }
    }
}
