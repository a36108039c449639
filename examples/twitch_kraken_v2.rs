//! Twitch Kraken v2 against the mock: everything by login.
//!
//! `cargo run --example twitch_kraken_v2`

mod common;

use blockbind::{BlockList, Error, Target, TwitchKrakenV2Blocks};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> common::Result {
    let (mock, config) = common::start().await?;
    let login = &mock.credentials().twitch_login;
    let blocks = TwitchKrakenV2Blocks::new(config.twitch_kraken_v2()?, login);

    blocks
        .block(Target::parse("test_user_troll")?, Default::default())
        .await?;
    println!("{login} blocked test_user_troll");
    match blocks
        .block(Target::parse("12826")?, Default::default())
        .await
    {
        Err(e @ Error::Unresolvable { .. }) => println!("refused before sending: {e}"),
        other => println!("unexpected: {other:?}"),
    }
    let list: Vec<_> = blocks.blocked().try_collect().await?;
    println!(
        "{} blocked: {:?}",
        list.len(),
        list.iter()
            .map(|u| u.login.as_deref().unwrap_or("?"))
            .collect::<Vec<_>>()
    );
    blocks.unblock(Target::parse("test_user_troll")?).await?;
    println!("unblocked test_user_troll");
    Ok(())
}
