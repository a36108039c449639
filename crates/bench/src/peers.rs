//! blockbind against the crates people use today for the same API, on the same local server:
//! `twitch_api` 0.8 for Helix, `twapi-v2` 0.27 for X v2, and raw reqwest as the floor. Built only
//! with the `peers` feature (`cargo xtask bench` turns it on), so nothing else compiles them.
//!
//! Each peer is used as its documentation shows, with its own `reqwest::Client` where it makes
//! one, and pointed at the local server the way it allows:
//! - `twitch_api` reads its Helix URL from `TWITCH_HELIX_URL` (feature `mock_api`), once per
//!   process: the xtask sets it on this process's environment.
//! - `twapi-v2` takes a prefix URL in its `TwapiOptions`. It builds a new `reqwest::Client` for
//!   every request (`Api::build`), so it connects anew each time: that is its cost as shipped.
//!
//! The server runs in a process of its own (`blockbind-bench serve` for one fixed page, the mock
//! for whole lists), so the client sides share nothing with it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use blockbind::Api;
use blockbind_runtime::Runtime;
use blockbind_runtime::pagination::TryStreamExt;
use serde_json::json;

use crate::overhead::median;
use crate::paginate::peak_rss_kib;
use crate::pair::{HELIX_USER, Pair, X_USER};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The sides measured, in the order of the first round (each round rotates it).
const SIDES: [&str; 3] = ["blockbind", "peer", "raw"];

/// Sequential requests for one page to the server at `base`: blockbind, the peer and raw
/// reqwest, `requests` each per round, the order rotating every round. Prints the median
/// microseconds per request of each.
pub(crate) async fn per_request(
    api: Api,
    base: &str,
    requests: usize,
    rounds: usize,
) -> Result<()> {
    let mut times: [Vec<f64>; 3] = Default::default();
    let http = Runtime::http_client(Duration::from_secs(10));
    let sides = Sides::new(api, base, http)?;
    for side in 0..3 {
        for _ in 0..50 {
            sides.one(side).await?; // warm: connections, allocations
        }
    }
    for round in 0..rounds {
        for k in 0..3 {
            let side = (round + k) % 3;
            let started = Instant::now();
            for _ in 0..requests {
                sides.one(side).await?;
            }
            times[side].push(started.elapsed().as_nanos() as f64 / requests as f64 / 1e3);
        }
    }
    let [blockbind, peer, raw] = times.map(median);
    println!(
        "{}",
        json!({"bench": "peers", "api": api.to_string(), "requests": requests, "rounds": rounds,
               "peer": peer_name(api), "sides": SIDES,
               "blockbind_us": blockbind, "peer_us": peer, "raw_us": raw})
    );
    Ok(())
}

/// The peer measured for `api`, as BENCHMARKS.md names it.
pub(crate) fn peer_name(api: Api) -> &'static str {
    match api {
        Api::TwitchHelix => "twitch_api 0.8.0",
        _ => "twapi-v2 0.27.0",
    }
}

/// One client of each side, built once: blockbind and raw reqwest ([`Pair`]), and the peer.
struct Sides {
    pair: Pair,
    peer: Peer,
}

enum Peer {
    Helix {
        client: twitch_api::HelixClient<'static, reqwest::Client>,
        token: twitch_api::twitch_oauth2::UserToken,
    },
    X {
        auth: twapi_v2::api::BearerAuthentication,
        options: twapi_v2::api::TwapiOptions,
    },
}

impl Sides {
    fn new(api: Api, base: &str, http: reqwest::Client) -> Result<Self> {
        let peer = match api {
            Api::TwitchHelix => {
                helix_url_is(base)?;
                Peer::Helix {
                    client: twitch_api::HelixClient::new(),
                    token: helix_token("benchtoken", "benchclientid", HELIX_USER),
                }
            }
            _ => Peer::X {
                auth: twapi_v2::api::BearerAuthentication::new("benchtoken"),
                options: twapi_options(base),
            },
        };
        Ok(Self {
            pair: Pair::new(api, base, http)?,
            peer,
        })
    }

