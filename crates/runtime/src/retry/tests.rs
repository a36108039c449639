//! Unit tests of the retry classifiers: which step each outcome leads to, and the budgets.

use super::*;

const MS: Duration = Duration::from_millis(1);

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        max_total_wait: 1000 * MS,
        min_delay: 10 * MS,
        max_delay: 100 * MS,
    }
}

fn status(code: u16) -> Outcome {
    Outcome::Response {
        status: StatusCode::from_u16(code).unwrap(),
        retry_after: None,
        reset_in: None,
    }
}

/// Asks one classifier, with `delays` as the backoff; also gives how many delays it drew.
fn ask(
    classify: Classifier,
    platform: Platform,
    idempotent: bool,
    outcome: Outcome,
    tried: Tried,
    delays: &[Duration],
) -> (Option<Step>, usize) {
    let policy = policy();
    let cx = Context {
        policy: &policy,
        platform,
        idempotent,
        outcome,
        tried: &tried,
    };
    let mut backoff = delays.iter().copied();
    let step = classify(&cx, &mut backoff);
    (step, delays.len() - backoff.len())
}

#[test]
fn retries_exhausted_returns_once_the_policy_has_no_retry_left() {
    let spent = Tried {
        retries: 3,
        ..Tried::default()
    };
    let (step, drawn) = ask(
        retries_exhausted,
        Platform::X,
        true,
        status(503),
        spent,
        &[MS],
    );
    assert_eq!((step, drawn), (Some(Step::Return), 0));
    let left = Tried {
        retries: 2,
        ..Tried::default()
    };
    let (step, _) = ask(
        retries_exhausted,
        Platform::X,
        true,
        status(503),
        left,
        &[MS],
    );
    assert_eq!(step, None);
    // With the policy `none`, even the first attempt is returned.
    let none = RetryPolicy::none();
    let cx = Context {
        policy: &none,
        platform: Platform::X,
        idempotent: true,
        outcome: status(429),
        tried: &Tried::default(),
    };
    assert_eq!(decide(&cx, &mut std::iter::empty()), Step::Return);
}

#[test]
fn rate_limited_waits_for_retry_after_then_the_reset_then_the_minimum_delay() {
    let x = Platform::X;
    let tried = Tried::default();
    let mut headers = HeaderMap::new();
    headers.insert(reqwest::header::RETRY_AFTER, "0".parse().unwrap());
    let limit = RateLimit {
        limit: 1,
        remaining: 0,
        reset: ratelimit::after(Duration::from_secs(3600)),
    };
    let with_header = Outcome::response(StatusCode::TOO_MANY_REQUESTS, &headers, Some(&limit));
    assert_eq!(
        ask(rate_limited, x, false, with_header, tried, &[]).0,
        Some(Step::WaitForReset(Duration::ZERO)),
        "Retry-After comes first"
    );
    let reset = Outcome::Response {
        status: StatusCode::TOO_MANY_REQUESTS,
        retry_after: None,
        reset_in: Some(400 * MS),
    };
    assert_eq!(
        ask(rate_limited, x, false, reset, tried, &[]).0,
        Some(Step::WaitForReset(400 * MS)),
        "then the reset, on any operation"
    );
    assert_eq!(
        ask(rate_limited, x, false, status(429), tried, &[MS]),
        (Some(Step::WaitForReset(10 * MS)), 0),
        "then the policy's minimum delay; no backoff is drawn"
    );
    // Past the total wait: returned.
    let late = Tried {
        waited: 700 * MS,
        ..Tried::default()
    };
    assert_eq!(
        ask(rate_limited, x, true, reset, late, &[]).0,
        Some(Step::Return)
    );
    let exactly = Tried {
        waited: 600 * MS,
        ..Tried::default()
    };
    assert_eq!(
        ask(rate_limited, x, true, reset, exactly, &[]).0,
        Some(Step::WaitForReset(400 * MS)),
        "a wait ending exactly at the budget is allowed"
    );
    // An hour's reset is past the budget.
    let hour = Outcome::response(
        StatusCode::TOO_MANY_REQUESTS,
        &HeaderMap::new(),
        Some(&limit),
    );
    assert_eq!(
        ask(rate_limited, x, true, hour, tried, &[]).0,
        Some(Step::Return)
    );
    for other in [status(200), status(503), Outcome::Failed(Failure::Timeout)] {
        assert_eq!(ask(rate_limited, x, true, other, tried, &[]).0, None);
    }
}

#[test]
fn unauthorized_refreshes_once() {
    let t = Platform::Twitch;
    assert_eq!(
        ask(unauthorized, t, false, status(401), Tried::default(), &[MS]),
        (Some(Step::Refresh), 0),
        "on any operation, without drawing a backoff"
    );
    let refreshed = Tried {
        refreshed: true,
        retries: 1,
        ..Tried::default()
    };
    assert_eq!(
        ask(unauthorized, t, true, status(401), refreshed, &[]).0,
        Some(Step::Return)
    );
    for other in [status(403), status(429), Outcome::Failed(Failure::Connect)] {
        assert_eq!(
            ask(unauthorized, t, true, other, Tried::default(), &[]).0,
            None
        );
    }
}

