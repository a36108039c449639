//! Progress of a long job: a bar with rate, ETA and the rate-limit state on a terminal; a plain
//! line every few seconds when stderr is not one (logs, CI, pipes).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use blockbind::RateLimit;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the plain reporter prints.
const PLAIN_EVERY: Duration = Duration::from_secs(2);

/// The progress reporter of one job (bar or plain lines, or nothing when quiet).
pub struct Progress {
    label: &'static str,
    total: u64,
    bar: Option<ProgressBar>,
    plain: Mutex<PlainState>,
    quiet: bool,
}

struct PlainState {
    done: u64,
    started: Instant,
    last_print: Instant,
}

/// The rate-limit state in words: `rate limit 12/800, resets in 40s`.
pub fn rate_limit_state(limit: Option<RateLimit>) -> String {
    match limit {
        Some(l) => format!(
            "rate limit {}/{}, resets in {}s",
            l.remaining,
            l.limit,
            l.reset_in().as_secs()
        ),
        None => "rate limit not reported yet".into(),
    }
}

impl Progress {
    /// A reporter for `total` targets, labelled `label` (`block`, `unblock`); `quiet` prints
    /// nothing.
    pub fn new(label: &'static str, total: u64, quiet: bool) -> Self {
        let now = Instant::now();
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} {per_sec} ETA {eta} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(label);
            bar
        });
        Self {
            label,
            total,
            bar,
            plain: Mutex::new(PlainState {
                done: 0,
                started: now,
                last_print: now,
            }),
            quiet,
        }
    }

    /// One more target handled.
    pub fn inc(&self, limit: Option<RateLimit>) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(rate_limit_state(limit));
            return;
        }
        let mut s = self.plain.lock().unwrap_or_else(|e| e.into_inner());
        s.done += 1;
        if !self.quiet && (s.last_print.elapsed() >= PLAIN_EVERY || s.done == self.total) {
            s.last_print = Instant::now();
            let secs = s.started.elapsed().as_secs_f64().max(1e-3);
            let rate = s.done as f64 / secs;
            let eta = if rate > 0.0 {
                format!(
                    "{:.0}s",
                    (self.total - s.done.min(self.total)) as f64 / rate
                )
            } else {
                "?".into()
            };
            eprintln!(
                "{}: {}/{} ({rate:.1}/s, ETA {eta}) {}",
                self.label,
                s.done,
                self.total,
                rate_limit_state(limit)
            );
        }
    }

    /// Clears the bar at the end of the job.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
