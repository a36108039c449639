//! A hostile or broken server cannot make the client wait past its bound, read without limit,
//! hang, follow a list forever, or send a request to another path. Each test talks to a server
//! it starts on 127.0.0.1 and counts what really reached it.
//!
//! No test asserts how long anything took. A test whose bug would be a hang is wrapped in
//! [`bounded`], which turns a hang into a failure instead of a stuck test run.

mod common;

use std::future::Future;
use std::time::Duration;

use blockbind::{Api, Config, Credentials, Error, PageOptions, Target};
use blockbind_runtime::{ApiError, RetryPolicy, call};
use common::hostile::{HostileServer, Reply};
use common::{CaptureServer, response};
use futures::StreamExt;

/// Far longer than any of these calls takes when it does what it should; only a hang reaches it.
async fn bounded<T>(what: &str, call: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(120), call)
        .await
        .unwrap_or_else(|_| panic!("{what}: still waiting after two minutes (a hang)"))
}

fn credentials() -> Credentials {
    Credentials::new()
        .with_twitch("clientid0123456789", "twitchtoken0123456789")
        .and_then(|c| c.with_x_oauth2("xtoken0123456789"))
        .expect("valid credentials")
}

fn config(base: &str) -> blockbind::ConfigBuilder {
    Config::builder().base_url(base).credentials(credentials())
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An HTTP `Date` `offset_secs` from now.
fn http_date(offset_secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(offset_secs))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

const X_EMPTY_LIST: &str = r#"{"data":[],"meta":{"result_count":0}}"#;
const HELIX_EMPTY_LIST: &str = r#"{"data":[],"pagination":{}}"#;

/// Lists X v2's blocks of user 1 and Helix's of broadcaster 1 once, the generated way.
async fn list_once(config: &Config, api: Api) -> Result<(), ApiError> {
    match api {
        Api::XV2 => call(config.x_v2().unwrap().get_users_blocking().id("1").send())
            .await
            .map(drop),
        Api::TwitchHelix => call(
            config
                .twitch_helix()
                .unwrap()
                .get_user_block_list()
                .broadcaster_id("1")
                .send(),
        )
        .await
        .map(drop),
        _ => unreachable!(),
    }
}

/// The rate-limit headers of `api` with nothing left and a reset at `reset` (Unix seconds),
/// with the server's clock `date_offset` seconds from ours.
fn exhausted(api: Api, reset: i64, date_offset: i64) -> Vec<(&'static str, String)> {
    let names = match api {
        Api::XV2 => [
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
        ],
        _ => ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"],
    };
    vec![
        (names[0], "800".into()),
        (names[1], "0".into()),
        (names[2], reset.to_string()),
        ("date", http_date(date_offset)),
    ]
}

// Item 2: every wait is bounded by what is left of `max_total_wait`.

#[tokio::test]
async fn a_200_with_nothing_left_and_a_reset_a_day_ahead_fails_the_next_call_at_once() {
    for (api, body) in [
        (Api::XV2, X_EMPTY_LIST),
        (Api::TwitchHelix, HELIX_EMPTY_LIST),
    ] {
        let headers = exhausted(api, unix_now() + 24 * 3600, 0);
        let server = CaptureServer::script(vec![response(200, &headers, body)]).await;
        let config = config(&server.base).build().unwrap();
        list_once(&config, api).await.expect("the first call");

        let e = bounded("the call after the hostile reset", list_once(&config, api))
            .await
            .unwrap_err();
        let ApiError::RateLimited {
            state,
            wait,
            budget,
        } = &e
        else {
            panic!("{api}: {e:?}")
        };
        let rl = state.rate_limit.expect("the server's window");
        assert_eq!((rl.limit, rl.remaining), (800, 0), "{api}");
        assert!(*wait > Duration::from_secs(23 * 3600), "{api}: {wait:?}");
        assert!(*budget <= RetryPolicy::default().max_total_wait, "{api}");
        assert!(state.wait_reason.is_some(), "{api}");
        assert!(e.to_string().contains("max_total_wait"), "{e}");
        assert_eq!(server.requests().len(), 1, "{api}: nothing more was sent");
    }
}

/// A server whose clock is `skew` seconds off ours, answering every X v2 call with its window
/// spent until `reset_after` seconds after its `Date`, and a config for it that waits 60 s at
/// most in all, after a first call that read that window.
async fn skewed_clock(skew: i64, reset_after: i64) -> (HostileServer, Config) {
    let server = HostileServer::start(move |_, _| {
        let server_now = unix_now() + skew;
        Reply::Raw(response(
            200,
            &exhausted(Api::XV2, server_now + reset_after, skew),
            X_EMPTY_LIST,
        ))
    })
    .await;
    let policy = RetryPolicy {
        max_total_wait: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    let config = config(&server.base).retry(policy).build().unwrap();
    list_once(&config, Api::XV2).await.expect("the first call");
    (server, config)
}

#[tokio::test]
async fn a_server_clock_hours_ahead_does_not_turn_a_second_into_hours() {
    // The server's clock is 5 hours ahead of ours; its window resets a second after its `Date`.
    let (server, config) = skewed_clock(5 * 3600, 1).await;
    bounded("the call after the reset", list_once(&config, Api::XV2))
        .await
        .expect("sent after the one-second wait, not refused as five hours");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_server_clock_hours_behind_does_not_send_into_a_closed_window() {
    // The server's clock is 5 hours behind; its window resets an hour after its `Date`. Read
    // against our clock the reset passed four hours ago, and the next request would be sent.
    let (server, config) = skewed_clock(-5 * 3600, 3600).await;
    let e = bounded(
        "the call in the closed window",
        list_once(&config, Api::XV2),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ApiError::RateLimited { .. }), "{e:?}");
    assert_eq!(server.requests().len(), 1, "nothing sent into the window");
}

// Item 3: response bodies are capped; a timeout is always set.

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_without_reading_the_body() {
    // The head promises 200 MB and no byte of it ever comes: reading any would hang.
    let server = HostileServer::start(|_, _| {
        Reply::Stall(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200000000\r\n\r\n"
                .into(),
        )
    })
    .await;
    let config = config(&server.base).build().unwrap();
    let e = bounded("the call", list_once(&config, Api::XV2))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::ResponseTooLarge {
            limit: blockbind_runtime::DEFAULT_MAX_RESPONSE_BYTES,
            content_length: Some(200_000_000),
        }
    );
    assert!(e.to_string().contains("200000000 bytes"), "{e}");
}

#[tokio::test]
async fn the_body_limit_is_configurable_and_cuts_a_chunked_body_off() {
    let server = HostileServer::start(|_, _| Reply::Chunked {
        chunk_bytes: 1024,
        chunks: 100,
    })
    .await;
    let config = config(&server.base)
        .max_response_bytes(10_000)
        .build()
        .unwrap();
    let e = bounded("the call", list_once(&config, Api::XV2))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::ResponseTooLarge {
            limit: 10_000,
            content_length: None,
        }
    );
}

