//! `blockbind list`: the block list on stdout, as a table, CSV, JSON or JSON Lines. Read-only:
//! must not change the list, and must not leave output a tool cannot read: `json` is printed
//! whole or not at all; the line formats stream, and every line they print is complete.

use std::io::Write;

use futures::{FutureExt, Stream, StreamExt, TryStreamExt};

use blockbind::BlockedUser;
use blockbind_cli::output::{ListFormat, ListWriter};

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::Failure;

/// Why printing stopped before the end of the list.
enum Stopped {
    /// Reading the list failed (a later page, say).
    Listing(blockbind::Error),
    /// Writing stdout failed.
    Output(std::io::Error),
}

impl From<std::io::Error> for Stopped {
    fn from(e: std::io::Error) -> Self {
        Stopped::Output(e)
    }
}

pub(crate) async fn run(
    cli: &Cli,
    format: ListFormat,
    limit: Option<usize>,
) -> Result<u8, Failure> {
    let session = context::config(cli)?;
    let (_, list, _) = context::block_list(cli, &session).await?;
    let users = list
        .blocked_with(context::page_options(cli))
        .take(limit.unwrap_or(usize::MAX));
    let printed = if format.is_whole() {
        print_whole(users, format).await
    } else {
        print_streamed(users, format).await
    };
    match printed {
        Ok(()) => Ok(0),
        Err(Stopped::Listing(e)) => Err(e.into()),
        // The reader went away (`| head`): what it wanted it has.
        Err(Stopped::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(Stopped::Output(e)) => Err(Failure::other(format!("cannot write stdout: {e}"))),
    }
}

/// Reads the whole list, then prints it in one write: a JSON array cut off by a failed page
/// would not parse, so a failure leaves stdout empty. Holds the serialized list (about 150
/// bytes a user) until then; `jsonl` is the format that streams.
async fn print_whole(
    mut users: impl Stream<Item = Result<BlockedUser, blockbind::Error>> + Unpin,
    format: ListFormat,
) -> Result<(), Stopped> {
    let mut writer = ListWriter::new(Vec::new(), format)?;
    while let Some(user) = users.try_next().await.map_err(Stopped::Listing)? {
        writer.write(&user)?;
    }
    let (bytes, _count) = writer.finish()?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&bytes)?;
    stdout.flush()?;
    Ok(())
}

/// Prints each user as it comes, flushing whenever the next one is not in yet (at the end of
/// each page), so a reader sees a page as soon as it arrives and only ever whole lines. A
/// failed page stops the output after the last complete line.
async fn print_streamed(
    mut users: impl Stream<Item = Result<BlockedUser, blockbind::Error>> + Unpin,
    format: ListFormat,
) -> Result<(), Stopped> {
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut writer = ListWriter::new(stdout, format)?;
    loop {
        let next = match users.try_next().now_or_never() {
            Some(next) => next,
            None => {
                writer.flush()?;
                users.try_next().await
            }
        };
        match next {
            Ok(Some(user)) => writer.write(&user)?,
            Ok(None) => break,
            Err(e) => {
                // What was printed stays printed (each line complete); the error goes to stderr.
                let _ = writer.flush();
                return Err(Stopped::Listing(e));
            }
        }
    }
    writer.finish()?;
    Ok(())
}
