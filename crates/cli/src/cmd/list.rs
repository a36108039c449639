//! `blockbind list`: the block list on stdout, as a table, CSV or JSON. Read-only: must not
//! change the list.

use futures::{StreamExt, TryStreamExt};

use blockbind_cli::output::{ListFormat, ListWriter};

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::Failure;

pub(crate) async fn run(
    cli: &Cli,
    format: ListFormat,
    limit: Option<usize>,
) -> Result<u8, Failure> {
    let config = context::config(cli)?;
    let (_, list, _) = context::block_list(cli, &config).await?;
    let stdout = std::io::stdout().lock();
    let mut writer = ListWriter::new(stdout, format).map_err(|e| Failure::other(e.to_string()))?;
    let mut stream = list.blocked().take(limit.unwrap_or(usize::MAX));
    while let Some(user) = stream.try_next().await? {
        if let Err(e) = writer.write(&user) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(0);
            }
            return Err(Failure::other(e.to_string()));
        }
    }
    let (_stdout, _count) = writer.finish().map_err(|e| Failure::other(e.to_string()))?;
    Ok(0)
}
