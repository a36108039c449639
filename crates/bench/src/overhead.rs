//! Per-request overhead: the generated client with the runtime against raw reqwest, same
//! headers, same fixed local server, interleaved round by round. The caller picks the Tokio
//! runtime (current-thread or multi-thread); this module only reports which it ran on.

use std::time::{Duration, Instant};

use blockbind::Api;
use blockbind_runtime::Runtime;
use clap::ValueEnum;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Flavor;
use crate::pair::Pair;

/// A page of `n` users in the API's shape, as the fixed server's answer.
pub(crate) fn page(api: Api, n: usize) -> String {
    let users: Vec<serde_json::Value> = (0..n)
        .map(|i| match api {
            Api::TwitchHelix => json!({"user_id": format!("{}", 600_000_000 + i), "user_login": format!("user{i}"), "display_name": format!("User{i}")}),
            _ => json!({"id": format!("{}", 600_000_000 + i), "username": format!("user{i}"), "name": format!("User {i}")}),
        })
        .collect();
    match api {
        Api::TwitchHelix => json!({"data": users, "pagination": {}}).to_string(),
        _ => json!({"data": users, "meta": {"result_count": n}}).to_string(),
    }
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1:0 answering every request with `body` and the
/// platform's rate-limit headers (a bucket that never runs dry).
pub(crate) async fn fixed_server(api: Api, body: String) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        + 3600;
    let prefix = match api {
        Api::TwitchHelix => "ratelimit",
        _ => "x-rate-limit",
    };
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{prefix}-limit: 1000000\r\n{prefix}-remaining: 999999\r\n{prefix}-reset: {reset}\r\n\r\n{body}",
        body.len()
    );
    let response: &'static [u8] = Box::leak(response.into_bytes().into_boxed_slice());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut filled = 0;
                loop {
                    match stream.read(&mut buf[filled..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => filled += n,
                    }
                    // GET requests have no body: a request ends at the blank line.
                    while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                        if stream.write_all(response).await.is_err() {
                            return;
                        }
                        buf.copy_within(end + 4..filled, 0);
                        filled -= end + 4;
                    }
                    if filled == buf.len() {
                        return;
                    }
                }
            });
        }
    });
    Ok(format!("http://{addr}"))
}

/// Serves one fixed page of 20 users for `api` on 127.0.0.1:0, prints its URL as one JSON line
/// and serves until stdin closes (the peers bench's server, in a process of its own).
pub(crate) async fn serve(api: Api) -> Result<(), Box<dyn std::error::Error>> {
    let base = fixed_server(api, page(api, 20)).await?;
    println!("{}", json!({"base_url": base}));
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    Ok(())
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Prints the median time per request of each side, on the runtime the caller built
/// (`flavor`, with `workers` threads), as one JSON line.
pub(crate) async fn overhead(
    api: Api,
    requests: usize,
    rounds: usize,
    flavor: Flavor,
    workers: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let base = fixed_server(api, page(api, 20)).await?;
    let http = Runtime::http_client(Duration::from_secs(10));
    let pair = Pair::new(api, &base, http)?;
    let (sdk_ns, raw_ns) =
        interleave(rounds, requests, || pair.one(true), || pair.one(false)).await?;
    let name = match api {
        Api::TwitchHelix => "twitch-helix",
        _ => "x-v2",
    };
    println!(
        "{}",
        json!({"bench": "overhead", "api": name, "requests": requests, "rounds": rounds,
               "runtime": flavor.to_possible_value().map(|v| v.get_name().to_string()), "workers": workers,
               "sdk_us": sdk_ns / 1e3, "raw_us": raw_ns / 1e3, "ratio": sdk_ns / raw_ns})
    );
    Ok(())
}

/// Runs `requests` calls of each, alternating which goes first, `rounds` times; returns the
/// median nanoseconds per call of each.
pub(crate) async fn interleave<S, SF, R, RF>(
    rounds: usize,
    requests: usize,
    sdk: S,
    raw: R,
) -> Result<(f64, f64), Box<dyn std::error::Error>>
where
    S: Fn() -> SF,
    SF: std::future::Future<Output = Result<usize, Box<dyn std::error::Error>>>,
    R: Fn() -> RF,
    RF: std::future::Future<Output = Result<usize, Box<dyn std::error::Error>>>,
{
    // BLOCKBIND_BENCH_ONLY=sdk|raw runs one side alone (for a profiler).
    match std::env::var("BLOCKBIND_BENCH_ONLY").as_deref() {
        Ok("sdk") => {
            for _ in 0..requests {
                sdk().await?;
            }
            return Ok((0.0, 1.0));
        }
        Ok("raw") => {
            for _ in 0..requests {
                raw().await?;
            }
            return Ok((0.0, 1.0));
        }
        _ => {}
    }
    // Warm both paths (connections, allocations).
    for _ in 0..200 {
        sdk().await?;
        raw().await?;
    }
    let (mut s, mut r) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for first_sdk in [round % 2 == 0, round % 2 == 1] {
            let started = Instant::now();
            for _ in 0..requests {
                if first_sdk {
                    sdk().await?;
                } else {
                    raw().await?;
                }
            }
            let per = started.elapsed().as_nanos() as f64 / requests as f64;
            if first_sdk { s.push(per) } else { r.push(per) }
        }
    }
    Ok((median(s), median(r)))
}
