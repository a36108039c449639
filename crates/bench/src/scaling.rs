//! Throughput with many requests in flight: the generated client with the runtime against raw
//! reqwest at the same concurrency, on the multi-threaded runtime, against the fixed page server
//! of `blockbind-bench serve` (a process of its own). Pacing is on; the server's bucket never runs
//! dry, so the limiter is consulted on every request but never makes one wait: what is measured is
//! what the runtime costs when many requests share it (its locks included).

use std::sync::Arc;
use std::time::{Duration, Instant};

use blockbind::Api;
use blockbind_runtime::{Auth, OAuth2UserToken, Runtime};
use serde_json::json;

use crate::overhead::median;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `inflight` tasks each sending `requests / inflight` requests one after another, the SDK and
/// raw reqwest alternating round by round; prints the median requests per second of each.
pub(crate) async fn scaling(
    api: Api,
    base: &str,
    inflight: usize,
    requests: usize,
    rounds: usize,
) -> Result<()> {
    let inflight = inflight.max(1);
    let per_task = (requests / inflight).max(1);
    let http = Runtime::http_client(Duration::from_secs(30));
    let target = Arc::new(Target::new(api, base, http)?);
    // Warm: connections for every task, allocations.
    for sdk in [true, false] {
        run(&target, sdk, inflight, 4).await?;
    }
    let (mut s, mut r) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for sdk in [round % 2 == 0, round % 2 == 1] {
            let started = Instant::now();
            run(&target, sdk, inflight, per_task).await?;
            let rate = (per_task * inflight) as f64 / started.elapsed().as_secs_f64();
            if sdk { s.push(rate) } else { r.push(rate) }
        }
    }
    let (sdk, raw) = (median(s), median(r));
    println!(
        "{}",
        json!({"bench": "scaling", "api": api.to_string(), "inflight": inflight,
               "requests": per_task * inflight, "rounds": rounds, "workers": crate::workers(),
               "sdk_per_s": sdk, "raw_per_s": raw, "ratio": sdk / raw})
    );
    Ok(())
}

async fn run(target: &Arc<Target>, sdk: bool, inflight: usize, per_task: usize) -> Result<()> {
    let tasks: Vec<_> = (0..inflight)
        .map(|_| {
            let target = Arc::clone(target);
            tokio::spawn(async move {
                for _ in 0..per_task {
                    target.one(sdk).await.map_err(|e| e.to_string())?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// One client of each side for one API.
enum Target {
    Helix {
        sdk: blockbind_twitch_helix::Client,
        http: reqwest::Client,
        url: String,
    },
    X {
        sdk: blockbind_x_v2::Client,
        http: reqwest::Client,
        url: String,
    },
}

impl Target {
    fn new(api: Api, base: &str, http: reqwest::Client) -> Result<Self> {
        Ok(match api {
            Api::TwitchHelix => Self::Helix {
                sdk: blockbind_twitch_helix::Client::new_with_client(
                    &format!("{base}/helix"),
                    http.clone(),
                    Runtime::new(
                        Auth::user_token("benchtoken")
                            .and_then(|a| a.with_api_key("benchclientid"))?,
                    ),
                ),
                http,
                url: format!("{base}/helix/users/blocks"),
            },
            _ => Self::X {
                sdk: blockbind_x_v2::Client::new_with_client(
                    &format!("{base}/2"),
                    http.clone(),
                    Runtime::new(Auth::oauth2_user(OAuth2UserToken::new("benchtoken")?)),
                ),
                http,
                url: format!("{base}/2/users/2244994945/blocking"),
            },
        })
    }

    async fn one(&self, sdk: bool) -> Result<usize> {
        match (self, sdk) {
            (Self::Helix { sdk, .. }, true) => {
                let page = blockbind_runtime::call(
                    sdk.get_user_block_list()
                        .broadcaster_id("141981764")
                        .first(100u32)
                        .send(),
                )
                .await?;
                Ok(page.data.len())
            }
            (Self::Helix { http, url, .. }, false) => {
                let body = http
                    .get(url)
                    .query(&[("broadcaster_id", "141981764"), ("first", "100")])
                    .header("accept", "application/json")
                    .header("authorization", "Bearer benchtoken")
                    .header("client-id", "benchclientid")
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                let page: blockbind_twitch_helix::types::GetUserBlockListResponse =
                    serde_json::from_slice(&body)?;
                Ok(page.data.len())
            }
            (Self::X { sdk, .. }, true) => {
                let page = blockbind_runtime::call(
                    sdk.get_users_blocking()
                        .id("2244994945")
                        .max_results(1000u32)
                        .send(),
                )
                .await?;
                Ok(page.data.len())
            }
            (Self::X { http, url, .. }, false) => {
                let body = http
                    .get(url)
                    .query(&[("max_results", "1000")])
                    .header("accept", "application/json")
                    .header("authorization", "Bearer benchtoken")
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                let page: blockbind_x_v2::types::GetUsersBlockingResponse =
                    serde_json::from_slice(&body)?;
                Ok(page.data.len())
            }
        }
    }
}
