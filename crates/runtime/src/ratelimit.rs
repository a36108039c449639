//! Rate limits: the platforms' headers parsed into [`RateLimit`], and a limiter per
//! (API, credential, bucket) that waits for the reset instead of sending into a 429.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName};

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
    pub limit: u32,
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
            reset: UNIX_EPOCH + Duration::from_secs(get(reset)?),
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
    Some(Duration::from_secs(secs))
}

/// Identifies one rate-limit bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BucketKey {
    pub api: &'static str,
    pub credential: u64,
    pub bucket: &'static str,
}

#[derive(Debug, Clone, Copy)]
struct BucketState {
    remaining: u32,
    reset: SystemTime,
}

/// Shared by every clone of a runtime, so concurrent callers pace together. A few buckets at
/// most (one per API, credential and X endpoint), so a short list searched in place beats a
/// hashed map on the path every request takes.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets(Vec<(BucketKey, BucketState)>);

impl Buckets {
    fn get_mut(&mut self, key: &BucketKey) -> Option<&mut BucketState> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, s)| s)
    }

    fn get(&self, key: &BucketKey) -> Option<&BucketState> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }

    fn insert(&mut self, key: &BucketKey, state: BucketState) {
        match self.get_mut(key) {
            Some(s) => *s = state,
            None => self.0.push((key.clone(), state)),
        }
    }

    fn remove(&mut self, key: &BucketKey) {
        self.0.retain(|(k, _)| k != key);
    }
}

/// Sent requests land this much after the announced reset, to absorb clock skew.
const RESET_MARGIN: Duration = Duration::from_millis(250);

impl RateLimiter {
    /// Waits until the bucket has room, then takes one request from it.
    pub async fn acquire(&self, key: &BucketKey) {
        loop {
            let wait = {
                let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
                let Some(state) = buckets.get_mut(key) else {
                    return; // nothing known yet: the first response tells
                };
                let now = SystemTime::now();
                if now >= state.reset + RESET_MARGIN {
                    buckets.remove(key);
                    return;
                }
                if state.remaining > 0 {
                    state.remaining -= 1;
                    return;
                }
                state.reset.duration_since(now).unwrap_or(Duration::ZERO) + RESET_MARGIN
            };
            tracing::debug!(
                bucket = key.bucket,
                wait_ms = wait.as_millis() as u64,
                "rate limit exhausted, waiting for reset"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Records what a response said. Within one window, the lower of the server's count and our
    /// own (which already counts requests still in flight) wins.
    pub fn update(&self, key: &BucketKey, limit: &RateLimit) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let next = match buckets.get(key) {
            Some(old) if old.reset == limit.reset => BucketState {
                remaining: old.remaining.min(limit.remaining),
                reset: limit.reset,
            },
            _ => BucketState {
                remaining: limit.remaining,
                reset: limit.reset,
            },
        };
        buckets.insert(key, next);
    }

    /// Marks the bucket empty until `reset` (after a 429).
    pub fn exhaust(&self, key: &BucketKey, reset: SystemTime) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.insert(
            key,
            BucketState {
                remaining: 0,
                reset,
            },
        );
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
