//! Twitch Kraken v5 against the mock: act as the token's user, block by login (resolved with
//! Get Users), stream the dated list, unblock.
//!
//! `cargo run --example twitch_kraken_v5`

mod common;

use blockbind::{BlockList, Target, TwitchKrakenV5Blocks};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> common::Result {
    let (_mock, config) = common::start().await?;
    let blocks = TwitchKrakenV5Blocks::for_token_user(config.twitch_kraken_v5()?).await?;
    println!("acting as user {}", blocks.user_id());

    blocks
        .block(Target::parse("@dallasnchains")?, Default::default())
        .await?;
    println!("blocked @dallasnchains");
    let list: Vec<_> = blocks.blocked().try_collect().await?;
    for user in &list {
        let when = user.blocked_at.map(|t| t.to_rfc3339()).unwrap_or_default();
        println!(
            "  {:>10}  {:<20} {when}",
            user.id,
            user.login.as_deref().unwrap_or("?")
        );
    }
    blocks.unblock(Target::parse("@dallasnchains")?).await?;
    blocks.unblock(Target::parse("@dallasnchains")?).await?; // Kraken's 404: already done
    println!("unblocked @dallasnchains (twice: the second is a no-op)");
    Ok(())
}
