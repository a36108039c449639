//! Adding an API is adding a spec: a scratch copy of the workspace gains a sixth spec
//! (`fixtures/example-mutes.yaml`) and one mapping file (`fixtures/example_mutes.rs`), and after
//! `cargo xtask generate`, with no other edit, the new API
//! - compiles as a crate (`crates/example-mutes`, with a generated `stream()`),
//! - is in the registry,
//! - is routed and validated by the mock from its spec (a bad bound is refused naming the
//!   parameter; a valid request is answered with the spec's example),
//! - is accepted by the CLI's `--platform`, whose `list` reads the mock through the facade.
//!
//! The scratch workspace builds into the main target directory, so only the workspace's own
//! crates are compiled again, never the dependencies.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits below the root")
        .to_path_buf()
}

/// Every file git knows of (tracked, or new and not ignored): what a clean checkout holds.
fn workspace_files(root: &Path) -> Vec<PathBuf> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git ls-files failed");
    out.stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .filter(|p| root.join(p).is_file())
        .collect()
}

/// The scratch CLI's binary name.
const SCRATCH_BIN: &str = "blockbind-new-api-test";

fn rewrite(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn isolate(dir: &Path) {
    rewrite(
        &dir.join("Cargo.toml"),
        "[workspace.package]\nversion = \"0.1.0\"",
        "[workspace.package]\nversion = \"0.1.0-new-api-test\"",
    );
    // Path dependencies carry the workspace's version (packaging needs one); they follow it.
    for manifest in ["Cargo.toml", "crates/cli/Cargo.toml"] {
        let path = dir.join(manifest);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(", version = \"0.1.0\""), "{manifest}");
        std::fs::write(
            &path,
            text.replace(
                ", version = \"0.1.0\"",
                ", version = \"0.1.0-new-api-test\"",
            ),
        )
        .unwrap();
    }
    rewrite(
        &dir.join("xtask/Cargo.toml"),
        "version = \"0.0.0\"",
        "version = \"0.0.1-new-api-test\"",
    );
    rewrite(
        &dir.join("crates/cli/Cargo.toml"),
        "name = \"blockbind\"\npath",
        &format!("name = \"{SCRATCH_BIN}\"\npath"),
    );
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cargo(scratch: &Path, target: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// One HTTP/1.1 request on loopback; the status and body.
fn get(base: &str, path_and_query: &str, token: &str) -> (u16, String) {
    let authority = base.trim_start_matches("http://");
    let (host_port, prefix) = authority.split_once('/').unwrap_or((authority, ""));
    let mut stream = TcpStream::connect(host_port).expect("the mock listens");
    write!(
        stream,
        "GET /{prefix}{path_and_query} HTTP/1.1\r\nHost: {host_port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn a_sixth_spec_and_one_mapping_file_make_a_new_api_everywhere() {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scratch =
        Scratch(std::env::temp_dir().join(format!("blockbind-new-api-{}", std::process::id())));
    let dir = &scratch.0;
    for file in workspace_files(&root) {
        let to = dir.join(&file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(&file), &to).unwrap();
    }
    let fixtures = root.join("xtask/tests/fixtures");
    std::fs::copy(
        fixtures.join("example-mutes.yaml"),
        dir.join("specs/example-mutes.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("example_mutes.rs"),
        dir.join("src/platforms/example_mutes.rs"),
    )
    .unwrap();

    // The scratch crates share the main target directory, where cargo names a workspace crate's
    // artifacts by its workspace-relative path and version: another version keeps the scratch
    // ones apart, and another binary name keeps the CLI's apart from the real one's. Test
    // plumbing, not part of adding an API.
    isolate(dir);

    cargo(
        dir,
        &target,
        &["run", "-q", "-p", "xtask", "--", "generate"],
    );

    // The crate, its generated pagination, the registry row and the facade's feature.
    let generated = std::fs::read_to_string(dir.join("crates/example-mutes/src/generated.rs"))
        .expect("the crate is generated");
    assert!(
        generated.contains("pub fn stream("),
        "no generated stream()"
    );
    let registry = std::fs::read_to_string(dir.join("crates/registry/src/generated.rs")).unwrap();
    assert!(registry.contains("ExampleMutes") && registry.contains("\"example-mutes\""));
    assert!(registry.contains("EXAMPLE_MUTES_TOKEN"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\"example-mutes\" = [\"dep:blockbind-example-mutes\"]"));

    // It compiles, the CLI with it.
    cargo(
        dir,
        &target,
        &[
            "build",
            "-q",
            "-p",
            "blockbind-example-mutes",
            "-p",
            "blockbind-cli",
        ],
    );
    let cli = target.join(format!("debug/{SCRATCH_BIN}"));

    // The mock serves it from its spec.
    let mut mock = Command::new(&cli)
        .args(["mock", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("blockbind mock starts");
    let mut lines = BufReader::new(mock.stdout.take().unwrap()).lines();
    let mut base = None;
    let mut token = None;
    let mut ready = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("example-mutes") {
            base = Some(url.split_whitespace().next().unwrap().to_string());
        }
        if let Some(value) = line.strip_prefix("TWITCH_TOKEN=") {
            token = Some(value.split_whitespace().next().unwrap().to_string());
        }
        if let Some(url) = line.strip_prefix("ready ") {
            ready = Some(url.to_string());
            break;
        }
    }
    let (base, token, ready) = (
        base.expect("the mock lists the new API"),
        token.expect("the mock prints a token"),
        ready.expect("the mock is ready"),
    );

    let (status, body) = get(&base, "/mutes?first=51", &token);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("first"),
        "the refusal names the parameter: {body}"
    );
    let (status, body) = get(&base, "/nowhere", &token);
    assert_eq!(status, 404, "{body}");
    let (status, body) = get(&base, "/mutes?first=50", &token);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("quietone"), "the spec's example: {body}");

    // `--platform` takes it, and `list` goes through the facade's mapping to the mock.
    let out = Command::new(&cli)
        .args([
            "--platform",
            "example-mutes",
            "--base-url",
            &ready,
            "--user",
            "1",
            "list",
            "--format",
            "csv",
        ])
        .env("EXAMPLE_MUTES_TOKEN", &token)
        .output()
        .unwrap();
    let _ = mock.kill();
    let _ = mock.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1234") && stdout.contains("hushed"),
        "{stdout}"
    );
}