/// Set in the child process of [`a_200_mb_chunked_body_is_refused_with_peak_rss_under_64_mib`]:
/// the base URL of the parent's server.
const CHILD_BASE: &str = "BLOCKBIND_TEST_HOSTILE_CLIENT_BASE";

#[tokio::test]
async fn a_200_mb_chunked_body_is_refused_with_peak_rss_under_64_mib() {
    const NAME: &str = "a_200_mb_chunked_body_is_refused_with_peak_rss_under_64_mib";
    if let Ok(base) = std::env::var(CHILD_BASE) {
        // The child: the client alone in its process, so its peak RSS is the client's.
        let config = config(&base).build().unwrap();
        let e = list_once(&config, Api::XV2).await.unwrap_err();
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .expect("VmHWM in /proc/self/status");
        println!("CHILD-ERROR {e:?}");
        println!("CHILD-VMHWM {}", hwm.trim());
        return;
    }
    // The parent: a server making 200 MB of chunks as they are read.
    let server = HostileServer::start(|_, _| Reply::Chunked {
        chunk_bytes: 64 * 1024,
        chunks: 200_000_000 / (64 * 1024),
    })
    .await;
    let base = server.base.clone();
    let child = tokio::task::spawn_blocking(move || {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_BASE, base)
            .output()
    });
    let out = bounded("the child client", child).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let error = stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-ERROR ").map(|(_, e)| e))
        .unwrap_or_else(|| panic!("the child's error in: {stdout}"));
    assert!(error.starts_with("ResponseTooLarge"), "{error}");
    let kib: u64 = stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-VMHWM ").map(|(_, v)| v))
        .and_then(|v| v.strip_suffix(" kB"))
        .and_then(|v| v.trim().parse().ok())
        .expect("the child's VmHWM");
    println!(
        "peak RSS of the client refusing a 200 MB body: {} MiB",
        kib / 1024
    );
    assert!(kib < 64 * 1024, "peak RSS {kib} KiB");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_on_the_callers_own_client() {
    let server = HostileServer::start(|_, _| Reply::Stall(String::new())).await;
    // A client with no timeout of its own.
    let config = config(&server.base)
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = bounded("the call", list_once(&config, Api::XV2))
        .await
        .unwrap_err();
    let ApiError::Transport(t) = &e else {
        panic!("{e:?}")
    };
    assert!(
        t.reqwest_error().is_some_and(reqwest::Error::is_timeout),
        "{e:?}"
    );
}

