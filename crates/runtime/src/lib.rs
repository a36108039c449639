//! What every blockbind client shares, used the same way by each generated crate: credentials
//! ([`Auth`]), the wire fixes for what progenitor gets wrong, client-side validation from the
//! spec's bounds and scopes, rate-limit pacing and retries, and a tracing span per request.
//!
//! The xtask wires it in: each generated `Client` carries a [`Runtime`] as progenitor's inner type
//! and implements `ClientHooks` by calling [`Runtime::pre`] and [`Runtime::exec`] with the
//! [`ApiSpec`] table it emitted from the spec. Regenerating a crate keeps the wiring.
//!
//! What it must not do: know about one API in particular. Every per-API fact arrives through
//! [`ApiSpec`]; a behaviour specific to one platform is chosen by [`Platform`], never by name.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::Instrument;

mod api_error;
mod auth;
mod error;
mod identity;
mod limits;
pub mod oauth1;
pub mod oauth2;
mod operation;
pub mod pagination;
mod ratelimit;
mod response;
mod retry;
pub mod sign_in;
mod wire;

pub use api_error::{ATTEMPTS_HEADER, AVAILABILITY_HEADER, ApiError, TransportError, call};
pub use auth::Auth;
pub use error::{Bound, RequestError, check_header_value};
pub use identity::CredentialIdentity;
pub use limits::DEFAULT_MAX_RESPONSE_BYTES;
pub use oauth1::OAuth1Credentials;
pub use oauth2::OAuth2UserToken;
pub use operation::{
    ApiSpec, CredentialNeed, OperationSpec, ParamBound, ParamLocation, Platform, SchemeInfo,
    SchemeKind,
};
pub use pagination::{Page, PageOptions, paginate};
pub use ratelimit::{RateLimit, RateLimitState, SendEstimate, SharedRateLimiter, WaitReason};
pub use response::{empty_response, response_value};

use ratelimit::BucketKey;
use retry::{Outcome, Step, Tried};

/// How hard to try before giving up.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (429s, 5xx and connection errors all count).
    pub max_retries: usize,
    /// Total time spent waiting (backoff and rate-limit resets) before giving up.
    pub max_total_wait: Duration,
    /// The first backoff delay for 5xx and connection errors (jittered, exponential).
    pub min_delay: Duration,
    /// The longest backoff delay between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_total_wait: Duration::from_secs(15 * 60),
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// The inner value of every generated client: credentials, policies and the shared rate limiter.
/// Cloning is cheap and shares the limiter, so clients built from clones pace together; runtimes
/// built separately share one through [`Runtime::with_rate_limiter`]. The limiter's buckets are
/// keyed by the platform's bucket and the identity of the credentials a request sends
/// ([`Auth::identity_for`]), so equal credentials spend one bucket, different ones never mix.
#[derive(Clone, Debug)]
pub struct Runtime {
    auth: Auth,
    retry: RetryPolicy,
    pacing: bool,
    timeout: Option<Duration>,
    max_response_bytes: u64,
    user_agent: Option<reqwest::header::HeaderValue>,
    limiter: SharedRateLimiter,
    last_rate_limit: Arc<Mutex<Option<RateLimit>>>,
}

/// The timeout of each attempt when neither the runtime ([`Runtime::with_timeout`]) nor the
/// request sets one.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// What blockbind sends as `User-Agent` unless told otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("blockbind/", env!("CARGO_PKG_VERSION"));

