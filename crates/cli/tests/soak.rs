//! The fault soak, measured by the server: `blockbind import` of 3,000 targets, on Twitch Helix
//! (a PUT) and on X v2 (a POST), against the mock injecting 10% 5xx, 5% extra 429s, 2% resets and
//! 1% truncated bodies, plus the faults that could make a retry a double send: 2% resets and 1%
//! cut answers *after* the block was applied (the server did it, the client never heard). The
//! import is killed with SIGKILL three times (each verified: the child died of signal 9) and
//! resumed until it reports success.
//!
//! Then the mock's block log must show, for every target: the block applied exactly once (one
//! apply event, counted as it happens, not "blocked at the end"), and no request after a success
//! had been delivered to the client, except where a SIGKILL fell between the answer and the
//! journal (at most `--concurrency` per kill). A retry after an applied block whose answer was
//! lost is no double send: it arrives before any success was delivered, and blocking is
//! idempotent on both APIs (Helix's PUT; X v2's POST, `x-idempotent` in its spec), so the server
//! applies nothing twice.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use blockbind_mock::{Api, BlockRequest, Faults, MockConfig, MockServer, Platform};
use rand::Rng;

const TARGETS: u64 = 3_000;
const CONCURRENCY: usize = 16;
const KILLS: usize = 3;
const SIGKILL: i32 = 9;

fn faults() -> Faults {
    Faults {
        p_500: 0.10,
        p_429: 0.05,
        p_reset: 0.02,
        p_truncate: 0.01,
        p_reset_after_apply: 0.02,
        p_cut_after_apply: 0.01,
        ..Faults::default()
    }
}

/// The API under test, the mock and the acting user.
struct Soak {
    api: Api,
    platform: Platform,
    user: String,
    mock: MockServer,
    dir: tempfile::TempDir,
}

/// The block requests one run sent (a range of the block log's `seq`), and how it ended.
struct Run {
    requests: Range<u64>,
    killed: bool,
}

