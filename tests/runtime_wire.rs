//! The shared runtime as every generated client uses it, proven on the wire: headers per auth
//! scheme, no `api-version`, bounds and credentials refused before sending, OAuth 1.0a signatures,
//! rate-limit pacing, 429 and 5xx retries and redirects. (No secret in any output: tests/secrets_in_traces.rs.)

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use blockbind_runtime::{
    ApiError, Auth, OAuth1Credentials, OAuth2UserToken, RequestError, RetryPolicy, Runtime,
};
use common::secrets::{
    APP_TOKEN, CONSUMER_SECRET, HELIX_TOKEN, KRAKEN_TOKEN, TOKEN_SECRET, X_TOKEN,
};
use common::{CaptureServer, response};

fn helix_runtime() -> Runtime {
    Runtime::new(
        Auth::user_token(HELIX_TOKEN)
            .and_then(|a| a.with_api_key("clientid42"))
            .unwrap(),
    )
}

fn x_runtime() -> Runtime {
    Runtime::new(Auth::oauth2_user(OAuth2UserToken::new(X_TOKEN).unwrap()))
}

fn unix_in(secs: u64) -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + secs
}

const HELIX_PAGE: &str = r#"{"data":[{"user_id":"135093069","user_login":"bluelava","display_name":"BlueLava"}],"pagination":{}}"#;

#[tokio::test]
async fn helix_sends_bearer_and_client_id_and_no_api_version() {
    let server = CaptureServer::start(200, HELIX_PAGE).await;
    let client =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), helix_runtime());
    let page = client
        .get_user_block_list()
        .broadcaster_id("141981764")
        .send()
        .await
        .unwrap();
    assert_eq!(page.data[0].user_login, "bluelava");
    let r = server.take_one();
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {HELIX_TOKEN}").as_str())
    );
    assert_eq!(r.header("client-id"), Some("clientid42"));
    assert_eq!(r.header("api-version"), None);
    assert!(
        !String::from_utf8_lossy(&r.raw)
            .to_ascii_lowercase()
            .contains("api-version")
    );
}

#[tokio::test]
async fn kraken_sends_oauth_prefix_client_id_and_the_version_accept_header() {
    let server = CaptureServer::start(204, "").await;
    let auth = Auth::user_token(KRAKEN_TOKEN)
        .and_then(|a| a.with_api_key("clientid42"))
        .unwrap();
    let v5 = blockbind_twitch_kraken_v5::Client::new(
        &format!("{}/kraken", server.base),
        Runtime::new(auth.clone()),
    );
    let _ = v5
        .unblock_user()
        .user_id("44322889")
        .target_user_id("13460644")
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        r.header("authorization"),
        Some(format!("OAuth {KRAKEN_TOKEN}").as_str())
    );
    assert_eq!(r.header("client-id"), Some("clientid42"));
    assert_eq!(r.header("accept"), Some("application/vnd.twitchtv.v5+json"));

    let v2 = blockbind_twitch_kraken_v2::Client::new(
        &format!("{}/kraken", server.base),
        Runtime::new(auth),
    );
    let _ = v2
        .unblock_user()
        .user("test_user1")
        .target("test_user_troll")
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(r.header("accept"), Some("application/vnd.twitchtv.v2+json"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("OAuth {KRAKEN_TOKEN}").as_str())
    );
}

