//! Rate limits: the platforms' headers parsed into [`RateLimit`], and a limiter per
//! (API, credential identity, bucket) that waits for the reset instead of sending into a 429.
//! The bucket is the spec's (`x-rate-limit`'s `per`: the whole API, or each X endpoint) and the
//! identity is the platform's ([`CredentialIdentity`]), so two clients with equal credentials
//! that share a limiter ([`SharedRateLimiter`]) spend one bucket. What the limiter knows of each
//! bucket, waits included, is readable for front ends ([`SharedRateLimiter::state`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName};

use crate::identity::CredentialIdentity;
use crate::limits::Refusal;
use crate::operation::Platform;

mod state;

pub(crate) use state::header_names;
pub use state::{RateLimitState, SendEstimate, WaitReason};

const TWITCH_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("ratelimit-limit"),
    HeaderName::from_static("ratelimit-remaining"),
    HeaderName::from_static("ratelimit-reset"),
];
const X_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-rate-limit-limit"),
    HeaderName::from_static("x-rate-limit-remaining"),
    HeaderName::from_static("x-rate-limit-reset"),
];

/// The rate-limit state a response reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests (Twitch: points) per window.
    pub limit: u32,
    /// What is left of the window.
    pub remaining: u32,
    /// When the window resets (X) or the bucket is full again (Twitch), on this machine's clock:
    /// the server's reset header measured against its `Date` header when it sends one.
    pub reset: SystemTime,
}

impl RateLimit {
    /// Reads Twitch's `Ratelimit-Limit/-Remaining/-Reset` or X's `x-rate-limit-*` headers.
    pub fn from_headers(platform: Platform, headers: &HeaderMap) -> Option<Self> {
        // Constant names: this runs on every response, so no name is formatted or parsed here.
        let [limit, remaining, reset] = match platform {
            Platform::Twitch => &TWITCH_HEADERS,
            Platform::X => &X_HEADERS,
        };
        let get = |name: &HeaderName| decimal(headers.get(name)?.as_bytes());
        Some(Self {
            limit: u32::try_from(get(limit)?).ok()?,
            remaining: u32::try_from(get(remaining)?).ok()?,
            reset: local_reset(
                UNIX_EPOCH.checked_add(Duration::from_secs(get(reset)?))?,
                headers,
            )?,
        })
    }

    /// Reads whichever platform's headers are present (Twitch's first).
    pub fn from_any_headers(headers: &HeaderMap) -> Option<Self> {
        Self::from_headers(Platform::Twitch, headers)
            .or_else(|| Self::from_headers(Platform::X, headers))
    }

    /// How long until the reset, from now (zero when it has passed).
    pub fn reset_in(&self) -> Duration {
        self.reset
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    }
}

/// A header's whole value as a decimal `u64`, as `str::parse` reads it after trimming ASCII
/// whitespace (an optional `+`, then digits), without the UTF-8 check and `str` detour: this runs
/// three times on every response.
fn decimal(value: &[u8]) -> Option<u64> {
    let value = value.trim_ascii();
    let digits = value.strip_prefix(b"+").unwrap_or(value);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// A reset the server gave as an instant of its own clock, on this machine's: moved by how far
/// the server's `Date` is from now, so that a local clock hours off, or a server's, does not turn
/// a second's wait into hours, nor an hour's into none. A difference under [`CLOCK_TOLERANCE`]
/// is `Date`'s own noise (whole seconds, cached by servers for up to one): the reset is then
/// taken as sent, so every answer of a window names the same instant (the limiter counts a
/// window by it), and [`RESET_MARGIN`] absorbs the rest. Without a `Date`, the local clock is
/// trusted. A reset no clock can hold is a malformed header, not a panic; one more than a day
/// ahead (no platform's window is that long) would stall every request: ignored too.
fn local_reset(reset: SystemTime, headers: &HeaderMap) -> Option<SystemTime> {
    let now = SystemTime::now();
    let server_now = headers
        .get(reqwest::header::DATE)
        .and_then(|date| date.to_str().ok())
        .and_then(|date| httpdate::parse_http_date(date).ok());
    let reset = match server_now.map(|server| server.duration_since(now)) {
        // The server's clock is ahead: its reset is that much earlier on ours.
        Some(Ok(ahead)) if ahead > CLOCK_TOLERANCE => {
            reset.checked_sub(Duration::from_secs(ahead.as_secs()))?
        }
        // Behind: later on ours.
        Some(Err(behind)) if behind.duration() > CLOCK_TOLERANCE => {
            reset.checked_add(Duration::from_secs(behind.duration().as_secs()))?
        }
        _ => reset,
    };
    let ahead_of_now = reset.duration_since(now).unwrap_or(Duration::ZERO);
    (ahead_of_now.as_secs() <= MAX_RETRY_AFTER_SECS).then_some(reset)
}

/// How far the server's `Date` may be from the local clock before resets are moved by it.
const CLOCK_TOLERANCE: Duration = Duration::from_secs(5);

/// `Retry-After` in seconds, when present.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(MAX_RETRY_AFTER_SECS)))
}

