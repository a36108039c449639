//! No secret in any output: Debug of every credential kind and of its runtime, the errors of
//! requests that succeed, fail with 401 or are refused, and every trace they emit.
//!
//! This test is alone in its binary on purpose: `tracing` caches whether a callsite is enabled,
//! process-wide, the first time any thread reaches it. A sibling test reaching the request span on
//! a thread without a subscriber would cache it as disabled, and the scoped subscriber here would
//! capture nothing (it failed that way once under a loaded parallel run).

mod common;

use blockbind_runtime::{Auth, OAuth1Credentials, OAuth2UserToken, RetryPolicy, Runtime};
use common::secrets::{
    APP_TOKEN, CONSUMER_SECRET, HELIX_TOKEN, KRAKEN_TOKEN, TOKEN_SECRET, X_TOKEN,
};
use common::{CaptureServer, response};

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
        Auth::user_token(HELIX_TOKEN)
            .and_then(|a| a.with_api_key("clientid42"))
            .unwrap(),
        Auth::user_token(KRAKEN_TOKEN)
            .and_then(|a| a.with_api_key("clientid42"))
            .unwrap(),
        Auth::oauth2_user(
            OAuth2UserToken::refreshable(
                X_TOKEN,
                "refreshsecret0123456789",
                None,
                "cid",
                "http://127.0.0.1:9/token",
            )
            .unwrap(),
        ),
        Auth::app_token(APP_TOKEN).unwrap(),
        Auth::oauth1(
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
