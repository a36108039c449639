//! When [`crate::Runtime::exec`] tries again: one small classifier per rule, each a pure function
//! of what the attempt ended with and what has been tried so far, and [`decide`], which asks them
//! in order. The loop that sends, waits and refreshes lives in `Runtime::exec_inner`; nothing here
//! touches the network, the clock or the rate limiter.
//!
//! The rules, in the order they are asked:
//!
//! 1. [`retries_exhausted`]: no retry is left in the policy: return.
//! 2. [`rate_limited`]: a 429 waits for `Retry-After` or the rate-limit reset, if the wait fits
//!    in the policy's total wait.
//! 3. [`unauthorized`]: a 401 refreshes the credentials once.
//! 4. [`twitch_503_once`]: Twitch's rule that a 503 is retried once, not more.
//! 5. [`server_error`]: a 5xx on an idempotent operation backs off (jittered, exponential).
//! 6. [`transport_error`]: a connect, timeout or request error on an idempotent operation backs
//!    off too.
//!
//! A classifier answers `None` when its rule does not apply, and the next one is asked; when none
//! applies, the attempt's outcome is returned.

use std::time::Duration;

use backon::BackoffBuilder;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::RetryPolicy;
use crate::operation::Platform;
use crate::ratelimit::{self, RateLimit};

/// What an attempt ended with, reduced to what the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The platform answered.
    Response {
        status: StatusCode,
        /// The `Retry-After` header, when present.
        retry_after: Option<Duration>,
        /// How long until the rate-limit reset the response reported, when it reported one.
        reset_in: Option<Duration>,
    },
    /// No response arrived.
    Failed(Failure),
}

impl Outcome {
    /// A response's outcome, from its status, headers and the rate-limit state read from them.
    pub(crate) fn response(
        status: StatusCode,
        headers: &HeaderMap,
        limit: Option<&RateLimit>,
    ) -> Self {
        // Only a 429 waits: other answers (every success) skip the header parse and the clock.
        let waits = status == StatusCode::TOO_MANY_REQUESTS;
        Self::Response {
            status,
            retry_after: if waits {
                ratelimit::retry_after(headers)
            } else {
                None
            },
            reset_in: if waits {
                limit.map(RateLimit::reset_in)
            } else {
                None
            },
        }
    }

    fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Response { status, .. } => Some(*status),
            Self::Failed(_) => None,
        }
    }

    /// A 503 from Twitch, which Twitch says to retry once.
    pub(crate) fn is_twitch_503(&self, platform: Platform) -> bool {
        platform == Platform::Twitch && self.status() == Some(StatusCode::SERVICE_UNAVAILABLE)
    }
}

/// The kind of transport error an attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection could not be made.
    Connect,
    /// The attempt timed out.
    Timeout,
    /// Sending the request failed.
    Request,
    /// Anything else (a redirect refused, a body that did not decode, ...): not worth resending.
    Other,
}

impl Failure {
    pub(crate) fn of(error: &reqwest::Error) -> Self {
        if error.is_connect() {
            Self::Connect
        } else if error.is_timeout() {
            Self::Timeout
        } else if error.is_request() {
            Self::Request
        } else {
            Self::Other
        }
    }

    fn is_transient(self) -> bool {
        self != Self::Other
    }
}

/// What has been tried so far for one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tried {
    /// Retries made (every step but [`Step::Return`] is one).
    pub retries: usize,
    /// Time spent waiting: backoff, rate-limit resets, and pacing before each attempt.
    pub waited: Duration,
    /// The credentials were refreshed after a 401.
    pub refreshed: bool,
    /// A Twitch 503 was retried.
    pub twitch_503_retried: bool,
}

impl Tried {
    /// Records a retry about to be made: `step` (not [`Step::Return`]) after `outcome`. The wait
    /// for a rate-limit reset is not counted here: the pacer measures it before the next attempt,
    /// or the caller adds it when it sleeps itself.
    pub(crate) fn record(&mut self, platform: Platform, outcome: Outcome, step: Step) {
        match step {
            Step::Return => return,
            Step::WaitForReset(_) => {}
            Step::Refresh => self.refreshed = true,
            Step::BackOff(delay) => {
                self.waited = self.waited.saturating_add(delay);
                self.twitch_503_retried |= outcome.is_twitch_503(platform);
            }
        }
        self.retries += 1;
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Give the attempt's outcome to the caller.
    Return,
    /// Mark the bucket empty for this long, wait for it, then retry (a 429).
    WaitForReset(Duration),
    /// Refresh the credentials, then retry if that worked (a 401).
    Refresh,
    /// Sleep this long, then retry (a 5xx or transport error).
    BackOff(Duration),
}

/// Everything a classifier reads about an attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub policy: &'a RetryPolicy,
    pub platform: Platform,
    /// The operation is safe to resend after a 5xx or transport error.
    pub idempotent: bool,
    pub outcome: Outcome,
    pub tried: &'a Tried,
}

