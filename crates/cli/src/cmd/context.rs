//! What several commands share: the `Config` and `BlockList` from the global flags and the
//! credentials, and reading an input file. Must not print or decide a command's outcome.

use std::path::Path;

use blockbind::{Api, BlockList, Config, Target};
use blockbind_cli::{credentials, input};

use crate::args::Cli;
use crate::exit::{Failure, io_failure};

/// The config from the global flags and the credentials.
pub(crate) fn config(cli: &Cli) -> Result<Config, Failure> {
    let credentials = credentials::load(cli.credentials_file.as_deref())?;
    let mut builder = Config::builder()
        .credentials(credentials)
        .user_agent(concat!("blockbind-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = &cli.base_url {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}

/// The warning for a legacy API (Kraken) sent to a server that is not on this machine: the
/// platform shut it down, so only a mock or an archive on loopback can answer. `None` for a live
/// API, no `--platform`, or a loopback base URL (127.0.0.1, localhost, [::1]).
pub(crate) fn legacy_warning(cli: &Cli) -> Option<String> {
    let api = cli.platform?;
    let legacy = api.info().legacy?;
    let url = cli
        .base_url
        .clone()
        .unwrap_or_else(|| api.default_base_url().to_string());
    let host = blockbind::reqwest::Url::parse(&url).ok().and_then(|u| {
        u.host_str()
            .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
    });
    let local = host.is_some_and(|h| {
        h == "localhost"
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    (!local).then(|| {
        format!(
            "warning: {} is legacy: {legacy} Expect no answer from {url}; point --base-url at the mock or an archive on this machine.",
            api.name()
        )
    })
}

/// The API chosen by `--platform`, its block list for `--user`, and the user as shown (`-` if
/// none).
pub(crate) async fn block_list(
    cli: &Cli,
    config: &Config,
) -> Result<(Api, Box<dyn BlockList>, String), Failure> {
    let api: Api = cli.platform.ok_or_else(|| {
        Failure::usage(format!(
            "--platform (or BLOCKBIND_PLATFORM) is required: one of {}",
            Api::names()
        ))
    })?;
    let user = cli.user.as_deref().map(Target::parse).transpose()?;
    let shown = user
        .as_ref()
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|| "-".into());
    let list = config.block_list(api, user).await?;
    Ok((api, list, shown))
}

/// An input file (import, diff), refused if over `input::MAX_FILE_BYTES`.
pub(crate) fn read_input(path: &Path) -> Result<input::Parsed, Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| io_failure("cannot read", path, e))?
        .len();
    if size > input::MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "{} is {size} bytes; split it into files under {} bytes",
            path.display(),
            input::MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| io_failure("cannot read", path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(input::parse(&text))
}
