//! Typed client for X API v1.1 blocks (`blocks/ids`, `blocks/list`, `blocks/create`,
//! `blocks/destroy`), generated from `specs/x-v1.1.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: the pagination adapters of the list operations. It
//! must not grow code another platform crate also needs: that belongs in `blockbind-runtime`.
//!
//! ```no_run
//! # async fn run(client: &blockbind_x_v1::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let ids: Vec<_> = client
//!     .get_block_ids()
//!     .stream() // follows `next_cursor`, 5000 IDs per page, as strings
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

/// v1.1 cursors: start at -1, follow `next_cursor`, and 0 means no further page.
fn cursor_of(token: Option<&str>) -> i64 {
    token.and_then(|t| t.parse().ok()).unwrap_or(-1)
}

fn next_cursor(next_cursor: i64, next_cursor_str: String) -> Option<String> {
    (next_cursor != 0 && next_cursor_str != "0").then_some(next_cursor_str)
}

impl<'a> builder::GetBlockIds<'a> {
    /// Every blocked ID, newest first, up to 5000 per page, following `next_cursor`. IDs are
    /// asked for as strings (`stringify_ids=true`), so no 64-bit ID loses precision.
    pub fn stream(self) -> impl Stream<Item = Result<types::BlockedUserId, ApiError>> + Send + 'a {
        self.stream_with(PageOptions::default())
    }

    /// [`Self::stream`] with a page cap (v1.1 has no page-size parameter: `page_size` is not
    /// used).
    pub fn stream_with(
        self,
        options: PageOptions,
    ) -> impl Stream<Item = Result<types::BlockedUserId, ApiError>> + Send + 'a {
        paginate(options, move |token| {
            let request = self
                .clone()
                .stringify_ids(true)
                .cursor(cursor_of(token.as_deref()));
            async move {
                let page = blockbind_runtime::call(request.send()).await?;
                Ok(Page {
                    first_key: page.ids.first().map(|id| id.to_string()),
                    next: next_cursor(page.next_cursor, page.next_cursor_str),
                    items: page.ids,
                })
            }
        })
    }
}

impl<'a> builder::GetBlockList<'a> {
    /// Every blocked user object, newest first, following `next_cursor`.
    pub fn stream(self) -> impl Stream<Item = Result<types::User, ApiError>> + Send + 'a {
        self.stream_with(PageOptions::default())
    }

    /// [`Self::stream`] with a page cap (v1.1 has no page-size parameter: `page_size` is not
    /// used).
    pub fn stream_with(
        self,
        options: PageOptions,
    ) -> impl Stream<Item = Result<types::User, ApiError>> + Send + 'a {
        paginate(options, move |token| {
            let request = self.clone().cursor(cursor_of(token.as_deref()));
            async move {
                let page = blockbind_runtime::call(request.send()).await?;
                Ok(Page {
                    first_key: page.users.first().map(|u| u.id_str.clone()),
                    next: next_cursor(page.next_cursor, page.next_cursor_str),
                    items: page.users,
                })
            }
        })
    }
}