impl Runtime {
    /// A runtime sending with `auth`, with the default retry policy, pacing on, the default
    /// attempt timeout ([`DEFAULT_ATTEMPT_TIMEOUT`], for requests without one), the default body
    /// limit ([`DEFAULT_MAX_RESPONSE_BYTES`]) and its own rate limiter.
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            retry: RetryPolicy::default(),
            pacing: true,
            timeout: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: None,
            limiter: SharedRateLimiter::default(),
            last_rate_limit: Arc::default(),
        }
    }

    /// Paces through `limiter` instead of this runtime's own: runtimes built separately (two
    /// `Config`s, two `Runtime::new`) that share one spend one bucket per credential identity,
    /// as the platform counts them.
    pub fn with_rate_limiter(mut self, limiter: SharedRateLimiter) -> Self {
        self.limiter = limiter;
        self
    }

    /// The rate limiter this runtime (and every clone of it) paces through, to share with
    /// runtimes built separately.
    pub fn rate_limiter(&self) -> SharedRateLimiter {
        self.limiter.clone()
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Turns waiting for a rate-limit reset before sending on or off (on by default).
    pub fn with_pacing(mut self, pacing: bool) -> Self {
        self.pacing = pacing;
        self
    }

    /// A timeout for each attempt of every request, whatever `reqwest::Client` sends it. When
    /// this is not set, a request that has no timeout of its own gets
    /// [`DEFAULT_ATTEMPT_TIMEOUT`]: a `reqwest::Client`'s own timeout cannot be read, and one
    /// built without any must not let a server that never answers hang the caller.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]): a
    /// larger `Content-Length` is refused unread, a longer body is cut off at the limit, both
    /// with [`ApiError::ResponseTooLarge`].
    pub fn with_max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The `User-Agent` of every request, over the `reqwest::Client`'s own ([`Runtime::http_client`]
    /// sets [`DEFAULT_USER_AGENT`]). Refused if it holds a control character.
    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, RequestError> {
        check_header_value("user agent", user_agent)?;
        self.user_agent = Some(reqwest::header::HeaderValue::from_str(user_agent).map_err(
            |_| RequestError::InvalidHeaderValue {
                what: "user agent".into(),
            },
        )?);
        Ok(self)
    }

    /// A runtime with other credentials that keeps these policies and shares this rate limiter
    /// (its buckets are per credential identity: equal credentials share a bucket, different
    /// ones never mix).
    pub fn with_auth(&self, auth: Auth) -> Self {
        Self {
            auth,
            ..self.clone()
        }
    }

    /// The credentials requests are sent with.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The rate-limit state of the most recent response that carried one.
    pub fn last_rate_limit(&self) -> Option<RateLimit> {
        *self
            .last_rate_limit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Every rate-limit bucket this runtime's limiter has paced (shared with its clones and
    /// whoever shares the limiter), as it stands: the window as counted, requests in flight and
    /// waiting, until when and why ([`SharedRateLimiter::state`]).
    pub fn rate_limit_state(&self) -> Vec<RateLimitState> {
        self.limiter.state()
    }

    /// A `reqwest::Client` with blockbind's transport defaults: timeouts, and redirects followed
    /// only within the same origin (so credentials never travel to another host).
    pub fn http_client(timeout: Duration) -> reqwest::Client {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let same_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if attempt.previous().len() > 5 || !same_origin {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        reqwest::Client::builder()
            .user_agent(DEFAULT_USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .build()
            .expect("a client with these settings always builds")
    }

    /// The `ClientHooks::pre` of every generated client: validates and fixes the built request
    /// and puts the credentials on it. Errors here mean nothing was sent.
    pub async fn pre(
        &self,
        api: &ApiSpec,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), RequestError> {
        let op = api
            .operation(operation_id)
            .ok_or_else(|| RequestError::UnknownOperation(operation_id.into()))?;
        wire::check_no_url_credentials(request)?;
        wire::fix_headers(api, request);
        match self.timeout {
            Some(timeout) => *request.timeout_mut() = Some(timeout),
            None if request.timeout().is_none() => {
                *request.timeout_mut() = Some(DEFAULT_ATTEMPT_TIMEOUT);
            }
            None => {}
        }
        if let Some(ua) = &self.user_agent {
            request
                .headers_mut()
                .insert(reqwest::header::USER_AGENT, ua.clone());
        }
        wire::join_comma_params(op, request.url_mut());
        wire::check_path(op, request.url())?;
        wire::check_bounds(op, request.url())?;
        let chosen = self.auth.choose(op)?;
        self.auth.apply(chosen, http, request).await
    }

    /// The `ClientHooks::exec` of every generated client: paces, sends, retries, and records the
    /// rate-limit state, inside one tracing span. Giving up returns the last response, whose
    /// status, body and rate-limit headers the generated error carries, with the number of
    /// attempts in the [`ATTEMPTS_HEADER`] header; [`ApiError`] reads all of them.
    pub async fn exec(
        &self,
        api: &ApiSpec,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "blockbind.request",
            api = api.name,
            operation = operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            ratelimit_remaining = tracing::field::Empty,
        );
        self.exec_inner(api, http, request, operation_id, span.clone())
            .instrument(span)
            .await
            .map(|response| limits::capped(response, self.max_response_bytes))
    }

    async fn exec_inner(
        &self,
        api: &ApiSpec,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
        span: tracing::Span,
    ) -> reqwest::Result<reqwest::Response> {
        let Some(op) = api.operation(operation_id) else {
            return http.execute(request).await;
        };
        // `pre` chose the same alternative (and refused the request if there was none).
        let chosen = self.auth.choose(op).ok().flatten();
        let key = BucketKey {
            api: api.name,
            platform: api.platform,
            credential: self.auth.identity_for(chosen),
            bucket: op.bucket,
        };
        let mut backoff = retry::backoff(&self.retry);
        let mut tried = Tried::default();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            // Held until the attempt is over (a retry's wait included) unless its answer is
            // recorded first.
            let mut permit = match self.pace(&key, &mut tried).await {
                Ok(permit) => permit,
                Err(refusal) => return Ok(refusal.into_response(request.url().clone())),
            };
            if !retry::retry_left(&self.retry, &tried) {
                // Nothing can follow this attempt: the request itself is sent, not a copy.
                let mut last = request;
                if attempt > 1 {
                    self.reapply_credentials(op, http, &mut last).await;
                }
                let result = http.execute(last).await;
                if let Ok(response) = &result {
                    self.observe(api, &span, response, permit.take());
                }
                return result.map(|response| annotated(response, attempt, op));
            }
            let Some(this) = self.prepare_attempt(op, http, &request, attempt).await else {
                return http.execute(request).await; // a streaming body cannot be resent
            };
            let result = http.execute(this).await;
            let outcome = match &result {
                Ok(response) => self.observe(api, &span, response, permit.take()),
                Err(e) => Outcome::Failed(retry::Failure::of(e)),
            };
            let cx = retry::Context {
                policy: &self.retry,
                platform: api.platform,
                idempotent: op.idempotent,
                outcome,
                tried: &tried,
            };
            let step = retry::decide(&cx, &mut backoff);
            match step {
                Step::Return => return result.map(|response| annotated(response, attempt, op)),
                Step::WaitForReset(wait) => {
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "429: waiting for the rate-limit reset"
                    );
                    let reason = WaitReason::TooManyRequests {
                        header: match outcome {
                            Outcome::Response {
                                retry_after: Some(_),
                                ..
                            } => Some("Retry-After"),
                            Outcome::Response {
                                reset_in: Some(_), ..
                            } => Some(ratelimit::header_names(api.platform)[2]),
                            _ => None,
                        },
                    };
                    self.limiter.0.exhaust(&key, ratelimit::after(wait), reason);
                    if !self.pacing {
                        self.limiter.0.wait_for_reset(&key, wait).await;
                        tried.waited = tried.waited.saturating_add(wait);
                    }
                }
                Step::Refresh => {
                    if !self.auth.refresh_after_unauthorized(http, &request).await {
                        return result.map(|response| annotated(response, attempt, op));
                    }
                }
                Step::BackOff(delay) => {
                    match outcome {
                        Outcome::Response { status, .. } => tracing::info!(
                            status = status.as_u16(),
                            delay_ms = delay.as_millis() as u64,
                            "server error, retrying"
                        ),
                        Outcome::Failed(_) => tracing::info!(
                            delay_ms = delay.as_millis() as u64,
                            "connection error, retrying"
                        ),
                    }
                    tokio::time::sleep(delay).await;
                }
            }
            tried.record(api.platform, outcome, step);
        }
    }

    /// Waits for room in the bucket when pacing, counting the wait; refuses at once, without
    /// sleeping, a wait that would go past what is left of the policy's `max_total_wait`.
    async fn pace<'l>(
        &'l self,
        key: &'l BucketKey,
        tried: &mut Tried,
    ) -> Result<Option<ratelimit::Permit<'l>>, limits::Refusal> {
        if !self.pacing {
            return Ok(None);
        }
        let before = Instant::now();
        let budget = self.retry.max_total_wait.saturating_sub(tried.waited);
        let permit = self.limiter.0.acquire_within(key, budget).await?;
        tried.waited = tried.waited.saturating_add(before.elapsed());
        Ok(Some(permit))
    }

    /// A copy of the request for an attempt a retry may follow (the request is kept for the
    /// retry), or `None` when it cannot be copied (a streaming body). The first attempt sends
    /// the request `pre` prepared; later ones re-apply the credential.
    async fn prepare_attempt(
        &self,
        op: &OperationSpec,
        http: &reqwest::Client,
        request: &reqwest::Request,
        attempt: u32,
    ) -> Option<reqwest::Request> {
        let mut copy = request.try_clone()?;
        if attempt > 1 {
            self.reapply_credentials(op, http, &mut copy).await;
        }
        Some(copy)
    }

    /// Puts the credential on a retry's request again (a fresh OAuth 1.0a nonce and timestamp, a
    /// refreshed OAuth 2.0 token); a failure is logged and the request goes as it is.
    async fn reapply_credentials(
        &self,
        op: &OperationSpec,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
    ) {
        if let Err(e) = match self.auth.choose(op) {
            Ok(chosen) => self.auth.apply(chosen, http, request).await,
            Err(e) => Err(e),
        } {
            tracing::warn!(error = %e, "could not re-apply credentials for a retry");
        }
    }

    /// Records what a response says (its status on the span, its rate-limit state in the
    /// limiter and [`Runtime::last_rate_limit`]) and gives its outcome for the classifiers.
    fn observe(
        &self,
        api: &ApiSpec,
        span: &tracing::Span,
        response: &reqwest::Response,
        permit: Option<ratelimit::Permit<'_>>,
    ) -> Outcome {
        let status = response.status();
        span.record("status", status.as_u16());
        let limit = RateLimit::from_headers(api.platform, response.headers());
        if let Some(permit) = permit {
            permit.finish(limit.as_ref());
        }
        if let Some(limit) = &limit {
            span.record("ratelimit_remaining", limit.remaining);
            *self
                .last_rate_limit
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(*limit);
        }
        Outcome::response(status, response.headers(), limit.as_ref())
    }
}

