//! The main job: starts the embedded mock of all five APIs and, through the generated clients
//! and the runtime's auth, blocks, lists and unblocks on each, printing every step.
//!
//! `cargo run --example demo`

use blockbind::{BlockList, Target};
use blockbind_mock::{Api, MockConfig, MockServer};
use blockbind_runtime::{ApiError, Auth, OAuth1Credentials, OAuth2UserToken, Runtime};
use futures::TryStreamExt;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn step(api: &str, what: &str, result: impl std::fmt::Display) {
    println!("  {api:<17} {what:<34} {result}");
}

fn limit(runtime: &Runtime) -> String {
    runtime
        .last_rate_limit()
        .map(|l| format!("  [rate limit {}/{}]", l.remaining, l.limit))
        .unwrap_or_default()
}

async fn helix(mock: &MockServer) -> Result {
    let c = mock.credentials();
    let runtime = Runtime::new(
        Auth::user_token(&c.twitch_token).and_then(|a| a.with_api_key(&c.twitch_client_id))?,
    );
    let client = blockbind_twitch_helix::Client::new(&mock.url(Api::TwitchHelix), runtime.clone());
    let api = "twitch-helix";
    client
        .block_user()
        .target_user_id("12826")
        .source_context(blockbind_twitch_helix::types::BlockUserSourceContext::Chat)
        .reason(blockbind_twitch_helix::types::BlockUserReason::Spam)
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "PUT block 12826 (chat, spam)",
        format!("204{}", limit(&runtime)),
    );
    let page = client
        .get_user_block_list()
        .broadcaster_id(&c.twitch_user_id)
        .first(100u32)
        .send()
        .await
        .map_err(ApiError::from)?;
    let logins: Vec<_> = page.data.iter().map(|u| u.user_login.as_str()).collect();
    step(api, "GET block list", logins.join(", "));
    client
        .unblock_user()
        .target_user_id("12826")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(api, "DELETE block 12826", format!("204{}", limit(&runtime)));
    Ok(())
}

async fn kraken_v5(mock: &MockServer) -> Result {
    let c = mock.credentials();
    let auth = Auth::user_token(c.twitch_token.clone())
        .and_then(|a| a.with_api_key(c.twitch_client_id.clone()))?;
    let client =
        blockbind_twitch_kraken_v5::Client::new(&mock.url(Api::TwitchKrakenV5), Runtime::new(auth));
    let api = "twitch-kraken-v5";
    let block = client
        .block_user()
        .user_id(&c.twitch_user_id)
        .target_user_id("44322889")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "PUT block 44322889",
        format!("200 block of {}", block.user.name),
    );
    let list = client
        .get_user_block_list()
        .user_id(&c.twitch_user_id)
        .limit(100u64)
        .send()
        .await
        .map_err(ApiError::from)?;
    let names: Vec<_> = list.blocks.iter().map(|b| b.user.name.as_str()).collect();
    step(
        api,
        "GET block list",
        format!("_total {}: {}", list.total.unwrap_or(0), names.join(", ")),
    );
    client
        .unblock_user()
        .user_id(&c.twitch_user_id)
        .target_user_id("44322889")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(api, "DELETE block 44322889", "204");
    let again = client
        .unblock_user()
        .user_id(&c.twitch_user_id)
        .target_user_id("44322889")
        .send()
        .await
        .map_err(ApiError::from);
    step(
        api,
        "DELETE it again",
        again.err().map(|e| e.to_string()).unwrap_or_default(),
    );
    Ok(())
}

async fn kraken_v2(mock: &MockServer) -> Result {
    let c = mock.credentials();
    let auth = Auth::user_token(c.twitch_token.clone())?;
    let client =
        blockbind_twitch_kraken_v2::Client::new(&mock.url(Api::TwitchKrakenV2), Runtime::new(auth));
    let api = "twitch-kraken-v2";
    let block = client
        .block_user()
        .user(&c.twitch_login)
        .target("test_user_troll")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "PUT block test_user_troll",
        format!("200 block #{} of user {}", block.id, block.user.id),
    );
    let list = client
        .get_user_block_list()
        .login(&c.twitch_login)
        .limit(2u64)
        .send()
        .await
        .map_err(ApiError::from)?;
    let names: Vec<_> = list.blocks.iter().map(|b| b.user.name.as_str()).collect();
    let next = list
        .links
        .as_ref()
        .and_then(|l| l.next.clone())
        .unwrap_or_default();
    step(
        api,
        "GET block list (limit 2)",
        format!("{} — next: {next}", names.join(", ")),
    );
    client
        .unblock_user()
        .user(&c.twitch_login)
        .target("test_user_troll")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(api, "DELETE block test_user_troll", "204");
    Ok(())
}

async fn x_v2(mock: &MockServer) -> Result {
    let c = mock.credentials();
    let runtime = Runtime::new(Auth::oauth2_user(OAuth2UserToken::new(&c.x_oauth2_token)?));
    let client = blockbind_x_v2::Client::new(&mock.url(Api::XV2), runtime.clone());
    let api = "x-v2";
    let me = c.x_user_id.as_str();
    let r = client
        .block_user()
        .id(me)
        .body_map(|b| b.target_user_id("12"))
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "POST block 12",
        format!(
            "blocking: {:?}{}",
            r.data.as_ref().and_then(|d| d.blocking),
            limit(&runtime)
        ),
    );
    let page = client
        .get_users_blocking()
        .id(me)
        .max_results(1000u32)
        .user_fields(vec![blockbind_x_v2::types::UserField::CreatedAt])
        .send()
        .await
        .map_err(ApiError::from)?;
    let names: Vec<_> = page
        .data
        .iter()
        .filter_map(|u| u.username.as_ref().map(|name| format!("@{name}")))
        .collect();
    step(
        api,
        "GET blocking (user.fields=created_at)",
        format!("{}{}", names.join(", "), limit(&runtime)),
    );
    let r = client
        .unblock_user()
        .source_user_id(me)
        .target_user_id("12")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "DELETE block 12",
        format!("blocking: {:?}", r.data.as_ref().and_then(|d| d.blocking)),
    );
    // An app-only token is refused before anything is sent.
    let app = blockbind_x_v2::Client::new(
        &mock.url(Api::XV2),
        Runtime::new(Auth::app_token(&c.x_app_token)?),
    );
    let refused = app
        .get_users_blocking()
        .id(me)
        .send()
        .await
        .map_err(ApiError::from);
    step(
        api,
        "GET with an app-only token",
        refused.err().map(|e| e.to_string()).unwrap_or_default(),
    );
    Ok(())
}

