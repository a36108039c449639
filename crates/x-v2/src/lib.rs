//! Typed client for X API v2 Blocks, generated from `specs/x-v2.yaml`.
//!
//! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file
//! holds what is written by hand beside it: the pagination adapter of the list operation. It must
//! not grow code another platform crate also needs: that belongs in `blockbind-runtime`.
//!
//! ```no_run
//! # async fn run(client: &blockbind_x_v2::Client) -> Result<(), blockbind_runtime::ApiError> {
//! use blockbind_runtime::pagination::TryStreamExt;
//! let blocked: Vec<_> = client
//!     .get_users_blocking()
//!     .id("2244994945")
//!     .stream() // follows `meta.next_token`, 1000 per page
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

impl<'a> builder::GetUsersBlocking<'a> {
    /// Every blocked user: follows `meta.next_token` with the largest page the spec allows
    /// (`max_results` = 1000), fetching a page only when the previous one is used up. Expansions
    /// (`includes`) of each page are not kept; send the request page by page to read them.
    pub fn stream(self) -> impl Stream<Item = Result<types::User, ApiError>> + Send + 'a {
        self.stream_with(PageOptions::default())
    }

    /// [`Self::stream`] with a page cap or another page size.
    pub fn stream_with(
        self,
        options: PageOptions,
    ) -> impl Stream<Item = Result<types::User, ApiError>> + Send + 'a {
        let max_results = options.size_for(&API, "get_users_blocking", "max_results", 1000);
        paginate(options, move |token| {
            let request = self.clone().max_results(max_results);
            let request = match token {
                Some(token) => request.pagination_token(token),
                None => request,
            };
            let send: std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send + 'a>> =
                Box::pin(request.send());
            async move {
                let page = blockbind_runtime::call(send).await?;
                Ok(Page {
                    first_key: page.data.first().map(|u| u.id.to_string()),
                    next: page.meta.and_then(|m| m.next_token).map(|t| t.to_string()),
                    items: page.data,
                })
            }
        })
    }
}