/// The response given back, with the number of attempts in [`ATTEMPTS_HEADER`] when there was
/// more than one (absent means one: [`ApiError`] reads it so), and, on a 403 from an operation
/// only some access levels include, those levels in [`AVAILABILITY_HEADER`] (the generated error
/// keeps only status, headers and body: this is how [`ApiError`] learns the operation's fact).
fn annotated(
    mut response: reqwest::Response,
    attempt: u32,
    op: &OperationSpec,
) -> reqwest::Response {
    if attempt > 1 {
        response
            .headers_mut()
            .insert(ATTEMPTS_HEADER, reqwest::header::HeaderValue::from(attempt));
    }
    if response.status() == reqwest::StatusCode::FORBIDDEN
        && !op.availability.is_empty()
        && let Ok(levels) = reqwest::header::HeaderValue::from_str(&op.availability.join(","))
    {
        response.headers_mut().insert(AVAILABILITY_HEADER, levels);
    }
    response
}

/// Compile-time proof that the hooks' futures are `Send` (so generated calls can be spawned on a
/// multi-threaded runtime). It fails to build, not to run, when one stops being `Send`.
#[cfg(test)]
#[allow(dead_code)]
fn the_hook_futures_are_send(
    runtime: &Runtime,
    api: &'static ApiSpec,
    http: &reqwest::Client,
    request: &mut reqwest::Request,
    owned: reqwest::Request,
) {
    fn is_send<T: Send>(_: T) {}
    is_send(runtime.pre(api, http, request, "op"));
    is_send(runtime.exec(api, http, owned, "op"));
}
