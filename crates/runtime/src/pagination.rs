//! One paginator for every list operation: a `Stream` of items that fetches the next page only
//! when the previous one is used up (so at most one page is held), and stops on an empty page, a
//! page token or first item seen before (a server that ignores the token), or after `max_pages`.
//! A server that hands out fresh tokens forever is stopped by the page cap
//! ([`PageOptions::page_cap`], [`DEFAULT_PAGE_CAP`] by default) with [`ApiError::TooManyPages`].
//!
//! The xtask generates each list operation's `stream()` from its spec's `x-pagination` (Helix
//! cursors, Kraken offsets, X tokens, v1.1 cursors) as a `fetch` closure returning a [`Page`],
//! asking for the largest page the spec allows ([`PageOptions::size_for`]).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures::{Stream, StreamExt, TryStreamExt};

use crate::{ApiError, ApiSpec};

/// One page as a paginator needs it.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The page's items, in the order the API gave them.
    pub items: Vec<T>,
    /// What to ask for next (a cursor, a token, an offset); `None` on the last page.
    pub next: Option<String>,
    /// An identity of the page's first item, to notice a server returning the same page again.
    pub first_key: Option<String>,
}

impl<T> Page<T> {
    /// A page of an offset-paginated list (Kraken): the next offset follows the items, and there
    /// is none after an empty page or once `total` (when the API reports it) is reached.
    pub fn at_offset(
        items: Vec<T>,
        offset: u64,
        total: Option<i64>,
        first_key: Option<String>,
    ) -> Self {
        let end = offset.saturating_add(items.len() as u64);
        let more =
            !items.is_empty() && total.is_none_or(|t| i64::try_from(end).is_ok_and(|e| e < t));
        Self {
            next: more.then(|| end.to_string()),
            first_key,
            items,
        }
    }
}

/// The offset an offset-paginated stream's token stands for (0 for the first page).
pub fn offset_of(token: Option<&str>) -> u64 {
    token.and_then(|t| t.parse().ok()).unwrap_or(0)
}

/// Caps on a stream (beyond `StreamExt::take`, which caps items), and the page size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOptions {
    /// Stop after this many pages, quietly (the caller asked for no more).
    pub max_pages: Option<usize>,
    /// Items per request; `None` asks for the largest page the spec allows.
    pub page_size: Option<u32>,
    /// Fail with [`ApiError::TooManyPages`] rather than fetch a page past this many (`None`:
    /// [`DEFAULT_PAGE_CAP`]). Unlike `max_pages`, reaching it is an error: the list did not end.
    pub page_cap: Option<usize>,
}

/// The page cap of a stream unless [`PageOptions::page_cap`] says otherwise: far more pages than
/// any real block list has (100,000 pages of X's 1,000 users is 100 million), so reaching it
/// means a server handing out fresh tokens forever.
pub const DEFAULT_PAGE_CAP: usize = 100_000;

impl PageOptions {
    /// Stop after `n` pages.
    pub fn max_pages(n: usize) -> Self {
        Self {
            max_pages: Some(n),
            ..Self::default()
        }
    }

    /// Fail with [`ApiError::TooManyPages`] instead of fetching more than `n` pages.
    pub fn with_page_cap(mut self, n: usize) -> Self {
        self.page_cap = Some(n);
        self
    }

    /// Ask for `n` items per page instead of the largest page (the runtime still refuses a size
    /// outside the spec's bounds before sending).
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// The page size to ask `operation_id` for through `parameter`: the chosen one, else the
    /// spec's `maximum` for it, else `fallback`.
    pub fn size_for(
        &self,
        api: &ApiSpec,
        operation_id: &str,
        parameter: &str,
        fallback: u32,
    ) -> u32 {
        self.page_size.unwrap_or_else(|| {
            api.maximum(operation_id, parameter)
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(fallback)
        })
    }
}

/// The stream [`paginate`] returns. Written by hand rather than with `stream::unfold`, which
/// moves its whole state through a new future for every item: with X's large user objects that
/// cost a tenth of the throughput.
pub struct Paginated<T, F, Fut> {
    fetch: F,
    pending: Option<Pin<Box<Fut>>>,
    buffer: std::vec::IntoIter<T>,
    next: Option<String>,
    started: bool,
    done: bool,
    pages: usize,
    seen_tokens: VecDeque<String>,
    last_key: Option<String>,
    options: PageOptions,
}

