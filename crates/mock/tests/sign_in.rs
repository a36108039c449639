//! Signing in on the mock as on the platforms: Twitch's device code grant flow (approved, denied,
//! expired, polled too fast; single-use refresh tokens; validate; revoke) and X's authorization
//! code flow with PKCE (the redirect, the verifier checked, rotating refresh tokens, revoke), with
//! tokens that expire and that the API routes accept as their user's.

use base64::Engine;
use blockbind_mock::{Api, MockConfig, MockServer, Platform, SignInConfig};
use serde_json::Value;
use sha2::Digest;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(url: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let r = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn mock(sign_in: SignInConfig) -> MockServer {
    MockServer::start(MockConfig {
        sign_in,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const SCOPES: &str = "user:read:blocked_users user:manage:blocked_users";

async fn device(mock: &MockServer) -> (String, String) {
    let client_id = mock.credentials().twitch_client_id.clone();
    let (status, body) = post(
        &format!("{}/device", mock.twitch_id_url()),
        &[("client_id", &client_id), ("scopes", SCOPES)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["verification_uri"]
            .as_str()
            .unwrap()
            .contains("/activate")
    );
    assert!(body["expires_in"].as_u64().is_some() && body["interval"].as_u64().is_some());
    (
        body["device_code"].as_str().unwrap().to_string(),
        body["user_code"].as_str().unwrap().to_string(),
    )
}

async fn poll(mock: &MockServer, device_code: &str) -> (u16, Value) {
    let client_id = mock.credentials().twitch_client_id.clone();
    post(
        &format!("{}/token", mock.twitch_id_url()),
        &[
            ("client_id", &client_id),
            ("scopes", SCOPES),
            ("device_code", device_code),
            ("grant_type", DEVICE_GRANT),
        ],
    )
    .await
}

async fn helix_list(mock: &MockServer, token: &str, user: &str) -> u16 {
    client()
        .get(format!(
            "{}/users/blocks?broadcaster_id={user}",
            mock.url(Api::TwitchHelix)
        ))
        .header("Authorization", format!("Bearer {token}"))
        .header("Client-Id", &mock.credentials().twitch_client_id)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_approved_device_code_gives_a_token_the_api_accepts_as_its_user() {
    let mock = mock(SignInConfig::without_waits()).await;
    let (code, user_code) = device(&mock).await;
    assert_eq!(
        poll(&mock, &code).await,
        (
            400,
            serde_json::json!({"status": 400, "message": "authorization_pending"})
        )
    );
    let user = mock.nth_user(7).unwrap();
    assert!(mock.approve_device(&user_code, &user.id).unwrap());
    let (status, token) = poll(&mock, &code).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["token_type"], "bearer");
    assert_eq!(
        token["scope"],
        serde_json::json!(["user:manage:blocked_users", "user:read:blocked_users"])
    );
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(helix_list(&mock, access, &user.id).await, 200);
    // Another user's list refuses it: the token is the approving user's.
    assert_eq!(
        helix_list(&mock, access, &mock.credentials().twitch_user_id).await,
        401
    );
    // Validate names the user, scopes and the time left.
    let v: Value = client()
        .get(format!("{}/validate", mock.twitch_id_url()))
        .header("Authorization", format!("OAuth {access}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v["user_id"].as_str(), v["login"].as_str()),
        (Some(user.id.as_str()), Some(user.login.as_str()))
    );
    assert!(v["expires_in"].as_u64().unwrap() <= 14_400);
    // The code is spent.
    assert_eq!(poll(&mock, &code).await.1["message"], "invalid device code");
}

#[tokio::test]
async fn a_denied_an_expired_and_a_too_eager_device_code_are_answered_as_twitch_does() {
    let mock = mock(SignInConfig::without_waits()).await;
    let (code, user_code) = device(&mock).await;
    assert!(mock.deny_device(&user_code));
    assert_eq!(poll(&mock, &code).await.1["message"], "access_denied");

    let expiring = mock_with(SignInConfig {
        device_code_secs: 0,
        ..SignInConfig::without_waits()
    })
    .await;
    let (code, _) = device(&expiring).await;
    assert_eq!(poll(&expiring, &code).await.1["message"], "expired_token");

    let slow = mock_with(SignInConfig {
        device_interval_secs: 3600,
        ..SignInConfig::default()
    })
    .await;
    let (code, _) = device(&slow).await;
    assert_eq!(
        poll(&slow, &code).await.1["message"],
        "authorization_pending"
    );
    assert_eq!(poll(&slow, &code).await.1["message"], "slow_down");
}

async fn mock_with(config: SignInConfig) -> MockServer {
    mock(config).await
}

#[tokio::test]
async fn a_twitch_refresh_token_works_once_and_revoke_ends_a_token() {
    let mock = mock(SignInConfig {
        token_max_uses: Some(2),
        ..SignInConfig::without_waits()
    })
    .await;
    let (code, user_code) = device(&mock).await;
    let me = mock.credentials().twitch_user_id.clone();
    mock.approve_device(&user_code, &me).unwrap();
    let token = poll(&mock, &code).await.1;
    let access = token["access_token"].as_str().unwrap().to_string();
    let refresh = token["refresh_token"].as_str().unwrap().to_string();
    // Short-lived: two uses, then refused.
    assert_eq!(helix_list(&mock, &access, &me).await, 200);
    assert_eq!(helix_list(&mock, &access, &me).await, 200);
    assert_eq!(helix_list(&mock, &access, &me).await, 401);
    let client_id = mock.credentials().twitch_client_id.clone();
    let refresh_form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", client_id.as_str()),
    ];
    let token_url = format!("{}/token", mock.twitch_id_url());
    let (status, fresh) = post(&token_url, &refresh_form).await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["refresh_token"].as_str().unwrap(), refresh);
    let fresh_access = fresh["access_token"].as_str().unwrap().to_string();
    assert_eq!(helix_list(&mock, &fresh_access, &me).await, 200);
    // Single use.
    assert_eq!(
        post(&token_url, &refresh_form).await,
        (
            400,
            serde_json::json!({"status": 400, "message": "Invalid refresh token"})
        )
    );
    // Revoke.
    let revoke_url = format!("{}/revoke", mock.twitch_id_url());
    assert_eq!(
        post(
            &revoke_url,
            &[("client_id", &client_id), ("token", &fresh_access)]
        )
        .await
        .0,
        200
    );
    assert_eq!(helix_list(&mock, &fresh_access, &me).await, 401);
    assert_eq!(
        post(&revoke_url, &[("client_id", &client_id), ("token", "nope")])
            .await
            .0,
        400
    );
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// Follows the authorize URL to the redirect and returns its query.
async fn authorize(mock: &MockServer, verifier: &str, redirect: &str) -> Vec<(String, String)> {
    let mut url = url::Url::parse(&mock.x_authorize_url()).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &mock.credentials().x_client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair(
            "scope",
            "users.read tweet.read block.read block.write offline.access",
        )
        .append_pair("state", "st4te")
        .append_pair("code_challenge", &challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect));
    location.query_pairs().into_owned().collect()
}

/// What X v2's `GET /2/users/me` answers to `access`.
async fn x_me(mock: &MockServer, access: &str) -> reqwest::Response {
    client()
        .get(format!("{}/2/users/me", mock.base_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
}

/// The status of a POST to the mock's sign-in hook `/mock/sign-in/{path}` (what a test of a mock
/// run as a binary uses instead of the in-process calls).
async fn hook(mock: &MockServer, path: &str) -> u16 {
    client()
        .post(format!("{}/mock/sign-in/{path}", mock.base_url()))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn get<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn x_pkce_checks_the_verifier_and_rotates_refresh_tokens() {
    let mock = mock(SignInConfig::without_waits()).await;
    let redirect = "http://127.0.0.1:9/callback";
    let verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
    let user = mock.nth_user(3).unwrap();
    mock.authorize_as(&user.id).unwrap();
    let q = authorize(&mock, verifier, redirect).await;
    assert_eq!(get(&q, "state"), Some("st4te"));
    let code = get(&q, "code").unwrap().to_string();
    let client_id = mock.credentials().x_client_id.clone();
    let token_url = mock.x_token_url();
    let exchange = |code: String, verifier: &'static str| {
        let client_id = client_id.clone();
        let token_url = token_url.clone();
        async move {
            post(
                &token_url,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    // A wrong verifier is refused, and the code is spent by the attempt.
    let (status, body) = exchange(
        code.clone(),
        "wrong-verifier-wrong-verifier-wrong-verifier-00",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let code = get(&authorize(&mock, verifier, redirect).await, "code")
        .unwrap()
        .to_string();
    let (status, token) = exchange(
        code,
        "a-verifier-of-at-least-forty-three-characters-0123456789",
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let access = token["access_token"].as_str().unwrap().to_string();
    let refresh = token["refresh_token"].as_str().unwrap().to_string();
    let me: Value = x_me(&mock, &access).await.json().await.unwrap();
    assert_eq!(me["data"]["id"], user.id.as_str());
    let list = client()
        .get(format!("{}/users/{}/blocking", mock.url(Api::XV2), user.id))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status().as_u16(), 200);
    // Rotation: the new refresh token works, the old one no longer.
    let refresh_form = |r: &str| {
        vec![
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("refresh_token".to_string(), r.to_string()),
            ("client_id".to_string(), client_id.clone()),
        ]
    };
    let f = refresh_form(&refresh);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (status, rotated) = post(&token_url, &f).await;
    assert_eq!(status, 200, "{rotated}");
    assert_ne!(rotated["refresh_token"].as_str().unwrap(), refresh);
    assert_eq!(post(&token_url, &f).await.0, 400);
    // Revoke ends the rotated access token.
    let new_access = rotated["access_token"].as_str().unwrap();
    assert_eq!(
        post(
            &mock.x_revoke_url(),
            &[("token", new_access), ("client_id", &client_id)]
        )
        .await,
        (200, serde_json::json!({"revoked": true}))
    );
    assert_eq!(x_me(&mock, new_access).await.status().as_u16(), 401);
    assert!(mock.blocked(Platform::X, &user.id).is_empty());
}

#[tokio::test]
async fn a_denied_authorization_redirects_with_an_error_and_a_bad_client_gets_no_redirect() {
    let mock = mock(SignInConfig::without_waits()).await;
    mock.deny_next_authorization();
    let q = authorize(&mock, "v".repeat(43).as_str(), "http://127.0.0.1:9/cb").await;
    assert_eq!(
        (get(&q, "error"), get(&q, "state"), get(&q, "code")),
        (Some("access_denied"), Some("st4te"), None)
    );
    let r = client()
        .get(format!(
            "{}?client_id=nobody&redirect_uri=http://127.0.0.1:9/cb",
            mock.x_authorize_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // The HTTP hooks, for a mock run as a binary.
    assert_eq!(hook(&mock, "authorize?deny=true").await, 204);
    let q = authorize(&mock, "v".repeat(43).as_str(), "http://127.0.0.1:9/cb").await;
    assert_eq!(get(&q, "error"), Some("access_denied"));
    let q = authorize(&mock, "v".repeat(43).as_str(), "http://127.0.0.1:9/cb").await;
    assert!(get(&q, "code").is_some());
    let (code, user_code) = device(&mock).await;
    assert_eq!(
        hook(&mock, &format!("device?user_code={user_code}")).await,
        204
    );
    assert_eq!(poll(&mock, &code).await.0, 200);
}
