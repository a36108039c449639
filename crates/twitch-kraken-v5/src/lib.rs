//! Typed client for the Twitch Kraken v5 Users reference (users, emotes, subscriptions, follows,
//! blocks, VHS), generated from `specs/twitch-kraken-v5.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: the pagination adapters of the list operations. It
//! must not grow code another platform crate also needs: that belongs in `blockbind-runtime`.
//!
//! ```no_run
//! # async fn run(client: &blockbind_twitch_kraken_v5::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let blocks: Vec<_> = client
//!     .get_user_block_list()
//!     .user_id("44322889")
//!     .stream() // follows `offset` up to `_total`, 100 per page
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated;
pub use generated::*;

use blockbind_runtime::pagination::{Stream, paginate_offsets};
pub use blockbind_runtime::{ApiError, PageOptions};

impl<'a> builder::GetUserBlockList<'a> {
    /// Every block, newest first: follows `offset` with the largest page the spec allows
    /// (`limit` = 100) up to `_total`, fetching a page only when the previous one is used up.
    pub fn stream(self) -> impl Stream<Item = Result<types::Block, ApiError>> + Send + 'a {
        self.stream_with(PageOptions::default())
    }

    /// [`Self::stream`] with a page cap or another page size.
    pub fn stream_with(
        self,
        options: PageOptions,
    ) -> impl Stream<Item = Result<types::Block, ApiError>> + Send + 'a {
        let limit = u64::from(options.size_for(&API, "get_user_block_list", "limit", 100));
        paginate_offsets(
            options,
            move |offset| {
                let request = self.clone().limit(limit).offset(offset);
                async move {
                    let page = blockbind_runtime::call(request.send()).await?;
                    Ok((page.blocks, page.total))
                }
            },
            |b: &types::Block| b.id.to_string(),
        )
    }
}

impl<'a> builder::GetUserFollows<'a> {
    /// Every follow, in the requested order: follows `offset` with the largest page the spec
    /// allows (`limit` = 100) up to `_total`.
    pub fn stream(self) -> impl Stream<Item = Result<types::Follow, ApiError>> + Send + 'a {
        self.stream_with(PageOptions::default())
    }

    /// [`Self::stream`] with a page cap or another page size.
    pub fn stream_with(
        self,
        options: PageOptions,
    ) -> impl Stream<Item = Result<types::Follow, ApiError>> + Send + 'a {
        let limit = u64::from(options.size_for(&API, "get_user_follows", "limit", 100));
        paginate_offsets(
            options,
            move |offset| {
                let request = self.clone().limit(limit).offset(offset);
                async move {
                    let page = blockbind_runtime::call(request.send()).await?;
                    Ok((page.follows, page.total))
                }
            },
            |f: &types::Follow| f.channel.id.to_string(),
        )
    }
}