#[tokio::test]
async fn bounds_progenitor_ignores_are_refused_before_sending() {
    let server = CaptureServer::start(200, "{}").await;
    let x = blockbind_x_v2::Client::new(&format!("{}/2", server.base), x_runtime());
    let err = x
        .get_users_blocking()
        .id("2244994945")
        .max_results(5000u32)
        .send()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("max_results") && msg.contains("5000") && msg.contains("1..=1000"),
        "{msg}"
    );

    let helix =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), helix_runtime());
    let err = helix
        .get_user_block_list()
        .broadcaster_id("1")
        .first(101u32)
        .send()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("first") && msg.contains("101") && msg.contains("1..=100"),
        "{msg}"
    );

    let kraken = blockbind_twitch_kraken_v5::Client::new(
        &format!("{}/kraken", server.base),
        Runtime::new(
            Auth::user_token("t")
                .and_then(|a| a.with_api_key("c"))
                .unwrap(),
        ),
    );
    let err = kraken
        .get_user_block_list()
        .user_id("1")
        .limit(250u64)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");

    let err = x
        .get_users_blocking()
        .id("2244994945")
        .pagination_token("short")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pagination_token"), "{err}");

    // The typed error survives the generated client's `Error::Custom`.
    let err = ApiError::from(
        helix
            .get_user_block_list()
            .broadcaster_id("1")
            .first(101u32)
            .send()
            .await
            .unwrap_err(),
    );
    match &err {
        ApiError::Refused(RequestError::OutOfRange {
            parameter,
            value,
            bound,
            ..
        }) => {
            assert_eq!((parameter.as_str(), value.as_str()), ("first", "101"));
            assert_eq!((bound.min, bound.max), (Some(1), Some(100)));
        }
        other => panic!("expected a typed out-of-range refusal, got {other:?}"),
    }
    assert!(err.nothing_sent());
    assert!(server.requests().is_empty(), "nothing may reach the wire");
}

#[test]
fn control_characters_in_credentials_are_refused() {
    for bad in ["s3cr3tv4lue\r\nX-Evil: 1", "s3cr3t\nv4lue", "s3cr3t\0", ""] {
        assert!(matches!(
            Auth::user_token(bad).and_then(|a| a.with_api_key("client")),
            Err(RequestError::InvalidHeaderValue { .. } | RequestError::EmptyCredential { .. })
        ));
        assert!(
            Auth::user_token("token")
                .and_then(|a| a.with_api_key(bad))
                .is_err()
        );
        assert!(OAuth2UserToken::new(bad).is_err());
        assert!(Auth::app_token(bad).is_err());
        assert!(OAuth1Credentials::new("ck", "cs", bad, "ts").is_err());
    }
    let err = Auth::user_token("s3cr3tv4lue\r\nX-Evil: 1")
        .and_then(|a| a.with_api_key("client"))
        .unwrap_err();
    assert!(
        !err.to_string().contains("s3cr3t"),
        "the message must not echo the value: {err}"
    );
}

#[tokio::test]
async fn an_app_only_token_on_a_user_context_endpoint_is_refused_naming_the_needed_kind() {
    let server = CaptureServer::start(200, "{}").await;
    let runtime = Runtime::new(Auth::app_token(APP_TOKEN).unwrap());
    let client = blockbind_x_v2::Client::new(&format!("{}/2", server.base), runtime);
    let err = client
        .get_users_blocking()
        .id("2244994945")
        .send()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("user-context") && msg.contains("app-only"),
        "{msg}"
    );
    assert!(!msg.contains(APP_TOKEN));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_missing_declared_scope_is_refused_before_sending() {
    let server = CaptureServer::start(200, "{}").await;
    let auth = Auth::oauth2_user(OAuth2UserToken::new(X_TOKEN).unwrap()).with_scopes([
        "tweet.read",
        "users.read",
        "block.read",
    ]);
    let client = blockbind_x_v2::Client::new(&format!("{}/2", server.base), Runtime::new(auth));
    let err = client
        .unblock_user()
        .source_user_id("2244994945")
        .target_user_id("783214")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("block.write"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let client = blockbind_x_v2::Client::new("http://api.x.com/2", x_runtime());
    let err = client
        .get_users_blocking()
        .id("2244994945")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
}

/// The signature X's reference page publishes, reproduced exactly.
#[test]
fn oauth1_reproduces_the_published_reference_signature() {
    let creds = OAuth1Credentials::new(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
    .unwrap();
    let header = creds
        .sign(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json",
            &[
                ("include_entities".into(), "true".into()),
                (
                    "status".into(),
                    "Hello Ladies + Gentlemen, a signed OAuth request!".into(),
                ),
            ],
            Some("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            Some(1_318_622_958),
        )
        .expect("a base URL without a query signs");
    assert!(
        header.contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""),
        "{header}"
    );
}

#[test]
fn an_oauth1_base_url_with_a_query_is_refused_not_a_panic() {
    // Found by the oauth1_signer fuzz target: oauth1-request panics on it.
    let creds = OAuth1Credentials::new("k", "s", "t", "ts").unwrap();
    for url in [
        "https://api.x.com/1.1/blocks/ids.json?cursor=-1",
        "https://api.x.com/1.1/x#frag",
    ] {
        let e = creds.sign("GET", url, &[], None, None).unwrap_err();
        assert!(e.to_string().contains("no query or fragment"), "{e}");
    }
}

fn header_param<'a>(header: &'a str, name: &str) -> &'a str {
    let start = header.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = header[start..].find('"').unwrap() + start;
    &header[start..end]
}

