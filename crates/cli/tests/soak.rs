//! The fault soak: `blockbind import` of 10,000 targets against the mock injecting 10% 5xx, 5%
//! extra 429s, 2% connection resets and 1% truncated bodies, killed with SIGKILL three times at
//! random points and resumed until it reports success. The mock's counters then show every
//! target blocked exactly once, and the journal agrees.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use blockbind_mock::{Bucket, Faults, MockConfig, MockServer, Platform};
use rand::Rng;

const BIN: &str = env!("CARGO_BIN_EXE_blockbind");
const TARGETS: u64 = 10_000;

fn command(mock: &MockServer, dir: &std::path::Path, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("BLOCKBIND_BASE_URL", mock.base_url())
        .current_dir(dir)
        .kill_on_drop(true)
        .args([
            "-q",
            "--platform",
            "twitch-helix",
            "--user",
            &mock.credentials().twitch_user_id,
        ])
        .args(args);
    for (name, value) in mock.credentials().env_vars() {
        cmd.env(name, value);
    }
    cmd
}

fn journaled(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map(|l| l.trim_start_matches("id:").to_string())
        .collect()
}

#[tokio::test]
async fn an_import_under_faults_killed_three_times_blocks_every_target_exactly_once() {
    let mut rate_limits = BTreeMap::new();
    rate_limits.insert(
        "twitch-helix".to_string(),
        Bucket {
            limit: 1_000_000,
            window_ms: 60_000,
        },
    );
    let mock = MockServer::start(MockConfig {
        rate_limits,
        faults: Faults {
            p_500: 0.10,
            p_429: 0.05,
            p_reset: 0.02,
            p_truncate: 0.01,
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let targets: Vec<String> = (0..TARGETS)
        .map(|n| mock.nth_user(20_000 + n).unwrap().id)
        .collect();
    std::fs::write(dir.path().join("targets.txt"), targets.join("\n")).unwrap();
    let journal = dir.path().join("targets.txt.journal");
    let args = ["import", "targets.txt", "--concurrency", "16"];
    let started = Instant::now();

    let mut rng = rand::thread_rng();
    let mut kill_points: Vec<usize> = (0..3).map(|_| rng.gen_range(500..9_000)).collect();
    kill_points.sort();
    println!("killing at {kill_points:?} journaled targets");
    for point in &kill_points {
        let mut child = command(&mock, dir.path(), &args).spawn().unwrap();
        loop {
            if journaled(&journal).len() >= *point {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                // Gave up early under the faults (exit 4): resuming is the next run's job.
                assert!(!status.success(), "finished before {point}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
    let mut runs = 0;
    loop {
        runs += 1;
        let out = command(&mock, dir.path(), &args).output().await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.success() {
            break;
        }
        // Under 10% 5xx a target can exhaust its retries (exit 4) or the list read can fail:
        // the run says so, and running it again resumes.
        assert!(
            runs < 12,
            "still failing after {runs} runs: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(matches!(out.status.code(), Some(1 | 4)), "{stdout}");
    }

    let (owner, platform) = (mock.credentials().twitch_user_id.clone(), Platform::Twitch);
    let blocked: HashSet<String> = mock.blocked(platform, &owner).into_iter().collect();
    for t in &targets {
        assert!(blocked.contains(t), "{t} is blocked");
        assert_eq!(
            mock.blocks_applied(platform, &owner, t),
            1,
            "{t} blocked once"
        );
    }
    assert_eq!(mock.blocked_more_than_once(platform), Vec::new());
    let journal = journaled(&journal);
    let unique: HashSet<&String> = journal.iter().collect();
    assert_eq!(unique.len(), journal.len(), "no target journaled twice");
    assert!(
        journal.iter().all(|t| blocked.contains(t)),
        "every journaled target is blocked"
    );
    println!(
        "{TARGETS} targets in {:?}: {} requests, {} faults injected, {} journaled, {} final runs",
        started.elapsed(),
        mock.total_requests(),
        mock.faults_injected(),
        journal.len(),
        runs
    );
}
