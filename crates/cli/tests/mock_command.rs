//! `blockbind mock`: the options it shares with the `blockbind-mock` binary take effect, and
//! `--print-credentials json` gives a script everything it needs on one line (the URLs, the
//! credentials, and the environment blockbind reads), which blockbind itself then runs with.
#![cfg(feature = "mock")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::BIN;

#[test]
fn print_credentials_json_is_one_line_a_script_can_run_blockbind_with() {
    let mut mock = Command::new(BIN)
        .args([
            "mock",
            "--print-credentials",
            "json",
            "--initial-blocks",
            "4",
            "--rate-limit",
            "x-v2=100/1000",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(mock.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let base = ready["base_url"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut list = common::bare_std_command(dir.path());
    for (name, value) in ready["env"].as_object().unwrap() {
        list.env(name, value.as_str().unwrap());
    }
    let out = list
        .args(["--base-url", base, "--platform", "twitch-helix", "--user"])
        .arg(ready["credentials"]["twitch_user_id"].as_str().unwrap())
        .arg("list")
        .output()
        .unwrap();
    mock.kill().unwrap();
    let _ = mock.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The first two of the default user's starting blocks are the documents' named users.
    for id in ["135093069", "27419011"] {
        assert!(stdout.contains(id), "{id} in {stdout}");
    }
    assert!(
        stdout.lines().filter(|l| !l.trim().is_empty()).count() >= 4,
        "--initial-blocks 4: {stdout}"
    );
}

#[test]
fn a_bad_mock_option_is_a_usage_error_that_says_what_is_expected() {
    let out = Command::new(BIN)
        .args(["mock", "--rate-limit", "twitch-helix=lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("API=LIMIT/WINDOW_MS"), "{stderr}");
}