#[tokio::test]
async fn an_oauth1_signed_blocking_request_carries_a_signature_over_its_query() {
    let server = CaptureServer::start(
        200,
        r#"{"id":6253282,"id_str":"6253282","screen_name":"XDevelopers"}"#,
    )
    .await;
    let creds = OAuth1Credentials::new("consumerkey", CONSUMER_SECRET, "accesstoken", TOKEN_SECRET)
        .unwrap();
    let runtime = Runtime::new(Auth::oauth1(
        OAuth1Credentials::new("consumerkey", CONSUMER_SECRET, "accesstoken", TOKEN_SECRET)
            .unwrap(),
    ));
    let client = blockbind_x_v1::Client::new(&format!("{}/1.1", server.base), runtime);
    let _ = client
        .create_block()
        .screen_name("XDevelopers")
        .skip_status(true)
        .send()
        .await;
    let r = server.take_one();
    assert_eq!(
        r.target,
        "/1.1/blocks/create.json?screen_name=XDevelopers&skip_status=true"
    );
    let auth = r.header("authorization").unwrap().to_string();
    assert!(auth.starts_with("OAuth "), "{auth}");
    assert_eq!(header_param(&auth, "oauth_signature_method"), "HMAC-SHA1");
    assert_eq!(header_param(&auth, "oauth_consumer_key"), "consumerkey");
    // Recompute over what arrived: same method, base URL, query, nonce and timestamp.
    let nonce = header_param(&auth, "oauth_nonce").to_string();
    let timestamp: u64 = header_param(&auth, "oauth_timestamp").parse().unwrap();
    let expected = creds
        .sign(
            "POST",
            &format!("{}/1.1/blocks/create.json", server.base),
            &[
                ("screen_name".into(), "XDevelopers".into()),
                ("skip_status".into(), "true".into()),
            ],
            Some(&nonce),
            Some(timestamp),
        )
        .expect("a base URL without a query signs");
    assert_eq!(
        header_param(&auth, "oauth_signature"),
        header_param(&expected, "oauth_signature")
    );
    assert!(!auth.contains(CONSUMER_SECRET) && !auth.contains(TOKEN_SECRET));
}