impl Soak {
    async fn start(api: Api) -> Self {
        let mock = MockServer::start(MockConfig {
            // The bucket is no constraint here: the faults are the point.
            rate_limits: common::generous_buckets(&[api.name()]),
            faults: faults(),
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let c = mock.credentials();
        let (platform, user) = match api.platform() {
            Platform::Twitch => (Platform::Twitch, c.twitch_user_id.clone()),
            Platform::X => (Platform::X, c.x_user_id.clone()),
        };
        Self {
            api,
            platform,
            user,
            mock,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self) -> tokio::process::Command {
        let mut cmd = common::mock_command(&self.mock, self.dir.path());
        cmd.args(["-q", "--platform", self.api.name(), "--user", &self.user])
            .args(["import", "targets.txt", "--concurrency"])
            .arg(CONCURRENCY.to_string());
        cmd
    }

    fn journaled(&self) -> Vec<String> {
        common::journal_ids(
            &std::fs::read_to_string(self.dir.path().join("targets.txt.journal"))
                .unwrap_or_default(),
        )
    }

    /// Runs the import until the journal holds `point` targets, then SIGKILLs it. A run that
    /// stops by itself first (gave up under the faults) is resumed; only a kill the exit
    /// status confirms counts.
    async fn kill_at(&self, point: usize, runs: &mut Vec<Run>) {
        loop {
            let first = self.mock.block_requests_received();
            let mut child = self.command().spawn().unwrap();
            let status = loop {
                if self.journaled().len() >= point {
                    child.start_kill().unwrap();
                    break child.wait().await.unwrap();
                }
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            let killed = status.signal() == Some(SIGKILL);
            runs.push(Run {
                requests: first..self.mock.block_requests_received(),
                killed,
            });
            if killed {
                return;
            }
            // Exit 4 (gave up on retries) or 1 (a target failed): running it again resumes.
            assert!(
                matches!(status.code(), Some(1 | 4)),
                "a run before the kill at {point} ended with {status}"
            );
            assert!(runs.len() < 20, "never reached {point} journaled targets");
        }
    }

    /// Resumes until a run reports success.
    async fn finish(&self, runs: &mut Vec<Run>) {
        for _ in 0..12 {
            let first = self.mock.block_requests_received();
            let out = self.command().output().await.unwrap();
            runs.push(Run {
                requests: first..self.mock.block_requests_received(),
                killed: false,
            });
            if out.status.success() {
                return;
            }
            // Under 10% 5xx a target can exhaust its retries (exit 4), or an answer can be cut
            // where no retry is safe (exit 1): the run says so, and running it again resumes.
            assert!(
                matches!(out.status.code(), Some(1 | 4)),
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        panic!("still failing after 12 runs");
    }
}

/// What the block log says about one API's soak.
#[derive(Debug, Default)]
struct Totals {
    block_requests: u64,
    post_apply_faults: usize,
    retries_after_a_lost_apply: usize,
    resends_after_delivered: usize,
}

/// Checks every target's block log and counts what happened. A request after a delivered
/// success is allowed only when that success went to a run that was then SIGKILLed (between
/// the answer and the journal), and at most `--concurrency` of them per kill.
fn check_block_log(
    targets: &[String],
    log: &BTreeMap<String, Vec<BlockRequest>>,
    runs: &[Run],
) -> Totals {
    let mut totals = Totals::default();
    let kills: Vec<&Range<u64>> = runs
        .iter()
        .filter(|r| r.killed)
        .map(|r| &r.requests)
        .collect();
    let mut excused = vec![0; kills.len()];
    let mut unexcused = Vec::new();
    for t in targets {
        let requests = log.get(t).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(
            requests.iter().filter(|r| r.applied).count(),
            1,
            "{t}: the block applied exactly once: {requests:#?}"
        );
        let applied_at = requests.iter().position(|r| r.applied).unwrap();
        let first_success = requests.iter().find(|r| r.delivered_success());
        for r in requests {
            totals.post_apply_faults += usize::from(r.fault.is_some_and(|f| f.after_apply()));
            if r.after_delivered_success {
                totals.resends_after_delivered += 1;
                let success = first_success.expect("a re-send follows a delivered success");
                match kills
                    .iter()
                    .position(|k| k.contains(&success.seq) && r.seq >= k.end)
                {
                    Some(kill) => excused[kill] += 1,
                    None => unexcused.push((t.clone(), requests.to_vec())),
                }
            } else if r.seq > requests[applied_at].seq {
                totals.retries_after_a_lost_apply += 1;
            }
        }
    }
    assert!(
        unexcused.is_empty(),
        "{} requests for a target after its success was delivered, no SIGKILL in between: {:#?}",
        unexcused.len(),
        &unexcused[..unexcused.len().min(3)]
    );
    for (kill, n) in excused.iter().enumerate() {
        assert!(
            *n <= CONCURRENCY,
            "kill {kill}: {n} re-sends after a delivered success, more than --concurrency"
        );
    }
    totals
}

async fn soak(api: Api) {
    let started = Instant::now();
    let s = Soak::start(api).await;
    let targets: Vec<String> = (0..TARGETS)
        .map(|n| s.mock.nth_user(20_000 + n).unwrap().id)
        .collect();
    std::fs::write(s.dir.path().join("targets.txt"), targets.join("\n")).unwrap();

    let mut kill_points: Vec<usize> = (0..KILLS)
        .map(|_| rand::thread_rng().gen_range(TARGETS as usize / 20..TARGETS as usize * 17 / 20))
        .collect();
    kill_points.sort();
    println!("{api}: killing at {kill_points:?} journaled targets");
    let mut runs = Vec::new();
    for point in kill_points {
        s.kill_at(point, &mut runs).await;
    }
    s.finish(&mut runs).await;
    let kills = runs.iter().filter(|r| r.killed).count();
    assert_eq!(kills, KILLS, "every kill is a verified SIGKILL");

    let blocked: HashSet<String> = s.mock.blocked(s.platform, &s.user).into_iter().collect();
    for t in &targets {
        assert!(blocked.contains(t), "{t} is blocked");
        assert_eq!(s.mock.blocks_applied(s.platform, &s.user, t), 1, "{t}");
    }
    let log = s.mock.block_log(s.platform, &s.user);
    let mut totals = check_block_log(&targets, &log, &runs);
    totals.block_requests = s.mock.block_requests_received();
    assert!(
        totals.post_apply_faults > 0 && totals.retries_after_a_lost_apply > 0,
        "the soak exercised blocks applied and unheard: {totals:?}"
    );
    let journal = s.journaled();
    let unique: HashSet<&String> = journal.iter().collect();
    assert_eq!(unique.len(), journal.len(), "no target journaled twice");
    assert!(
        journal.iter().all(|t| blocked.contains(t)),
        "every journaled target is blocked"
    );
    assert_eq!(s.mock.violations(), Vec::<String>::new());
    println!(
        "{api}: {TARGETS} targets in {:?}: {} block requests ({} requests in all), {} post-apply \
         faults on blocks ({} in all), {} retries after an applied block's answer was lost, \
         {kills} SIGKILLs verified (signal 9), {} re-sends after a delivered success, \
         {} journaled, {} runs",
        started.elapsed(),
        totals.block_requests,
        s.mock.total_requests(),
        totals.post_apply_faults,
        s.mock.post_apply_faults(),
        totals.retries_after_a_lost_apply,
        totals.resends_after_delivered,
        journal.len(),
        runs.len(),
    );
}

#[tokio::test]
async fn a_helix_import_under_faults_and_three_sigkills_applies_each_block_once_and_never_resends_a_delivered_success()
 {
    soak(Api::TwitchHelix).await;
}

#[tokio::test]
async fn an_x_v2_import_under_faults_and_three_sigkills_applies_each_block_once_and_never_resends_a_delivered_success()
 {
    soak(Api::XV2).await;
}