async fn x_v1(mock: &MockServer) -> Result {
    let c = mock.credentials();
    let o = &c.x_oauth1;
    let credentials = OAuth1Credentials::new(
        &o.consumer_key,
        &o.consumer_secret,
        &o.token,
        &o.token_secret,
    )?;
    let client =
        blockbind_x_v1::Client::new(&mock.url(Api::XV1), Runtime::new(Auth::oauth1(credentials)));
    let api = Api::XV1.name();
    let user = client
        .create_block()
        .screen_name("jack")
        .skip_status(true)
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "POST blocks/create screen_name=jack",
        format!("200 @{} (id {})", user.screen_name, user.id_str),
    );
    let ids = client
        .get_block_ids()
        .stringify_ids(true)
        .send()
        .await
        .map_err(ApiError::from)?;
    step(
        api,
        "GET blocks/ids (signed HMAC-SHA1)",
        format!("{} ids, next_cursor {}", ids.ids.len(), ids.next_cursor),
    );
    let list = client
        .get_block_list()
        .skip_status(true)
        .send()
        .await
        .map_err(ApiError::from)?;
    let names: Vec<_> = list
        .users
        .iter()
        .map(|u| format!("@{}", u.screen_name))
        .collect();
    step(api, "GET blocks/list", names.join(", "));
    client
        .destroy_block()
        .user_id("12")
        .send()
        .await
        .map_err(ApiError::from)?;
    step(api, "POST blocks/destroy user_id=12", "200");
    Ok(())
}

/// The facade: one config builds every client, and one function generic over `BlockList`
/// blocks, reads back and unblocks on all five APIs.
async fn every_platform(mock: &MockServer) -> Result {
    let env: std::collections::HashMap<&str, String> =
        mock.credentials().env_vars().into_iter().collect();
    let config = blockbind::Config::builder()
        .base_url(mock.base_url())
        .credentials(blockbind::Credentials::from_lookup(|n| {
            env.get(n).cloned()
        })?)
        .build()?;
    let c = mock.credentials();
    let target = mock.nth_user(2026).ok_or("the mock's population")?;
    for api in blockbind::Api::ALL {
        let (user, whom) = match api {
            blockbind::Api::TwitchHelix | blockbind::Api::TwitchKrakenV5 => (
                Some(Target::Id(c.twitch_user_id.clone())),
                Target::Id(target.id.clone()),
            ),
            blockbind::Api::TwitchKrakenV2 => (
                Some(Target::Login(c.twitch_login.clone())),
                Target::Login(target.login.clone()),
            ),
            blockbind::Api::XV2 => (
                Some(Target::Id(c.x_user_id.clone())),
                Target::Id(target.id.clone()),
            ),
            blockbind::Api::XV1 => (None, Target::Login(target.login.clone())),
        };
        // The legacy Kraken APIs are compiled in with `--features full` only (default: `live`).
        let list = match config.block_list(api, user).await {
            Err(blockbind::Error::FeatureDisabled { .. }) => {
                step(
                    api.name(),
                    "BlockList",
                    "not compiled in (legacy: --features full)",
                );
                continue;
            }
            list => list?,
        };
        let summary = round_trip(&list, whom, &target.id).await?;
        step(api.name(), "BlockList: block, list, unblock", summary);
    }
    Ok(())
}

/// The same code for every platform: block `target`, find the user `id` on the list, unblock.
async fn round_trip(list: &impl BlockList, target: Target, id: &str) -> Result<String> {
    list.block(target.clone(), Default::default()).await?;
    let listed: Vec<blockbind::BlockedUser> = list.blocked().try_collect().await?;
    let found = listed.iter().any(|u| u.id == id);
    list.unblock(target.clone()).await?;
    let after = list.blocked().try_collect::<Vec<_>>().await?.len();
    Ok(format!(
        "{target}: listed {} (found: {found}), {after} after unblocking",
        listed.len()
    ))
}

#[tokio::main]
async fn main() -> Result {
    let mock = MockServer::start(MockConfig::default()).await?;
    println!(
        "blockbind demo: the five clients against the embedded mock at {}",
        mock.base_url()
    );
    println!();
    helix(&mock).await?;
    kraken_v5(&mock).await?;
    kraken_v2(&mock).await?;
    x_v2(&mock).await?;
    x_v1(&mock).await?;
    println!();
    println!(
        "the same operations through the facade's BlockList, one generic function for all five:"
    );
    every_platform(&mock).await?;
    println!();
    let violations = mock.violations();
    println!(
        "{} requests; every response checked against its spec: {}",
        mock.total_requests(),
        if violations.is_empty() {
            "all conform".to_string()
        } else {
            format!("{} violations", violations.len())
        }
    );
    mock.stop().await;
    if violations.is_empty() {
        Ok(())
    } else {
        Err("the mock sent responses that do not match the specs".into())
    }
}