#[tokio::test]
async fn a_429_waits_for_the_named_reset_then_succeeds_without_extra_requests() {
    let reset = unix_in(2);
    let server = CaptureServer::script(vec![
        response(
            429,
            &[
                ("x-rate-limit-limit", "15".into()),
                ("x-rate-limit-remaining", "0".into()),
                ("x-rate-limit-reset", reset.to_string()),
            ],
            r#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#,
        ),
        response(
            200,
            &[
                ("x-rate-limit-limit", "15".into()),
                ("x-rate-limit-remaining", "14".into()),
                ("x-rate-limit-reset", unix_in(900).to_string()),
            ],
            r#"{"data":[],"meta":{"result_count":0}}"#,
        ),
    ])
    .await;
    let runtime = x_runtime();
    let client = blockbind_x_v2::Client::new(&format!("{}/2", server.base), runtime.clone());
    let page = client
        .get_users_blocking()
        .id("2244994945")
        .send()
        .await
        .unwrap();
    assert_eq!(page.meta.as_ref().and_then(|m| m.result_count), Some(0));
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one 429, then exactly one retry");
    assert!(
        requests[1].at >= UNIX_EPOCH + Duration::from_secs(reset),
        "the retry arrived before the reset the 429 named"
    );
    assert_eq!(runtime.last_rate_limit().map(|l| l.remaining), Some(14));
}

#[tokio::test]
async fn remaining_zero_makes_the_next_call_wait_for_the_reset_instead_of_earning_a_429() {
    let reset = unix_in(2);
    let server = CaptureServer::script(vec![
        response(
            200,
            &[
                ("Ratelimit-Limit", "800".into()),
                ("Ratelimit-Remaining", "0".into()),
                ("Ratelimit-Reset", reset.to_string()),
            ],
            HELIX_PAGE,
        ),
        response(
            200,
            &[
                ("Ratelimit-Limit", "800".into()),
                ("Ratelimit-Remaining", "799".into()),
                ("Ratelimit-Reset", unix_in(60).to_string()),
            ],
            HELIX_PAGE,
        ),
    ])
    .await;
    let runtime = helix_runtime();
    let client =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), runtime.clone());
    client
        .get_user_block_list()
        .broadcaster_id("1")
        .send()
        .await
        .unwrap();
    assert_eq!(runtime.last_rate_limit().map(|l| l.remaining), Some(0));
    // A second client on the same runtime shares the limiter.
    let other =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), runtime.clone());
    other
        .unblock_user()
        .target_user_id("12826")
        .send()
        .await
        .ok();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].at >= UNIX_EPOCH + Duration::from_secs(reset),
        "sent before the bucket reset"
    );
}

