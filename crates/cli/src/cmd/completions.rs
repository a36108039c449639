//! `blockbind completions SHELL`: shell completions on stdout. Reads no credentials.

use clap::CommandFactory;

use crate::args::Cli;
use crate::exit::Failure;

pub(crate) fn run(shell: clap_complete::Shell) -> Result<u8, Failure> {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "blockbind",
        &mut std::io::stdout(),
    );
    Ok(0)
}
