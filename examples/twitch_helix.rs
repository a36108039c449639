//! Twitch Helix against the mock: block with a reason, stream the list, unblock by login.
//!
//! `cargo run --example twitch_helix`

mod common;

use blockbind::{BlockList, BlockOptions, BlockReason, SourceContext, Target, TwitchHelixBlocks};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> common::Result {
    let (mock, config) = common::start().await?;
    let me = &mock.credentials().twitch_user_id;
    let blocks = TwitchHelixBlocks::new(config.twitch_helix()?, me);

    let options = BlockOptions {
        source_context: Some(SourceContext::Chat),
        reason: Some(BlockReason::Spam),
    };
    blocks.block(Target::parse("12826")?, options).await?;
    println!("blocked user 12826 (chat, spam)");

    let list: Vec<_> = blocks.blocked().try_collect().await?;
    for user in &list {
        println!(
            "  {:>10}  {}",
            user.id,
            user.login.as_deref().unwrap_or("?")
        );
    }

    blocks.unblock(Target::parse("@twitch")?).await?; // a login, found through the list
    println!(
        "unblocked @twitch; {} left",
        blocks.blocked().try_collect::<Vec<_>>().await?.len()
    );

    // The generated client is there too, for what the trait does not cover.
    let page = blocks
        .client()
        .get_user_block_list()
        .broadcaster_id(me)
        .first(1u32)
        .send()
        .await;
    println!(
        "one raw page: {:?}",
        page.map(|p| p.into_inner().data.len())
    );
    Ok(())
}
