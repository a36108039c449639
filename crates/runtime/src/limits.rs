//! The limits [`crate::Runtime::exec`] puts on what a server can make the client do: read a body
//! larger than [`crate::Runtime::with_max_response_bytes`], or wait for a rate-limit reset past
//! what is left of the retry policy's `max_total_wait`.
//!
//! The exec hook can only answer with a `reqwest::Response` (progenitor's `ClientHooks::exec`
//! returns `reqwest::Result<reqwest::Response>`, and a `reqwest::Error` cannot be made outside
//! reqwest), so a refusal travels as a response whose body fails with a [`Refusal`], which is
//! also in its extensions: whoever reads the body gets a `reqwest::Error` whose source chain holds
//! it, and [`crate::ApiError`] finds it there ([`Refusal::find`]) and becomes
//! `ApiError::ResponseTooLarge` or `ApiError::RateLimited`.
//!
//! What it must not do: read a body past the limit, or hold more than the limit of it.

use std::fmt;
use std::time::Duration;

use http_body_util::BodyExt;

use crate::ratelimit::RateLimitState;

/// The body limit unless the runtime is told otherwise: far above the largest page any spec
/// allows (X's 1,000 users with every field is about 1 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Why the exec hook refused a response or a wait.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refusal {
    /// The body is over `limit` bytes (`content_length`: as announced, then not read at all).
    TooLarge {
        limit: u64,
        content_length: Option<u64>,
    },
    /// Waiting `wait` for the bucket would go past the `budget` left of `max_total_wait`.
    RateLimited {
        state: Box<RateLimitState>,
        wait: Duration,
        budget: Duration,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit, .. } => {
                write!(f, "response body over the limit of {limit} bytes")
            }
            Self::RateLimited { wait, budget, .. } => write!(
                f,
                "the rate-limit wait of {} s is over the {} s left of max_total_wait",
                wait.as_secs(),
                budget.as_secs()
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// The refusal in `error`'s source chain (a body read that failed because of one).
    pub(crate) fn find<'e>(mut error: &'e (dyn std::error::Error + 'static)) -> Option<&'e Self> {
        loop {
            if let Some(refusal) = error.downcast_ref::<Self>() {
                return Some(refusal);
            }
            error = error.source()?;
        }
    }

    /// A response standing for this refusal, for `url`: status 429 (a rate-limit refusal, the
    /// only kind made without a response), a body that fails with it, and it in the extensions.
    pub(crate) fn into_response(self, url: url::Url) -> reqwest::Response {
        let (mut parts, ()) = http::Response::new(()).into_parts();
        parts.status = http::StatusCode::TOO_MANY_REQUESTS;
        rebuilt(parts, failing_body(self.clone()), url, Some(self))
    }
}

/// A body whose first read fails with `refusal`.
fn failing_body(refusal: Refusal) -> reqwest::Body {
    reqwest::Body::wrap_stream(futures::stream::once(async move {
        Err::<Vec<u8>, Refusal>(refusal)
    }))
}

/// `response` with its body limited to `limit` bytes: refused unread when its `Content-Length`
/// is over it, else cut off with [`Refusal::TooLarge`] at the first chunk past it (the chunks
/// before are the caller's to hold, at most `limit` bytes). Status, headers, URL and extensions
/// stay; so does reqwest's timeout on the body.
pub(crate) fn capped(response: reqwest::Response, limit: u64) -> reqwest::Response {
    // A body with a `Content-Length` within the limit needs no wrapper: hyper reads exactly that
    // many bytes and fails the body if the server sends fewer or closes early.
    if response
        .content_length()
        .is_some_and(|length| length <= limit)
    {
        return response;
    }
    let url = response.url().clone();
    if let Some(length) = response.content_length().filter(|length| *length > limit) {
        let refusal = Refusal::TooLarge {
            limit,
            content_length: Some(length),
        };
        let (parts, _unread) = http::Response::from(response).into_parts();
        return rebuilt(parts, failing_body(refusal.clone()), url, Some(refusal));
    }
    let (parts, body) = http::Response::from(response).into_parts();
    let limited = http_body_util::Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX))
        .map_err(move |e| -> Box<dyn std::error::Error + Send + Sync> {
            if e.is::<http_body_util::LengthLimitError>() {
                Box::new(Refusal::TooLarge {
                    limit,
                    content_length: None,
                })
            } else {
                e
            }
        });
    rebuilt(parts, reqwest::Body::wrap(limited), url, None)
}

