//! The bad-input matrix: out-of-range numbers, empty, non-numeric and 20-digit IDs, bad enum
//! values, CR/LF and NUL in tokens and IDs, 1 MB strings and unicode logins, on all five APIs.
//! Each row states the exact typed error it expects (variant and fields) and how far the input
//! got: a row that holds a client and is refused before sending must leave the mock's count of
//! every request it received unchanged; a row the platform refuses must reach it; a row that
//! holds no client (a parser, a credential constructor) claims nothing about sending.

mod common;

use std::fmt::{Debug, Display};
use std::future::Future;
use std::pin::Pin;

use blockbind::{Api, BlockOptions, Credentials, Error, Target, UnknownApi};
use blockbind_mock::{MockConfig, MockServer};
use blockbind_runtime::{
    ApiError, Auth, Bound, OAuth1Credentials, OAuth2UserToken, RequestError, Runtime, call,
};
use common::facade::config;

/// The error's message when it is the one the row expects; otherwise what was wrong.
type Judged = Result<String, String>;
type Case<'a> = Pin<Box<dyn Future<Output = Judged> + 'a>>;

/// How far a row's input can get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The row calls code that holds no client (a parser, a constructor): it cannot send, so
    /// nothing is claimed.
    NoClient,
    /// A client that could send refuses first: the mock receives nothing.
    RefusedBeforeSending,
    /// The platform refuses it: the mock receives exactly this many requests.
    Sent(u64),
}

/// One row of the matrix.
struct Row<'a> {
    api: &'static str,
    what: &'static str,
    reach: Reach,
    run: Case<'a>,
}

/// The call failed with exactly `expected`.
fn fails_with<T, E: PartialEq + Debug + Display>(result: Result<T, E>, expected: E) -> Judged {
    match result {
        Ok(_) => Err("the call succeeded".into()),
        Err(e) if e == expected => Ok(e.to_string()),
        Err(e) => Err(format!("got {e:?}, expected {expected:?}")),
    }
}

/// The call failed with an error that has no fields to compare (a generated enum's
/// `ConversionError`, which is its message), saying exactly `expected`.
fn fails_saying<T, E: Debug + Display>(result: Result<T, E>, expected: &str) -> Judged {
    match result {
        Ok(_) => Err("the call succeeded".into()),
        Err(e) if e.to_string() == expected => Ok(e.to_string()),
        Err(e) => Err(format!("got {e:?}, expected {expected:?}")),
    }
}

fn out_of_range(operation: &str, parameter: &str, value: &str, min: i64, max: i64) -> ApiError {
    ApiError::Refused(RequestError::OutOfRange {
        operation: operation.into(),
        parameter: parameter.into(),
        value: value.into(),
        bound: Bound {
            min: Some(min),
            max: Some(max),
        },
    })
}

fn invalid_input(message: &str) -> ApiError {
    ApiError::InvalidInput(message.into())
}

fn invalid_target(input: &str, reason: &str) -> Error {
    Error::InvalidTarget {
        input: input.into(),
        reason: reason.into(),
    }
}

fn control_character(what: &str) -> RequestError {
    RequestError::InvalidHeaderValue { what: what.into() }
}

fn empty(what: &str) -> RequestError {
    RequestError::EmptyCredential { what: what.into() }
}

/// A credential from the environment that the runtime refused.
fn bad_credential(what: &str, source: RequestError) -> Error {
    Error::InvalidCredential {
        what: what.into(),
        source: Box::new(source),
    }
}