#[test]
fn server_error_backs_off_on_idempotent_operations_within_the_budget() {
    let x = Platform::X;
    let tried = Tried::default();
    for code in [500, 502, 503, 504] {
        assert_eq!(
            ask(
                server_error,
                x,
                true,
                status(code),
                tried,
                &[50 * MS, 90 * MS]
            ),
            (Some(Step::BackOff(50 * MS)), 1),
            "{code}"
        );
    }
    assert_eq!(
        ask(server_error, x, false, status(502), tried, &[50 * MS]),
        (Some(Step::Return), 0),
        "not idempotent: returned, no delay drawn"
    );
    assert_eq!(
        ask(server_error, x, true, status(502), tried, &[]).0,
        Some(Step::Return),
        "the backoff is spent"
    );
    let late = Tried {
        waited: 960 * MS,
        ..Tried::default()
    };
    assert_eq!(
        ask(server_error, x, true, status(502), late, &[50 * MS]),
        (Some(Step::Return), 1),
        "past the total wait"
    );
    for other in [
        status(200),
        status(429),
        status(404),
        Outcome::Failed(Failure::Connect),
    ] {
        assert_eq!(ask(server_error, x, true, other, tried, &[MS]), (None, 0));
    }
}

#[test]
fn twitch_503_once_returns_a_second_twitch_503_only() {
    let t = Platform::Twitch;
    let retried = Tried {
        retries: 1,
        twitch_503_retried: true,
        ..Tried::default()
    };
    assert_eq!(
        ask(twitch_503_once, t, true, status(503), retried, &[MS]),
        (Some(Step::Return), 0)
    );
    assert_eq!(
        ask(twitch_503_once, t, true, status(503), Tried::default(), &[]).0,
        None,
        "the first is left to the 5xx rule"
    );
    assert_eq!(
        ask(twitch_503_once, t, true, status(502), retried, &[]).0,
        None
    );
    assert_eq!(
        ask(
            twitch_503_once,
            Platform::X,
            true,
            status(503),
            retried,
            &[]
        )
        .0,
        None,
        "X's 503s are ordinary 5xx"
    );
}

#[test]
fn transport_error_backs_off_on_idempotent_operations_for_connect_timeout_and_request() {
    let x = Platform::X;
    let tried = Tried::default();
    for failure in [Failure::Connect, Failure::Timeout, Failure::Request] {
        let failed = Outcome::Failed(failure);
        assert_eq!(
            ask(transport_error, x, true, failed, tried, &[20 * MS]),
            (Some(Step::BackOff(20 * MS)), 1),
            "{failure:?}"
        );
        assert_eq!(
            ask(transport_error, x, false, failed, tried, &[20 * MS]),
            (Some(Step::Return), 0),
            "{failure:?}, not idempotent"
        );
    }
    assert_eq!(
        ask(
            transport_error,
            x,
            true,
            Outcome::Failed(Failure::Other),
            tried,
            &[MS]
        ),
        (Some(Step::Return), 0)
    );
    let late = Tried {
        waited: 990 * MS,
        ..Tried::default()
    };
    assert_eq!(
        ask(
            transport_error,
            x,
            true,
            Outcome::Failed(Failure::Timeout),
            late,
            &[20 * MS]
        )
        .0,
        Some(Step::Return)
    );
    assert_eq!(
        ask(transport_error, x, true, status(502), tried, &[MS]),
        (None, 0)
    );
}

#[test]
fn a_builder_error_is_not_transient() {
    let e = reqwest::Client::new().get("not a url").build().unwrap_err();
    assert_eq!(Failure::of(&e), Failure::Other);
}

/// The classifiers together, attempt after attempt, as `exec_inner` applies them.
fn run(platform: Platform, idempotent: bool, outcomes: &[Outcome]) -> Vec<Step> {
    let policy = policy();
    let mut backoff = std::iter::repeat_n(50 * MS, policy.max_retries);
    let mut tried = Tried::default();
    let mut steps = Vec::new();
    for &outcome in outcomes {
        let cx = Context {
            policy: &policy,
            platform,
            idempotent,
            outcome,
            tried: &tried,
        };
        let step = decide(&cx, &mut backoff);
        steps.push(step);
        if step == Step::Return {
            break;
        }
        tried.record(platform, outcome, step);
    }
    steps
}

#[test]
fn a_twitch_503_is_retried_once_then_returned() {
    let b = Step::BackOff(50 * MS);
    assert_eq!(
        run(Platform::Twitch, true, &[status(503), status(503)]),
        [b, Step::Return]
    );
    assert_eq!(
        run(
            Platform::Twitch,
            true,
            &[status(503), status(502), status(503)]
        ),
        [b, b, Step::Return]
    );
    assert_eq!(
        run(Platform::X, true, &[status(503); 4]),
        [b, b, b, Step::Return],
        "X: until the retries run out"
    );
}

#[test]
fn a_401_is_refreshed_once_per_request() {
    assert_eq!(
        run(Platform::X, false, &[status(401), status(401)]),
        [Step::Refresh, Step::Return]
    );
}

#[test]
fn every_kind_of_retry_counts_against_max_retries() {
    let b = Step::BackOff(50 * MS);
    assert_eq!(
        run(
            Platform::X,
            true,
            &[status(429), status(401), status(500), status(500)]
        ),
        [Step::WaitForReset(10 * MS), Step::Refresh, b, Step::Return]
    );
}

#[test]
fn tried_counts_every_retry_and_only_the_backoff_waits() {
    let mut tried = Tried::default();
    tried.record(Platform::X, status(500), Step::BackOff(300 * MS));
    tried.record(Platform::X, status(429), Step::WaitForReset(300 * MS));
    tried.record(Platform::X, status(401), Step::Refresh);
    assert_eq!(
        tried,
        Tried {
            retries: 3,
            waited: 300 * MS,
            refreshed: true,
            twitch_503_retried: false,
        },
        "a rate-limit wait is measured by the pacer or the caller, not here"
    );
}
