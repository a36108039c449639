//! Typed client for Twitch Helix API (user blocks), generated from `specs/twitch-helix.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: the pagination adapter of the list operation. It must
//! not grow code another platform crate also needs: that belongs in `blockbind-runtime`.
//!
//! ```no_run
//! # async fn run(client: &blockbind_twitch_helix::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let blocked: Vec<_> = client
//!     .get_user_block_list()
//!     .broadcaster_id("141981764")
//!     .stream() // follows `pagination.cursor`, 100 per page
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated;
pub use generated::*;

use blockbind_runtime::pagination::{Page, Stream, paginate};
pub use blockbind_runtime::{ApiError, PageOptions};

impl<'a> builder::GetUserBlockList<'a> {
    /// Every blocked user, newest first: follows `pagination.cursor` with the largest page the
    /// spec allows (`first` = 100), fetching a page only when the previous one is used up.
    pub fn stream(self) -> impl Stream<Item = Result<types::BlockedUser, ApiError>> + Send + 'a {
        self.stream_with(PageOptions::default())
    }

    /// [`Self::stream`] with a page cap or another page size.
    pub fn stream_with(
        self,
        options: PageOptions,
    ) -> impl Stream<Item = Result<types::BlockedUser, ApiError>> + Send + 'a {
        let first = options.size_for(&API, "get_user_block_list", "first", 100);
        paginate(options, move |cursor| {
            let request = self.clone().first(first);
            let request = match cursor {
                Some(cursor) => request.after(cursor),
                None => request,
            };
            async move {
                let page = blockbind_runtime::call(request.send()).await?;
                Ok(Page {
                    first_key: page.data.first().map(|u| u.user_id.clone()),
                    next: page
                        .pagination
                        .and_then(|p| p.cursor)
                        .filter(|c| !c.is_empty()),
                    items: page.data,
                })
            }
        })
    }
}
