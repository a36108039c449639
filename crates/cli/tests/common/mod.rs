//! What the end-to-end tests of the `blockbind` binary share: the mock started in the test's
//! process on 127.0.0.1:0 with buckets no test reaches, a temporary directory to run in, and the
//! binary's command with nothing of ours in its environment but what a test gives it (the
//! mock's address and credentials, `--platform`, the acting `--user`).
//!
//! Each test binary includes this with `mod common;`; a test file adds its own methods to
//! [`Setup`] in its own `impl` block.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use blockbind_mock::{Bucket, MockConfig, MockServer, Platform};

pub const BIN: &str = env!("CARGO_BIN_EXE_blockbind");

/// A bucket of a million requests a minute for each of `apis`: no test here waits on one.
pub fn generous_buckets(apis: &[&str]) -> BTreeMap<String, Bucket> {
    apis.iter()
        .map(|api| {
            let bucket = Bucket {
                limit: 1_000_000,
                window_ms: 60_000,
            };
            (api.to_string(), bucket)
        })
        .collect()
}

/// Generous buckets on every rate-limited API and no Kraken block cap: tests about the CLI, not
/// about waiting.
pub fn fast() -> MockConfig {
    MockConfig {
        rate_limits: generous_buckets(&["twitch-helix", "x-v2", "x-v1.1"]),
        kraken_block_cap: None,
        ..MockConfig::default()
    }
}

/// The binary with an empty environment but `PATH` and `HOME` (the directory it runs in).
pub fn bare_std_command(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .current_dir(dir);
    cmd
}

/// [`bare_std_command`] for tokio, killed when the test drops it.
pub fn bare_command(dir: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::from(bare_std_command(dir));
    cmd.kill_on_drop(true);
    cmd
}

/// [`bare_command`] with the mock's address and credentials in its environment.
pub fn mock_command(mock: &MockServer, dir: &Path) -> tokio::process::Command {
    let mut cmd = bare_command(dir);
    cmd.env("BLOCKBIND_BASE_URL", mock.base_url());
    for (name, value) in mock.credentials().env_vars() {
        cmd.env(name, value);
    }
    cmd
}

/// The mock and the directory a test's runs share.
pub struct Setup {
    pub mock: MockServer,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub async fn start(config: MockConfig) -> Setup {
        Setup {
            mock: MockServer::start(config).await.expect("mock starts"),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The mock with the default accounts' block lists emptied (it seeds a few by default).
    pub async fn start_empty(config: MockConfig) -> Setup {
        let s = Setup::start(config).await;
        let c = s.mock.credentials().clone();
        s.mock.clear_blocks(Platform::Twitch, &c.twitch_user_id);
        s.mock.clear_blocks(Platform::X, &c.x_user_id);
        s
    }

    /// The command with the mock's credentials, `--platform api` and the default `--user` where
    /// the API needs one (no `--platform` when `api` is empty), then `args`.
    pub fn command(&self, api: &str, args: &[&str]) -> tokio::process::Command {
        let mut cmd = mock_command(&self.mock, self.dir.path());
        if !api.is_empty() {
            cmd.arg("--platform").arg(api);
            if let Some(user) = self.user(api) {
                cmd.arg("--user").arg(user);
            }
        }
        cmd.args(args);
        cmd
    }

    pub async fn run(&self, api: &str, args: &[&str]) -> Output {
        self.command(api, args)
            .output()
            .await
            .expect("the binary runs")
    }

    /// The default account as `api` addresses it, where it needs `--user`.
    pub fn user(&self, api: &str) -> Option<String> {
        let c = self.mock.credentials();
        match api {
            "twitch-helix" => Some(c.twitch_user_id.clone()),
            "twitch-kraken-v2" => Some(c.twitch_login.clone()),
            "x-v2" => Some(c.x_user_id.clone()),
            _ => None, // Kraken v5 finds the token's user; v1.1 needs none
        }
    }

    /// The platform of `api` and the default account's ID there.
    pub fn owner(&self, api: &str) -> (Platform, String) {
        let c = self.mock.credentials();
        if api.starts_with("twitch") {
            (Platform::Twitch, c.twitch_user_id.clone())
        } else {
            (Platform::X, c.x_user_id.clone())
        }
    }

    /// Writes `text` to `name` in the test's directory; its path.
    pub fn write_path(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// [`Setup::write_path`] as an argument.
    pub fn write(&self, name: &str, text: &str) -> String {
        self.write_path(name, text).display().to_string()
    }

    /// The default account's block list on `platform`, sorted.
    pub fn blocked(&self, platform: Platform) -> Vec<String> {
        let c = self.mock.credentials();
        let owner = match platform {
            Platform::Twitch => &c.twitch_user_id,
            Platform::X => &c.x_user_id,
        };
        let mut b = self.mock.blocked(platform, owner);
        b.sort();
        b
    }

    /// The IDs of `n` users of the mock's population from the `first`.
    pub fn ids(&self, first: u64, n: u64) -> Vec<String> {
        (first..first + n)
            .map(|i| self.mock.nth_user(i).unwrap().id)
            .collect()
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The run's stdout, after asserting it succeeded (showing both streams if not).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The target IDs an import journal names, in order (its first line is the header).
pub fn journal_ids(journal: &str) -> Vec<String> {
    journal
        .lines()
        .skip(1)
        // `id:<id> prior:<state>`: the ID.
        .map(|l| {
            l.trim_start_matches("id:")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}
