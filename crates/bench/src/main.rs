//! The programs `cargo xtask bench` runs and measures. Each prints one JSON object on stdout;
//! the xtask repeats them, takes medians and compares each with its baseline measured in the
//! same run. Nothing here asserts a time: these are measurements, not tests.
//!
//! Every server is on 127.0.0.1 (port 0), started here or by the xtask, and stopped at the end.

use std::time::{Duration, Instant};

use blockbind::Api;
use blockbind_runtime::pagination::TryStreamExt;
use blockbind_runtime::{Auth, OAuth2UserToken, Runtime};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Sdk,
    Raw,
}

#[derive(Subcommand)]
enum Command {
    /// Sequential list requests to a fixed local server: the generated client with the runtime
    /// against raw reqwest with the same headers, interleaved round by round.
    Overhead {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        #[arg(long, default_value_t = 9)]
        rounds: usize,
    },
    /// Serves the mock with `users` blocks seeded for the default Twitch and X users, prints
    /// one JSON line with its URL and credentials, and serves until stdin closes.
    Mock {
        #[arg(long, default_value_t = 1_000_000)]
        users: u64,
    },
    /// Streams the whole block list from the mock at `base`: the SDK's stream, or a
    /// hand-written reqwest + serde loop over the same pages. Reports users/s and peak RSS.
    Paginate {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long, value_enum)]
        mode: Mode,
        #[arg(long)]
        base: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        client_id: String,
        /// Read from the environment variable of this name (not a flag value in `ps`).
        #[arg(long)]
        token_env: String,
    },
    /// `blockbind import` of `targets` against the mock with one bucket and added latency.
    MassBlock {
        #[arg(long, value_enum)]
        api: Api,
        #[arg(long)]
        cli: String,
        #[arg(long)]
        targets: u64,
        #[arg(long)]
        limit: u32,
        #[arg(long)]
        window_ms: u64,
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        #[arg(long, default_value_t = 16)]
        concurrency: u16,
    },
}

/// The APIs with a hand-written raw-reqwest baseline to compare against.
const MEASURED: [Api; 2] = [Api::TwitchHelix, Api::XV2];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let api = match &args.command {
        Command::Overhead { api, .. }
        | Command::Paginate { api, .. }
        | Command::MassBlock { api, .. } => Some(*api),
        _ => None,
    };
    if let Some(api) = api
        && !MEASURED.contains(&api)
    {
        return Err(
            format!("no raw-reqwest baseline for {api}: measure twitch-helix or x-v2").into(),
        );
    }
    // The overhead comparison runs client and server on one thread, so both sides see the same
    // scheduling; the others are closer to real use on the multi-threaded runtime.
    let runtime = match args.command {
        Command::Overhead { .. } => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        _ => tokio::runtime::Runtime::new()?,
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    match args.command {
        Command::Overhead {
            api,
            requests,
            rounds,
        } => overhead(api, requests, rounds).await,
        Command::Mock { users } => serve_mock(users).await,
        Command::Paginate {
            api,
            mode,
            base,
            user,
            client_id,
            token_env,
        } => {
            let token = std::env::var(&token_env)?;
            paginate(api, mode, &base, &user, &client_id, &token).await
        }
        Command::MassBlock {
            api,
            cli,
            targets,
            limit,
            window_ms,
            latency_ms,
            concurrency,
        } => {
            mass_block(
                api,
                &cli,
                targets,
                limit,
                window_ms,
                latency_ms,
                concurrency,
            )
            .await
        }
    }
}

