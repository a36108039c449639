//! The `blockbind-mock` binary: starts on a free port, prints its URLs and credentials with a
//! ready line, serves them, and refuses a bad config file with a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_binary_prints_a_ready_line_and_serves_the_apis() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blockbind-mock"))
        .args(["--port", "0", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
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
        reqwest::Client::new()
            .get(format!(
                "{helix}/users/blocks?broadcaster_id={}",
                c["twitch_user_id"].as_str().unwrap()
            ))
            .header(
                "Authorization",
                format!("Bearer {}", c["twitch_token"].as_str().unwrap()),
            )
            .header("Client-Id", c["twitch_client_id"].as_str().unwrap())
            .send()
            .await
            .unwrap()
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