/// Now plus `wait`, saturating instead of panicking.
pub(crate) fn after(wait: Duration) -> SystemTime {
    let now = SystemTime::now();
    now.checked_add(wait).unwrap_or(now)
}

/// A `Retry-After` beyond a day is a malformed header: it is read as a day.
const MAX_RETRY_AFTER_SECS: u64 = 24 * 60 * 60;

/// Identifies one rate-limit bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BucketKey {
    pub api: &'static str,
    /// The API's platform (which names its headers); follows from `api`.
    pub platform: Platform,
    pub credential: CredentialIdentity,
    pub bucket: &'static str,
}

/// What is known of one bucket's current window.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Window {
    /// Nothing yet (or the last window has passed): one request goes first to find out.
    Unknown,
    /// The server does not report this bucket: no pacing.
    Unreported,
    /// `remaining` more may be sent before `reset`; requests in flight are already counted.
    Known { remaining: u32, reset: SystemTime },
}

#[derive(Debug)]
struct Bucket {
    key: BucketKey,
    window: Window,
    /// Requests sent and not answered yet, by the order they were sent in.
    in_flight: Vec<u64>,
    sent: u64,
    /// The bucket's size, as last reported.
    limit: Option<u32>,
    /// The window's length as observed ([`RateLimitState::window`]).
    length: Option<Duration>,
    /// Requests sleeping until `waiting_until` for the reset.
    waiting: usize,
    waiting_until: Option<SystemTime>,
    /// Why the current window is closed (kept until a new one opens).
    reason: Option<WaitReason>,
}

impl Bucket {
    fn new(key: BucketKey) -> Self {
        Self {
            key,
            window: Window::Unknown,
            in_flight: Vec::new(),
            sent: 0,
            limit: None,
            length: None,
            waiting: 0,
            waiting_until: None,
            reason: None,
        }
    }

    /// A new window (or none known): the last one's reason to wait is over.
    fn open(&mut self, window: Window) {
        self.window = window;
        self.reason = None;
    }

    fn state(&self) -> RateLimitState {
        let rate_limit = match (self.window, self.limit) {
            (Window::Known { remaining, reset }, Some(limit)) => Some(RateLimit {
                limit,
                remaining,
                reset,
            }),
            _ => None,
        };
        RateLimitState {
            api: self.key.api,
            bucket: self.key.bucket,
            credential: self.key.credential,
            platform: self.key.platform,
            rate_limit,
            window: self.length,
            paced: self.window != Window::Unreported,
            in_flight: self.in_flight.len(),
            sent: self.sent,
            waiting: self.waiting,
            waiting_until: self.waiting_until,
            wait_reason: self.reason,
        }
    }

    fn release(&mut self, seq: u64) {
        if let Some(i) = self.in_flight.iter().position(|s| *s == seq) {
            self.in_flight.swap_remove(i);
        }
    }
}

/// Shared by every clone of a runtime, so concurrent callers pace together. A few buckets at
/// most (one per API, credential and X endpoint), so a short list searched in place beats a
/// hashed map on the path every request takes.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: Mutex<Vec<Bucket>>,
}

