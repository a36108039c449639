//! The import journal: one line per target the platform confirmed, appended the moment the
//! confirmation arrives, so a run killed at any point (even `kill -9`) resumes with nothing lost
//! and nothing confirmed sent again.
//!
//! Format: a header `# blockbind journal v1 <operation> <api> <user>`, then `<kind>:<value>` per
//! confirmed target. Each line goes out in one `write` to a file opened for appending; a line
//! cut short by a crash has no newline: it is cut off on reopening, never completed into a
//! record of a target that was not confirmed (`id:3` cut from `id:33`).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use blockbind::Target;

/// What a journal belongs to; resuming with another operation, API or user is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalKey {
    /// `block` or `unblock`.
    pub operation: &'static str,
    /// The API's name.
    pub api: String,
    /// The acting user whose list it is.
    pub user: String,
}

impl JournalKey {
    fn header(&self) -> String {
        format!(
            "# blockbind journal v1 {} {} {}\n",
            self.operation, self.api, self.user
        )
    }
}

/// An open journal: the targets already confirmed, and the file new confirmations go to.
pub struct Journal {
    path: PathBuf,
    file: File,
    done: HashSet<Target>,
}

/// Why a journal could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing the file failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file's header names another operation, API or user.
    #[error(
        "journal {path} belongs to another run ({found}); use another --journal path or delete it"
    )]
    Mismatch {
        /// The journal file.
        path: String,
        /// The header it has.
        found: String,
    },
}

/// How a target is written in the journal: `id:<id>` or `login:<lowercased login>`.
pub fn key_of(target: &Target) -> String {
    match target {
        Target::Id(id) => format!("id:{id}"),
        Target::Login(login) => format!("login:{}", login.to_ascii_lowercase()),
    }
}

impl Journal {
    /// Opens `path`, reading what an earlier run confirmed, or starts it.
    pub fn open(path: &Path, key: &JournalKey) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io)?;
        let header = key.header();
        let mut done = HashSet::new();
        // Only complete lines count: drop whatever a crash left after the last newline.
        let complete = match text.rfind('\n') {
            Some(end) => end + 1,
            None => 0,
        };
        if complete < text.len() {
            file.set_len(complete as u64).map_err(io)?;
            text.truncate(complete);
        }
        if text.is_empty() {
            file.write_all(header.as_bytes()).map_err(io)?;
        } else {
            let first = text.lines().next().unwrap_or("");
            if format!("{first}\n") != header {
                return Err(JournalError::Mismatch {
                    path: path.display().to_string(),
                    found: first
                        .trim_start_matches("# blockbind journal v1 ")
                        .to_string(),
                });
            }
            for line in text.lines().skip(1) {
                let target = match line.split_once(':') {
                    Some(("id", id)) => Target::id(id).ok(),
                    Some(("login", login)) => Target::login(login).ok(),
                    _ => None,
                };
                if let Some(t) = target {
                    done.insert(normalized(t));
                }
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            done,
        })
    }

    /// Whether an earlier run (or this one) confirmed `target`.
    pub fn is_done(&self, target: &Target) -> bool {
        self.done.contains(&normalized(target.clone()))
    }

    /// How many targets are confirmed.
    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    /// Records a confirmed target (one `write` of one line).
    pub fn confirm(&mut self, target: &Target) -> Result<(), JournalError> {
        let line = format!("{}\n", key_of(target));
        self.file
            .write_all(line.as_bytes())
            .map_err(|source| JournalError::Io {
                path: self.path.display().to_string(),
                source,
            })?;
        self.done.insert(normalized(target.clone()));
        Ok(())
    }

    /// Flushes to disk (the end of a run; each line is already with the OS when written).
    pub fn sync(&self) -> Result<(), JournalError> {
        self.file.sync_all().map_err(|source| JournalError::Io {
            path: self.path.display().to_string(),
            source,
        })
    }
}

fn normalized(target: Target) -> Target {
    match target {
        Target::Login(l) => Target::Login(l.to_ascii_lowercase()),
        id => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> JournalKey {
        JournalKey {
            operation: "block",
            api: "twitch-helix".into(),
            user: "141981764".into(),
        }
    }

    #[test]
    fn a_journal_resumes_with_every_complete_line_and_ignores_a_cut_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut j = Journal::open(&path, &key()).unwrap();
        j.confirm(&Target::Id("1".into())).unwrap();
        j.confirm(&Target::Login("Bob".into())).unwrap();
        drop(j);
        // A crash in the middle of writing `id:33`: only `id:3` reached the file.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"id:3").unwrap();
        drop(f);

        let mut j = Journal::open(&path, &key()).unwrap();
        assert_eq!(j.done_count(), 2);
        assert!(j.is_done(&Target::Id("1".into())));
        assert!(j.is_done(&Target::Login("bob".into())));
        assert!(!j.is_done(&Target::Id("33".into())));
        assert!(
            !j.is_done(&Target::Id("3".into())),
            "a cut line is no record"
        );
        j.confirm(&Target::Id("33".into())).unwrap();
        drop(j);
        let j = Journal::open(&path, &key()).unwrap();
        assert_eq!(j.done_count(), 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("id:1\nlogin:bob\nid:33\n"), "{text:?}");
    }

    #[test]
    fn a_journal_of_another_run_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        Journal::open(&path, &key()).unwrap();
        let other = JournalKey {
            operation: "unblock",
            ..key()
        };
        let e = Journal::open(&path, &other).err().unwrap();
        assert!(
            e.to_string()
                .contains("belongs to another run (block twitch-helix 141981764)"),
            "{e}"
        );
    }
}