    /// One request for one page by side `side` (an index into [`SIDES`]); the users it decoded.
    async fn one(&self, side: usize) -> Result<usize> {
        match (side, &self.peer) {
            (1, Peer::Helix { client, token }) => {
                let mut request =
                    twitch_api::helix::users::GetUserBlockListRequest::broadcaster_id(HELIX_USER);
                request.first = Some(100);
                Ok(client.req_get(request, token).await?.data.len())
            }
            (1, Peer::X { auth, options }) => {
                let (page, _headers) = twapi_v2::api::get_2_users_id_blocking::Api::new(X_USER)
                    .max_results(1000)
                    .twapi_options(options.clone())
                    .execute(auth)
                    .await?;
                Ok(page.data.map_or(0, |d| d.len()))
            }
            (side, _) => self.pair.one(side == 0).await,
        }
    }
}

/// `twitch_api` sends to the URL in `TWITCH_HELIX_URL` (read once per process): refuse to
/// start unless it names the local server, so no request ever leaves for the platform.
fn helix_url_is(base: &str) -> Result<()> {
    let expected = format!("{base}/helix/");
    if std::env::var("TWITCH_HELIX_URL").ok().as_deref() != Some(expected.as_str()) {
        return Err(format!("set TWITCH_HELIX_URL={expected} for twitch_api").into());
    }
    Ok(())
}

fn helix_token(token: &str, client_id: &str, user: &str) -> twitch_api::twitch_oauth2::UserToken {
    use twitch_api::twitch_oauth2::{AccessToken, ClientId, Scope, UserToken};
    UserToken::from_existing_unchecked(
        AccessToken::new(token.to_string()),
        None,
        ClientId::new(client_id.to_string()),
        None,
        "bench".into(),
        user.into(),
        Some(vec![Scope::UserReadBlockedUsers]),
        None,
    )
}

fn twapi_options(base: &str) -> twapi_v2::api::TwapiOptions {
    twapi_v2::api::TwapiOptions {
        prefix_url: Some(base.to_string()),
        // One try, as blockbind's first attempt: the server never fails.
        try_count: Some(1),
        ..Default::default()
    }
}

/// The whole block list from the mock at `base` through the peer: `twitch_api`'s
/// `make_stream` (100 per page, its Helix URL from `TWITCH_HELIX_URL`), or a `twapi-v2` loop over
/// `pagination_token` (1,000 per page). Prints users/s and peak RSS like `paginate`.
pub(crate) async fn paginate_peer(
    api: Api,
    base: &str,
    user: &str,
    client_id: &str,
    token: &str,
) -> Result<()> {
    let started = Instant::now();
    let mut users = 0u64;
    let mut checksum = 0u64; // touches every user, as the other sides do
    match api {
        Api::TwitchHelix => {
            helix_url_is(base)?;
            let client: twitch_api::HelixClient<'static, reqwest::Client> =
                twitch_api::HelixClient::new();
            let token = helix_token(token, client_id, user);
            let mut request =
                twitch_api::helix::users::GetUserBlockListRequest::broadcaster_id(user);
            request.first = Some(100);
            let mut stream =
                twitch_api::helix::make_stream(request, &token, &client, VecDeque::from);
            while let Some(u) = stream.try_next().await? {
                users += 1;
                checksum = checksum.wrapping_add(
                    u.user_id.as_str().len() as u64 + u.user_login.as_str().len() as u64,
                );
            }
        }
        _ => {
            let auth = twapi_v2::api::BearerAuthentication::new(token);
            let options = twapi_options(base);
            let mut next: Option<String> = None;
            loop {
                let mut call = twapi_v2::api::get_2_users_id_blocking::Api::new(user)
                    .max_results(1000)
                    .twapi_options(options.clone());
                if let Some(t) = &next {
                    call = call.pagination_token(t);
                }
                let (page, _headers) = call.execute(&auth).await?;
                let data = page.data.unwrap_or_default();
                for u in &data {
                    users += 1;
                    checksum = checksum.wrapping_add(u.id.len() as u64 + u.username.len() as u64);
                }
                next = page.meta.and_then(|m| m.next_token);
                if next.is_none() || data.is_empty() {
                    break;
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"bench": "paginate", "api": format!("{api:?}").to_lowercase(), "mode": "peer",
               "peer": peer_name(api), "users": users, "seconds": secs, "users_per_s": users as f64 / secs,
               "peak_rss_mib": peak_rss_kib().map(|k| k as f64 / 1024.0), "checksum": checksum})
    );
    Ok(())
}