/// A rate limiter runtimes pace through together: every clone of a
/// [`Runtime`](crate::Runtime) (and every client a `Config` builds) already shares its own; this
/// handle lets runtimes built separately share one too
/// ([`Runtime::with_rate_limiter`](crate::Runtime::with_rate_limiter)). Requests with equal
/// credentials then spend one bucket, as they do on the platform.
///
/// Not process-wide by default, on purpose: a limiter is this client's estimate of the server's
/// count, and runtimes pointed at different servers (a mock and the platform, two mocks in one
/// test binary) must not mix estimates. Runtimes that do not share one still converge on the
/// server's count through its rate-limit headers, at the price of a 429 now and then.
#[derive(Debug, Clone, Default)]
pub struct SharedRateLimiter(pub(crate) Arc<RateLimiter>);

/// Sent requests land this much after the announced reset, to absorb clock skew.
pub(crate) const RESET_MARGIN: Duration = Duration::from_millis(250);
/// How often requests waiting for the first answer of a window look again.
const PROBE_POLL: Duration = Duration::from_millis(2);

fn bucket<'b>(buckets: &'b mut Vec<Bucket>, key: &BucketKey) -> &'b mut Bucket {
    let i = match buckets.iter().position(|b| b.key == *key) {
        Some(i) => i,
        None => {
            buckets.push(Bucket::new(key.clone()));
            buckets.len() - 1
        }
    };
    &mut buckets[i]
}

/// One request's place in a bucket. [`Permit::finish`] records what its response said; dropped
/// without it (an error, a cancelled request), it only frees the place.
pub(crate) struct Permit<'l> {
    limiter: &'l RateLimiter,
    key: &'l BucketKey,
    seq: u64,
}

impl Permit<'_> {
    /// Records the rate-limit state the response reported (`None`: the server reports none).
    pub(crate) fn finish(self, limit: Option<&RateLimit>) {
        let mut buckets = self.limiter.lock();
        let b = bucket(&mut buckets, self.key);
        b.release(self.seq);
        match limit {
            None => {
                if b.window == Window::Unknown {
                    b.open(Window::Unreported);
                }
            }
            Some(limit) => {
                b.limit = Some(limit.limit);
                // The time left to the reset is at most the window's length, on a fixed window
                // (reset - now is the window less its time gone) as on a refilling bucket (the
                // time to refill), and reaches it with a window's first request or an empty
                // bucket: the longest seen is the estimate. Resets are whole seconds, and so are
                // the platforms' windows: rounded up, it stays a lower bound.
                if let Ok(left) = limit.reset.duration_since(SystemTime::now()) {
                    let seen =
                        Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0));
                    b.length = b.length.max(Some(seen));
                }
                // The server counted this request and, requests arriving in order, those sent
                // before it; those sent after it and still in flight will count too.
                let later = b.in_flight.iter().filter(|s| **s > self.seq).count();
                let estimate = limit
                    .remaining
                    .saturating_sub(u32::try_from(later).unwrap_or(u32::MAX));
                match b.window {
                    Window::Known { remaining, reset } if reset == limit.reset => {
                        b.window = Window::Known {
                            remaining: remaining.min(estimate),
                            reset,
                        }
                    }
                    _ => b.open(Window::Known {
                        remaining: estimate,
                        reset: limit.reset,
                    }),
                }
            }
        }
        drop(buckets);
        std::mem::forget(self);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut buckets = self.limiter.lock();
        bucket(&mut buckets, self.key).release(self.seq);
    }
}