/// A page of `n` users in the API's shape, as the fixed server's answer.
fn page(api: Api, n: usize) -> String {
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
async fn fixed_server(api: Api, body: String) -> std::io::Result<String> {
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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn overhead(
    api: Api,
    requests: usize,
    rounds: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let base = fixed_server(api, page(api, 20)).await?;
    let http = Runtime::http_client(Duration::from_secs(10));
    let (name, sdk_ns, raw_ns) = match api {
        Api::TwitchHelix => {
            let runtime = Runtime::new(
                Auth::user_token("benchtoken").and_then(|a| a.with_api_key("benchclientid"))?,
            );
            let client = blockbind_twitch_helix::Client::new_with_client(
                &format!("{base}/helix"),
                http.clone(),
                runtime,
            );
            let url = format!("{base}/helix/users/blocks");
            let sdk = || async {
                let page = blockbind_runtime::call(
                    client
                        .get_user_block_list()
                        .broadcaster_id("141981764")
                        .first(100u32)
                        .send(),
                )
                .await?;
                Ok::<usize, Box<dyn std::error::Error>>(page.data.len())
            };
            let raw = || async {
                let body = http
                    .get(&url)
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
                Ok::<usize, Box<dyn std::error::Error>>(page.data.len())
            };
            let (s, r) = interleave(rounds, requests, sdk, raw).await?;
            ("twitch-helix", s, r)
        }
        _ => {
            let runtime = Runtime::new(Auth::oauth2_user(OAuth2UserToken::new("benchtoken")?));
            let client = blockbind_x_v2::Client::new_with_client(
                &format!("{base}/2"),
                http.clone(),
                runtime,
            );
            let url = format!("{base}/2/users/2244994945/blocking");
            let sdk = || async {
                let page = blockbind_runtime::call(
                    client
                        .get_users_blocking()
                        .id("2244994945")
                        .max_results(1000u32)
                        .send(),
                )
                .await?;
                Ok::<usize, Box<dyn std::error::Error>>(page.data.len())
            };
            let raw = || async {
                let body = http
                    .get(&url)
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
                Ok::<usize, Box<dyn std::error::Error>>(page.data.len())
            };
            let (s, r) = interleave(rounds, requests, sdk, raw).await?;
            ("x-v2", s, r)
        }
    };
    println!(
        "{}",
        json!({"bench": "overhead", "api": name, "requests": requests, "rounds": rounds,
               "sdk_us": sdk_ns / 1e3, "raw_us": raw_ns / 1e3, "ratio": sdk_ns / raw_ns})
    );
    Ok(())
}

/// Runs `requests` calls of each, alternating which goes first, `rounds` times; returns the
/// median nanoseconds per call of each.
async fn interleave<S, SF, R, RF>(
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

/// Peak resident set size of this process, from /proc (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn serve_mock(users: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mock = blockbind_mock::MockServer::start(blockbind_mock::MockConfig {
        rate_limiting: false,
        validate_responses: false,
        initial_blocks: 0,
        ..Default::default()
    })
    .await?;
    let c = mock.credentials().clone();
    mock.seed_blocks(
        blockbind_mock::Platform::Twitch,
        &c.twitch_user_id,
        0,
        users,
    );
    mock.seed_blocks(blockbind_mock::Platform::X, &c.x_user_id, 0, users);
    println!("{}", json!({"base_url": mock.base_url(), "credentials": c}));
    // Serve until the xtask closes stdin.
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    mock.stop().await;
    Ok(())
}

