//! The `blockbind-mock` binary: starts on a free port, prints its URLs and credentials with a
//! ready line, serves them, and refuses a bad config file with a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Helix's Get User Block List at `url`, with the user token and client ID the mock printed.
async fn helix_blocks(url: String, token: &str, client_id: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Client-Id", client_id)
        .send()
        .await
        .unwrap()
}

#[test]
fn the_binary_prints_a_ready_line_and_serves_the_apis() {
    let (mut child, line) = start(&["--port", "0", "--json"]);
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(ready["ready"], true);
    let helix = ready["urls"]["twitch-helix"].as_str().unwrap().to_string();
    assert!(helix.starts_with("http://127.0.0.1:") && helix.ends_with("/helix"));
    let c = &ready["credentials"];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        helix_blocks(
            format!(
                "{helix}/users/blocks?broadcaster_id={}",
                c["twitch_user_id"].as_str().unwrap()
            ),
            c["twitch_token"].as_str().unwrap(),
            c["twitch_client_id"].as_str().unwrap(),
        )
        .await
        .status()
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(status.as_u16(), 200);
}

#[test]
fn a_bad_config_file_is_refused_with_its_reason() {
    let dir = std::env::temp_dir().join(format!("blockbind-mock-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.yaml");
    std::fs::write(&path, "faults: {p_500: 3.0}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_blockbind-mock"))
        .args(["--port", "0", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("p_500") && stderr.contains("probability"),
        "{stderr}"
    );
}

/// Starts the binary with `args` and returns it with its first stdout line.
fn start(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blockbind-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn print_credentials_json_gives_scripts_the_urls_credentials_and_environment() {
    let (mut child, line) = start(&[
        "--print-credentials",
        "json",
        "--seed",
        "7",
        "--initial-blocks",
        "5",
        "--rate-limit",
        "twitch-helix=2/60000",
    ]);
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let env = ready["env"].as_object().unwrap();
    let c = &ready["credentials"];
    assert_eq!(env["TWITCH_TOKEN"], c["twitch_token"]);
    assert_eq!(env["TWITCH_CLIENT_ID"], c["twitch_client_id"]);
    assert_eq!(env["X_OAUTH2_TOKEN"], c["x_oauth2_token"]);
    assert_eq!(env["X_ACCESS_TOKEN_SECRET"], c["x_oauth1"]["token_secret"]);
    let helix = ready["urls"]["twitch-helix"].as_str().unwrap().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answers = runtime.block_on(async {
        let mut out = Vec::new();
        for _ in 0..3 {
            let r = helix_blocks(
                format!(
                    "{helix}/users/blocks?broadcaster_id={}&first=100",
                    c["twitch_user_id"].as_str().unwrap()
                ),
                env["TWITCH_TOKEN"].as_str().unwrap(),
                env["TWITCH_CLIENT_ID"].as_str().unwrap(),
            )
            .await;
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap();
            out.push((status, body["data"].as_array().map(Vec::len)));
        }
        out
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(
        answers,
        [(200, Some(5)), (200, Some(5)), (429, None)],
        "--initial-blocks 5 and --rate-limit twitch-helix=2/60000 took effect"
    );
}

#[test]
fn the_default_output_is_the_environment_then_a_ready_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blockbind-mock"))
        .args(["--print-credentials", "env"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("ready http://127.0.0.1:");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    for name in [
        "TWITCH_TOKEN=",
        "TWITCH_CLIENT_ID=",
        "X_OAUTH2_TOKEN=",
        "X_CONSUMER_KEY=",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(name)),
            "{name} in {lines:?}"
        );
    }
}

#[test]
fn a_bad_flag_is_refused_with_what_is_expected() {
    let out = Command::new(env!("CARGO_BIN_EXE_blockbind-mock"))
        .args(["--fault", "p_404=0.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown fault \"p_404\"") && stderr.contains("p_503"),
        "{stderr}"
    );
}