/// How many recent tokens are remembered to notice a server going round in circles.
const TOKENS_REMEMBERED: usize = 64;

/// Streams every item, fetching pages with `fetch(token)` (`None` for the first page).
pub fn paginate<T, F, Fut>(options: PageOptions, fetch: F) -> Paginated<T, F, Fut>
where
    F: FnMut(Option<String>) -> Fut + Unpin,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    Paginated {
        fetch,
        pending: None,
        buffer: Vec::new().into_iter(),
        next: None,
        started: false,
        done: false,
        pages: 0,
        seen_tokens: VecDeque::new(),
        last_key: None,
        options,
    }
}

impl<T, F, Fut> Stream for Paginated<T, F, Fut>
where
    T: Unpin,
    F: FnMut(Option<String>) -> Fut + Unpin,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    type Item = Result<T, ApiError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let s = self.get_mut();
        loop {
            if let Some(item) = s.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if s.pending.is_none() {
                if s.done
                    || (s.started && s.next.is_none())
                    || s.options.max_pages.is_some_and(|m| s.pages >= m)
                {
                    s.done = true;
                    return Poll::Ready(None);
                }
                let cap = s.options.page_cap.unwrap_or(DEFAULT_PAGE_CAP);
                if s.pages >= cap {
                    tracing::warn!(pages = s.pages, "page cap reached; stopping");
                    s.done = true;
                    return Poll::Ready(Some(Err(ApiError::TooManyPages { limit: cap })));
                }
                let token = s.next.take();
                if let Some(t) = &token {
                    // A token seen before means the server is going round in circles.
                    if s.seen_tokens.contains(t) {
                        tracing::warn!("pagination token repeated; stopping");
                        s.done = true;
                        return Poll::Ready(None);
                    }
                    if s.seen_tokens.len() == TOKENS_REMEMBERED {
                        s.seen_tokens.pop_front();
                    }
                    s.seen_tokens.push_back(t.clone());
                }
                s.started = true;
                s.pending = Some(Box::pin((s.fetch)(token)));
            }
            let Some(pending) = s.pending.as_mut() else {
                continue;
            };
            let result = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            s.pending = None;
            match result {
                Ok(page) => {
                    s.pages += 1;
                    if page.items.is_empty() {
                        s.done = true;
                        continue;
                    }
                    if page.first_key.is_some() && page.first_key == s.last_key {
                        tracing::warn!("the same page came back twice; stopping");
                        s.done = true;
                        return Poll::Ready(None);
                    }
                    s.last_key = page.first_key;
                    s.next = page.next;
                    s.buffer = page.items.into_iter();
                }
                Err(e) => {
                    s.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn pages(
        data: Vec<Vec<u32>>,
    ) -> impl Fn(Option<String>) -> std::future::Ready<Result<Page<u32>, ApiError>> {
        move |token: Option<String>| {
            let i: usize = token.map(|t| t.parse().unwrap()).unwrap_or(0);
            let items = data.get(i).cloned().unwrap_or_default();
            std::future::ready(Ok(Page {
                first_key: items.first().map(|x| x.to_string()),
                next: (i + 1 < data.len()).then(|| (i + 1).to_string()),
                items,
            }))
        }
    }

    #[tokio::test]
    async fn follows_tokens_to_the_end_and_caps() {
        let all: Vec<u32> = paginate(
            PageOptions::default(),
            pages(vec![vec![1, 2], vec![3, 4], vec![5]]),
        )
        .map(Result::unwrap)
        .collect()
        .await;
        assert_eq!(all, [1, 2, 3, 4, 5]);
        let capped: Vec<u32> = paginate(
            PageOptions::max_pages(2),
            pages(vec![vec![1, 2], vec![3, 4], vec![5]]),
        )
        .map(Result::unwrap)
        .collect()
        .await;
        assert_eq!(capped, [1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn stops_on_empty_or_repeated_pages_and_fetches_lazily() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        // A server that ignores the token: the same page forever.
        let stuck = paginate(PageOptions::default(), move |_| {
            c.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(Page {
                items: vec![7u32, 8],
                next: Some(format!("t{}", c.load(Ordering::SeqCst))),
                first_key: Some("7".into()),
            }))
        });
        let got: Vec<u32> = stuck.map(Result::unwrap).collect().await;
        assert_eq!(got, [7, 8]);
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let empty: Vec<u32> = paginate(
            PageOptions::default(),
            pages(vec![vec![1], vec![], vec![9]]),
        )
        .map(Result::unwrap)
        .collect()
        .await;
        assert_eq!(empty, [1]);

        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let data = pages(vec![vec![1, 2], vec![3, 4]]);
        let lazy = paginate(PageOptions::default(), move |t| {
            c.fetch_add(1, Ordering::SeqCst);
            data(t)
        });
        let first: Vec<u32> = lazy.take(2).map(Result::unwrap).collect().await;
        assert_eq!(first, [1, 2]);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the second page is never fetched"
        );
    }

    #[test]
    fn offsets_advance_by_the_items_and_stop_at_the_total_or_an_empty_page() {
        let p = Page::at_offset(vec![1, 2, 3], 10, None, None);
        assert_eq!(p.next.as_deref(), Some("13"));
        assert_eq!(offset_of(p.next.as_deref()), 13);
        assert_eq!(
            Page::at_offset(vec![1, 2, 3], 10, Some(13), None).next,
            None
        );
        assert_eq!(
            Page::at_offset(vec![1, 2, 3], 10, Some(14), None)
                .next
                .as_deref(),
            Some("13")
        );
        assert_eq!(Page::<u32>::at_offset(vec![], 10, None, None).next, None);
        assert_eq!(offset_of(None), 0);
        assert_eq!(offset_of(Some("garbage")), 0);
    }

    #[test]
    fn the_page_size_is_the_chosen_one_else_the_spec_maximum() {
        use crate::{CredentialNeed, OperationSpec, ParamBound, ParamLocation, Platform};
        static API: ApiSpec = ApiSpec {
            name: "t",
            base_url: "https://example.test",
            platform: Platform::X,
            accept: None,
            schemes: &[],
            operations: &[OperationSpec {
                id: "list",
                method: "GET",
                path: "/list",
                security: &[],
                enums: &[],
                scopes: &[],
                credential: CredentialNeed::None,
                comma_joined: &[],
                bounds: &[ParamBound {
                    name: "max_results",
                    location: ParamLocation::Query,
                    minimum: Some(1),
                    maximum: Some(1000),
                    min_length: None,
                    max_length: None,
                    max_items: None,
                }],
                bucket: "list",
                idempotent: true,
                availability: &[],
                items_total: None,
            }],
        };
        let o = PageOptions::default();
        assert_eq!(o.size_for(&API, "list", "max_results", 7), 1000);
        assert_eq!(o.size_for(&API, "list", "other", 7), 7);
        assert_eq!(
            o.with_page_size(5).size_for(&API, "list", "max_results", 7),
            5
        );
    }

    #[tokio::test]
    async fn fresh_tokens_forever_stop_at_the_page_cap_with_an_error_that_says_so() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let endless = paginate(PageOptions::default().with_page_cap(100), move |_| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(Page {
                items: vec![n as u32],
                next: Some(format!("fresh-{n}")),
                first_key: Some(n.to_string()),
            }))
        });
        let got: Vec<_> = endless.collect().await;
        assert_eq!(calls.load(Ordering::SeqCst), 100, "no page past the cap");
        assert_eq!(got.len(), 101);
        let err = got.last().unwrap().as_ref().unwrap_err();
        assert_eq!(*err, ApiError::TooManyPages { limit: 100 });
        assert!(err.to_string().contains("100 pages"), "{err}");
        // The default cap is in force without options.
        assert_eq!(PageOptions::default().page_cap, None);
    }

    #[tokio::test]
    async fn an_error_ends_the_stream_after_being_yielded() {
        let s = paginate(PageOptions::default(), |_| {
            std::future::ready(Err::<Page<u32>, _>(ApiError::Transport("down".into())))
        });
        let got: Vec<_> = s.collect().await;
        assert_eq!(got.len(), 1);
        assert!(got[0].is_err());
    }
}
