//! Mass blocking at the rate limit: `blockbind import` against the mock's bucket.

use std::time::Instant;

use blockbind::Api;
use serde_json::json;

use crate::on_mock;

#[allow(clippy::too_many_arguments)]
pub(crate) async fn mass_block(
    api: Api,
    cli: &str,
    targets: u64,
    limit: u32,
    window_ms: u64,
    latency_ms: u64,
    concurrency: u16,
) -> Result<(), Box<dyn std::error::Error>> {
    let (name, platform) = on_mock::names(api);
    let mut rate_limits = std::collections::BTreeMap::new();
    rate_limits.insert(
        name.to_string(),
        blockbind_mock::Bucket { limit, window_ms },
    );
    let mock = blockbind_mock::MockServer::start(blockbind_mock::MockConfig {
        rate_limits,
        validate_responses: false,
        initial_blocks: 0,
        faults: blockbind_mock::Faults {
            latency_ms,
            ..Default::default()
        },
        ..Default::default()
    })
    .await?;
    let owner = on_mock::owner(&mock, api);
    let dir = std::env::temp_dir().join(format!("blockbind-bench-{}", std::process::id()));
    let ids: Vec<String> = (0..targets)
        .filter_map(|n| mock.nth_user(1_000 + n).map(|u| u.id))
        .collect();
    let file = on_mock::targets_file(&dir, &ids)?;
    let mut cmd = on_mock::command(cli, &[], &mock, api, &dir);
    cmd.arg("import")
        .arg(&file)
        .args(["--concurrency", &concurrency.to_string()]);
    let started = Instant::now();
    let out = cmd.output().await?;
    let secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!(
            "the import failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let blocked = ids
        .iter()
        .filter(|t| mock.blocks_applied(platform, &owner, t) == 1)
        .count();
    let bucket_rate = f64::from(limit) / (window_ms as f64 / 1000.0);
    let achieved = targets as f64 / secs;
    let windows = secs / (window_ms as f64 / 1000.0);
    let too_many = mock.responses_with_status(429);
    println!(
        "{}",
        json!({"bench": "mass-block", "api": name, "targets": targets, "blocked_once": blocked,
               "bucket": format!("{limit} per {window_ms} ms"), "latency_ms": latency_ms, "concurrency": concurrency,
               "seconds": secs, "blocks_per_s": achieved, "bucket_per_s": bucket_rate, "ratio": achieved / bucket_rate,
               "responses_429": too_many, "windows": windows, "per_window_429": too_many as f64 / windows.max(1.0)})
    );
    mock.stop().await;
    Ok(())
}