#[tokio::test]
async fn a_503_is_retried_and_succeeds() {
    let server =
        CaptureServer::script(vec![response(503, &[], ""), response(200, &[], HELIX_PAGE)]).await;
    let client =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), helix_runtime());
    let page = client
        .get_user_block_list()
        .broadcaster_id("1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn twitch_retries_a_503_only_once_and_other_4xx_never() {
    let server = CaptureServer::script(vec![response(503, &[], "")]).await;
    let client =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), helix_runtime());
    let err = client
        .get_user_block_list()
        .broadcaster_id("1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        server.requests().len(),
        2,
        "the first attempt and one retry"
    );

    let server = CaptureServer::script(vec![response(
        400,
        &[],
        r#"{"error":"Bad Request","status":400,"message":"Invalid target_user_id"}"#,
    )])
    .await;
    let client =
        blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), helix_runtime());
    let err = client
        .block_user()
        .target_user_id("1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn giving_up_keeps_the_last_status_and_rate_limit_state() {
    let server = CaptureServer::script(vec![response(
        500,
        &[
            ("x-rate-limit-limit", "50".into()),
            ("x-rate-limit-remaining", "7".into()),
            ("x-rate-limit-reset", unix_in(900).to_string()),
        ],
        r#"{"title":"Internal Error","detail":"boom","type":"about:blank","status":500}"#,
    )])
    .await;
    let runtime = x_runtime().with_retry(RetryPolicy {
        max_retries: 2,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    });
    let client = blockbind_x_v2::Client::new(&format!("{}/2", server.base), runtime.clone());
    let err = client
        .get_users_blocking()
        .id("2244994945")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        runtime.last_rate_limit().map(|l| (l.limit, l.remaining)),
        Some((50, 7))
    );
    // 500 is not in the spec: `from_client` reads the undocumented response's body.
    match ApiError::from_client(err).await {
        ApiError::Status {
            status,
            message,
            rate_limit,
            attempts,
        } => {
            assert_eq!((status, attempts), (500, 3));
            assert_eq!(message, "Internal Error: boom");
            assert_eq!(rate_limit.map(|l| l.remaining), Some(7));
        }
        other => panic!("expected the last status, got {other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_never_carries_authorization_to_another_host() {
    let target = CaptureServer::start(200, HELIX_PAGE).await;
    let location = target.base.replace("127.0.0.1", "localhost");
    let redirector = CaptureServer::script(vec![response(
        307,
        &[("location", format!("{location}/helix/users/blocks"))],
        "",
    )])
    .await;
    // Both the blockbind transport defaults and a plain reqwest client keep the token home:
    // blockbind's stops at the redirect to another origin, so the target sees nothing; reqwest
    // follows it without the header.
    for (http, followed) in [
        (Runtime::http_client(Duration::from_secs(10)), 0),
        (reqwest::Client::new(), 1),
    ] {
        let client = blockbind_twitch_helix::Client::new_with_client(
            &format!("{}/helix", redirector.base),
            http,
            helix_runtime(),
        );
        let _ = client
            .get_user_block_list()
            .broadcaster_id("1")
            .send()
            .await;
        assert_eq!(target.requests().len(), followed, "requests that followed");
    }
    let sent = redirector.requests();
    assert_eq!(sent.len(), 2, "one request per client to the first host");
    for r in &sent {
        assert!(
            r.header("authorization").is_some(),
            "the first host, the request's own, gets the token"
        );
    }
    let followed = target.requests();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].target, "/helix/users/blocks");
    assert_eq!(
        followed[0].header("authorization"),
        None,
        "Authorization followed a redirect to another host"
    );
}

const TOKEN_RESPONSE: &str = r#"{"access_token":"xrefreshedtoken0123456789","token_type":"bearer","expires_in":7200,"refresh_token":"xnewrefresh0123456789","scope":"block.read users.read tweet.read offline.access"}"#;

/// Form fields of an `application/x-www-form-urlencoded` body.
fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn an_oauth2_token_about_to_expire_is_refreshed_before_sending() {
    let server = CaptureServer::script(vec![
        response(200, &[], TOKEN_RESPONSE),
        response(200, &[], r#"{"data":[],"meta":{"result_count":0}}"#),
    ])
    .await;
    let token = OAuth2UserToken::refreshable(
        X_TOKEN,
        "xoldrefresh0123456789",
        Some(Duration::from_secs(30)), // inside the refresh margin
        "myclientid",
        format!("{}/2/oauth2/token", server.base),
    )
    .unwrap();
    let client = blockbind_x_v2::Client::new(
        &format!("{}/2", server.base),
        Runtime::new(Auth::oauth2_user(token)),
    );
    client
        .get_users_blocking()
        .id("2244994945")
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let refresh = &requests[0];
    assert_eq!(
        (refresh.method.as_str(), refresh.path()),
        ("POST", "/2/oauth2/token")
    );
    let fields = form(&refresh.body);
    assert_eq!(field(&fields, "grant_type"), Some("refresh_token"));
    assert_eq!(
        field(&fields, "refresh_token"),
        Some("xoldrefresh0123456789")
    );
    assert_eq!(field(&fields, "client_id"), Some("myclientid"));
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer xrefreshedtoken0123456789")
    );
}

