//! The bad-input matrix: out-of-range numbers, empty, non-numeric and 20-digit IDs, bad enum
//! values, CR/LF and NUL in tokens and IDs, 1 MB strings and unicode logins, on all five APIs.
//! Each gives a typed error with a clear message and no panic, and where the input can be
//! checked before sending, the mock's request counter shows nothing was sent.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use blockbind::{Api, BlockOptions, Config, Credentials, Target};
use blockbind_mock::{MockConfig, MockServer};
use blockbind_runtime::{ApiError, Auth, OAuth1Credentials, OAuth2UserToken, Runtime};

/// The error's message, or why there was none.
type Outcome = Result<String, &'static str>;
type Case<'a> = Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// One row of the matrix.
struct Row<'a> {
    api: &'static str,
    what: &'static str,
    /// The input can be checked before sending: the mock must see nothing.
    nothing_sent: bool,
    /// Words the message must have (it says what is wrong).
    says: &'static [&'static str],
    run: Case<'a>,
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The call's error message; a success is a failed row.
async fn fails<T, F>(call: F) -> Outcome
where
    F: Future<Output = Result<T, String>>,
{
    match call.await {
        Ok(_) => Err("the call succeeded"),
        Err(message) => Ok(message),
    }
}

fn config(mock: &MockServer) -> Config {
    let env: HashMap<&str, String> = mock.credentials().env_vars().into_iter().collect();
    Config::builder()
        .base_url(mock.base_url())
        .credentials(Credentials::from_lookup(|n| env.get(n).cloned()).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_bad_input_is_a_typed_error_with_a_clear_message_and_nothing_is_sent() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let config = config(&mock);
    let c = mock.credentials().clone();
    let helix = config.twitch_helix().unwrap();
    let v5 = config.twitch_kraken_v5().unwrap();
    let v2 = config.twitch_kraken_v2().unwrap();
    let xv2 = config.x_v2().unwrap();
    let xv1 = config.x_v1().unwrap();
    let huge = "9".repeat(1 << 20);
    let huge_login = "a".repeat(1 << 20);
    let me = c.twitch_user_id.clone();
    let x_me = c.x_user_id.clone();

    macro_rules! call {
        ($e:expr) => {
            fails(async { $e.await.map_err(|e| err(ApiError::from(e))) })
        };
    }
    macro_rules! row {
        ($api:literal, $what:literal, $sent:expr, [$($says:literal),*], $run:expr) => {
            Row { api: $api, what: $what, nothing_sent: $sent, says: &[$($says),*], run: Box::pin($run) }
        };
    }
    let block_list = |api: Api, user: Option<Target>| {
        let config = config.clone();
        async move { config.block_list(api, user).await }
    };

    let rows: Vec<Row> = vec![
        // Twitch Helix
        row!(
            "twitch-helix",
            "first = 0",
            true,
            ["first", "1 or more"],
            call!(
                helix
                    .get_user_block_list()
                    .broadcaster_id(&me)
                    .first(0u32)
                    .send()
            )
        ),
        row!(
            "twitch-helix",
            "first = 101",
            true,
            ["first", "101", "1..=100"],
            call!(
                helix
                    .get_user_block_list()
                    .broadcaster_id(&me)
                    .first(101u32)
                    .send()
            )
        ),
        row!(
            "twitch-helix",
            "first = 4294967295",
            true,
            ["first", "4294967295"],
            call!(
                helix
                    .get_user_block_list()
                    .broadcaster_id(&me)
                    .first(u32::MAX)
                    .send()
            )
        ),
        row!(
            "twitch-helix",
            "no broadcaster_id",
            true,
            ["required parameter `broadcaster_id` is missing"],
            call!(helix.get_user_block_list().send())
        ),
        row!(
            "twitch-helix",
            "bad source_context",
            true,
            ["whispers"],
            fails(async { "whispers".parse::<blockbind::SourceContext>().map_err(err) })
        ),
        row!(
            "twitch-helix",
            "bad reason",
            true,
            ["rude", "harassment, spam, other"],
            fails(async { "rude".parse::<blockbind::BlockReason>().map_err(err) })
        ),
        row!(
            "twitch-helix",
            "empty target ID",
            true,
            ["empty"],
            fails(async { Target::id("").map_err(err) })
        ),
        row!(
            "twitch-helix",
            "non-numeric target ID",
            true,
            ["digits"],
            fails(async { Target::id("12ab").map_err(err) })
        ),
        row!(
            "twitch-helix",
            "20-digit target ID",
            true,
            ["19 digits"],
            fails(async { Target::id("12345678901234567890").map_err(err) })
        ),
        row!(
            "twitch-helix",
            "1 MB target ID",
            true,
            ["19 digits", "1048576 bytes"],
            fails(async { Target::parse(&huge).map_err(err) })
        ),
        row!(
            "twitch-helix",
            "CR/LF in the token",
            true,
            ["TWITCH_TOKEN", "control character"],
            fails(async {
                Credentials::new()
                    .with_twitch("cid", "tok\r\nX-Injected: 1")
                    .map_err(err)
            })
        ),
        row!(
            "twitch-helix",
            "NUL in the client ID",
            true,
            ["TWITCH_CLIENT_ID", "control character"],
            fails(async { Credentials::new().with_twitch("c\0id", "tok").map_err(err) })
        ),
        row!(
            "twitch-helix",
            "empty token",
            true,
            ["empty"],
            fails(async {
                Auth::user_token("")
                    .and_then(|a| a.with_api_key("cid"))
                    .map_err(err)
            })
        ),
        row!(
            "twitch-helix",
            "a login to block",
            true,
            ["pass the user ID"],
            fails(async {
                let list = block_list(Api::TwitchHelix, Some(Target::Id(me.clone())))
                    .await
                    .map_err(err)?;
                list.block(Target::Login("someone".into()), BlockOptions::default())
                    .await
                    .map_err(err)
            })
        ),
        row!(
            "twitch-helix",
            "no acting user",
            true,
            ["user ID"],
            fails(async {
                block_list(Api::TwitchHelix, None)
                    .await
                    .map(drop)
                    .map_err(err)
            })
        ),
        // Twitch Kraken v5
        row!(
            "twitch-kraken-v5",
            "limit = 0",
            true,
            ["limit"],
            call!(v5.get_user_block_list().user_id(&me).limit(0u64).send())
        ),
        row!(
            "twitch-kraken-v5",
            "limit = 101",
            true,
            ["limit", "101", "1..=100"],
            call!(v5.get_user_block_list().user_id(&me).limit(101u64).send())
        ),
        row!(
            "twitch-kraken-v5",
            "follows limit = 1000",
            true,
            ["limit", "1000"],
            call!(v5.get_user_follows().user_id(&me).limit(1000u64).send())
        ),
        row!(
            "twitch-kraken-v5",
            "bad direction",
            true,
            ["sideways"],
            fails(async {
                "sideways"
                    .parse::<blockbind::twitch_kraken_v5::types::GetUserFollowsDirection>()
                    .map_err(|e| format!("{e}: sideways"))
            })
        ),
        row!(
            "twitch-kraken-v5",
            "bad sortby",
            true,
            ["popularity"],
            fails(async {
                "popularity"
                    .parse::<blockbind::twitch_kraken_v5::types::GetUserFollowsSortby>()
                    .map_err(|e| format!("{e}: popularity"))
            })
        ),
        row!(
            "twitch-kraken-v5",
            "CR in the OAuth token",
            true,
            ["user access token", "control character"],
            fails(async { Auth::user_token("abc\rdef").map_err(err) })
        ),
        row!(
            "twitch-kraken-v5",
            "unicode login",
            true,
            ["ASCII"],
            fails(async { Target::login("émilie").map_err(err) })
        ),
        row!(
            "twitch-kraken-v5",
            "unknown login",
            false,
            ["no user has the login"],
            fails(async {
                let list = block_list(Api::TwitchKrakenV5, Some(Target::Id(me.clone())))
                    .await
                    .map_err(err)?;
                list.block(
                    Target::Login("nobody_by_this_name".into()),
                    BlockOptions::default(),
                )
                .await
                .map_err(err)
            })
        ),
        // Twitch Kraken v2
        row!(
            "twitch-kraken-v2",
            "limit = 0",
            true,
            ["limit"],
            call!(
                v2.get_user_block_list()
                    .login(&c.twitch_login)
                    .limit(0u64)
                    .send()
            )
        ),
        row!(
            "twitch-kraken-v2",
            "limit = 500",
            true,
            ["limit", "500"],
            call!(
                v2.get_user_block_list()
                    .login(&c.twitch_login)
                    .limit(500u64)
                    .send()
            )
        ),
        row!(
            "twitch-kraken-v2",
            "an ID to block",
            true,
            ["pass the login"],
            fails(async {
                let list = block_list(
                    Api::TwitchKrakenV2,
                    Some(Target::Login(c.twitch_login.clone())),
                )
                .await
                .map_err(err)?;
                list.block(Target::Id("12826".into()), BlockOptions::default())
                    .await
                    .map_err(err)
            })
        ),
        row!(
            "twitch-kraken-v2",
            "a login with a slash",
            true,
            ["ASCII"],
            fails(async { Target::login("a/../b").map_err(err) })
        ),
        row!(
            "twitch-kraken-v2",
            "1 MB login",
            true,
            ["at most 25", "1048576 bytes"],
            fails(async { Target::login(huge_login.clone()).map_err(err) })
        ),
        // X API v2
        row!(
            "x-v2",
            "empty user ID",
            true,
            ["parameter `id`", "UserId"],
            call!(xv2.get_users_blocking().id("").send())
        ),
        row!(
            "x-v2",
            "non-numeric user ID",
            true,
            ["id"],
            call!(xv2.get_users_blocking().id("jack").send())
        ),
        row!(
            "x-v2",
            "20-digit user ID",
            true,
            ["id"],
            call!(xv2.get_users_blocking().id("12345678901234567890").send())
        ),
        row!(
            "x-v2",
            "CR/LF in the target ID",
            true,
            ["target_user_id"],
            call!(
                xv2.unblock_user()
                    .source_user_id(x_me.as_str())
                    .target_user_id("1\r\n2")
                    .send()
            )
        ),
        row!(
            "x-v2",
            "max_results = 0",
            true,
            ["max_results"],
            call!(
                xv2.get_users_blocking()
                    .id(x_me.as_str())
                    .max_results(0u32)
                    .send()
            )
        ),
        row!(
            "x-v2",
            "max_results = 5000",
            true,
            ["max_results", "5000", "1..=1000"],
            call!(
                xv2.get_users_blocking()
                    .id(x_me.as_str())
                    .max_results(5000u32)
                    .send()
            )
        ),
        row!(
            "x-v2",
            "short pagination_token",
            true,
            ["pagination_token", "PaginationToken32"],
            call!(
                xv2.get_users_blocking()
                    .id(x_me.as_str())
                    .pagination_token("abc")
                    .send()
            )
        ),
        row!(
            "x-v2",
            "bad user.fields value",
            true,
            ["favourite_colour"],
            fails(async {
                "favourite_colour"
                    .parse::<blockbind::x_v2::types::UserField>()
                    .map_err(|e| format!("{e}: favourite_colour"))
            })
        ),
        row!(
            "x-v2",
            "bad expansion",
            true,
            ["everything"],
            fails(async {
                "everything"
                    .parse::<blockbind::x_v2::types::UserExpansion>()
                    .map_err(|e| format!("{e}: everything"))
            })
        ),
        row!(
            "x-v2",
            "LF in the OAuth 2.0 token",
            true,
            ["X OAuth 2.0 user token", "control character"],
            fails(async { OAuth2UserToken::new("tok\nen").map_err(err) })
        ),
        row!(
            "x-v2",
            "app-only token on a user endpoint",
            true,
            ["user-context", "app-only"],
            fails(async {
                let client = blockbind_x_v2::Client::new(
                    &mock.url(blockbind_mock::Api::XV2),
                    Runtime::new(Auth::app_token(&c.x_app_token).map_err(err)?),
                );
                client
                    .get_users_blocking()
                    .id(x_me.as_str())
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| err(ApiError::from(e)))
            })
        ),
        row!(
            "x-v2",
            "a username to block",
            true,
            ["pass the user ID"],
            fails(async {
                let list = block_list(Api::XV2, Some(Target::Id(x_me.clone())))
                    .await
                    .map_err(err)?;
                list.block(Target::Login("jack".into()), BlockOptions::default())
                    .await
                    .map_err(err)
            })
        ),
        // X API v1.1
        row!(
            "x-v1",
            "NUL in the consumer key",
            true,
            ["consumer key", "control character"],
            fails(async { OAuth1Credentials::new("k\0ey", "s", "t", "ts").map_err(err) })
        ),
        row!(
            "x-v1",
            "CR/LF in the token secret",
            true,
            ["token secret", "control character"],
            fails(async { OAuth1Credentials::new("key", "s", "t", "ts\r\n").map_err(err) })
        ),
        row!(
            "x-v1",
            "empty access token",
            true,
            ["access token", "empty"],
            fails(async { OAuth1Credentials::new("key", "s", "", "ts").map_err(err) })
        ),
        row!(
            "x-v1",
            "non-numeric user_id",
            true,
            ["user_id"],
            call!(xv1.create_block().user_id("not-a-number").send())
        ),
        row!(
            "x-v1",
            "neither user_id nor screen_name",
            false,
            ["user_id", "screen_name"],
            call!(xv1.create_block().send())
        ),
        row!(
            "x-v1",
            "incomplete OAuth 1.0a variables",
            true,
            ["only some are set"],
            fails(async {
                Credentials::from_lookup(|n| (n == "X_ACCESS_TOKEN").then(|| "t".into()))
                    .map(drop)
                    .map_err(err)
            })
        ),
        row!(
            "x-v1",
            "unknown platform name",
            true,
            ["myspace", "x-v1"],
            fails(async { "myspace".parse::<Api>().map(drop).map_err(err) })
        ),
    ];
    assert!(rows.len() >= 40, "{} rows", rows.len());

    let mut report = Vec::new();
    for row in rows {
        let before = mock.total_requests();
        let result = row.run.await;
        let sent = mock.total_requests() - before;
        let message = result.unwrap_or_else(|why| panic!("{} / {}: {why}", row.api, row.what));
        assert!(
            !message.is_empty(),
            "{} / {}: an empty message",
            row.api,
            row.what
        );
        for word in row.says {
            assert!(
                message.contains(word),
                "{} / {}: the message should name {word:?}: {message}",
                row.api,
                row.what
            );
        }
        if row.nothing_sent {
            assert_eq!(
                sent, 0,
                "{} / {}: refused before sending, yet {sent} sent",
                row.api, row.what
            );
        }
        assert!(
            message.len() < 600,
            "{} / {}: a message of {} bytes",
            row.api,
            row.what,
            message.len()
        );
        assert!(!message.contains(&c.twitch_token) && !message.contains(&c.x_oauth2_token));
        report.push(format!("{:<17} {:<36} {}", row.api, row.what, message));
    }
    println!("{}", report.join("\n"));
}
