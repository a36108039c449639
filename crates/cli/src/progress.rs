//! Progress of a long job. On a terminal: a bar redrawn on a timer, with a smoothed rate, an ETA
//! and what the rate limiter is doing (the window left, or the wait for a reset, counting down).
//! Otherwise (a pipe, a log, CI): a plain line every 2 s whatever happens, waits included, and a
//! line when a wait starts and ends; with `-v`, each wait's cause. `--quiet`: nothing.
//!
//! What it must not do: guess the rate limit. Everything about it, the ETA's waits included,
//! comes from the library's [`RateLimitState`] (`Config::rate_limit_state`), read on every tick.

mod estimate;

use std::io::IsTerminal;
use std::time::{Duration, Instant, SystemTime};

use blockbind::RateLimitState;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use estimate::{Estimator, pick_bucket};
pub use estimate::{format_duration, format_elapsed, format_rate};

/// How often the job's loop calls [`Progress::tick`] (and the bar redraws by itself).
pub const TICK: Duration = Duration::from_millis(100);
/// How often the plain reporter prints.
pub const PLAIN_EVERY: Duration = Duration::from_secs(2);

/// How a job reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProgressOptions {
    /// Print nothing.
    pub quiet: bool,
    /// Say why each rate-limit wait happens (bucket and header).
    pub verbose: bool,
}

enum Output {
    Bar(ProgressBar),
    Plain,
    Quiet,
}

/// A wait for the rate limit in progress, as seen on the ticks.
struct Wait {
    since: Instant,
}

/// The progress reporter of one job: a bar, plain lines, or nothing.
pub struct Progress<'a> {
    label: &'static str,
    total: u64,
    done: u64,
    output: Output,
    verbose: bool,
    rate_limits: Box<dyn Fn() -> Vec<RateLimitState> + 'a>,
    /// Requests each bucket had sent when the job started, to find the job's bucket.
    baseline: Vec<RateLimitState>,
    estimator: Estimator,
    wait: Option<Wait>,
    last_line: Instant,
}

impl<'a> Progress<'a> {
    /// A reporter for `total` targets, labelled `label` (`block`, `unblock`), reading the rate
    /// limiter's state with `rate_limits`.
    pub fn new(
        label: &'static str,
        total: u64,
        options: ProgressOptions,
        rate_limits: impl Fn() -> Vec<RateLimitState> + 'a,
    ) -> Self {
        let output = if options.quiet {
            Output::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(style("{spinner} {prefix} [{bar:30}] {pos}/{len} {msg}"));
            bar.set_prefix(label);
            // Redrawn on a timer, not only when a request completes: the spinner and the
            // countdown show the job is alive through a wait.
            bar.enable_steady_tick(TICK);
            Output::Bar(bar)
        } else {
            Output::Plain
        };
        let now = Instant::now();
        let mut progress = Self {
            label,
            total,
            done: 0,
            output,
            verbose: options.verbose,
            baseline: rate_limits(),
            rate_limits: Box::new(rate_limits),
            estimator: Estimator::new(now),
            wait: None,
            last_line: now,
        };
        progress.tick();
        progress
    }

    /// One more target handled.
    pub fn completed(&mut self) {
        self.done += 1;
        if let Output::Bar(bar) = &self.output {
            bar.set_position(self.done);
        }
        self.refresh(false);
    }

    /// Called every [`TICK`]: reads the rate limiter, notes a wait starting or ending, redraws
    /// the status, and prints the plain line when it is due.
    pub fn tick(&mut self) {
        self.refresh(true);
    }

