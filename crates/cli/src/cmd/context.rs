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
