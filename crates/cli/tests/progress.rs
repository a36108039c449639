//! Progress that stays live through rate-limit waits, as a person sees it (issue 21):
//! `blockbind import` under a pseudo-terminal, its screen rendered by a terminal emulator (vt100)
//! from the byte stream, and with stderr a pipe, against the mock (in this process, on
//! 127.0.0.1:0) with a small Helix bucket, so that a short import waits for two resets.
//!
//! Waiting is the behaviour under test here, so these tests measure time; each check leaves the
//! slack a loaded 2-core machine needs without giving up what it proves (the countdown moves
//! during a wait; the early ETA is within a fifth of the run; a plain line comes within 2 s, plus
//! one second of slack, all through a wait of over 5 s).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blockbind_mock::{Bucket, MockConfig, MockServer};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use tokio::io::AsyncBufReadExt;

const BIN: &str = env!("CARGO_BIN_EXE_blockbind");
const ROWS: u16 = 24;
const COLS: u16 = 100;
/// No run here takes near this long; past it the binary is killed and the test fails.
const GIVE_UP: Duration = Duration::from_secs(120);

/// The mock with Helix limited to `limit` requests per `window_ms`, and a directory to work in.
async fn mock(limit: u32, window_ms: u64) -> (MockServer, tempfile::TempDir) {
    let config = MockConfig {
        rate_limits: BTreeMap::from([("twitch-helix".to_string(), Bucket { limit, window_ms })]),
        ..MockConfig::default()
    };
    let mock = MockServer::start(config).await.expect("the mock starts");
    (mock, tempfile::tempdir().unwrap())
}

/// `n` users of the mock's population, one ID a line.
fn targets(mock: &MockServer, dir: &Path, name: &str, first: u64, n: u64) -> PathBuf {
    let ids: Vec<String> = (first..first + n)
        .map(|i| mock.nth_user(i).expect("in the population").id)
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, ids.join("\n") + "\n").unwrap();
    path
}

/// The environment of a run: the mock's address and credentials, and nothing else of ours.
fn env(mock: &MockServer, dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_string(),
            std::env::var("PATH").unwrap_or_default(),
        ),
        ("HOME".to_string(), dir.display().to_string()),
        ("TERM".to_string(), "xterm-256color".to_string()),
        ("BLOCKBIND_BASE_URL".to_string(), mock.base_url()),
    ];
    env.extend(
        mock.credentials()
            .env_vars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    env
}

fn import_args(mock: &MockServer, file: &Path) -> Vec<String> {
    vec![
        "--platform".into(),
        "twitch-helix".into(),
        "--user".into(),
        mock.credentials().twitch_user_id.clone(),
        "import".into(),
        file.display().to_string(),
    ]
}

/// A screen as the terminal showed it, and when.
#[derive(Clone)]
struct Screen {
    at: Instant,
    /// Row by row, as shown.
    rows: String,
    /// Line by line, rows that wrap joined (what the checks read).
    text: String,
}

