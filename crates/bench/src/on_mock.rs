//! `blockbind` (the CLI) run against the mock in this process: what `mass-block` and `memory`
//! share.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use blockbind::Api;
use blockbind_mock::{MockServer, Platform};

/// The CLI's `--platform` name of `api` and the mock's platform for it (Helix or X v2).
pub(crate) fn names(api: Api) -> (&'static str, Platform) {
    match api {
        Api::TwitchHelix => ("twitch-helix", Platform::Twitch),
        _ => ("x-v2", Platform::X),
    }
}

/// The account whose list the CLI works on: the mock's own user of `api`'s platform.
pub(crate) fn owner(mock: &MockServer, api: Api) -> String {
    let c = mock.credentials();
    match api {
        Api::TwitchHelix => c.twitch_user_id.clone(),
        _ => c.x_user_id.clone(),
    }
}

/// A directory of its own for one run, holding `ids` as a file of one ID a line; the file's path.
/// The caller removes the directory.
pub(crate) fn targets_file(dir: &Path, ids: &[String]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join("targets.txt");
    std::fs::write(&file, ids.join("\n"))?;
    Ok(file)
}

/// `program` (the CLI, or `blockbind-bench peak-rss CLI`) with the global flags that point the
/// CLI at the mock, `-q --base-url URL --platform NAME --user OWNER`, in an environment of only
/// `PATH`, `HOME=home` and the mock's credentials.
pub(crate) fn command(
    program: impl AsRef<OsStr>,
    before: &[&OsStr],
    mock: &MockServer,
    api: Api,
    home: &Path,
) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(before)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .args([
            "-q",
            "--base-url",
            &mock.base_url(),
            "--platform",
            names(api).0,
            "--user",
            &owner(mock, api),
        ]);
    for (k, v) in mock.credentials().env_vars() {
        cmd.env(k, v);
    }
    cmd
}
