//! Project tasks for blockbind: `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `generate [--check] [-p API]...`: regenerate the client crates from `specs/`.
//! - `lint`: run Spectral's `spectral:oas` ruleset over `specs/`, installing Spectral if missing.
//! - `bench [--quick] [--only NAME]... [--write]`: the benchmarks of BENCHMARKS.md, against
//!   baselines; `--write` puts their tables into the file between its `bench:NAME` markers.
//! - `dist [--debug]`: the CLI's binary, man pages and shell completions in `target/dist/`.
//!
//! The xtask is the only writer of `crates/*/src/generated.rs`, `crates/*/Cargo.toml` and
//! `crates/*/README.md` of the generated crates, of `crates/registry/specs/` and of the marked
//! blocks of the root `Cargo.toml` and `README.md`; it must not touch hand-written files except
//! to create a missing `lib.rs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod bench;
mod dist;
mod generate;
mod lean_requests;
mod lint;
mod open_types;
mod pagination;
mod readme;
mod registry;
mod runtime_wiring;
mod simple_patterns;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "blockbind project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the client crates from specs/ with progenitor.
    Generate {
        /// Regenerate in memory only; fail naming each crate whose files are stale.
        #[arg(long)]
        check: bool,
        /// Only this API (crate directory such as `x-v2`, or spec name such as `x-v1.1`).
        #[arg(short = 'p', long = "package")]
        only: Vec<String>,
    },
    /// Lint every spec with Spectral (`spectral:oas`), installing it under .tools/ if missing.
    Lint,
    /// Run the benchmarks of BENCHMARKS.md (each against a baseline measured in the same run).
    Bench {
        /// Smaller sizes and fewer runs (a smoke run, not the published figures).
        #[arg(long)]
        quick: bool,
        /// Only these benches (repeat the flag for more than one).
        #[arg(long, value_parser = bench::BENCHES)]
        only: Vec<String>,
        /// Also replace each bench's section of BENCHMARKS.md (between `<!-- BEGIN bench:NAME -->`
        /// and `<!-- END bench:NAME -->`) with its table; refuses before measuring if a marker is
        /// missing. The tables are always saved as target/bench/NAME.md.
        #[arg(long)]
        write: bool,
    },
    /// Build the CLI and put it, its man pages and its shell completions (all from its clap
    /// model) into target/dist/.
    Dist {
        /// Build the debug profile instead of release (quicker, to try the task).
        #[arg(long)]
        debug: bool,
    },
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits one level below the workspace root")
        .to_path_buf()
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let root = workspace_root();
    match cli.task {
        Task::Generate { check, only } => {
            let crates = generate::generate_all(&root, &only)?;
            let shared = generate::shared(&root)?;
            if check {
                let stale = generate::stale(&root, &crates);
                let stale_shared = generate::stale_shared(&root, &shared);
                if stale.is_empty() && stale_shared.is_empty() {
                    println!(
                        "generated code is fresh ({} crates with their READMEs, the registry and its spec copies, the facade glue and feature docs)",
                        crates.len()
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                for (krate, files) in &stale {
                    let files: Vec<String> =
                        files.iter().map(|f| f.display().to_string()).collect();
                    eprintln!("stale: crates/{krate} ({})", files.join(", "));
                }
                for file in &stale_shared {
                    eprintln!("stale: {}", file.display());
                }
                eprintln!("run `cargo xtask generate` and commit the result");
                return Ok(ExitCode::FAILURE);
            }
            let mut written = generate::write(&root, &crates)?;
            written.extend(generate::write_shared(&root, &shared)?);
            for c in &crates {
                println!("{} -> crates/{}", c.spec.rel_path, c.crate_dir);
            }
            if written.is_empty() {
                println!("nothing changed");
            } else {
                for path in written {
                    println!("wrote {}", path.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Task::Lint => lint::run(&root),
        Task::Bench { quick, only, write } => {
            let command = bench::command_line(std::env::args().skip(1));
            let options = bench::Options {
                only,
                quick,
                write,
                command,
            };
            bench::run(&root, &options)?;
            Ok(ExitCode::SUCCESS)
        }
        Task::Dist { debug } => {
            dist::run(&root, debug)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