async fn paginate(
    api: Api,
    mode: Mode,
    base: &str,
    user: &str,
    client_id: &str,
    token: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let http = Runtime::http_client(Duration::from_secs(60));
    let started = Instant::now();
    let mut users = 0u64;
    let mut checksum = 0u64; // touches every user, so neither loop can skip decoding
    match (api, mode) {
        (Api::TwitchHelix, Mode::Sdk) => {
            let client = blockbind_twitch_helix::Client::new_with_client(
                &format!("{base}/helix"),
                http,
                Runtime::new(Auth::user_token(token).and_then(|a| a.with_api_key(client_id))?),
            );
            let mut stream =
                std::pin::pin!(client.get_user_block_list().broadcaster_id(user).stream());
            while let Some(u) = stream.try_next().await? {
                users += 1;
                checksum =
                    checksum.wrapping_add(u.user_id.len() as u64 + u.user_login.len() as u64);
            }
        }
        (Api::TwitchHelix, Mode::Raw) => {
            let url = format!("{base}/helix/users/blocks");
            let mut cursor: Option<String> = None;
            loop {
                let mut query = vec![
                    ("broadcaster_id", user.to_string()),
                    ("first", "100".to_string()),
                ];
                if let Some(c) = &cursor {
                    query.push(("after", c.clone()));
                }
                let body = http
                    .get(&url)
                    .query(&query)
                    .header("accept", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .header("client-id", client_id)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                let page: blockbind_twitch_helix::types::GetUserBlockListResponse =
                    serde_json::from_slice(&body)?;
                for u in &page.data {
                    users += 1;
                    checksum =
                        checksum.wrapping_add(u.user_id.len() as u64 + u.user_login.len() as u64);
                }
                cursor = page.pagination.and_then(|p| p.cursor);
                if cursor.is_none() || page.data.is_empty() {
                    break;
                }
            }
        }
        (_, Mode::Sdk) => {
            let client = blockbind_x_v2::Client::new_with_client(
                &format!("{base}/2"),
                http,
                Runtime::new(Auth::oauth2_user(OAuth2UserToken::new(token)?)),
            );
            let mut stream = std::pin::pin!(client.get_users_blocking().id(user).stream());
            while let Some(u) = stream.try_next().await? {
                users += 1;
                checksum = checksum.wrapping_add(u.id.len() as u64 + u.username.len() as u64);
            }
        }
        (_, Mode::Raw) => {
            let url = format!("{base}/2/users/{user}/blocking");
            let mut token_next: Option<String> = None;
            loop {
                let mut query = vec![("max_results", "1000".to_string())];
                if let Some(t) = &token_next {
                    query.push(("pagination_token", t.clone()));
                }
                let body = http
                    .get(&url)
                    .query(&query)
                    .header("accept", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                let page: blockbind_x_v2::types::GetUsersBlockingResponse =
                    serde_json::from_slice(&body)?;
                for u in &page.data {
                    users += 1;
                    checksum = checksum.wrapping_add(u.id.len() as u64 + u.username.len() as u64);
                }
                token_next = page.meta.and_then(|m| m.next_token).map(|t| t.to_string());
                if token_next.is_none() || page.data.is_empty() {
                    break;
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"bench": "paginate", "api": format!("{api:?}").to_lowercase(), "mode": format!("{mode:?}").to_lowercase(),
               "users": users, "seconds": secs, "users_per_s": users as f64 / secs,
               "peak_rss_mib": peak_rss_kib().map(|k| k as f64 / 1024.0), "checksum": checksum})
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn mass_block(
    api: Api,
    cli: &str,
    targets: u64,
    limit: u32,
    window_ms: u64,
    latency_ms: u64,
    concurrency: u16,
) -> Result<(), Box<dyn std::error::Error>> {
    let (name, platform) = match api {
        Api::TwitchHelix => ("twitch-helix", blockbind_mock::Platform::Twitch),
        _ => ("x-v2", blockbind_mock::Platform::X),
    };
    let mut rate_limits = std::collections::BTreeMap::new();
    rate_limits.insert(
        name.to_string(),
        blockbind_mock::Bucket { limit, window_ms },
    );
    let mock = blockbind_mock::MockServer::start(blockbind_mock::MockConfig {
        rate_limits,
        validate_responses: false,
        initial_blocks: 0,
        faults: blockbind_mock::Faults {
            latency_ms,
            ..Default::default()
        },
        ..Default::default()
    })
    .await?;
    let c = mock.credentials().clone();
    let owner = match api {
        Api::TwitchHelix => c.twitch_user_id.clone(),
        _ => c.x_user_id.clone(),
    };
    let dir = std::env::temp_dir().join(format!("blockbind-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("targets.txt");
    let ids: Vec<String> = (0..targets)
        .filter_map(|n| mock.nth_user(1_000 + n).map(|u| u.id))
        .collect();
    std::fs::write(&file, ids.join("\n"))?;
    let mut cmd = tokio::process::Command::new(cli);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .args([
            "-q",
            "--base-url",
            &mock.base_url(),
            "--platform",
            name,
            "--user",
            &owner,
            "import",
        ])
        .arg(&file)
        .args(["--concurrency", &concurrency.to_string()]);
    for (k, v) in c.env_vars() {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().await?;
    let secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!(
            "the import failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let blocked = ids
        .iter()
        .filter(|t| mock.blocks_applied(platform, &owner, t) == 1)
        .count();
    let bucket_rate = f64::from(limit) / (window_ms as f64 / 1000.0);
    let achieved = targets as f64 / secs;
    let windows = secs / (window_ms as f64 / 1000.0);
    let too_many = mock.responses_with_status(429);
    println!(
        "{}",
        json!({"bench": "mass-block", "api": name, "targets": targets, "blocked_once": blocked,
               "bucket": format!("{limit} per {window_ms} ms"), "latency_ms": latency_ms, "concurrency": concurrency,
               "seconds": secs, "blocks_per_s": achieved, "bucket_per_s": bucket_rate, "ratio": achieved / bucket_rate,
               "responses_429": too_many, "windows": windows, "per_window_429": too_many as f64 / windows.max(1.0)})
    );
    mock.stop().await;
    Ok(())
}
