//! `blockbind export FILE`: the whole block list to a temporary file beside FILE, then renamed
//! over it. Read-only on the API side; must never leave a half-written FILE.

use std::path::Path;

use futures::TryStreamExt;

use blockbind::BlockList;
use blockbind_cli::output::{FileFormat, ListWriter};

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::{Failure, io_failure};

pub(crate) async fn run(cli: &Cli, file: &Path, format: Option<FileFormat>) -> Result<u8, Failure> {
    let session = context::config(cli)?;
    let (_, list, _) = context::block_list(cli, &session).await?;
    export(&*list, file, format, cli.quiet, context::page_options(cli)).await
}

async fn export(
    list: &dyn BlockList,
    file: &Path,
    format: Option<FileFormat>,
    quiet: bool,
    pages: blockbind::PageOptions,
) -> Result<u8, Failure> {
    let format = format.unwrap_or_else(|| FileFormat::of_path(file));
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| io_failure("cannot write in", dir, e))?;
    let out = std::io::BufWriter::new(tmp);
    let mut writer =
        ListWriter::new(out, format.into()).map_err(|e| io_failure("cannot write", file, e))?;
    let mut stream = list.blocked_with(pages);
    while let Some(user) = stream.try_next().await? {
        writer
            .write(&user)
            .map_err(|e| io_failure("cannot write", file, e))?;
    }
    let (out, count) = writer
        .finish()
        .map_err(|e| io_failure("cannot write", file, e))?;
    let tmp = out
        .into_inner()
        .map_err(|e| io_failure("cannot write", file, e.into_error()))?;
    tmp.persist(file)
        .map_err(|e| io_failure("cannot write", file, e.error))?;
    if !quiet {
        eprintln!("exported {count} blocked users to {}", file.display());
    }
    Ok(0)
}