/// A `reqwest::Response` from `parts` and `body` that keeps `url` (reqwest's conversion from
/// `http::Response` keeps the URL only when the builder set it) and carries `refusal`.
fn rebuilt(
    parts: http::response::Parts,
    body: reqwest::Body,
    url: url::Url,
    refusal: Option<Refusal>,
) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    let mut response = match http::Response::builder().url(url).body(body) {
        Ok(response) => response,
        // The builder holds only the URL, which is always valid: unreachable, but not a panic.
        Err(_) => http::Response::new(reqwest::Body::from(Vec::new())),
    };
    *response.status_mut() = parts.status;
    *response.version_mut() = parts.version;
    *response.headers_mut() = parts.headers;
    response.extensions_mut().extend(parts.extensions);
    if let Some(refusal) = refusal {
        response.extensions_mut().insert(refusal);
    }
    reqwest::Response::from(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: reqwest::Body, content_length: Option<u64>) -> reqwest::Response {
        use reqwest::ResponseBuilderExt;
        let mut builder = http::Response::builder()
            .status(201)
            .header("x-rate-limit-remaining", "7")
            .url("http://127.0.0.1:9/2/users/1/blocking".parse().unwrap());
        if let Some(length) = content_length {
            builder = builder.header("content-length", length);
        }
        builder.body(body).unwrap().into()
    }

    fn refusal_of(e: &reqwest::Error) -> Option<&Refusal> {
        Refusal::find(e)
    }

    #[tokio::test]
    async fn a_body_within_the_limit_reads_whole_and_keeps_status_headers_url_and_extensions() {
        #[derive(Debug, Clone, PartialEq)]
        struct Marker;
        let mut original = response("0123456789".into(), None);
        original.extensions_mut().insert(Marker);
        let capped = capped(original, 10);
        assert_eq!(capped.extensions().get::<Marker>(), Some(&Marker));
        assert_eq!(capped.status(), 201);
        assert_eq!(capped.headers()["x-rate-limit-remaining"], "7");
        assert_eq!(capped.url().path(), "/2/users/1/blocking");
        assert_eq!(&capped.bytes().await.unwrap()[..], b"0123456789");
    }

    #[tokio::test]
    async fn a_streamed_body_past_the_limit_fails_with_too_large() {
        let chunks = futures::stream::iter((0..5).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 4])));
        let capped = capped(response(reqwest::Body::wrap_stream(chunks), None), 10);
        let e = capped.bytes().await.unwrap_err();
        assert_eq!(
            refusal_of(&e),
            Some(&Refusal::TooLarge {
                limit: 10,
                content_length: None
            }),
            "{e:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_that_never_answers_times_out_on_a_client_built_without_a_timeout() {
        use crate::{ApiSpec, Auth, CredentialNeed, OperationSpec, Platform, RetryPolicy, Runtime};
        static API: ApiSpec = ApiSpec {
            name: "t",
            base_url: "http://127.0.0.1",
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
                bounds: &[],
                bucket: "list",
                idempotent: true,
                availability: &[],
                items_total: None,
            }],
        };
        // Accepts and holds every connection, answering nothing.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || listener.incoming().collect::<Vec<_>>());
        let runtime = Runtime::new(Auth::none()).with_retry(RetryPolicy::none());
        let http = reqwest::Client::new(); // the caller's, without a timeout of its own
        let mut request = http.get(format!("http://{addr}/list")).build().unwrap();
        runtime
            .pre(&API, &http, &mut request, "list")
            .await
            .unwrap();
        // Paused time: the runtime's clock jumps to the next timer once everything waits. Without
        // a timeout on the request, that is this guard's day, and the test fails.
        let exec = runtime.exec(&API, &http, request, "list");
        let e = tokio::time::timeout(Duration::from_secs(24 * 3600), exec)
            .await
            .expect("no answer and no timeout: the call would hang")
            .unwrap_err();
        assert!(e.is_timeout(), "{e:?}");
    }

    #[tokio::test]
    async fn a_content_length_over_the_limit_is_refused_unread() {
        let capped = capped(response("0123456789ab".into(), Some(12)), 10);
        let refusal = Refusal::TooLarge {
            limit: 10,
            content_length: Some(12),
        };
        assert_eq!(capped.extensions().get::<Refusal>(), Some(&refusal));
        let e = capped.bytes().await.unwrap_err();
        assert_eq!(refusal_of(&e), Some(&refusal), "{e:?}");
    }
}
