//! What a rate limiter knows of each bucket, for front ends to show: the window as the limiter
//! counts it, whether requests wait for it and until when, and why. Read with
//! [`SharedRateLimiter::state`](crate::SharedRateLimiter::state) (or `Runtime::rate_limit_state`,
//! `Config::rate_limit_state` in the facade).
//!
//! What it must not do: guess. Every figure is what the server's headers said, or the limiter's
//! own count since; the estimate of how long a job takes ([`RateLimitState::time_to_send`]) is
//! the pacing the limiter itself applies, window by window.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::identity::CredentialIdentity;
use crate::operation::Platform;
use crate::ratelimit::{RESET_MARGIN, RateLimit};

/// One bucket of a rate limiter, as it stands.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimitState {
    /// The API (`twitch-helix`, `x-v2`, ...).
    pub api: &'static str,
    /// The spec's bucket (`x-rate-limit`'s `per`: the API's name, or an X endpoint's).
    pub bucket: &'static str,
    /// Whose bucket: a keyed hash of the credentials, never the credentials.
    pub credential: CredentialIdentity,
    /// The platform, which names the headers ([`WaitReason`]).
    pub platform: Platform,
    /// The window as the limiter counts it: the server's last `limit` and `reset`, and what may
    /// still be sent before the reset (the server's `remaining` less the requests sent since,
    /// those in flight included). `None` until a response reported one, and while the server
    /// reports none.
    pub rate_limit: Option<RateLimit>,
    /// The window's length as observed: the longest time from sending a request to the reset its
    /// answer announced, whole seconds (a lower bound that reaches the window's length with the
    /// first request of a window, or the first that finds a refilling bucket empty).
    pub window: Option<Duration>,
    /// Whether the limiter paces this bucket (`false`: the server reports no limit for it).
    pub paced: bool,
    /// Requests sent and not answered yet.
    pub in_flight: usize,
    /// Requests sent through this bucket so far.
    pub sent: u64,
    /// Requests waiting for the bucket to reset.
    pub waiting: usize,
    /// When the last of them is due to be let through (the reset plus a margin for clock skew);
    /// `None` when nothing waits.
    pub waiting_until: Option<SystemTime>,
    /// Why they wait (also kept after the wait, until a new window opens).
    pub wait_reason: Option<WaitReason>,
}

/// Why requests wait for a bucket: which answer closed it, by which header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// What the window allows is sent: the server's `remaining_header` less the requests sent
    /// since reached 0. The wait ends at its `reset_header`.
    WindowUsedUp {
        /// `Ratelimit-Remaining` (Twitch) or `x-rate-limit-remaining` (X).
        remaining_header: &'static str,
        /// `Ratelimit-Reset` (Twitch) or `x-rate-limit-reset` (X).
        reset_header: &'static str,
    },
    /// The server answered 429 Too Many Requests. The wait is its `header`'s: `Retry-After`, else
    /// the reset header; `None` when it sent neither (the retry policy's shortest delay).
    TooManyRequests {
        /// The header the wait comes from.
        header: Option<&'static str>,
    },
}

/// The rate-limit header names of a platform: limit, remaining, reset.
pub(crate) fn header_names(platform: Platform) -> [&'static str; 3] {
    match platform {
        Platform::Twitch => ["Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset"],
        Platform::X => [
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
        ],
    }
}

impl WaitReason {
    pub(crate) fn window_used_up(platform: Platform) -> Self {
        let [_, remaining_header, reset_header] = header_names(platform);
        Self::WindowUsedUp {
            remaining_header,
            reset_header,
        }
    }
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WindowUsedUp {
                remaining_header,
                reset_header,
            } => write!(
                f,
                "window used up ({remaining_header} less the requests sent since is 0); waiting for {reset_header}"
            ),
            Self::TooManyRequests { header: Some(h) } => {
                write!(f, "429 Too Many Requests; waiting for {h}")
            }
            Self::TooManyRequests { header: None } => write!(
                f,
                "429 Too Many Requests without Retry-After or a reset; waiting the shortest retry delay"
            ),
        }
    }
}

/// How long sending a number of requests takes at the bucket's pace
/// ([`RateLimitState::time_to_send`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendEstimate {
    /// Until the last window the requests need opens (zero: they fit in what is left now).
    pub wait: Duration,
    /// How many of the requests go in that last window (after `wait`), to add their own sending
    /// time.
    pub after_wait: u64,
    /// Resets waited for on the way.
    pub resets: u64,
}