// Item 6: path values are validated where they enter and before sending.

#[tokio::test]
async fn a_path_value_of_dot_dot_is_refused_before_sending() {
    let server = CaptureServer::start(200, r#"{"blocks":[]}"#).await;
    let config = config(&server.base).build().unwrap();
    // An owner of `..` would list `/kraken/blocks` instead of `/kraken/users/../blocks`.
    let list = config
        .block_list(Api::TwitchKrakenV2, Some(Target::Login("..".into())))
        .await
        .unwrap();
    let e = list.blocked().next().await.unwrap().unwrap_err();
    assert!(e.nothing_sent(), "{e:?}");
    assert!(e.to_string().contains("path"), "{e}");
    // A target of `..` through the public variant, which no constructor checks.
    let list = config
        .block_list(Api::TwitchKrakenV2, Some(Target::login("me").unwrap()))
        .await
        .unwrap();
    for bad in ["..", ".", "a/b", "a?b", "a#b", "a%2e", "a\u{7}b"] {
        let e = list
            .block(Target::Login(bad.into()), Default::default())
            .await
            .unwrap_err();
        assert!(e.nothing_sent(), "{bad:?}: {e:?}");
    }
    // The generated client's own builder, with a value no Target would hold.
    let client = config.twitch_kraken_v2().unwrap();
    let e = call(client.unblock_user().user("me").target("..").send())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Refused(blockbind_runtime::RequestError::BadPathValue { .. })
        ),
        "{e:?}"
    );
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
}

#[tokio::test]
async fn a_login_of_dot_dot_returned_by_the_server_is_refused_when_used_in_a_path() {
    // Kraken v2 unblocks by login: the ID given is resolved through the list, whose user has
    // the login `..`. Unblocking would DELETE `/kraken/users/me/blocks/..`, which is
    // `/kraken/users/me/`.
    let server = CaptureServer::start(
        200,
        r#"{"blocks":[{"_id":1,"updated_at":"2013-02-07T01:04:43Z","user":{"_id":11,"name":"..","display_name":"A"}}],"_total":1}"#,
    )
    .await;
    let config = config(&server.base).build().unwrap();
    let list = config
        .block_list(Api::TwitchKrakenV2, Some(Target::login("me").unwrap()))
        .await
        .unwrap();
    let e = list.unblock(Target::id("11").unwrap()).await.unwrap_err();
    assert!(e.nothing_sent(), "{e:?}");
    let requests = server.requests();
    assert!(!requests.is_empty(), "the list was read");
    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.path()),
            ("GET", "/kraken/users/me/blocks"),
            "only the list is read; no unblock is sent"
        );
    }
}

