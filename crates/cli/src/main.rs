//! `blockbind`: list, export, import, diff, block and unblock on Twitch (Helix, Kraken v5/v2)
//! and X (v2, v1.1) at the rate the platform allows, resumably. Built on the `blockbind` facade;
//! it must not talk to an API any other way. This file only parses, sets up tracing and
//! dispatches; each command lives in `cmd/`.

mod args;
mod cmd;
mod exit;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::exit::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(exit::clap_code(&e));
        }
    };
    if cli.verbose > 0 {
        init_tracing(cli.verbose);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("blockbind: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // A stored sign-in whose refresh token was refused: only a new sign-in helps (exit 3).
    let relogin = cmd::context::login_required();
    match outcome {
        Ok(code) => match relogin {
            Some(note) if code != exit::SUCCESS => {
                eprintln!("blockbind: {note}");
                ExitCode::from(exit::AUTH)
            }
            _ => ExitCode::from(code),
        },
        Err(f) => {
            // The message may carry what a server said: no control character reaches the terminal.
            eprintln!(
                "blockbind: {}",
                blockbind_cli::output::terminal_safe_lines(&f.message)
            );
            if let Some(hint) = cmd::context::scope_hint(&f.message) {
                eprintln!("blockbind: {hint}");
            }
            match relogin {
                Some(note) => {
                    eprintln!("blockbind: {note}");
                    ExitCode::from(exit::AUTH)
                }
                None => ExitCode::from(f.code),
            }
        }
    }
}

/// Tracing on stderr: -v debug, -vv trace.
fn init_tracing(verbose: u8) {
    let level = if verbose > 1 { "trace" } else { "debug" };
    // Each request's span is printed when it closes: API, operation, method, path, status,
    // attempts, rate-limit remaining and time taken (credentials are never span fields).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "blockbind={level},blockbind_runtime={level}"
        )))
        .init();
}

/// Runs the command; the exit code, or the failure to report.
async fn run(cli: Cli) -> Result<u8, Failure> {
    let talks_to_an_api = !matches!(
        cli.command,
        Command::Completions { .. } | Command::Man { .. } | Command::Auth { .. }
    ) && !is_mock(&cli.command);
    if talks_to_an_api && let Some(warning) = cmd::context::legacy_warning(&cli) {
        // Once, before any request: the command still runs (an archive may answer).
        eprintln!("blockbind: {warning}");
    }
    match &cli.command {
        Command::Completions { shell } => cmd::completions::run(*shell),
        Command::Auth { action } => cmd::auth::run(&cli, action).await,
        Command::Man { dir } => cmd::man::run(dir.as_deref()),
        #[cfg(feature = "mock")]
        Command::Mock { mock } => cmd::mock::run(mock).await,
        Command::List { format, limit } => cmd::list::run(&cli, *format, *limit).await,
        Command::Block { targets, flags } => {
            cmd::block::run(&cli, targets, Some((*flags).into())).await
        }
        Command::Unblock { targets } => cmd::block::run(&cli, targets, None).await,
        Command::Export { file, format } => cmd::export::run(&cli, file, *format).await,
        Command::Diff { file, format, only } => cmd::diff::run(&cli, file, *format, *only).await,
        Command::Undo {
            from,
            journal,
            concurrency,
            dry_run,
            include_unknown,
        } => {
            let args = cmd::undo::UndoArgs {
                from,
                journal: journal.as_deref(),
                concurrency: *concurrency,
                dry_run: *dry_run,
                include_unknown: *include_unknown,
            };
            cmd::undo::run(&cli, args).await
        }
        Command::Import {
            file,
            bulk,
            unblock,
            journal,
            concurrency,
            dry_run,
            flags,
            age,
        } => {
            let args = cmd::import::ImportArgs {
                file,
                bulk,
                journal: journal.as_deref(),
                unblock: *unblock,
                concurrency: *concurrency,
                dry_run: *dry_run,
                flags: *flags,
                age: *age,
            };
            cmd::import::run(&cli, args).await
        }
    }
}

#[cfg(feature = "mock")]
fn is_mock(command: &Command) -> bool {
    matches!(command, Command::Mock { .. })
}

#[cfg(not(feature = "mock"))]
fn is_mock(_: &Command) -> bool {
    false
}