impl RateLimiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Bucket>> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`RateLimiter::acquire_within`] with no bound on the wait.
    #[cfg(test)]
    pub(crate) async fn acquire<'l>(&'l self, key: &'l BucketKey) -> Permit<'l> {
        match self.acquire_within(key, Duration::MAX).await {
            Ok(permit) => permit,
            Err(refusal) => unreachable!("no wait is longer than Duration::MAX: {refusal}"),
        }
    }

    /// Waits until the bucket has room, then takes one place in it. While nothing is known of
    /// the current window, one request goes alone and the others wait for its answer, so a
    /// burst never runs past a limit nobody has reported yet. A wait for a reset that would end
    /// more than `budget` after the call began is refused at once, never slept: with the
    /// bucket's state, the wait and what was left of the budget.
    pub(crate) async fn acquire_within<'l>(
        &'l self,
        key: &'l BucketKey,
        budget: Duration,
    ) -> Result<Permit<'l>, Refusal> {
        let started = std::time::Instant::now();
        loop {
            let next = {
                let mut buckets = self.lock();
                let b = bucket(&mut buckets, key);
                let now = SystemTime::now();
                if let Window::Known { reset, .. } = b.window
                    && now >= reset.checked_add(RESET_MARGIN).unwrap_or(reset)
                {
                    b.open(Window::Unknown);
                }
                let next = match &mut b.window {
                    Window::Unreported => Next::Go,
                    Window::Unknown if b.in_flight.is_empty() => Next::Go,
                    Window::Unknown => Next::Poll,
                    Window::Known { remaining, .. } if *remaining > 0 => {
                        *remaining -= 1;
                        Next::Go
                    }
                    Window::Known { reset, .. } => Next::Reset(
                        reset.duration_since(now).unwrap_or(Duration::ZERO) + RESET_MARGIN,
                    ),
                };
                if let Next::Go = next {
                    b.sent += 1;
                    b.in_flight.push(b.sent);
                    return Ok(Permit {
                        limiter: self,
                        key,
                        seq: b.sent,
                    });
                }
                let left = budget.saturating_sub(started.elapsed());
                // The wait for a reset is known: refused when longer than what is left. The wait
                // for a window's first answer is not: refused once it has used up the budget.
                let over = match next {
                    Next::Reset(wait) if wait > left => Some(wait),
                    Next::Poll if left.is_zero() => Some(started.elapsed()),
                    _ => None,
                };
                if let Some(wait) = over {
                    b.reason
                        .get_or_insert(WaitReason::window_used_up(key.platform));
                    return Err(Refusal::RateLimited {
                        state: Box::new(b.state()),
                        wait,
                        budget: left,
                    });
                }
                next
            };
            match next {
                Next::Reset(wait) => self.wait_for_reset(key, wait).await,
                _ => tokio::time::sleep(PROBE_POLL).await,
            }
        }
    }

    /// Sleeps `wait` for the bucket's reset, counted among its waiters meanwhile (and no longer
    /// once dropped, however it ends).
    pub(crate) async fn wait_for_reset(&self, key: &BucketKey, wait: Duration) {
        {
            let mut buckets = self.lock();
            let b = bucket(&mut buckets, key);
            let until = after(wait);
            b.waiting += 1;
            b.waiting_until = b.waiting_until.max(Some(until));
            let reason = *b
                .reason
                .get_or_insert(WaitReason::window_used_up(key.platform));
            if b.waiting == 1 {
                tracing::debug!(
                    api = key.api,
                    bucket = key.bucket,
                    wait_ms = wait.as_millis() as u64,
                    reason = %reason,
                    "waiting for the rate limit"
                );
            }
        }
        let _waiter = Waiter { limiter: self, key };
        tokio::time::sleep(wait).await;
    }

    /// Marks the bucket empty until `reset` (after a 429, for `reason`).
    pub(crate) fn exhaust(&self, key: &BucketKey, reset: SystemTime, reason: WaitReason) {
        let mut buckets = self.lock();
        let b = bucket(&mut buckets, key);
        b.window = Window::Known {
            remaining: 0,
            reset,
        };
        b.reason = Some(reason);
    }

    fn state(&self) -> Vec<RateLimitState> {
        self.lock().iter().map(Bucket::state).collect()
    }
}

/// What a request does next in [`RateLimiter::acquire`].
enum Next {
    /// Send now.
    Go,
    /// Look again shortly: the window's first answer is awaited.
    Poll,
    /// Sleep this long, for the reset.
    Reset(Duration),
}