/// Runs the binary under a pseudo-terminal of [`ROWS`] x [`COLS`] and records every screen it
/// shows (looked at every 50 ms), until it exits.
fn run_in_terminal(args: &[String], env: &[(String, String)], dir: &Path) -> Vec<Screen> {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal");
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args(args);
    cmd.env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.cwd(dir);
    let mut child = pty.slave.spawn_command(cmd).expect("the binary starts");
    drop(pty.slave);
    let terminal = Arc::new(Mutex::new(vt100::Parser::new(
        ROWS.try_into().unwrap(),
        COLS.try_into().unwrap(),
        0,
    )));
    let mut reader = pty.master.try_clone_reader().unwrap();
    let feed = Arc::clone(&terminal);
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Ends with EOF, or EIO once the child has exited and the last writer is gone.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let started = Instant::now();
    let mut screens: Vec<Screen> = Vec::new();
    let look = |screens: &mut Vec<Screen>| {
        let terminal = terminal.lock().unwrap();
        let rows = terminal
            .screen()
            .rows(0, COLS)
            .collect::<Vec<_>>()
            .join("\n");
        if screens.last().is_none_or(|s| s.rows != rows) {
            screens.push(Screen {
                at: Instant::now(),
                rows,
                text: terminal.screen().contents(),
            });
        }
    };
    loop {
        look(&mut screens);
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > GIVE_UP {
            let _ = child.kill();
            panic!(
                "still running after {GIVE_UP:?}; last screen:\n{}",
                screens.last().unwrap().text
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(pty.master);
    let _ = reading.join();
    look(&mut screens);
    screens
}

/// The number after `marker` on the screen, and its unit as seconds (`41s`, `2m 05s`).
fn seconds_after(text: &str, marker: &str) -> Option<u64> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let word = |s: &str| -> Option<(u64, char)> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        let unit = s[digits.len()..].chars().next()?;
        Some((digits.parse().ok()?, unit))
    };
    match word(rest)? {
        (s, 's') => Some(s),
        (m, 'm') => {
            let (s, _) = word(rest.split_once(' ')?.1)?;
            Some(m * 60 + s)
        }
        (h, 'h') => Some(h * 3600),
        _ => None,
    }
}

/// `done/total` of the bar.
fn position(text: &str) -> Option<(u64, u64)> {
    let rest = &text[text.find("] ")? + 2..];
    let (done, rest) = rest.split_once('/')?;
    let total: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((done.parse().ok()?, total.parse().ok()?))
}

fn show(title: &str, screen: &Screen, t0: Instant) -> String {
    let lines: Vec<&str> = screen
        .rows
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    format!(
        "--- {title} (t = {:.1} s) ---\n{}\n",
        screen.at.duration_since(t0).as_secs_f64(),
        lines.join("\n")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_the_countdown_moves_during_each_wait_and_the_early_eta_holds() {
    // 10 per 4 s: the list read takes 1 of the first window, the import's 25 blocks go 9 now,
    // 10 after the first reset and 6 after the second.
    let (mock, dir) = mock(10, 4_000).await;
    let file = targets(&mock, dir.path(), "bots.txt", 1_000, 25);
    let (args, env, cwd) = (
        import_args(&mock, &file),
        env(&mock, dir.path()),
        dir.path().to_path_buf(),
    );
    let screens = tokio::task::spawn_blocking(move || run_in_terminal(&args, &env, &cwd))
        .await
        .unwrap();
    let all = || {
        screens
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n=====\n")
    };

    // The ETA on the first screen that shows the bar, against when the run really ended.
    let (first, eta) = screens
        .iter()
        .find_map(|s| {
            position(&s.text)?;
            Some((s, seconds_after(&s.text, "ETA ")?))
        })
        .unwrap_or_else(|| panic!("no bar with an ETA on any screen:\n{}", all()));
    let end = screens
        .iter()
        .find(|s| s.text.contains("done in"))
        .unwrap_or_else(|| panic!("the bar never said it was done:\n{}", all()));
    let actual = end.at.duration_since(first.at).as_secs_f64();
    assert!(
        (eta as f64 - actual).abs() <= 0.2 * actual,
        "the first ETA, {eta} s, is not within 20% of the {actual:.1} s the run took:\n{}",
        first.text
    );

    // During a wait the screen keeps changing, and the countdown moves: two screens of one
    // wait (the same position) show the reset counting down.
    let waits: Vec<(&Screen, (u64, u64), u64)> = screens
        .iter()
        .filter_map(|s| {
            let left = seconds_after(&s.text, "bucket resets in ")?;
            s.text
                .contains("waiting for the rate limit")
                .then_some((s, position(&s.text)?, left))
        })
        .collect();
    let counted_down = waits.windows(2).any(|pair| {
        let [(a, pos_a, left_a), (b, pos_b, left_b)] = pair else {
            return false;
        };
        pos_a == pos_b && left_b < left_a && a.text != b.text
    });
    assert!(
        counted_down,
        "no wait showed its countdown moving:\n{}",
        all()
    );
    let positions: std::collections::BTreeSet<(u64, u64)> =
        waits.iter().map(|(_, p, _)| *p).collect();
    assert!(
        positions.len() >= 2,
        "two waits shown, at two positions: {positions:?}"
    );

    let last = &screens.last().unwrap().text;
    assert!(
        last.contains("25/25 done in") && last.contains("for 2 rate-limit resets"),
        "{last}"
    );

    // The screens for the record (run with --nocapture to see them); mid-wait is the first
    // wait's screen nearest its middle.
    let first_wait: Vec<&Screen> = waits
        .iter()
        .filter(|(_, p, _)| *p == waits[0].1)
        .map(|w| w.0)
        .collect();
    let middle = first_wait[0].at
        + first_wait[first_wait.len() - 1]
            .at
            .duration_since(first_wait[0].at)
            / 2;
    let mid = first_wait
        .iter()
        .min_by_key(|s| {
            if s.at > middle {
                s.at - middle
            } else {
                middle - s.at
            }
        })
        .unwrap();
    print!(
        "{}{}{}",
        show("start", first, first.at),
        show("mid-wait", mid, first.at),
        show("end", screens.last().unwrap(), first.at)
    );
}

/// Each line of stderr, with when it arrived.
async fn run_piped(
    args: &[String],
    env: &[(String, String)],
    dir: &Path,
) -> Vec<(Instant, String)> {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("the binary starts");
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut out = Vec::new();
    let reading = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            out.push((Instant::now(), line));
        }
        child.wait().await.unwrap()
    };
    let status = tokio::time::timeout(GIVE_UP, reading)
        .await
        .expect("the import ends");
    assert!(status.success(), "{status:?}");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_a_plain_line_comes_every_two_seconds_through_a_long_wait() {
    // 10 per 7 s: after the list read and 9 blocks, the wait for the reset is over 6 s.
    let (mock, dir) = mock(10, 7_000).await;
    let file = targets(&mock, dir.path(), "bots.txt", 2_000, 15);
    let lines = run_piped(
        &import_args(&mock, &file),
        &env(&mock, dir.path()),
        dir.path(),
    )
    .await;
    let log = || {
        let t0 = lines[0].0;
        lines
            .iter()
            .map(|(t, l)| format!("{:5.1} {l}\n", t.duration_since(t0).as_secs_f64()))
            .collect::<String>()
    };
    let find = |what: &str| {
        lines
            .iter()
            .position(|(_, l)| l.contains(what))
            .unwrap_or_else(|| panic!("no line says {what:?}:\n{}", log()))
    };
    let (start, end) = (
        find("rate limit reached: waiting"),
        find("bucket reset after"),
    );
    let wait = lines[end].0.duration_since(lines[start].0);
    assert!(
        wait >= Duration::from_secs(5),
        "the wait took {wait:?}, too short to test:\n{}",
        log()
    );
    let during = &lines[start + 1..end];
    assert!(
        during.len() >= 2
            && during
                .iter()
                .all(|(_, l)| l.contains("waiting for the rate limit")),
        "lines during the wait say so:\n{}",
        log()
    );
    for pair in lines[start..=end].windows(2) {
        let gap = pair[1].0.duration_since(pair[0].0);
        assert!(
            gap <= Duration::from_secs(3),
            "{gap:?} without a line during the wait (every 2 s, 1 s of slack):\n{}",
            log()
        );
    }
    let text = log();
    assert!(text.contains("block: 15/15 done in"), "{text}");
    assert!(
        !text.contains('\x1b') && !text.contains('\r'),
        "plain lines only:\n{text}"
    );
    print!("{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_prints_no_progress_and_verbose_names_each_waits_bucket_and_header() {
    let (mock, dir) = mock(10, 2_000).await;
    let env = env(&mock, dir.path());

    let file = targets(&mock, dir.path(), "verbose.txt", 3_000, 12);
    let mut args = import_args(&mock, &file);
    args.insert(0, "-v".into());
    let lines = run_piped(&args, &env, dir.path()).await;
    let started = lines
        .iter()
        .map(|(_, l)| l)
        .find(|l| l.starts_with("block: rate limit reached"))
        .expect("a wait-start line");
    for named in ["twitch-helix", "Ratelimit-Remaining", "Ratelimit-Reset"] {
        assert!(started.contains(named), "{named} in {started}");
    }

    let file = targets(&mock, dir.path(), "quiet.txt", 4_000, 12);
    let mut args = import_args(&mock, &file);
    args.insert(0, "--quiet".into());
    let lines = run_piped(&args, &env, dir.path()).await;
    assert!(
        lines.iter().all(|(_, l)| !l.starts_with("block")),
        "{lines:?}",
        lines = lines.iter().map(|(_, l)| l).collect::<Vec<_>>()
    );
}
