//! Rate-limit buckets are the platform's: every client built from the same credentials paces
//! against one bucket, as README.md and `Config` claim. The mock keys its buckets the way the
//! specs' `x-rate-limit` facts say the platforms do: Helix per client ID and user for the whole
//! API (`per: client-user`); Kraken v5 states no limit, so the mock's configured bucket is its own,
//! per caller, and never Helix's.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use blockbind::{Config, Platform, RateLimit};
use blockbind_mock::{Bucket, MockConfig, MockServer};
use common::facade::{config, credentials};
use futures::FutureExt;
use futures::future::BoxFuture;

/// The mock's bucket, for Helix and (separately) Kraken v5: 40 requests per 2 s.
const LIMIT: u32 = 40;
const WINDOW: Duration = Duration::from_secs(2);
/// Requests in flight per client.
const CONCURRENCY: usize = 6;

async fn mock() -> MockServer {
    let bucket = Bucket {
        limit: LIMIT,
        window_ms: WINDOW.as_millis() as u64,
    };
    MockServer::start(MockConfig {
        rate_limits: BTreeMap::from([
            ("twitch-helix".to_string(), bucket),
            ("twitch-kraken-v5".to_string(), bucket),
        ]),
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

/// Runs every task to its end.
async fn join(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for task in tasks {
        task.await.expect("a worker panicked");
    }
}

/// One request; its answer's rate-limit state, or why it failed.
type Call = Arc<dyn Fn() -> BoxFuture<'static, Result<Option<RateLimit>, String>> + Send + Sync>;

fn helix_call(client: blockbind::twitch_helix::Client, user: &str) -> Call {
    let user = user.to_string();
    Arc::new(move || {
        let (client, user) = (client.clone(), user.clone());
        async move {
            let r = client
                .get_user_block_list()
                .broadcaster_id(&user)
                .send()
                .await;
            r.map(|r| RateLimit::from_headers(Platform::Twitch, r.headers()))
                .map_err(|e| e.to_string())
        }
        .boxed()
    })
}

fn kraken_call(client: blockbind::twitch_kraken_v5::Client, user: &str) -> Call {
    let user = user.to_string();
    Arc::new(move || {
        let (client, user) = (client.clone(), user.clone());
        async move {
            let r = client.get_user_block_list().user_id(&user).send().await;
            r.map(|r| RateLimit::from_headers(Platform::Twitch, r.headers()))
                .map_err(|e| e.to_string())
        }
        .boxed()
    })
}

/// What the clients of one server-side bucket achieved together.
#[derive(Default)]
struct Run {
    left: AtomicI64,
    answered: AtomicU64,
    failures: Mutex<Vec<String>>,
    /// The earliest reset any answer announced: the end of the first window.
    first_reset: Mutex<Option<SystemTime>>,
    last_answer: Mutex<Option<SystemTime>>,
}

impl Run {
    fn new(requests: u32) -> Arc<Self> {
        let run = Self::default();
        run.left.store(i64::from(requests), Ordering::SeqCst);
        Arc::new(run)
    }

    /// Requests per second, from the start of the server's first window to the last answer.
    fn rate(&self) -> f64 {
        let start = self.first_reset.lock().unwrap().expect("an answer") - WINDOW;
        let end = self.last_answer.lock().unwrap().expect("an answer");
        let secs = end.duration_since(start).unwrap().as_secs_f64();
        self.answered.load(Ordering::SeqCst) as f64 / secs
    }

    fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap().clone()
    }
}

/// `CONCURRENCY` workers sending `call` until `run` has no requests left.
fn drive(call: Call, run: Arc<Run>) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CONCURRENCY)
        .map(|_| {
            let (call, run) = (call.clone(), run.clone());
            tokio::spawn(async move {
                while run.left.fetch_sub(1, Ordering::SeqCst) > 0 {
                    let answer = call().await;
                    let now = SystemTime::now();
                    match answer {
                        Ok(limit) => {
                            run.answered.fetch_add(1, Ordering::SeqCst);
                            let mut last = run.last_answer.lock().unwrap();
                            *last = Some(last.map_or(now, |l| l.max(now)));
                            if let Some(limit) = limit {
                                let mut first = run.first_reset.lock().unwrap();
                                *first = Some(first.map_or(limit.reset, |f| f.min(limit.reset)));
                            }
                        }
                        Err(e) => run.failures.lock().unwrap().push(e),
                    }
                }
            })
        })
        .collect()
}