impl Context<'_> {
    /// Waiting `wait` more stays within the policy's total wait.
    fn within_budget(&self, wait: Duration) -> bool {
        self.tried.waited.saturating_add(wait) <= self.policy.max_total_wait
    }

    /// Backs off by the next delay, on an idempotent operation, if one is left and fits the
    /// budget; the delay is drawn only when the operation may be resent.
    fn back_off(&self, backoff: &mut dyn Iterator<Item = Duration>) -> Step {
        if !self.idempotent {
            return Step::Return;
        }
        match backoff.next() {
            Some(delay) if self.within_budget(delay) => Step::BackOff(delay),
            _ => Step::Return,
        }
    }
}

/// A retry rule: `None` when it does not apply to the attempt. Rules that back off draw their
/// delay from `backoff` (shared by all attempts of a request, so delays grow), and only when they
/// use it.
pub(crate) type Classifier = fn(&Context<'_>, &mut dyn Iterator<Item = Duration>) -> Option<Step>;

/// The rules, in the order they are asked.
pub(crate) const CLASSIFIERS: &[Classifier] = &[
    retries_exhausted,
    rate_limited,
    unauthorized,
    twitch_503_once,
    server_error,
    transport_error,
];

/// The next step after an attempt: the first classifier's answer that applies, else return.
pub(crate) fn decide(cx: &Context<'_>, backoff: &mut dyn Iterator<Item = Duration>) -> Step {
    CLASSIFIERS
        .iter()
        .find_map(|classify| classify(cx, backoff))
        .unwrap_or(Step::Return)
}

/// The jittered exponential backoff of 5xx and transport errors, within the policy's bounds.
pub(crate) fn backoff(policy: &RetryPolicy) -> backon::ExponentialBackoff {
    backon::ExponentialBuilder::default()
        .with_jitter()
        .with_min_delay(policy.min_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_retries)
        .build()
}

/// The policy leaves a retry after what has been tried: when not, whatever the next attempt
/// ends with is returned ([`retries_exhausted`]), so the request need not be kept for one.
pub(crate) fn retry_left(policy: &RetryPolicy, tried: &Tried) -> bool {
    tried.retries < policy.max_retries
}

/// No retry is left: whatever the attempt ended with is returned.
pub(crate) fn retries_exhausted(
    cx: &Context<'_>,
    _: &mut dyn Iterator<Item = Duration>,
) -> Option<Step> {
    (!retry_left(cx.policy, cx.tried)).then_some(Step::Return)
}

/// A 429 waits for `Retry-After`, else the reported rate-limit reset, else the policy's minimum
/// delay, and retries, unless that wait would go past the policy's total wait.
pub(crate) fn rate_limited(
    cx: &Context<'_>,
    _: &mut dyn Iterator<Item = Duration>,
) -> Option<Step> {
    let Outcome::Response {
        status: StatusCode::TOO_MANY_REQUESTS,
        retry_after,
        reset_in,
    } = cx.outcome
    else {
        return None;
    };
    let wait = retry_after.or(reset_in).unwrap_or(cx.policy.min_delay);
    Some(if cx.within_budget(wait) {
        Step::WaitForReset(wait)
    } else {
        Step::Return
    })
}

/// A 401 refreshes the credentials and retries, once per request.
pub(crate) fn unauthorized(
    cx: &Context<'_>,
    _: &mut dyn Iterator<Item = Duration>,
) -> Option<Step> {
    (cx.outcome.status() == Some(StatusCode::UNAUTHORIZED)).then_some(if cx.tried.refreshed {
        Step::Return
    } else {
        Step::Refresh
    })
}

/// Twitch says to retry a 503 once: a second one is returned. (The first is left to
/// [`server_error`].)
pub(crate) fn twitch_503_once(
    cx: &Context<'_>,
    _: &mut dyn Iterator<Item = Duration>,
) -> Option<Step> {
    (cx.outcome.is_twitch_503(cx.platform) && cx.tried.twitch_503_retried).then_some(Step::Return)
}

/// A 5xx backs off and retries when the operation is idempotent and the delay fits the budget.
pub(crate) fn server_error(
    cx: &Context<'_>,
    backoff: &mut dyn Iterator<Item = Duration>,
) -> Option<Step> {
    let status = cx.outcome.status()?;
    status.is_server_error().then(|| cx.back_off(backoff))
}

/// A connect, timeout or request error backs off and retries like a 5xx; any other transport
/// error is returned.
pub(crate) fn transport_error(
    cx: &Context<'_>,
    backoff: &mut dyn Iterator<Item = Duration>,
) -> Option<Step> {
    let Outcome::Failed(failure) = cx.outcome else {
        return None;
    };
    Some(if failure.is_transient() {
        cx.back_off(backoff)
    } else {
        Step::Return
    })
}

#[cfg(test)]
mod tests;
