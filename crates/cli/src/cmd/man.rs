//! `blockbind man [--dir DIR]`: the man pages, rendered from the same clap model as `--help` and
//! the completions, so the three cannot disagree. Reads no credentials. `cargo xtask dist` calls
//! it to place the pages beside the binary.

use std::path::Path;

use clap::CommandFactory;

use crate::args::Cli;
use crate::exit::{Failure, io_failure};

pub(crate) fn run(dir: Option<&Path>) -> Result<u8, Failure> {
    let command = Cli::command();
    match dir {
        None => clap_mangen::Man::new(command)
            .render(&mut std::io::stdout())
            .map_err(|e| Failure::other(format!("writing the man page: {e}")))?,
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| io_failure("creating", dir, e))?;
            clap_mangen::generate_to(command, dir).map_err(|e| io_failure("writing to", dir, e))?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn man_dir_gets_a_page_for_the_command_and_each_subcommand_with_the_exit_codes() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(super::run(Some(dir.path())).unwrap(), 0);
        for page in [
            "blockbind.1",
            "blockbind-list.1",
            "blockbind-import.1",
            "blockbind-man.1",
        ] {
            assert!(dir.path().join(page).is_file(), "no {page}");
        }
        let main = std::fs::read_to_string(dir.path().join("blockbind.1")).unwrap();
        assert!(main.contains(".SH SUBCOMMANDS"), "{main}");
        assert!(main.contains("Exit codes"), "{main}");
    }
}
