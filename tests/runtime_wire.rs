//! The shared runtime as every generated client uses it, proven on the wire: headers per auth
//! scheme, no `api-version`, bounds and credentials refused before sending, OAuth 1.0a signatures,
//! rate-limit pacing, 429 and 5xx retries, redirects, and no secret in any output.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use blockbind_runtime::{
    Auth, OAuth1Credentials, OAuth2UserToken, RequestError, RetryPolicy, Runtime,
};
use common::{CaptureServer, response};

const HELIX_TOKEN: &str = "helixsecrettoken0123456789";
const KRAKEN_TOKEN: &str = "krakensecrettoken0123456789";
const X_TOKEN: &str = "xusersecrettoken0123456789";
const APP_TOKEN: &str = "xappsecrettoken0123456789";
const CONSUMER_SECRET: &str = "consumersecret0123456789";
const TOKEN_SECRET: &str = "tokensecret0123456789";

fn helix_runtime() -> Runtime {
    Runtime::new(Auth::twitch_helix("clientid42", HELIX_TOKEN).unwrap())
}

fn x_runtime() -> Runtime {
    Runtime::new(Auth::x_oauth2_user(OAuth2UserToken::new(X_TOKEN).unwrap()))
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
    let auth = Auth::twitch_kraken(Some("clientid42".into()), Some(KRAKEN_TOKEN.into())).unwrap();
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
        Runtime::new(Auth::twitch_kraken(Some("c".into()), Some("t".into())).unwrap()),
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
    assert!(server.requests().is_empty(), "nothing may reach the wire");
}

#[test]
fn control_characters_in_credentials_are_refused() {
    for bad in ["s3cr3tv4lue\r\nX-Evil: 1", "s3cr3t\nv4lue", "s3cr3t\0", ""] {
        assert!(matches!(
            Auth::twitch_helix("client", bad),
            Err(RequestError::InvalidHeaderValue { .. } | RequestError::EmptyCredential { .. })
        ));
        assert!(Auth::twitch_helix(bad, "token").is_err());
        assert!(OAuth2UserToken::new(bad).is_err());
        assert!(Auth::x_app_only(bad).is_err());
        assert!(OAuth1Credentials::new("ck", "cs", bad, "ts").is_err());
    }
    let err = Auth::twitch_helix("client", "s3cr3tv4lue\r\nX-Evil: 1").unwrap_err();
    assert!(
        !err.to_string().contains("s3cr3t"),
        "the message must not echo the value: {err}"
    );
}

#[tokio::test]
async fn an_app_only_token_on_a_user_context_endpoint_is_refused_naming_the_needed_kind() {
    let server = CaptureServer::start(200, "{}").await;
    let runtime = Runtime::new(Auth::x_app_only(APP_TOKEN).unwrap());
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
    let auth = Auth::x_oauth2_user(OAuth2UserToken::new(X_TOKEN).unwrap()).with_scopes([
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
    let header = creds.sign(
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
    );
    assert!(
        header.contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""),
        "{header}"
    );
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
    let runtime = Runtime::new(Auth::x_oauth1(
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
    let expected = creds.sign(
        "POST",
        &format!("{}/1.1/blocks/create.json", server.base),
        &[
            ("screen_name".into(), "XDevelopers".into()),
            ("skip_status".into(), "true".into()),
        ],
        Some(&nonce),
        Some(timestamp),
    );
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
    // Both the blockbind transport defaults and a plain reqwest client keep the token home.
    for http in [
        Runtime::http_client(Duration::from_secs(10)),
        reqwest::Client::new(),
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
    }
    for r in target.requests() {
        assert_eq!(
            r.header("authorization"),
            None,
            "Authorization followed a redirect to another host"
        );
    }
    assert_eq!(redirector.requests().len(), 2);
}

#[tokio::test]
async fn no_secret_appears_in_debug_errors_or_traces() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let auths = [
        Auth::twitch_helix("clientid42", HELIX_TOKEN).unwrap(),
        Auth::twitch_kraken(Some("clientid42".into()), Some(KRAKEN_TOKEN.into())).unwrap(),
        Auth::x_oauth2_user(
            OAuth2UserToken::refreshable(
                X_TOKEN,
                "refreshsecret0123456789",
                None,
                "cid",
                "http://127.0.0.1:9/token",
            )
            .unwrap(),
        ),
        Auth::x_app_only(APP_TOKEN).unwrap(),
        Auth::x_oauth1(
            OAuth1Credentials::new("ck", CONSUMER_SECRET, "accesstokensecretish", TOKEN_SECRET)
                .unwrap(),
        ),
    ];
    let mut seen = String::new();
    for auth in &auths {
        seen.push_str(&format!(
            "{auth:?}\n{auth}\n{:?}\n",
            Runtime::new(auth.clone())
        ));
    }
    // Drive requests (successes, 401s, refusals) through every kind with tracing on.
    let server = CaptureServer::script(vec![response(
        401,
        &[],
        r#"{"title":"Unauthorized","status":401}"#,
    )])
    .await;
    for auth in &auths {
        let runtime = Runtime::new(auth.clone()).with_retry(RetryPolicy::none());
        let x = blockbind_x_v2::Client::new(&format!("{}/2", server.base), runtime.clone());
        if let Err(e) = x
            .get_users_blocking()
            .id("2244994945")
            .max_results(9999u32)
            .send()
            .await
        {
            seen.push_str(&format!("{e}\n{e:?}\n"));
        }
        if let Err(e) = x.get_users_blocking().id("2244994945").send().await {
            seen.push_str(&format!("{e}\n{e:?}\n"));
        }
        let helix = blockbind_twitch_helix::Client::new(&format!("{}/helix", server.base), runtime);
        if let Err(e) = helix.get_user_block_list().broadcaster_id("1").send().await {
            seen.push_str(&format!("{e}\n{e:?}\n"));
        }
    }
    assert!(server.requests().len() >= 5, "requests were really sent");
    let traces = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("blockbind.request"),
        "the request span was traced"
    );
    seen.push_str(&traces);
    for secret in [
        HELIX_TOKEN,
        KRAKEN_TOKEN,
        X_TOKEN,
        APP_TOKEN,
        CONSUMER_SECRET,
        TOKEN_SECRET,
        "refreshsecret0123456789",
        "accesstokensecretish",
    ] {
        assert!(
            !seen.contains(secret),
            "a secret leaked into Debug, errors or traces"
        );
    }
}
