//! X API v2 against the mock: block by ID, read the list through `next_token` pages, unblock by
//! username (found through the list).
//!
//! `cargo run --example x_v2`

mod common;

use blockbind::{BlockList, Target, XV2Blocks};
use futures::{StreamExt, TryStreamExt};

#[tokio::main]
async fn main() -> common::Result {
    let (mock, config) = common::start().await?;
    let me = &mock.credentials().x_user_id;
    let blocks = XV2Blocks::new(config.x_v2()?, me);

    let target = mock.nth_user(42).expect("the mock's population");
    blocks
        .block(Target::parse(&target.id)?, Default::default())
        .await?;
    println!("blocked {} (@{})", target.id, target.login);

    let first_two: Vec<_> = blocks.blocked().take(2).try_collect().await?;
    println!(
        "newest two: {:?}",
        first_two
            .iter()
            .map(|u| u.login.as_deref().unwrap_or("?"))
            .collect::<Vec<_>>()
    );

    blocks
        .unblock(Target::parse(&format!("@{}", target.login))?)
        .await?;
    println!("unblocked @{}", target.login);
    Ok(())
}
