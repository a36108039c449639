//! Pagination throughput and peak RSS: the crate's `stream()` against a hand-written reqwest +
//! serde loop over the same pages of the mock, each in a process of its own.

use std::time::{Duration, Instant};

use blockbind::Api;
use blockbind_runtime::pagination::TryStreamExt;
use blockbind_runtime::{Auth, OAuth2UserToken, Runtime};
use serde_json::json;
use tokio::io::AsyncReadExt;

use crate::Mode;
use crate::pair::raw_get;

/// Peak resident set size of this process, from /proc (Linux), in KiB.
pub(crate) fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) async fn serve_mock(users: u64) -> Result<(), Box<dyn std::error::Error>> {
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

pub(crate) async fn paginate(
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
        (_, Mode::Peer) => return Err("the peer side is `peers::paginate_peer`".into()),
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
            let authorization = format!("Bearer {token}");
            let mut cursor: Option<String> = None;
            loop {
                let mut query = vec![("broadcaster_id", user), ("first", "100")];
                if let Some(c) = &cursor {
                    query.push(("after", c));
                }
                let page: blockbind_twitch_helix::types::GetUserBlockListResponse =
                    raw_get(&http, &url, &query, &authorization, Some(client_id)).await?;
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
                checksum = checksum.wrapping_add(
                    u.id.as_ref().map_or(0, |id| id.len()) as u64
                        + u.username.as_ref().map_or(0, String::len) as u64,
                );
            }
        }
        (_, Mode::Raw) => {
            let url = format!("{base}/2/users/{user}/blocking");
            let authorization = format!("Bearer {token}");
            let mut token_next: Option<String> = None;
            loop {
                let mut query = vec![("max_results", "1000")];
                if let Some(t) = &token_next {
                    query.push(("pagination_token", t));
                }
                let page: blockbind_x_v2::types::GetUsersBlockingResponse =
                    raw_get(&http, &url, &query, &authorization, None).await?;
                for u in &page.data {
                    users += 1;
                    checksum = checksum.wrapping_add(
                        u.id.as_ref().map_or(0, |id| id.len()) as u64
                            + u.username.as_ref().map_or(0, String::len) as u64,
                    );
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