#[tokio::test]
async fn every_bad_input_gives_its_exact_typed_error_and_what_could_send_sent_nothing() {
    use Reach::{NoClient, RefusedBeforeSending, Sent};

    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let config = config(&mock);
    let c = mock.credentials().clone();
    let helix = config.twitch_helix().unwrap();
    let v5 = config.twitch_kraken_v5().unwrap();
    let v2 = config.twitch_kraken_v2().unwrap();
    let xv2 = config.x_v2().unwrap();
    let xv1 = config.x_v1().unwrap();
    let me = c.twitch_user_id.clone();
    let x_me = c.x_user_id.clone();
    // The block lists are opened here, so a row measures only its own call.
    let helix_list = config
        .block_list(Api::TwitchHelix, Some(Target::Id(me.clone())))
        .await
        .unwrap();
    let v5_list = config
        .block_list(Api::TwitchKrakenV5, Some(Target::Id(me.clone())))
        .await
        .unwrap();
    let v2_list = config
        .block_list(
            Api::TwitchKrakenV2,
            Some(Target::Login(c.twitch_login.clone())),
        )
        .await
        .unwrap();
    let xv2_list = config
        .block_list(Api::XV2, Some(Target::Id(x_me.clone())))
        .await
        .unwrap();
    let app_only = blockbind_x_v2::Client::new(
        &mock.url(blockbind_mock::Api::XV2),
        Runtime::new(Auth::app_token(&c.x_app_token).unwrap()),
    );
    let huge = "9".repeat(1 << 20);
    let huge_login = "a".repeat(1 << 20);
    let shown_huge = format!("{}… (1048576 bytes)", "9".repeat(64));
    let shown_huge_login = format!("{}… (1048576 bytes)", "a".repeat(64));

    macro_rules! row {
        ($api:literal, $what:literal, $reach:expr, $run:expr) => {
            Row {
                api: $api,
                what: $what,
                reach: $reach,
                run: Box::pin($run),
            }
        };
    }

    let rows: Vec<Row> = vec![
        // Twitch Helix
        row!("twitch-helix", "first = 0", RefusedBeforeSending, async {
            fails_with(
                call(
                    helix
                        .get_user_block_list()
                        .broadcaster_id(&me)
                        .first(0u32)
                        .send(),
                )
                .await,
                invalid_input("parameter `first` must be a whole number of 1 or more"),
            )
        }),
        row!("twitch-helix", "first = 101", RefusedBeforeSending, async {
            fails_with(
                call(
                    helix
                        .get_user_block_list()
                        .broadcaster_id(&me)
                        .first(101u32)
                        .send(),
                )
                .await,
                out_of_range("get_user_block_list", "first", "101", 1, 100),
            )
        }),
        row!(
            "twitch-helix",
            "first = 4294967295",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(
                        helix
                            .get_user_block_list()
                            .broadcaster_id(&me)
                            .first(u32::MAX)
                            .send(),
                    )
                    .await,
                    out_of_range("get_user_block_list", "first", "4294967295", 1, 100),
                )
            }
        ),
        row!(
            "twitch-helix",
            "no broadcaster_id",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(helix.get_user_block_list().send()).await,
                    invalid_input("required parameter `broadcaster_id` is missing"),
                )
            }
        ),
        row!("twitch-helix", "bad source_context", NoClient, async {
            fails_saying(
                "whispers".parse::<blockbind::SourceContext>(),
                r#""whispers" is not one of: chat, whisper"#,
            )
        }),
        row!("twitch-helix", "bad reason", NoClient, async {
            fails_saying(
                "rude".parse::<blockbind::BlockReason>(),
                r#""rude" is not one of: harassment, spam, other"#,
            )
        }),
        row!("twitch-helix", "empty target ID", NoClient, async {
            fails_with(
                Target::id(""),
                invalid_target("", "a user ID cannot be empty"),
            )
        }),
        row!("twitch-helix", "non-numeric target ID", NoClient, async {
            fails_with(
                Target::id("12ab"),
                invalid_target("12ab", "a user ID is made of digits only"),
            )
        }),
        row!("twitch-helix", "20-digit target ID", NoClient, async {
            fails_with(
                Target::id("12345678901234567890"),
                invalid_target("12345678901234567890", "a user ID has at most 19 digits"),
            )
        }),
        row!("twitch-helix", "1 MB target ID", NoClient, async {
            fails_with(
                Target::parse(&huge),
                invalid_target(&shown_huge, "a user ID has at most 19 digits"),
            )
        }),
        row!("twitch-helix", "CR/LF in the token", NoClient, async {
            fails_with(
                Credentials::new().with_twitch("cid", "tok\r\nX-Injected: 1"),
                bad_credential("TWITCH_TOKEN", control_character("TWITCH_TOKEN")),
            )
        }),
        row!("twitch-helix", "NUL in the client ID", NoClient, async {
            fails_with(
                Credentials::new().with_twitch("c\0id", "tok"),
                bad_credential("TWITCH_CLIENT_ID", control_character("TWITCH_CLIENT_ID")),
            )
        }),
        row!("twitch-helix", "empty token", NoClient, async {
            fails_with(
                Auth::user_token("").and_then(|a| a.with_api_key("cid")),
                empty("user access token"),
            )
        }),
        row!(
            "twitch-helix",
            "a login Twitch forbids (3 characters), before the lookup",
            RefusedBeforeSending,
            async {
                fails_with(
                    helix_list
                        .block(Target::Login("abc".into()), BlockOptions::default())
                        .await,
                    Error::InvalidTarget {
                        input: "abc".into(),
                        reason: "a Twitch login has 4 to 25 characters (ASCII letters, digits and underscores)".into(),
                    },
                )
            }
        ),
        row!(
            "twitch-helix",
            "no acting user",
            RefusedBeforeSending,
            async {
                fails_with(
                    config.block_list(Api::TwitchHelix, None).await.map(drop),
                    Error::NeedsUser {
                        api: Api::TwitchHelix,
                        reason: "Helix needs the user ID of the token's user (the broadcaster)",
                    },
                )
            }
        ),
        // Twitch Kraken v5
        row!(
            "twitch-kraken-v5",
            "limit = 0",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(v5.get_user_block_list().user_id(&me).limit(0u64).send()).await,
                    invalid_input("parameter `limit` must be a whole number of 1 or more"),
                )
            }
        ),
        row!(
            "twitch-kraken-v5",
            "limit = 101",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(v5.get_user_block_list().user_id(&me).limit(101u64).send()).await,
                    out_of_range("get_user_block_list", "limit", "101", 1, 100),
                )
            }
        ),
        row!(
            "twitch-kraken-v5",
            "follows limit = 1000",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(v5.get_user_follows().user_id(&me).limit(1000u64).send()).await,
                    out_of_range("get_user_follows", "limit", "1000", 1, 100),
                )
            }
        ),
        row!("twitch-kraken-v5", "bad direction", NoClient, async {
            fails_saying(
                "sideways".parse::<blockbind::twitch_kraken_v5::types::GetUserFollowsDirection>(),
                r#""sideways" is not one of: asc, desc"#,
            )
        }),
        row!("twitch-kraken-v5", "bad sortby", NoClient, async {
            fails_saying(
                "popularity".parse::<blockbind::twitch_kraken_v5::types::GetUserFollowsSortby>(),
                r#""popularity" is not one of: created_at, last_broadcast, login"#,
            )
        }),
        row!(
            "twitch-kraken-v5",
            "CR in the OAuth token",
            NoClient,
            async {
                fails_with(
                    Auth::user_token("abc\rdef"),
                    control_character("user access token"),
                )
            }
        ),
        row!("twitch-kraken-v5", "unicode login", NoClient, async {
            fails_with(
                Target::login("émilie"),
                invalid_target(
                    "émilie",
                    "a login is made of ASCII letters, digits and underscores only",
                ),
            )
        }),
        // The login is looked up (one request), and the platform knows no such user.
        row!("twitch-kraken-v5", "unknown login", Sent(1), async {
            fails_with(
                v5_list
                    .block(
                        Target::Login("nobody_by_this_name".into()),
                        BlockOptions::default(),
                    )
                    .await,
                Error::UnknownUser {
                    api: Api::TwitchKrakenV5,
                    login: "nobody_by_this_name".into(),
                },
            )
        }),
        // Twitch Kraken v2
        row!(
            "twitch-kraken-v2",
            "limit = 0",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(
                        v2.get_user_block_list()
                            .login(&c.twitch_login)
                            .limit(0u64)
                            .send(),
                    )
                    .await,
                    invalid_input("parameter `limit` must be a whole number of 1 or more"),
                )
            }
        ),
        row!(
            "twitch-kraken-v2",
            "limit = 500",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(
                        v2.get_user_block_list()
                            .login(&c.twitch_login)
                            .limit(500u64)
                            .send(),
                    )
                    .await,
                    out_of_range("get_user_block_list", "limit", "500", 1, 100),
                )
            }
        ),
        row!(
            "twitch-kraken-v2",
            "an ID to block",
            RefusedBeforeSending,
            async {
                fails_with(
                    v2_list
                        .block(Target::Id("12826".into()), BlockOptions::default())
                        .await,
                    Error::Unresolvable {
                        api: Api::TwitchKrakenV2,
                        action: "block",
                        target: Target::Id("12826".into()),
                        reason: "Kraken v2 addresses users by login and has no user lookup; pass the login",
                    },
                )
            }
        ),
        row!(
            "twitch-kraken-v2",
            "a login with a slash",
            NoClient,
            async {
                fails_with(
                    Target::login("a/../b"),
                    invalid_target(
                        "a/../b",
                        "a login is made of ASCII letters, digits and underscores only",
                    ),
                )
            }
        ),
        row!("twitch-kraken-v2", "1 MB login", NoClient, async {
            fails_with(
                Target::login(huge_login.clone()),
                invalid_target(&shown_huge_login, "a login has at most 25 characters"),
            )
        }),
        // X API v2
        row!("x-v2", "empty user ID", RefusedBeforeSending, async {
            fails_with(
                call(xv2.get_users_blocking().id("").send()).await,
                invalid_input("parameter `id` must be a valid `UserId` as the spec defines it"),
            )
        }),
        row!("x-v2", "non-numeric user ID", RefusedBeforeSending, async {
            fails_with(
                call(xv2.get_users_blocking().id("jack").send()).await,
                invalid_input("parameter `id` must be a valid `UserId` as the spec defines it"),
            )
        }),
        row!("x-v2", "20-digit user ID", RefusedBeforeSending, async {
            fails_with(
                call(xv2.get_users_blocking().id("12345678901234567890").send()).await,
                invalid_input("parameter `id` must be a valid `UserId` as the spec defines it"),
            )
        }),
        row!(
            "x-v2",
            "CR/LF in the target ID",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(
                        xv2.unblock_user()
                            .source_user_id(x_me.as_str())
                            .target_user_id("1\r\n2")
                            .send(),
                    )
                    .await,
                    invalid_input(
                        "parameter `target_user_id` must be a valid `UserId` as the spec defines it",
                    ),
                )
            }
        ),
        row!("x-v2", "max_results = 0", RefusedBeforeSending, async {
            fails_with(
                call(
                    xv2.get_users_blocking()
                        .id(x_me.as_str())
                        .max_results(0u32)
                        .send(),
                )
                .await,
                invalid_input("parameter `max_results` must be a whole number of 1 or more"),
            )
        }),
        row!("x-v2", "max_results = 5000", RefusedBeforeSending, async {
            fails_with(
                call(
                    xv2.get_users_blocking()
                        .id(x_me.as_str())
                        .max_results(5000u32)
                        .send(),
                )
                .await,
                out_of_range("get_users_blocking", "max_results", "5000", 1, 1000),
            )
        }),
        row!(
            "x-v2",
            "short pagination_token",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(
                        xv2.get_users_blocking()
                            .id(x_me.as_str())
                            .pagination_token("abc")
                            .send(),
                    )
                    .await,
                    invalid_input(
                        "parameter `pagination_token` must be a valid `PaginationToken32` as the spec defines it",
                    ),
                )
            }
        ),
        row!("x-v2", "bad user.fields value", NoClient, async {
            fails_saying(
                "favourite_colour".parse::<blockbind::x_v2::types::UserField>(),
                concat!(
                    r#""favourite_colour" is not one of: affiliation, confirmed_email, "#,
                    "connection_status, created_at, description, entities, id, ",
                    "is_identity_verified, location, most_recent_tweet_id, name, parody, ",
                    "pinned_tweet_id, profile_banner_url, profile_image_url, protected, ",
                    "public_metrics, receives_your_dm, subscribes_to_you, subscription, ",
                    "subscription_type, url, username, verified, verified_followers_count, ",
                    "verified_type, withheld",
                ),
            )
        }),
        row!("x-v2", "bad expansion", NoClient, async {
            fails_saying(
                "everything".parse::<blockbind::x_v2::types::UserExpansion>(),
                concat!(
                    r#""everything" is not one of: affiliation.user_id, most_recent_tweet_id, "#,
                    "pinned_tweet_id, affiliation, most_recent_post_id, pinned_post_id",
                ),
            )
        }),
        row!("x-v2", "LF in the OAuth 2.0 token", NoClient, async {
            fails_with(
                OAuth2UserToken::new("tok\nen"),
                control_character("X OAuth 2.0 user token"),
            )
        }),
        row!(
            "x-v2",
            "app-only token on a user endpoint",
            RefusedBeforeSending,
            async {
                fails_with(
                    call(app_only.get_users_blocking().id(x_me.as_str()).send()).await,
                    ApiError::Refused(RequestError::WrongCredentialKind {
                        operation: "get_users_blocking".into(),
                        needs: "a user-context credential: OAuth2UserToken (a token sent as \
                                Authorization: Bearer), or UserToken (OAuth 1.0a user \
                                credentials)"
                            .into(),
                        given: "an app-only bearer token".into(),
                    }),
                )
            }
        ),
        row!(
            "x-v2",
            "a username X forbids (16 characters), before the lookup",
            RefusedBeforeSending,
            async {
                fails_with(
                    xv2_list
                        .block(
                            Target::Login("sixteen_chars_xx".into()),
                            BlockOptions::default(),
                        )
                        .await,
                    Error::InvalidTarget {
                        input: "sixteen_chars_xx".into(),
                        reason: "an X username has 1 to 15 characters (ASCII letters, digits and underscores)".into(),
                    },
                )
            }
        ),
        // X API v1.1
        row!("x-v1", "NUL in the consumer key", NoClient, async {
            fails_with(
                OAuth1Credentials::new("k\0ey", "s", "t", "ts"),
                control_character("OAuth 1.0a consumer key"),
            )
        }),
        row!("x-v1", "CR/LF in the token secret", NoClient, async {
            fails_with(
                OAuth1Credentials::new("key", "s", "t", "ts\r\n"),
                control_character("OAuth 1.0a access token secret"),
            )
        }),
        row!("x-v1", "empty access token", NoClient, async {
            fails_with(
                OAuth1Credentials::new("key", "s", "", "ts"),
                empty("OAuth 1.0a access token"),
            )
        }),
        row!("x-v1", "non-numeric user_id", RefusedBeforeSending, async {
            fails_with(
                call(xv1.create_block().user_id("not-a-number").send()).await,
                invalid_input(
                    "parameter `user_id` must be a valid `UserId` as the spec defines it",
                ),
            )
        }),
        // The spec cannot say "one of the two", so the platform refuses it.
        row!("x-v1", "neither user_id nor screen_name", Sent(1), async {
            match call(xv1.create_block().send()).await {
                Ok(_) => Err("the call succeeded".into()),
                Err(
                    ref e @ ApiError::Status {
                        status: 400,
                        ref message,
                        attempts: 1,
                        ..
                    },
                ) if message == "Give `user_id` or `screen_name`. (code 44)" => Ok(e.to_string()),
                Err(e) => Err(format!("got {e:?}, expected the platform's 400 (code 44)")),
            }
        }),
        row!("x-v1", "incomplete OAuth 1.0a variables", NoClient, async {
            fails_with(
                Credentials::from_lookup(|n| (n == "X_ACCESS_TOKEN").then(|| "t".into())).map(drop),
                Error::InvalidConfig(
                    "OAuth 1.0a needs all of X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN \
                     and X_ACCESS_TOKEN_SECRET; only some are set"
                        .into(),
                ),
            )
        }),
        row!("x-v1", "unknown platform name", NoClient, async {
            fails_with("myspace".parse::<Api>(), UnknownApi("myspace".into()))
        }),
    ];
    assert!(rows.len() >= 40, "{} rows", rows.len());

    let mut report = Vec::new();
    let mut could_send = 0;
    for row in rows {
        let before = mock.requests_received();
        let judged = row.run.await;
        let received = mock.requests_received() - before;
        let message = judged.unwrap_or_else(|why| panic!("{} / {}: {why}", row.api, row.what));
        match row.reach {
            NoClient => {}
            RefusedBeforeSending => {
                could_send += 1;
                assert_eq!(
                    received, 0,
                    "{} / {}: refused before sending, yet the mock received {received}",
                    row.api, row.what
                );
            }
            Sent(n) => assert_eq!(
                received, n,
                "{} / {}: the platform's refusal needs {n} request(s)",
                row.api, row.what
            ),
        }
        assert!(
            !message.is_empty() && message.len() < 600,
            "{} / {}: a message of {} bytes",
            row.api,
            row.what,
            message.len()
        );
        assert!(!message.contains(&c.twitch_token) && !message.contains(&c.x_oauth2_token));
        report.push(format!(
            "{:<17} {:<36} {:<22} {}",
            row.api,
            row.what,
            format!("{:?}", row.reach),
            message
        ));
    }
    println!("{}", report.join("\n"));
    println!("{could_send} rows could have sent and sent nothing");
}