#[tokio::test]
async fn a_401_refreshes_the_oauth2_token_once_and_retries() {
    let unauthorized = response(
        401,
        &[],
        r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
    );
    let server = CaptureServer::script(vec![
        unauthorized.clone(),
        response(200, &[], TOKEN_RESPONSE),
        response(200, &[], r#"{"data":{"blocking":true}}"#),
    ])
    .await;
    let token = OAuth2UserToken::refreshable(
        X_TOKEN,
        "xoldrefresh0123456789",
        None,
        "myclientid",
        format!("{}/2/oauth2/token", server.base),
    )
    .unwrap();
    let client = blockbind_x_v2::Client::new(
        &format!("{}/2", server.base),
        Runtime::new(Auth::oauth2_user(token)),
    );
    let body = blockbind_x_v2::types::BlockUserRequest {
        target_user_id: "6253282".parse().unwrap(),
    };
    let blocked = client
        .block_user()
        .id("2244994945")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.data.as_ref().and_then(|d| d.blocking), Some(true));
    let requests = server.requests();
    let seen: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path(), r.header("authorization")))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "POST",
                "/2/users/2244994945/blocking",
                Some(format!("Bearer {X_TOKEN}").as_str())
            ),
            ("POST", "/2/oauth2/token", None),
            (
                "POST",
                "/2/users/2244994945/blocking",
                Some("Bearer xrefreshedtoken0123456789")
            ),
        ]
    );

    // A token the server keeps refusing is refreshed once, not in a loop.
    let server = CaptureServer::script(vec![
        unauthorized.clone(),
        response(200, &[], TOKEN_RESPONSE),
        unauthorized,
    ])
    .await;
    let token = OAuth2UserToken::refreshable(
        X_TOKEN,
        "xoldrefresh0123456789",
        None,
        "myclientid",
        format!("{}/2/oauth2/token", server.base),
    )
    .unwrap();
    let client = blockbind_x_v2::Client::new(
        &format!("{}/2", server.base),
        Runtime::new(Auth::oauth2_user(token)),
    );
    let err = client
        .block_user()
        .id("2244994945")
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(err).status(), Some(401));
    assert_eq!(server.requests().len(), 3);
}

/// The last attempt a policy allows sends the request itself instead of a copy kept for a
/// retry; it still carries the refreshed credential and reports its attempt count.
#[tokio::test]
async fn the_last_attempt_the_policy_allows_carries_the_refreshed_token() {
    let server = CaptureServer::script(vec![
        response(
            401,
            &[],
            r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
        ),
        response(200, &[], TOKEN_RESPONSE),
        response(
            503,
            &[],
            r#"{"title":"Service Unavailable","type":"about:blank","status":503}"#,
        ),
    ])
    .await;
    let token = OAuth2UserToken::refreshable(
        X_TOKEN,
        "xoldrefresh0123456789",
        None,
        "myclientid",
        format!("{}/2/oauth2/token", server.base),
    )
    .unwrap();
    let runtime = Runtime::new(Auth::oauth2_user(token)).with_retry(RetryPolicy {
        max_retries: 1,
        ..RetryPolicy::default()
    });
    let client = blockbind_x_v2::Client::new(&format!("{}/2", server.base), runtime);
    let err = client
        .get_users_blocking()
        .id("2244994945")
        .send()
        .await
        .unwrap_err();
    match ApiError::from_client(err).await {
        ApiError::Status {
            status, attempts, ..
        } => assert_eq!((status, attempts), (503, 2)),
        other => panic!("expected the last status, got {other:?}"),
    }
    let requests = server.requests();
    let seen: Vec<_> = requests
        .iter()
        .map(|r| (r.path(), r.header("authorization")))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "/2/users/2244994945/blocking",
                Some(format!("Bearer {X_TOKEN}").as_str())
            ),
            ("/2/oauth2/token", None),
            (
                "/2/users/2244994945/blocking",
                Some("Bearer xrefreshedtoken0123456789")
            ),
        ]
    );
}

