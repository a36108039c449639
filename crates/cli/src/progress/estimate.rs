//! The figures a progress report shows: a smoothed rate, an ETA from the work left and the rate
//! limit, the job's bucket among the limiter's, and their wording (`78/s`, `3.3/min`, `2m 05s`).
//! Pure: the caller passes the clock and the limiter's state in.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use blockbind::RateLimitState;

/// The rate is averaged over at least this long (or since the start, when shorter).
const RATE_SPAN: Duration = Duration::from_secs(30);
/// How often a sample is kept for the rate.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// What a job has done over time, and how long it waited for the rate limit.
pub(crate) struct Estimator {
    started: Instant,
    /// `(when, done)`, at most one a [`SAMPLE_EVERY`], over the last rate span.
    samples: VecDeque<(Instant, u64)>,
    done: u64,
    waited: Duration,
    waits: u64,
    /// The last ETA that could be worked out, and when: used, counted down, for the moments
    /// the limiter cannot say (between a reset and the new window's first answer).
    last_eta: Option<(Instant, Duration)>,
}

impl Estimator {
    pub(crate) fn new(now: Instant) -> Self {
        Self {
            started: now,
            samples: VecDeque::from([(now, 0)]),
            done: 0,
            waited: Duration::ZERO,
            waits: 0,
            last_eta: None,
        }
    }

    pub(crate) fn elapsed(&self, now: Instant) -> Duration {
        now.duration_since(self.started)
    }

    /// A wait for the rate limit ended after `waited`.
    pub(crate) fn waited(&mut self, waited: Duration) {
        self.waited += waited;
        self.waits += 1;
    }

    /// Time waited for the rate limit, and how many waits.
    pub(crate) fn waits(&self) -> (Duration, u64) {
        (self.waited, self.waits)
    }

    /// Records `done` at `now`.
    pub(crate) fn sample(&mut self, now: Instant, done: u64) {
        self.done = done;
        if self
            .samples
            .back()
            .is_none_or(|(t, _)| now.duration_since(*t) >= SAMPLE_EVERY)
        {
            self.samples.push_back((now, done));
        }
    }

    /// Targets a second, averaged over the last [`RATE_SPAN`] or two of the bucket's windows,
    /// whichever is longer (so the bursts and waits of a rate-limited job average out), or
    /// since the start; `None` in the first second.
    pub(crate) fn rate(&mut self, now: Instant, bucket: Option<&RateLimitState>) -> Option<f64> {
        let span = bucket
            .and_then(|b| b.window)
            .map_or(RATE_SPAN, |w| RATE_SPAN.max(w * 2));
        while self.samples.len() > 1 && now.duration_since(self.samples[1].0) >= span {
            self.samples.pop_front();
        }
        let (t0, d0) = *self.samples.front()?;
        let secs = now.duration_since(t0).as_secs_f64();
        (secs >= 1.0).then(|| (self.done - d0) as f64 / secs)
    }

    /// Targets a second while not waiting for the rate limit: how fast requests go when the
    /// bucket lets them.
    fn sending_rate(&self, now: Instant, waiting_since: Option<Instant>) -> Option<f64> {
        let waiting = waiting_since.map_or(Duration::ZERO, |s| now.duration_since(s));
        let busy = self
            .elapsed(now)
            .saturating_sub(self.waited + waiting)
            .max(super::TICK);
        (self.done > 0).then(|| self.done as f64 / busy.as_secs_f64())
    }