impl RateLimitState {
    /// Whether requests are waiting for this bucket now.
    pub fn is_waiting(&self) -> bool {
        self.waiting_until.is_some()
    }

    /// How long, from `now`, until the limiter has let `requests` more through this bucket
    /// (requests already in flight are not among them): what the window has left now, then
    /// the bucket's `limit` after each reset, a window apart. Sending time is not included.
    /// `None` when that cannot be known yet: no window reported, or more than one window
    /// needed and its length not observed.
    pub fn time_to_send(&self, requests: u64, now: SystemTime) -> Option<SendEstimate> {
        if !self.paced {
            return Some(SendEstimate {
                wait: Duration::ZERO,
                after_wait: requests,
                resets: 0,
            });
        }
        let rl = self.rate_limit?;
        let limit = u64::from(rl.limit);
        // A window whose reset has passed is gone: the next one opens with the next request.
        let (available, next_reset) = if rl.reset > now {
            (u64::from(rl.remaining), rl.reset)
        } else {
            (limit, now.checked_add(self.window?)?)
        };
        if requests <= available {
            return Some(SendEstimate {
                wait: Duration::ZERO,
                after_wait: requests,
                resets: 0,
            });
        }
        if limit == 0 {
            return None;
        }
        let beyond = requests - available;
        let resets = beyond.div_ceil(limit);
        let later_windows = match resets {
            1 => Duration::ZERO,
            n => self.window?.checked_mul(u32::try_from(n - 1).ok()?)?,
        };
        Some(SendEstimate {
            wait: next_reset.duration_since(now).unwrap_or_default() + RESET_MARGIN + later_windows,
            after_wait: beyond - (resets - 1) * limit,
            resets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(
        remaining: u32,
        reset_in: u64,
        window: Option<u64>,
        now: SystemTime,
    ) -> RateLimitState {
        RateLimitState {
            api: "t",
            bucket: "b",
            credential: CredentialIdentity::of([None, None, None]),
            platform: Platform::X,
            rate_limit: Some(RateLimit {
                limit: 10,
                remaining,
                reset: now + Duration::from_secs(reset_in),
            }),
            window: window.map(Duration::from_secs),
            paced: true,
            in_flight: 0,
            sent: 0,
            waiting: 0,
            waiting_until: None,
            wait_reason: None,
        }
    }

    #[test]
    fn what_fits_in_the_window_needs_no_wait() {
        let now = SystemTime::now();
        let e = state(9, 3, None, now).time_to_send(9, now).unwrap();
        assert_eq!((e.wait, e.after_wait, e.resets), (Duration::ZERO, 9, 0));
    }

    #[test]
    fn more_than_the_window_waits_for_each_reset_a_window_apart() {
        let now = SystemTime::now();
        // 9 now, 10 after the reset in 3 s, 6 after the next one 4 s later.
        let e = state(9, 3, Some(4), now).time_to_send(25, now).unwrap();
        assert_eq!(e.wait, Duration::from_secs(7) + RESET_MARGIN);
        assert_eq!((e.after_wait, e.resets), (6, 2));
        // One reset needs no window length.
        let e = state(9, 3, None, now).time_to_send(15, now).unwrap();
        assert_eq!(
            (e.wait, e.after_wait),
            (Duration::from_secs(3) + RESET_MARGIN, 6)
        );
        assert_eq!(state(9, 3, None, now).time_to_send(25, now), None);
    }

    #[test]
    fn a_passed_reset_means_a_full_window_from_now() {
        let now = SystemTime::now();
        let mut s = state(0, 0, Some(4), now);
        s.rate_limit.as_mut().unwrap().reset = now - Duration::from_secs(1);
        let e = s.time_to_send(10, now).unwrap();
        assert_eq!(e.wait, Duration::ZERO);
        let e = s.time_to_send(11, now).unwrap();
        assert_eq!(e.wait, Duration::from_secs(4) + RESET_MARGIN);
    }

    #[test]
    fn an_unpaced_bucket_never_waits() {
        let now = SystemTime::now();
        let mut s = state(0, 3, None, now);
        s.paced = false;
        s.rate_limit = None;
        assert_eq!(s.time_to_send(1000, now).unwrap().wait, Duration::ZERO);
    }
}