    fn refresh(&mut self, ticked: bool) {
        let now = Instant::now();
        let wall = SystemTime::now();
        let bucket = pick_bucket((self.rate_limits)(), &self.baseline);
        let waiting = bucket.as_ref().is_some_and(RateLimitState::is_waiting);
        let left = self.total - self.done.min(self.total);
        match (&self.wait, waiting) {
            (None, true) => {
                self.wait = Some(Wait { since: now });
                self.wait_started(bucket.as_ref(), left, wall);
            }
            (Some(wait), false) => {
                let waited = now.duration_since(wait.since);
                self.estimator.waited(waited);
                self.wait = None;
                if matches!(self.output, Output::Plain) {
                    eprintln!(
                        "{}: bucket reset after {} of waiting; sending again ({left} left)",
                        self.label,
                        format_elapsed(waited)
                    );
                }
            }
            _ => {}
        }
        let waiting_since = self.wait.as_ref().map(|w| w.since);
        self.estimator.sample(now, self.done);
        let eta = self
            .estimator
            .eta(now, wall, left, bucket.as_ref(), waiting_since);
        let rate = self.estimator.rate(now, bucket.as_ref());
        let figures = format!(
            "{} ETA {}",
            rate.map_or_else(|| "--/s".to_string(), format_rate),
            eta.map_or_else(|| "?".to_string(), format_duration)
        );
        let status = status(bucket.as_ref(), left, wall);
        match &self.output {
            Output::Bar(bar) => bar.set_message(format!("{figures}\n  {status}")),
            Output::Plain if ticked && now.duration_since(self.last_line) >= PLAIN_EVERY => {
                self.last_line = now;
                eprintln!(
                    "{}: {}/{} {figures}; {status}",
                    self.label, self.done, self.total
                );
            }
            _ => {}
        }
    }

    fn wait_started(&self, bucket: Option<&RateLimitState>, left: u64, wall: SystemTime) {
        let Some(b) = bucket else { return };
        let until = b
            .waiting_until
            .and_then(|u| u.duration_since(wall).ok())
            .unwrap_or_default();
        let cause = self.verbose.then(|| {
            format!(
                " [{} bucket {:?}: {}]",
                b.api,
                b.bucket,
                b.wait_reason
                    .map_or_else(|| "reason not reported".to_string(), |r| r.to_string())
            )
        });
        match &self.output {
            Output::Plain => eprintln!(
                "{}: rate limit reached: waiting {} for the bucket to reset ({left} left to send){}",
                self.label,
                format_elapsed(until),
                cause.unwrap_or_default()
            ),
            Output::Bar(bar) => {
                if let Some(cause) = cause {
                    bar.println(format!("{}: waiting for the rate limit{cause}", self.label));
                }
            }
            Output::Quiet => {}
        }
    }

    /// Ends the report: the bar stays with what was done and how long it took; the plain
    /// reporter prints the same as a last line.
    pub fn finish(&mut self) {
        let now = Instant::now();
        if let Some(wait) = self.wait.take() {
            self.estimator.waited(now.duration_since(wait.since));
        }
        let elapsed = self.estimator.elapsed(now);
        let rate = self.done as f64 / elapsed.as_secs_f64().max(1e-3);
        let (waited, waits) = self.estimator.waits();
        let summary = format!(
            "{} in {} ({})\n  waited {} for {waits} rate-limit reset{}",
            if self.done >= self.total {
                "done"
            } else {
                "stopped"
            },
            format_elapsed(elapsed),
            format_rate(rate),
            format_elapsed(waited),
            if waits == 1 { "" } else { "s" }
        );
        match &self.output {
            Output::Bar(bar) => {
                bar.set_style(style("{prefix} [{bar:30}] {pos}/{len} {msg}"));
                bar.finish_with_message(summary);
            }
            Output::Plain => eprintln!(
                "{}: {}/{} {}",
                self.label,
                self.done,
                self.total,
                summary.replace("\n  ", "; ")
            ),
            Output::Quiet => {}
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// The rate limit in words: the wait and its countdown, or what is left of the window.
fn status(bucket: Option<&RateLimitState>, left: u64, wall: SystemTime) -> String {
    let Some(b) = bucket else {
        return "rate limit: not reported yet".into();
    };
    let secs_until = |t: SystemTime| {
        let d = t.duration_since(wall).unwrap_or_default();
        d.as_secs() + u64::from(d.subsec_nanos() > 0)
    };
    if let Some(until) = b.waiting_until {
        return format!(
            "waiting for the rate limit: {left} left to send, bucket resets in {}s",
            secs_until(until)
        );
    }
    match b.rate_limit {
        _ if !b.paced => "rate limit: none reported".into(),
        Some(rl) if rl.reset > wall => format!(
            "rate limit: {}/{} left, resets in {}s",
            rl.remaining,
            rl.limit,
            secs_until(rl.reset)
        ),
        Some(rl) => format!("rate limit: a new window of {} opens", rl.limit),
        None => "rate limit: not reported yet".into(),
    }
}