/// Enough requests to fill `windows` windows and open the next: the rate then counts every
/// window from its start, the wait into the last one included.
fn requests(windows: u32) -> u32 {
    LIMIT * windows + 1
}

fn bucket_rate() -> f64 {
    f64::from(LIMIT) / WINDOW.as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_helix_clients_and_a_kraken_client_from_one_config_pace_against_the_platforms_buckets()
{
    let mock = mock().await;
    let config = config(&mock);
    let user = mock.credentials().twitch_user_id.clone();
    let windows = 4;
    let helix = Run::new(requests(windows));
    let kraken = Run::new(requests(windows));
    let mut tasks = drive(
        helix_call(config.twitch_helix().unwrap(), &user),
        helix.clone(),
    );
    tasks.extend(drive(
        helix_call(config.twitch_helix().unwrap(), &user),
        helix.clone(),
    ));
    tasks.extend(drive(
        kraken_call(config.twitch_kraken_v5().unwrap(), &user),
        kraken.clone(),
    ));
    join(tasks).await;

    let too_many = mock.responses_with_status(429);
    let (helix_rate, kraken_rate) = (helix.rate(), kraken.rate());
    println!(
        "two Helix clients: {} requests at {helix_rate:.2}/s; one Kraken v5 client: {} requests at \
         {kraken_rate:.2}/s; each bucket {}/s; {too_many} answers 429; ratios {:.3} and {:.3}",
        helix.answered.load(Ordering::SeqCst),
        kraken.answered.load(Ordering::SeqCst),
        bucket_rate(),
        helix_rate / bucket_rate(),
        kraken_rate / bucket_rate(),
    );
    assert_eq!(helix.failures(), Vec::<String>::new());
    assert_eq!(kraken.failures(), Vec::<String>::new());
    assert_eq!(too_many, 0, "clients of one bucket sent into a 429");
    for (name, rate) in [("Helix", helix_rate), ("Kraken v5", kraken_rate)] {
        assert!(
            rate >= 0.95 * bucket_rate(),
            "{name}: {rate:.2}/s is under 0.95 of the bucket's {}/s",
            bucket_rate()
        );
    }
}

/// Configs built apart pace together only through one limiter, which the second is given: then
/// their Helix clients, built from equal credentials, spend one bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn helix_clients_of_two_configs_sharing_a_rate_limiter_pace_against_one_bucket() {
    let mock = mock().await;
    let first = config(&mock);
    let second = Config::builder()
        .base_url(mock.base_url())
        .credentials(credentials(&mock))
        .rate_limiter(first.rate_limiter())
        .build()
        .expect("config builds");
    let user = mock.credentials().twitch_user_id.clone();
    let helix = Run::new(requests(3));
    let mut tasks = drive(
        helix_call(first.twitch_helix().unwrap(), &user),
        helix.clone(),
    );
    tasks.extend(drive(
        helix_call(second.twitch_helix().unwrap(), &user),
        helix.clone(),
    ));
    join(tasks).await;

    let too_many = mock.responses_with_status(429);
    let rate = helix.rate();
    println!(
        "two configs, one limiter: {} Helix requests at {rate:.2}/s of the bucket's {}/s \
         (ratio {:.3}); {too_many} answers 429",
        helix.answered.load(Ordering::SeqCst),
        bucket_rate(),
        rate / bucket_rate(),
    );
    assert_eq!(helix.failures(), Vec::<String>::new());
    assert_eq!(too_many, 0, "clients of one bucket sent into a 429");
    assert!(rate >= 0.95 * bucket_rate(), "{rate:.2}/s");
}
