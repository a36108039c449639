//! Rate limits: the platforms' headers parsed into [`RateLimit`], and a limiter per
//! (API, credential identity, bucket) that waits for the reset instead of sending into a 429.
//! The bucket is the spec's (`x-rate-limit`'s `per`: the whole API, or each X endpoint) and the
//! identity is the platform's ([`CredentialIdentity`]), so two clients with equal credentials
//! that share a limiter ([`SharedRateLimiter`]) spend one bucket.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName};

use crate::identity::CredentialIdentity;
use crate::operation::Platform;

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
    /// When the window resets (X) or the bucket is full again (Twitch).
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
        let get = |name: &HeaderName| -> Option<u64> {
            headers.get(name)?.to_str().ok()?.trim().parse().ok()
        };
        Some(Self {
            limit: u32::try_from(get(limit)?).ok()?,
            remaining: u32::try_from(get(remaining)?).ok()?,
            // A reset no clock can hold is a malformed header, not a panic; one more than a day
            // ahead (no platform's window is that long) would stall every request: ignored too.
            reset: UNIX_EPOCH
                .checked_add(Duration::from_secs(get(reset)?))
                .filter(|r| {
                    r.duration_since(SystemTime::now())
                        .is_ok_and(|ahead| ahead.as_secs() <= MAX_RETRY_AFTER_SECS)
                        || *r <= SystemTime::now()
                })?,
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
}

impl Bucket {
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
const RESET_MARGIN: Duration = Duration::from_millis(250);
/// How often requests waiting for the first answer of a window look again.
const PROBE_POLL: Duration = Duration::from_millis(2);

fn bucket<'b>(buckets: &'b mut Vec<Bucket>, key: &BucketKey) -> &'b mut Bucket {
    let i = match buckets.iter().position(|b| b.key == *key) {
        Some(i) => i,
        None => {
            buckets.push(Bucket {
                key: key.clone(),
                window: Window::Unknown,
                in_flight: Vec::new(),
                sent: 0,
            });
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
                    b.window = Window::Unreported;
                }
            }
            Some(limit) => {
                // The server counted this request and, requests arriving in order, those sent
                // before it; those sent after it and still in flight will count too.
                let later = b.in_flight.iter().filter(|s| **s > self.seq).count();
                let estimate = limit
                    .remaining
                    .saturating_sub(u32::try_from(later).unwrap_or(u32::MAX));
                b.window = match b.window {
                    Window::Known { remaining, reset } if reset == limit.reset => Window::Known {
                        remaining: remaining.min(estimate),
                        reset,
                    },
                    _ => Window::Known {
                        remaining: estimate,
                        reset: limit.reset,
                    },
                };
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

    /// Waits until the bucket has room, then takes one place in it. While nothing is known of
    /// the current window, one request goes alone and the others wait for its answer, so a
    /// burst never runs past a limit nobody has reported yet.
    pub(crate) async fn acquire<'l>(&'l self, key: &'l BucketKey) -> Permit<'l> {
        loop {
            let wait = {
                let mut buckets = self.lock();
                let b = bucket(&mut buckets, key);
                let now = SystemTime::now();
                if let Window::Known { reset, .. } = b.window
                    && now >= reset.checked_add(RESET_MARGIN).unwrap_or(reset)
                {
                    b.window = Window::Unknown;
                }
                match &mut b.window {
                    Window::Unreported => None,
                    Window::Unknown if b.in_flight.is_empty() => None,
                    Window::Unknown => Some(PROBE_POLL),
                    Window::Known { remaining, .. } if *remaining > 0 => {
                        *remaining -= 1;
                        None
                    }
                    Window::Known { reset, .. } => {
                        Some(reset.duration_since(now).unwrap_or(Duration::ZERO) + RESET_MARGIN)
                    }
                }
                .map_or_else(
                    || {
                        b.sent += 1;
                        b.in_flight.push(b.sent);
                        Ok(b.sent)
                    },
                    Err,
                )
            };
            let wait = match wait {
                Ok(seq) => {
                    return Permit {
                        limiter: self,
                        key,
                        seq,
                    };
                }
                Err(wait) => wait,
            };
            if wait > PROBE_POLL {
                tracing::debug!(
                    bucket = key.bucket,
                    wait_ms = wait.as_millis() as u64,
                    "rate limit exhausted, waiting for reset"
                );
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Marks the bucket empty until `reset` (after a 429).
    pub(crate) fn exhaust(&self, key: &BucketKey, reset: SystemTime) {
        let mut buckets = self.lock();
        bucket(&mut buckets, key).window = Window::Known {
            remaining: 0,
            reset,
        };
    }
}

#[cfg(test)]
mod tests {
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