/// One request among a bucket's waiters, until dropped.
struct Waiter<'l> {
    limiter: &'l RateLimiter,
    key: &'l BucketKey,
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        let mut buckets = self.limiter.lock();
        let b = bucket(&mut buckets, self.key);
        b.waiting = b.waiting.saturating_sub(1);
        if b.waiting == 0 {
            b.waiting_until = None;
        }
    }
}

impl SharedRateLimiter {
    /// Every bucket this limiter has paced so far, as it stands now: the window as counted,
    /// requests in flight and waiting, until when and why. For front ends to show what a long
    /// job is waiting for and how long the rest will take ([`RateLimitState::time_to_send`]).
    pub fn state(&self) -> Vec<RateLimitState> {
        self.0.state()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_numbers_read_as_str_parse_reads_them() {
        for raw in [
            &b"0"[..],
            b"42",
            b" 42\t",
            b"+7",
            b"-1",
            b"",
            b" ",
            b"+",
            b"4 2",
            b"1e3",
            b"0x10",
            b"18446744073709551615",
            b"18446744073709551616",
            b"00012",
            b"\xd9\xa1",
            b"12\xff",
        ] {
            let old = std::str::from_utf8(raw)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok());
            assert_eq!(super::decimal(raw), old, "{raw:?}");
        }
    }

    use super::*;