#[tokio::test]
async fn pkce_url_and_code_exchange_follow_rfc_7636() {
    use base64::Engine;
    use sha2::Digest;

    let auth = blockbind_runtime::oauth2::pkce_authorization_url(
        blockbind_runtime::oauth2::X_AUTHORIZE_URL,
        "myclientid",
        "http://127.0.0.1/callback",
        &["block.read", "block.write", "users.read", "offline.access"],
    )
    .unwrap();
    let query: Vec<(String, String)> = auth.url.query_pairs().into_owned().collect();
    assert_eq!(auth.url.host_str(), Some("x.com"));
    assert_eq!(field(&query, "response_type"), Some("code"));
    assert_eq!(field(&query, "client_id"), Some("myclientid"));
    assert_eq!(field(&query, "code_challenge_method"), Some("S256"));
    assert_eq!(
        field(&query, "scope"),
        Some("block.read block.write users.read offline.access")
    );
    assert_eq!(field(&query, "state"), Some(auth.csrf_state.as_str()));
    let challenge = field(&query, "code_challenge").unwrap().to_string();

    let server = CaptureServer::start(200, TOKEN_RESPONSE).await;
    let http = Runtime::http_client(Duration::from_secs(10));
    let token = blockbind_runtime::oauth2::exchange_code(
        &http,
        &format!("{}/2/oauth2/token", server.base),
        "myclientid",
        "http://127.0.0.1/callback",
        auth,
        "thecode",
    )
    .await
    .unwrap();
    let exchange = server.take_one();
    let fields = form(&exchange.body);
    assert_eq!(field(&fields, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&fields, "code"), Some("thecode"));
    assert_eq!(
        field(&fields, "redirect_uri"),
        Some("http://127.0.0.1/callback")
    );
    let verifier = field(&fields, "code_verifier").unwrap();
    assert!((43..=128).contains(&verifier.len()), "{verifier}");
    let derived = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(
        derived, challenge,
        "S256(verifier) must equal the challenge"
    );
    assert!(format!("{token:?}").contains("refreshable: true"));
    assert!(!format!("{token:?}").contains("xrefreshedtoken"));
}

/// A listener whose first `drops` connections are closed without an answer.
async fn flaky_server(
    drops: usize,
    answer: String,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf).await;
            if n >= drops {
                let _ = stream.write_all(answer.as_bytes()).await;
            }
            // dropping the stream closes the connection (no keep-alive, one answer each)
        }
    });
    (base, accepted)
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_retried_for_idempotent_requests() {
    let mut ok = response(200, &[], HELIX_PAGE);
    ok = ok.replacen("\r\n", "\r\nconnection: close\r\n", 1);
    let (base, accepted) = flaky_server(2, ok).await;
    let runtime = helix_runtime().with_retry(RetryPolicy {
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    });
    let client = blockbind_twitch_helix::Client::new(&format!("{base}/helix"), runtime);
    let page = client
        .get_user_block_list()
        .broadcaster_id("141981764")
        .send()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);

    // With retries off, the same failure is a typed transport error naming no URL or token.
    let (base, _) = flaky_server(usize::MAX, String::new()).await;
    let client = blockbind_twitch_helix::Client::new(
        &format!("{base}/helix"),
        helix_runtime().with_retry(RetryPolicy::none()),
    );
    let err = ApiError::from(
        client
            .get_user_block_list()
            .broadcaster_id("141981764")
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        !text.contains("127.0.0.1") && !text.contains(HELIX_TOKEN),
        "{text}"
    );
}

#[tokio::test]
async fn the_timeout_is_configurable_and_a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream); // accept, read nothing, answer nothing
        }
    });
    let client = blockbind_twitch_helix::Client::new_with_client(
        &format!("{base}/helix"),
        Runtime::http_client(Duration::from_millis(300)),
        helix_runtime().with_retry(RetryPolicy::none()),
    );
    let err = ApiError::from(
        client
            .get_user_block_list()
            .broadcaster_id("141981764")
            .send()
            .await
            .unwrap_err(),
    );
    match err {
        ApiError::Transport(message) => assert!(message.contains("timed out"), "{message}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    hold.abort();
}
