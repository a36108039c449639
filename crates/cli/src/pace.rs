//! `--max-rate N/min`: a client-side pace below the platform's, for people who would rather not
//! send at the limit. The runtime still paces every request to the platform's buckets; this
//! only spaces the blocks and unblocks further apart (`60 s / N` between the starts of two), so
//! the slower of the two wins. Must not touch list reads or lookups: they are not what the user
//! asks to slow down.

use std::sync::Mutex;
use std::time::Duration;

use blockbind::{Api, BlockList, BlockOptions, BlockedUser, Error, PageOptions, Target};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use tokio::time::Instant;

/// A rate given as `N/min` (or `N/s`, `N/h`): the interval between two sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxRate {
    /// Sends allowed per `per`.
    pub count: u32,
    /// The period.
    pub per: Duration,
}

impl MaxRate {
    /// The time between the starts of two sends.
    pub fn interval(&self) -> Duration {
        self.per / self.count
    }
}

impl std::str::FromStr for MaxRate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a rate: write N/min (or N/s, N/h), N from 1");
        let (n, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(bad());
        }
        Ok(Self { count, per })
    }
}

/// Hands out send slots at most one per interval; each caller waits for its own slot.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer for `rate`.
    pub fn new(rate: MaxRate) -> Self {
        Self {
            interval: rate.interval(),
            next: Mutex::new(None),
        }
    }

    /// Reserves the next slot (now, if the last one is an interval ago) and returns it.
    pub fn reserve(&self) -> Instant {
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let slot = next.map_or(now, |n| n.max(now));
        *next = Some(slot + self.interval);
        slot
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        tokio::time::sleep_until(self.reserve()).await;
    }
}

/// A block list whose blocks and unblocks wait for a [`Pacer`] slot first; everything else is
/// passed through.
pub struct Paced<'a> {
    inner: &'a dyn BlockList,
    pacer: Pacer,
}

impl<'a> Paced<'a> {
    /// `inner`, paced by `pacer`.
    pub fn new(inner: &'a dyn BlockList, pacer: Pacer) -> Self {
        Self { inner, pacer }
    }
}

impl BlockList for Paced<'_> {
    fn api(&self) -> Api {
        self.inner.api()
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.inner.blocked_with(options)
    }

    fn block(&self, target: Target, options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.pacer.wait().await;
            self.inner.block(target, options).await
        })
    }

    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.pacer.wait().await;
            self.inner.unblock(target).await
        })
    }

    fn unblock_listed(
        &self,
        target: Target,
        listed: Option<BlockedUser>,
    ) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.pacer.wait().await;
            self.inner.unblock_listed(target, listed).await
        })
    }

    fn unblock_reads_list(&self, target: &Target) -> bool {
        self.inner.unblock_reads_list(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_bad_ones_are_refused() {
        let r: MaxRate = "30/min".parse().unwrap();
        assert_eq!(r.interval(), Duration::from_secs(2));
        assert_eq!(
            "2/s".parse::<MaxRate>().unwrap().interval(),
            Duration::from_millis(500)
        );
        for bad in ["0/min", "30", "x/min", "30/week", "-1/min"] {
            assert!(bad.parse::<MaxRate>().is_err(), "{bad}");
        }
    }

    // The clock is tokio's, paused: it advances only when every task waits, so the slots are
    // exact and nothing depends on how fast the machine is.
    #[tokio::test(start_paused = true)]
    async fn sends_start_one_interval_apart_even_when_asked_all_at_once() {
        let pacer = Pacer::new("30/min".parse().unwrap());
        let start = Instant::now();
        let slots: Vec<Duration> = (0..5).map(|_| pacer.reserve() - start).collect();
        assert_eq!(
            slots,
            [0, 2, 4, 6, 8].map(Duration::from_secs),
            "reserved at once, spaced by 60 s / 30"
        );
        // Waiting: ten concurrent waiters finish at their slots, the last 18 s after the first.
        let pacer = Pacer::new("30/min".parse().unwrap());
        let start = Instant::now();
        let done = futures::future::join_all((0..10).map(|_| async {
            pacer.wait().await;
            Instant::now() - start
        }))
        .await;
        assert_eq!(done.iter().max(), Some(&Duration::from_secs(18)));
        // A caller after a pause goes at once: slots are not saved up.
        tokio::time::sleep(Duration::from_secs(60)).await;
        let before = Instant::now();
        pacer.wait().await;
        assert_eq!(Instant::now(), before);
    }
}
