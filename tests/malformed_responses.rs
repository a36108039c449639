//! Malformed server responses on all five APIs: truncated JSON, wrong types, missing required
//! fields, big bodies and ones over the size limit, deep nesting, HTML error pages, empty 200s and bodies cut short. Each is
//! a typed `ApiError`, never a panic, and no message carries the body whole.

mod common;

use blockbind_runtime::{ApiError, Auth, OAuth1Credentials, OAuth2UserToken, RetryPolicy, Runtime};
use common::{CLOSE, CaptureServer, response};

/// The list call of each API against `base`, its error as an `ApiError` (no retries: this is
/// about decoding).
async fn list(api: &str, base: &str) -> Result<(), ApiError> {
    let rt = |auth| Runtime::new(auth).with_retry(RetryPolicy::none());
    match api {
        "twitch-helix" => {
            let c = blockbind_twitch_helix::Client::new(
                &format!("{base}/helix"),
                rt(Auth::user_token("t")
                    .and_then(|a| a.with_api_key("c"))
                    .unwrap()),
            );
            blockbind_runtime::call(c.get_user_block_list().broadcaster_id("1").send())
                .await
                .map(drop)
        }
        "twitch-kraken-v5" => {
            let c = blockbind_twitch_kraken_v5::Client::new(
                &format!("{base}/kraken"),
                rt(Auth::user_token("t")
                    .and_then(|a| a.with_api_key("c"))
                    .unwrap()),
            );
            blockbind_runtime::call(c.get_user_block_list().user_id("1").send())
                .await
                .map(drop)
        }
        "twitch-kraken-v2" => {
            let c = blockbind_twitch_kraken_v2::Client::new(
                &format!("{base}/kraken"),
                rt(Auth::user_token("t").unwrap()),
            );
            blockbind_runtime::call(c.get_user_block_list().login("me").send())
                .await
                .map(drop)
        }
        "x-v2" => {
            let c = blockbind_x_v2::Client::new(
                &format!("{base}/2"),
                rt(Auth::oauth2_user(OAuth2UserToken::new("t").unwrap())),
            );
            blockbind_runtime::call(c.get_users_blocking().id("1").send())
                .await
                .map(drop)
        }
        "x-v1" => {
            let creds = OAuth1Credentials::new("k", "s", "t", "ts").unwrap();
            let c = blockbind_x_v1::Client::new(&format!("{base}/1.1"), rt(Auth::oauth1(creds)));
            blockbind_runtime::call(c.get_block_ids().send())
                .await
                .map(drop)
        }
        _ => unreachable!(),
    }
}

/// Bodies of the right JSON but the wrong shape, per API: (wrong types, missing required field).
fn shapes(api: &str) -> (&'static str, &'static str) {
    match api {
        "twitch-helix" => (r#"{"data":"not a list"}"#, r#"{"data":[{"user_id":"1"}]}"#),
        "twitch-kraken-v5" => (r#"{"blocks":{"a":1}}"#, r#"{"blocks":[{"_id":1}]}"#),
        "twitch-kraken-v2" => (
            r#"{"blocks":5}"#,
            r#"{"blocks":[{"_id":1,"user":{"_id":2}}]}"#,
        ),
        // Every member of a user is optional in X's 2.167 definitions; its public metrics are not.
        "x-v2" => (
            r#"{"data":{"id":"1"}}"#,
            r#"{"data":[{"id":"1","public_metrics":{}}]}"#,
        ),
        "x-v1" => (
            r#"{"ids":"1,2","next_cursor":0,"next_cursor_str":"0","previous_cursor":0,"previous_cursor_str":"0"}"#,
            r#"{"ids":[1]}"#,
        ),
        _ => unreachable!(),
    }
}

fn raw(status_line: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status_line}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn every_malformed_response_is_a_typed_error_on_every_api() {
    let big_garbage = "x".repeat(2 << 20);
    let huge_garbage = "x".repeat(20 << 20);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>".to_string()
        + &"<p>upstream down</p>".repeat(500)
        + "</body></html>";
    for api in [
        "twitch-helix",
        "twitch-kraken-v5",
        "twitch-kraken-v2",
        "x-v2",
        "x-v1",
    ] {
        let (wrong_types, missing_field) = shapes(api);
        let cases: Vec<(&str, String)> = vec![
            (
                "truncated JSON",
                response(200, &[], r#"{"data":[{"user_id":"1","#),
            ),
            ("wrong types", response(200, &[], wrong_types)),
            ("missing required field", response(200, &[], missing_field)),
            (
                "a 2 MB body that is not JSON",
                response(200, &[], &big_garbage),
            ),
            (
                "a 20 MB body, over the 16 MiB limit",
                response(200, &[], &huge_garbage),
            ),
            ("JSON nested 100,000 deep", response(200, &[], &deep)),
            (
                "an HTML error page",
                raw("502 Bad Gateway", "text/html", &html),
            ),
            ("an HTML page with 200", raw("200 OK", "text/html", &html)),
            ("an empty 200", raw("200 OK", "application/json", "")),
            ("a JSON null", response(200, &[], "null")),
            (
                "a body cut short",
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{{\"data\":[{CLOSE}"
                ),
            ),
            ("a reset before any byte", CLOSE.to_string()),
            ("not HTTP at all", format!("SSH-2.0-OpenSSH_9.6\r\n{CLOSE}")),
        ];
        for (what, reply) in cases {
            let server = CaptureServer::script(vec![reply]).await;
            let e = list(api, &server.base)
                .await
                .expect_err(&format!("{api} / {what}: should fail"));
            let message = e.to_string();
            let typed = match what {
                "an HTML error page" => matches!(e, ApiError::Status { status: 502, .. }),
                "a body cut short" | "a reset before any byte" | "not HTTP at all" => {
                    matches!(e, ApiError::Transport(_))
                }
                "a 20 MB body, over the 16 MiB limit" => {
                    e == ApiError::ResponseTooLarge {
                        limit: blockbind_runtime::DEFAULT_MAX_RESPONSE_BYTES,
                        content_length: Some(20 << 20),
                    }
                }
                _ => matches!(e, ApiError::InvalidResponse { .. }),
            };
            assert!(typed, "{api} / {what}: {e:?}");
            assert!(
                message.len() < 400,
                "{api} / {what}: a message of {} bytes",
                message.len()
            );
            println!("{api:<17} {what:<30} {message}");
        }
    }
}