#[test]
fn a_target_deserializes_through_its_validation() {
    for bad in [
        r#"{"login":".."}"#,
        r#"{"login":"a/b"}"#,
        r#"{"id":".."}"#,
        r#"{"id":"12a"}"#,
        r#"{"id":""}"#,
        r#"{"id":"12345678901234567890"}"#,
    ] {
        let e = serde_json::from_str::<Target>(bad).unwrap_err();
        assert!(e.to_string().contains("invalid target"), "{bad}: {e}");
    }
    assert_eq!(
        serde_json::from_str::<Target>(r#"{"id":"12"}"#).unwrap(),
        Target::id("12").unwrap()
    );
    assert_eq!(
        serde_json::from_str::<Target>(r#"{"login":"@TwitchDev"}"#).unwrap(),
        Target::login("TwitchDev").unwrap()
    );
    let round_trip = serde_json::to_string(&Target::login("me").unwrap()).unwrap();
    assert_eq!(
        serde_json::from_str::<Target>(&round_trip).unwrap(),
        Target::login("me").unwrap()
    );
}

// Item 9: no userinfo in base URLs; streams stop at a page cap.

#[test]
fn a_base_url_with_userinfo_is_refused_without_echoing_it() {
    for url in [
        "https://user:hunter2@api.x.com",
        "http://hunter2@127.0.0.1:1",
        "https://user:hunter2@api.x.com:notaport",
    ] {
        let e = Config::builder().base_url(url).build().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig(_)), "{e:?}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(!format!("{e:?}").contains("hunter2"), "{e:?}");
        let e = Config::builder()
            .api_base_url(Api::XV2, format!("{url}/2"))
            .build()
            .unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}

#[tokio::test]
async fn a_url_with_userinfo_given_to_a_generated_client_is_refused_before_sending() {
    let server = CaptureServer::start(200, X_EMPTY_LIST).await;
    let config = config(&server.base).build().unwrap();
    let base = server.base.replace("http://", "http://user:hunter2@");
    let client = blockbind::x_v2::Client::new_with_client(
        &format!("{base}/2"),
        config.http_client().clone(),
        config.runtime(Api::XV2, &blockbind::x_v2::API).unwrap(),
    );
    let e = call(client.get_users_blocking().id("1").send())
        .await
        .unwrap_err();
    assert!(e.nothing_sent(), "{e:?}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_server_handing_out_fresh_page_tokens_forever_is_stopped_at_the_page_cap() {
    let server = HostileServer::start(|n, _| {
        Reply::Raw(response(
            200,
            &[],
            &format!(
                r#"{{"data":[{{"id":"{}","name":"n","username":"u{n}"}}],"meta":{{"result_count":1,"next_token":"FRESH{n:016}"}}}}"#,
                n + 100
            ),
        ))
    })
    .await;
    let config = config(&server.base).build().unwrap();
    let list = config
        .block_list(Api::XV2, Some(Target::id("1").unwrap()))
        .await
        .unwrap();
    let items: Vec<_> = bounded(
        "the endless list",
        list.blocked_with(PageOptions::default().with_page_cap(200))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(server.requests().len(), 200, "no page past the cap");
    assert_eq!(items.len(), 201);
    let Err(Error::Api { source, .. }) = items.last().unwrap() else {
        panic!("{:?}", items.last())
    };
    assert_eq!(**source, ApiError::TooManyPages { limit: 200 });
    assert!(source.to_string().contains("200 pages"), "{source}");
}

// Item 4: a token endpoint cannot crash the caller or make it refresh on every request.

/// A server that is X's token endpoint (granting tokens for `expires_in` seconds, as JSON
/// text) and X v2's list endpoint.
async fn token_and_list_server(expires_in: &'static str) -> HostileServer {
    HostileServer::start(move |_, request| {
        if request.path() == "/2/oauth2/token" {
            Reply::Raw(response(
                200,
                &[],
                &format!(
                    r#"{{"access_token":"xrefreshedtoken0123456789","token_type":"bearer","expires_in":{expires_in},"refresh_token":"xnewrefresh0123456789"}}"#
                ),
            ))
        } else {
            Reply::Raw(response(200, &[], X_EMPTY_LIST))
        }
    })
    .await
}

/// An X v2 client on `server` whose token needs refreshing at the server's token endpoint
/// before its first call.
fn x_client_refreshing_first(server: &HostileServer) -> blockbind::x_v2::Client {
    let token = blockbind::OAuth2UserToken::refreshable(
        "xoldtoken0123456789",
        "xoldrefresh0123456789",
        Some(Duration::ZERO),
        "myclientid",
        format!("{}/2/oauth2/token", server.base),
    )
    .unwrap();
    let runtime = blockbind::Runtime::new(blockbind::Auth::oauth2_user(token));
    blockbind::x_v2::Client::new(&format!("{}/2", server.base), runtime)
}

/// Four list calls with a token that needs refreshing before the first.
async fn four_calls_after_a_refresh(server: &HostileServer) -> usize {
    let client = x_client_refreshing_first(server);
    for _ in 0..4 {
        call(client.get_users_blocking().id("1").send())
            .await
            .expect("the list");
    }
    server
        .requests()
        .iter()
        .filter(|r| r.path() == "/2/oauth2/token")
        .count()
}

#[tokio::test]
async fn a_token_granted_for_zero_seconds_is_not_refreshed_on_every_request() {
    let server = token_and_list_server("0").await;
    assert_eq!(
        four_calls_after_a_refresh(&server).await,
        1,
        "one refresh, then the floor"
    );
}

#[tokio::test]
async fn a_token_granted_for_u64_max_seconds_does_not_panic_and_counts_as_no_expiry() {
    let server = token_and_list_server("18446744073709551615").await;
    assert_eq!(four_calls_after_a_refresh(&server).await, 1);
}

#[tokio::test]
async fn a_token_endpoint_answering_without_end_fails_the_refresh_at_its_limit() {
    let server = HostileServer::start(|_, request| {
        if request.path() == "/2/oauth2/token" {
            Reply::Chunked {
                chunk_bytes: 64 * 1024,
                chunks: 3200, // 200 MiB
            }
        } else {
            Reply::Raw(response(200, &[], X_EMPTY_LIST))
        }
    })
    .await;
    let client = x_client_refreshing_first(&server);
    let e = bounded("the call", call(client.get_users_blocking().id("1").send()))
        .await
        .unwrap_err();
    let ApiError::Refused(blockbind::RequestError::Refresh(message)) = &e else {
        panic!("{e:?}")
    };
    assert!(message.contains("over the limit"), "{message}");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.path() == "/2/oauth2/token"),
        "nothing sent with the stale token"
    );
}
