//! `blockbind diff FILE`: entries in FILE not blocked (`+`), undecidable (`?`), and blocked
//! users not in FILE (`-`). Read-only: must not change the list.

use std::collections::HashSet;
use std::path::Path;

use blockbind::BlockList;
use blockbind_cli::import::Current;
use blockbind_cli::input;
use blockbind_cli::output::terminal_safe;

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::Failure;

pub(crate) async fn run(cli: &Cli, file: &Path) -> Result<u8, Failure> {
    let parsed = context::read_input(file)?;
    // Diff has no direction: chat commands of either are listed.
    context::check_input(cli, &parsed, parsed.commands.unblock.is_some())?;
    let session = context::config(cli)?;
    let (_, list, _) = context::block_list(cli, &session).await?;
    diff(&*list, &parsed, context::page_options(cli)).await
}

async fn diff(
    list: &dyn BlockList,
    parsed: &input::Parsed,
    pages: blockbind::PageOptions,
) -> Result<u8, Failure> {
    for bad in &parsed.bad {
        eprintln!("line {}: {}", bad.line, bad.why);
    }
    let current = Current::read(list, pages).await?;
    let mut missing = 0;
    for entry in &parsed.entries {
        let blocked = current.blocks(entry);
        if blocked == Some(true) {
            continue;
        }
        if blocked == Some(false) {
            missing += 1;
            println!(
                "+ {} (line {}): in the file, not blocked",
                entry.target, entry.line
            );
        } else {
            println!(
                "? {} (line {}): this API lists IDs only",
                entry.target, entry.line
            );
        }
    }
    let in_file: HashSet<String> = parsed
        .entries
        .iter()
        .flat_map(|e| [Some(&e.target), e.also.as_ref()])
        .flatten()
        .map(|t| t.as_str().to_ascii_lowercase())
        .collect();
    let mut extra = 0;
    for user in &current.users {
        let named = in_file.contains(&user.id)
            || user
                .login
                .as_ref()
                .is_some_and(|l| in_file.contains(&l.to_ascii_lowercase()));
        if !named {
            extra += 1;
            println!(
                "- user ID {} ({}): blocked, not in the file",
                terminal_safe(&user.id),
                terminal_safe(user.login.as_deref().unwrap_or("-"))
            );
        }
    }
    println!("{missing} in the file but not blocked, {extra} blocked but not in the file");
    Ok(if parsed.bad.is_empty() { 0 } else { 1 })
}
