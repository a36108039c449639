//! Throughput with many requests in flight: the generated client with the runtime against raw
//! reqwest at the same concurrency, on the multi-threaded runtime, against the fixed page server
//! of `blockbind-bench serve` (a process of its own). Pacing is on; the server's bucket never runs
//! dry, so the limiter is consulted on every request but never makes one wait: what is measured is
//! what the runtime costs when many requests share it (its locks included).

use std::sync::Arc;
use std::time::{Duration, Instant};

use blockbind::Api;
use blockbind_runtime::Runtime;
use serde_json::json;

use crate::overhead::median;
use crate::pair::Pair;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `inflight` tasks each sending `requests / inflight` requests one after another, the SDK and
/// raw reqwest alternating round by round; prints the median requests per second of each.
pub(crate) async fn scaling(
    api: Api,
    base: &str,
    inflight: usize,
    requests: usize,
    rounds: usize,
) -> Result<()> {
    let inflight = inflight.max(1);
    let per_task = (requests / inflight).max(1);
    let http = Runtime::http_client(Duration::from_secs(30));
    let pair = Arc::new(Pair::new(api, base, http)?);
    // Warm: connections for every task, allocations.
    for sdk in [true, false] {
        run(&pair, sdk, inflight, 4).await?;
    }
    let (mut s, mut r) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for sdk in [round % 2 == 0, round % 2 == 1] {
            let started = Instant::now();
            run(&pair, sdk, inflight, per_task).await?;
            let rate = (per_task * inflight) as f64 / started.elapsed().as_secs_f64();
            if sdk { s.push(rate) } else { r.push(rate) }
        }
    }
    let (sdk, raw) = (median(s), median(r));
    println!(
        "{}",
        json!({"bench": "scaling", "api": api.to_string(), "inflight": inflight,
               "requests": per_task * inflight, "rounds": rounds, "workers": crate::workers(),
               "sdk_per_s": sdk, "raw_per_s": raw, "ratio": sdk / raw})
    );
    Ok(())
}

async fn run(pair: &Arc<Pair>, sdk: bool, inflight: usize, per_task: usize) -> Result<()> {
    let tasks: Vec<_> = (0..inflight)
        .map(|_| {
            let pair = Arc::clone(pair);
            tokio::spawn(async move {
                for _ in 0..per_task {
                    pair.one(sdk).await.map_err(|e| e.to_string())?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(())
}