    /// How long the `left` targets take: the limiter's waits for them
    /// ([`RateLimitState::time_to_send`], requests in flight already sent), plus sending what
    /// goes after the last wait at the rate requests go when the bucket lets them. Without a
    /// bucket that can tell, the last ETA counted down, else the recent rate.
    pub(crate) fn eta(
        &mut self,
        now: Instant,
        wall: SystemTime,
        left: u64,
        bucket: Option<&RateLimitState>,
        waiting_since: Option<Instant>,
    ) -> Option<Duration> {
        if left == 0 {
            return Some(Duration::ZERO);
        }
        let sending = self.sending_rate(now, waiting_since);
        let limited = bucket.and_then(|b| {
            let to_send = left.saturating_sub(b.in_flight as u64);
            b.time_to_send(to_send, wall)
        });
        let eta = match limited {
            Some(e) => Some(
                e.wait
                    + sending.map_or(Duration::ZERO, |r| {
                        Duration::from_secs_f64(e.after_wait as f64 / r)
                    }),
            ),
            None => match self.last_eta {
                Some((at, eta)) => Some(eta.saturating_sub(now.duration_since(at))),
                None => self
                    .rate(now, bucket)
                    .filter(|r| *r > 0.0)
                    .map(|r| Duration::from_secs_f64(left as f64 / r)),
            },
        };
        if limited.is_some() {
            self.last_eta = eta.map(|e| (now, e));
        }
        eta
    }
}

/// The bucket the job's requests go through: the one whose count of requests sent grew most
/// since `baseline` (waiting ones first among equals); the only one while nothing was sent.
pub(crate) fn pick_bucket(
    states: Vec<RateLimitState>,
    baseline: &[RateLimitState],
) -> Option<RateLimitState> {
    let grew = |s: &RateLimitState| {
        let before = baseline
            .iter()
            .find(|b| b.api == s.api && b.bucket == s.bucket && b.credential == s.credential)
            .map_or(0, |b| b.sent);
        s.sent.saturating_sub(before)
    };
    let only = states.len() == 1;
    states
        .into_iter()
        .map(|s| (grew(&s), s.is_waiting(), s))
        .filter(|(grew, waiting, _)| only || *grew > 0 || *waiting)
        .max_by_key(|(grew, waiting, _)| (*grew, *waiting))
        .map(|(_, _, s)| s)
}

/// A rate in the unit that keeps two significant figures readable: `78/s`, `3.3/s`, `3.3/min`,
/// `12/h`.
pub fn format_rate(per_sec: f64) -> String {
    let sig = |v: f64, unit: &str| {
        if v >= 9.95 {
            format!("{v:.0}/{unit}")
        } else {
            format!("{v:.1}/{unit}")
        }
    };
    if per_sec >= 0.995 {
        sig(per_sec, "s")
    } else if per_sec * 60.0 >= 0.995 {
        sig(per_sec * 60.0, "min")
    } else {
        sig(per_sec * 3600.0, "h")
    }
}

/// A duration in whole seconds, rounded up, in the largest units that matter: `41s`,
/// `3m 05s`, `1h 04m`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// A time that has passed (or a wait about to be waited), in tenths below a minute: `3.6s`,
/// `2m 05s`. A countdown rounds up instead ([`format_duration`]); this must add up.
pub fn format_elapsed(d: Duration) -> String {
    if d < Duration::from_secs(60) {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format_duration(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_with_two_figures_in_a_unit_that_fits() {
        assert_eq!(format_rate(78.4), "78/s");
        assert_eq!(format_rate(3.31), "3.3/s");
        assert_eq!(format_rate(3.3 / 60.0), "3.3/min");
        assert_eq!(format_rate(0.5), "30/min");
        assert_eq!(format_rate(12.0 / 3600.0), "12/h");
        assert_eq!(format_rate(2695.3625), "2695/s");
    }

    #[test]
    fn durations_round_up_to_whole_seconds_in_the_largest_units() {
        assert_eq!(format_duration(Duration::from_millis(40_100)), "41s");
        assert_eq!(format_duration(Duration::from_secs(125)), "2m 05s");
        assert_eq!(format_duration(Duration::from_secs(3840)), "1h 04m");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_elapsed(Duration::from_millis(3_640)), "3.6s");
        assert_eq!(format_elapsed(Duration::from_secs(125)), "2m 05s");
    }
}