    #[test]
    fn twitch_and_x_headers_parse() {
        let mut h = HeaderMap::new();
        h.insert("Ratelimit-Limit", "800".parse().unwrap());
        h.insert("Ratelimit-Remaining", "799".parse().unwrap());
        h.insert("Ratelimit-Reset", "1700000000".parse().unwrap());
        let rl = RateLimit::from_headers(Platform::Twitch, &h).unwrap();
        assert_eq!((rl.limit, rl.remaining), (800, 799));
        assert_eq!(rl.reset, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        assert_eq!(RateLimit::from_headers(Platform::X, &h), None);

        let mut x = HeaderMap::new();
        x.insert("x-rate-limit-limit", "15".parse().unwrap());
        x.insert("x-rate-limit-remaining", "0".parse().unwrap());
        x.insert("x-rate-limit-reset", "1700000900".parse().unwrap());
        let rl = RateLimit::from_headers(Platform::X, &x).unwrap();
        assert_eq!((rl.limit, rl.remaining), (15, 0));
    }

    fn key() -> BucketKey {
        BucketKey {
            api: "t",
            platform: Platform::X,
            credential: CredentialIdentity::of([Some(1), None, None]),
            bucket: "b",
        }
    }

    fn limit(remaining: u32, reset_in: Duration) -> RateLimit {
        RateLimit {
            limit: 10,
            remaining,
            reset: SystemTime::now() + reset_in,
        }
    }

    #[tokio::test]
    async fn an_unknown_window_lets_one_request_probe_and_the_rest_wait_for_its_answer() {
        let limiter = RateLimiter::default();
        let key = key();
        let probe = limiter.acquire(&key).await;
        let second = tokio::time::timeout(Duration::from_millis(50), limiter.acquire(&key)).await;
        assert!(
            second.is_err(),
            "the second waits while the probe is in flight"
        );
        probe.finish(Some(&limit(3, Duration::from_secs(60))));
        // Three left: three go, the fourth waits for the reset.
        let mut permits = Vec::new();
        for _ in 0..3 {
            permits.push(limiter.acquire(&key).await);
        }
        let fourth = tokio::time::timeout(Duration::from_millis(50), limiter.acquire(&key)).await;
        assert!(fourth.is_err(), "the window is used up");
    }

    #[tokio::test]
    async fn answers_do_not_count_requests_still_in_flight_twice_or_forget_them() {
        let limiter = RateLimiter::default();
        let key = key();
        let reset = Duration::from_secs(60);
        let first = limiter.acquire(&key).await;
        first.finish(Some(&limit(10, reset)));
        let permits: Vec<_> =
            futures::future::join_all((0..4).map(|_| limiter.acquire(&key))).await;
        let mut permits = permits.into_iter();
        let remaining = |limiter: &RateLimiter| match limiter.lock()[0].window {
            Window::Known { remaining, .. } => remaining,
            other => panic!("{other:?}"),
        };
        assert_eq!(remaining(&limiter), 6, "four sent");
        // The server has seen the first of the four: it says 9; three more are on their way.
        permits.next().unwrap().finish(Some(&limit(9, reset)));
        assert_eq!(remaining(&limiter), 6);
        // The third answers next: the server has seen three (7 left) and one sent after it is
        // still on its way: 6 again, so nothing is counted twice.
        let second = permits.next().unwrap();
        permits.next().unwrap().finish(Some(&limit(7, reset)));
        assert_eq!(remaining(&limiter), 6);
        // Another client of the same bucket used two more: the server's count wins.
        permits.next().unwrap().finish(Some(&limit(4, reset)));
        assert_eq!(remaining(&limiter), 4);
        drop(second); // cancelled: its place is freed
        assert!(limiter.lock()[0].in_flight.is_empty());
    }

    #[tokio::test]
    async fn the_state_shows_who_waits_until_when_and_why_and_forgets_a_cancelled_waiter() {
        let limiter = SharedRateLimiter::default();
        let key = key();
        limiter
            .0
            .acquire(&key)
            .await
            .finish(Some(&limit(1, Duration::from_secs(3))));
        let _last = limiter.0.acquire(&key).await;
        let [state] = &limiter.state()[..] else {
            panic!("one bucket")
        };
        let rl = state.rate_limit.unwrap();
        assert_eq!((rl.limit, rl.remaining, state.in_flight), (10, 0, 1));
        assert_eq!(
            state.window,
            Some(Duration::from_secs(3)),
            "seen from the reset"
        );
        assert!(!state.is_waiting());

        let mut waiter = Box::pin(limiter.0.acquire(&key));
        assert!(futures::poll!(&mut waiter).is_pending());
        let [state] = &limiter.state()[..] else {
            panic!("one bucket")
        };
        assert_eq!(state.waiting, 1);
        let until = state.waiting_until.expect("waiting");
        assert!(until >= rl.reset && until <= rl.reset + RESET_MARGIN + Duration::from_secs(1));
        assert_eq!(
            state.wait_reason,
            Some(WaitReason::WindowUsedUp {
                remaining_header: "x-rate-limit-remaining",
                reset_header: "x-rate-limit-reset",
            })
        );
        drop(waiter);
        let state = &limiter.state()[0];
        assert_eq!((state.waiting, state.waiting_until), (0, None));

        // A 429 says so, with the header the wait came from.
        let reason = WaitReason::TooManyRequests {
            header: Some("Retry-After"),
        };
        limiter
            .0
            .exhaust(&key, after(Duration::from_secs(2)), reason);
        assert_eq!(limiter.state()[0].wait_reason, Some(reason));
    }

    #[tokio::test]
    async fn waits_past_the_budget_are_refused_at_once_not_slept() {
        let limiter = RateLimiter::default();
        let key = key();
        // A window used up until an hour from now: a minute's budget is refused, with the state.
        limiter
            .acquire(&key)
            .await
            .finish(Some(&limit(0, Duration::from_secs(3600))));
        let refused = limiter
            .acquire_within(&key, Duration::from_secs(60))
            .await
            .err()
            .expect("refused");
        let Refusal::RateLimited {
            state,
            wait,
            budget,
        } = refused
        else {
            panic!("{refused:?}")
        };
        assert!(wait > Duration::from_secs(3500), "{wait:?}");
        assert!(budget <= Duration::from_secs(60));
        assert_eq!(state.rate_limit.map(|r| r.remaining), Some(0));
        assert_eq!(state.waiting, 0, "nobody was left sleeping");
        // Waiting for a window's first answer stops once the budget is used up.
        let other = BucketKey {
            bucket: "other",
            ..key.clone()
        };
        let _first = limiter.acquire(&other).await; // in flight, unanswered
        assert!(matches!(
            limiter.acquire_within(&other, Duration::ZERO).await,
            Err(Refusal::RateLimited { .. })
        ));
    }

    #[tokio::test]
    async fn a_bucket_the_server_does_not_report_is_not_paced() {
        let limiter = RateLimiter::default();
        let key = key();
        limiter.acquire(&key).await.finish(None);
        let all = futures::future::join_all((0..100).map(|_| limiter.acquire(&key)));
        let permits = tokio::time::timeout(Duration::from_millis(200), all)
            .await
            .unwrap();
        assert_eq!(permits.len(), 100);
    }

    #[test]
    fn resets_and_waits_no_clock_can_hold_are_malformed_not_a_panic() {
        // Found by the decode_responses fuzz target: `UNIX_EPOCH + u64::MAX s` panics.
        let mut h = HeaderMap::new();
        h.insert("ratelimit-limit", "800".parse().unwrap());
        h.insert("ratelimit-remaining", "1".parse().unwrap());
        h.insert("ratelimit-reset", u64::MAX.to_string().parse().unwrap());
        assert_eq!(RateLimit::from_headers(Platform::Twitch, &h), None);
        let in_a_century = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 100 * 365 * 86_400;
        h.insert("ratelimit-reset", in_a_century.to_string().parse().unwrap());
        assert_eq!(
            RateLimit::from_headers(Platform::Twitch, &h),
            None,
            "would stall for a century"
        );
        let mut h = HeaderMap::new();
        h.insert("retry-after", u64::MAX.to_string().parse().unwrap());
        assert_eq!(
            retry_after(&h),
            Some(Duration::from_secs(MAX_RETRY_AFTER_SECS))
        );
    }

    #[test]
    fn a_reset_is_read_against_the_server_date_not_the_local_clock() {
        let now = SystemTime::now();
        let epoch = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
        for skew in [5 * 3600i64, -5 * 3600] {
            let server_now = if skew > 0 {
                now + Duration::from_secs(skew as u64)
            } else {
                now - Duration::from_secs(skew.unsigned_abs())
            };
            let mut h = HeaderMap::new();
            h.insert("x-rate-limit-limit", "50".parse().unwrap());
            h.insert("x-rate-limit-remaining", "0".parse().unwrap());
            h.insert(
                "x-rate-limit-reset",
                (epoch(server_now) + 60).to_string().parse().unwrap(),
            );
            h.insert("date", httpdate::fmt_http_date(server_now).parse().unwrap());
            let reset_in = RateLimit::from_headers(Platform::X, &h).unwrap().reset_in();
            // 60 s on the server's clock (Date is whole seconds: up to one more), whatever the skew.
            assert!(
                reset_in <= Duration::from_secs(61) && reset_in >= Duration::from_secs(30),
                "skew {skew} s: {reset_in:?}"
            );
        }
    }

    #[test]
    fn a_date_within_the_tolerance_leaves_the_reset_as_sent() {
        let now = SystemTime::now();
        let reset = now.duration_since(UNIX_EPOCH).unwrap().as_secs() + 60;
        for offset in [-2i64, 0, 2] {
            let date = if offset >= 0 {
                now + Duration::from_secs(offset as u64)
            } else {
                now - Duration::from_secs(offset.unsigned_abs())
            };
            let mut h = HeaderMap::new();
            h.insert("ratelimit-limit", "800".parse().unwrap());
            h.insert("ratelimit-remaining", "0".parse().unwrap());
            h.insert("ratelimit-reset", reset.to_string().parse().unwrap());
            h.insert("date", httpdate::fmt_http_date(date).parse().unwrap());
            assert_eq!(
                RateLimit::from_headers(Platform::Twitch, &h).unwrap().reset,
                UNIX_EPOCH + Duration::from_secs(reset),
                "every answer of a window names the same reset"
            );
        }
    }

    #[test]
    fn malformed_headers_are_ignored_not_a_panic() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", "lots".parse().unwrap());
        h.insert("x-rate-limit-remaining", "-1".parse().unwrap());
        h.insert(
            "x-rate-limit-reset",
            "99999999999999999999999".parse().unwrap(),
        );
        assert_eq!(RateLimit::from_headers(Platform::X, &h), None);
    }
}
