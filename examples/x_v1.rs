//! X API v1.1 against the mock: OAuth 1.0a signed requests; `user_id` or `screen_name` pass
//! through; the list is read 5000 IDs per page.
//!
//! `cargo run --example x_v1`

mod common;

use blockbind::{BlockList, Target, XV1Blocks};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> common::Result {
    let (mock, config) = common::start().await?;
    let blocks = XV1Blocks::for_credentials(config.x_v1()?);
    let target = mock.nth_user(7).expect("the mock's population");

    blocks
        .block(Target::login(&target.login)?, Default::default())
        .await?;
    println!("blocked @{} (by screen_name)", target.login);
    let ids: Vec<_> = blocks.blocked().map_ok(|u| u.id).try_collect().await?;
    println!("{} blocked IDs: {ids:?}", ids.len());
    blocks.unblock(Target::id(&target.id)?).await?;
    println!("unblocked {} (by user_id)", target.id);
    Ok(())
}
