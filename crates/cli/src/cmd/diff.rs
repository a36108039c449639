//! `blockbind diff FILE`: entries in FILE not blocked (`+`), undecidable (`?`), and blocked
//! users not in FILE (`-`); or, with `--format`, one side written as `import` reads it. Read-only:
//! must not change the list.

use std::io::Write;
use std::path::Path;

use blockbind::{BlockedUser, Target};
use blockbind_cli::import::Current;
use blockbind_cli::input;
use blockbind_cli::output::terminal_safe;

use crate::args::Cli;
use crate::cmd::context;
use crate::exit::{Failure, io_failure};

/// How `diff --format` writes its side: each a format `import` reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// One ID (or login, when that is all there is) a line.
    Lines,
    /// `id,login` with a header.
    Csv,
    /// An array of `{"id": ..., "login": ...}`.
    Json,
}

/// Which side of the diff `--format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffSide {
    /// In the file, not blocked (what `import` would block); includes entries the list cannot
    /// tell about (a login on an ID-only list): blocking is idempotent.
    Missing,
    /// Blocked, not in the file (what `import --unblock` of this output would unblock).
    Extra,
}

pub(crate) async fn run(
    cli: &Cli,
    file: &Path,
    format: Option<DiffFormat>,
    only: Option<DiffSide>,
) -> Result<u8, Failure> {
    let parsed = context::read_input(file)?;
    // Diff has no direction: chat commands of either are listed.
    context::check_input(cli, &parsed, parsed.commands.unblock.is_some())?;
    let session = context::config(cli)?;
    let (_, list, _) = context::block_list(cli, &session).await?;
    for bad in &parsed.bad {
        eprintln!("line {}: {}", bad.line, terminal_safe(&bad.why));
    }
    // Every name in the file is asked about; listed users matching none are the `-` side.
    let current = Current::asking(blockbind_cli::import::names(parsed.entries.iter()), |_| {
        false
    })
    .keep_others()
    .read(&*list, context::page_options(cli))
    .await?;
    let sides = Sides::of(&parsed, &current);
    match format {
        None => report(&sides),
        Some(format) => {
            let users: Vec<Named> = match only.unwrap_or(DiffSide::Missing) {
                DiffSide::Missing => sides.missing.iter().map(|(e, _)| named(e)).collect(),
                DiffSide::Extra => sides.extra.iter().filter_map(|u| listed(u)).collect(),
            };
            let mut out = std::io::stdout().lock();
            write(&mut out, format, &users)
                .and_then(|()| out.flush())
                .map_err(|e| io_failure("cannot write", Path::new("standard output"), e))?;
            eprintln!(
                "{} in the file but not blocked, {} blocked but not in the file",
                sides.missing.len(),
                sides.extra.len()
            );
        }
    }
    Ok(if parsed.bad.is_empty() { 0 } else { 1 })
}

/// The two sides of a diff: entries not known blocked (and whether the list could tell), and
/// listed users the file does not name.
struct Sides<'a> {
    missing: Vec<(input::Entry, Option<bool>)>,
    extra: Vec<&'a BlockedUser>,
}

impl<'a> Sides<'a> {
    fn of(parsed: &'a input::Parsed, current: &'a Current) -> Self {
        let missing = parsed
            .entries
            .iter()
            .map(|e| {
                let blocked = current.blocks(&e);
                (e, blocked)
            })
            .filter(|(_, blocked)| *blocked != Some(true))
            .collect();
        let extra = current.others().iter().collect();
        Self { missing, extra }
    }
}

fn report(sides: &Sides<'_>) {
    let mut missing = 0;
    for (entry, blocked) in &sides.missing {
        if *blocked == Some(false) {
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
    for user in &sides.extra {
        println!(
            "- user ID {} ({}): blocked, not in the file",
            terminal_safe(&user.id),
            terminal_safe(user.login.as_deref().unwrap_or("-"))
        );
    }
    println!(
        "{missing} in the file but not blocked, {} blocked but not in the file",
        sides.extra.len()
    );
}

/// A user by ID and login, each when known and valid.
#[derive(Debug, Default, PartialEq, Eq)]
struct Named {
    id: Option<String>,
    login: Option<String>,
}

fn named(entry: &input::Entry) -> Named {
    let mut n = Named::default();
    for t in [Some(&entry.target), entry.also.as_ref()]
        .into_iter()
        .flatten()
    {
        match t {
            Target::Id(id) => n.id = n.id.or(Some(id.clone())),
            Target::Login(l) => n.login = n.login.or(Some(l.clone())),
        }
    }
    n
}

/// A listed user as the platform named them; names that are not valid targets (a server's
/// oddity) are left out, and a user with neither is skipped.
fn listed(user: &BlockedUser) -> Option<Named> {
    let id = Target::id(user.id.clone()).ok().map(|_| user.id.clone());
    let login = user
        .login
        .as_ref()
        .and_then(|l| Target::login(l.clone()).ok().map(|_| l.clone()));
    (id.is_some() || login.is_some()).then_some(Named { id, login })
}

fn write(out: &mut impl Write, format: DiffFormat, users: &[Named]) -> std::io::Result<()> {
    match format {
        DiffFormat::Lines => {
            for u in users {
                match (&u.id, &u.login) {
                    (Some(id), _) => writeln!(out, "{id}")?,
                    // `login:` so that an all-digit login is not read back as an ID.
                    (None, Some(login)) => writeln!(out, "login:{login}")?,
                    (None, None) => {}
                }
            }
        }
        DiffFormat::Csv => {
            // IDs and logins are digits, ASCII letters and `_` (checked): nothing to quote.
            writeln!(out, "id,login")?;
            for u in users {
                let cell = |c: &Option<String>| c.clone().unwrap_or_default();
                writeln!(out, "{},{}", cell(&u.id), cell(&u.login))?;
            }
        }
        DiffFormat::Json => {
            let items: Vec<serde_json::Value> = users
                .iter()
                .map(|u| serde_json::json!({ "id": u.id, "login": u.login }))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &items)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_reads_back_as_the_same_users() {
        let users = vec![
            Named {
                id: Some("12".into()),
                login: Some("jack".into()),
            },
            Named {
                id: None,
                login: Some("1234".into()),
            },
            Named {
                id: Some("783214".into()),
                login: None,
            },
        ];
        for format in [DiffFormat::Lines, DiffFormat::Csv, DiffFormat::Json] {
            let mut out = Vec::new();
            write(&mut out, format, &users).unwrap();
            let parsed = input::parse(&String::from_utf8(out).unwrap());
            assert!(parsed.bad.is_empty(), "{format:?}: {:?}", parsed.bad);
            let back: Vec<Named> = parsed.entries.iter().map(|e| named(&e)).collect();
            if format == DiffFormat::Lines {
                // One name a line: the ID when there is one.
                let ids: Vec<_> = back
                    .iter()
                    .map(|n| (n.id.clone(), n.login.clone()))
                    .collect();
                assert_eq!(
                    ids,
                    [
                        (Some("12".into()), None),
                        (None, Some("1234".into())),
                        (Some("783214".into()), None)
                    ]
                );
            } else {
                assert_eq!(back, users, "{format:?}");
            }
        }
    }
}
