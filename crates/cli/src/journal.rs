//! The import journal: one line per target the platform confirmed, appended the moment the
//! confirmation arrives, so a run killed at any point (even `kill -9`) resumes with nothing lost
//! and nothing confirmed sent again.
//!
//! Format: sections, each a header `# blockbind journal v1 <operation> <api> <account>` followed
//! by `<kind>:<value> prior:<state>` per target confirmed for that key; the file starts with a
//! header. `prior` is the target's state before the run, as far as the run knew it ([`Prior`]):
//! `unblocked` or `blocked` when the list read covered the target, `unknown` when the run sent
//! without a read covering it (`--plan send`, the rest of a list read in part, a login on a list
//! of IDs); the platform answers a block of a blocked user as it answers a new one, so the
//! confirmation alone does not tell. `undo` reverses only what the run is known to have changed.
//! A record without `prior` (every journal written before it was recorded, including by
//! versions that always read the list first) reads as `unknown`: the safe default, since such a
//! record may be of a block the user had before (an X v1.1 login, or an early `--plan send`), and
//! reversing it would lose that block; `undo --include-unknown` reverses those too. Versions
//! without `prior` skip the new lines when resuming (the target is sent again: idempotent). A run
//! counts only the records of sections with its own key, and appends a header of its own when
//! the last section is another key's: an import on the same journal with another account's
//! token (or the other operation) skips nothing. The account is the resolved acting account
//! (asked of the platform where the command line does not say), never a placeholder.
//!
//! What it must not do: change a file it did not write. An existing file that does not start
//! with a journal header is refused untouched; a new journal is created with `create_new` and
//! mode 0600. Each line goes out in one `write` to a file opened for appending; a line cut short
//! by a crash has no newline: it is cut off on reopening (after the header check), never
//! completed into a record of a target that was not confirmed (`id:3` cut from `id:33`).
//!
//! One run at a time: an exclusive advisory lock (`flock`) on a sidecar `<journal>.lock`, which
//! holds the PID of the run holding it, is taken before the journal is looked at and held until
//! the [`Journal`] is dropped. A second run is refused naming that PID. The sidecar is left in
//! place (emptied) at the end: removing a lock file another process may have open lets two runs
//! hold "the" lock at once.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use blockbind::Target;

/// The start of every section header.
const MAGIC: &str = "# blockbind journal v1 ";

/// What a section of a journal belongs to; a run counts only its own key's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalKey {
    /// `block` or `unblock`.
    pub operation: &'static str,
    /// The API's name.
    pub api: String,
    /// The acting account whose list it is (an ID, or a lowercased login on Kraken v2).
    pub user: String,
}

impl JournalKey {
    fn header(&self) -> String {
        format!("{MAGIC}{} {} {}\n", self.operation, self.api, self.user)
    }
}

/// An open, locked journal: the targets already confirmed for its key, and the file new
/// confirmations go to.
pub struct Journal {
    path: PathBuf,
    file: File,
    done: HashSet<Target>,
    // Held for the life of the journal: dropping it releases the lock.
    _lock: RunLock,
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
    /// The file exists and is not a journal: it was left exactly as it was.
    #[error(
        "{path} is not a blockbind journal (it does not start with `{}`); it was left untouched: pass another --journal path",
        MAGIC.trim_end()
    )]
    NotAJournal {
        /// The file.
        path: String,
    },
    /// Another run holds the journal's lock.
    #[error(
        "journal {path} is in use by {}; wait for it to finish (or stop it) and run again",
        match holder { Some(pid) => format!("process {pid}"), None => "another process".to_string() }
    )]
    Locked {
        /// The journal file.
        path: String,
        /// The PID the lock file names, if it could be read.
        holder: Option<u32>,
    },
    /// The lock file's name is taken by a file blockbind did not write.
    #[error(
        "{path} exists and is not a blockbind lock file (it holds more than a PID); it was left untouched: pass another --journal path"
    )]
    NotALockFile {
        /// The lock file.
        path: String,
    },
}

/// A target's state before the run that journaled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// Blocked before the run (known from the list read, or from the journal undone).
    Blocked,
    /// Not blocked before the run.
    Unblocked,
    /// Not known: sent without a list read covering it (or a record without `prior`).
    Unknown,
}

impl Prior {
    fn as_str(self) -> &'static str {
        match self {
            Prior::Blocked => "blocked",
            Prior::Unblocked => "unblocked",
            Prior::Unknown => "unknown",
        }
    }

    /// The state that `operation` (`block` or `unblock`) changes: `unblocked` for a block.
    pub fn before(operation: &str) -> Self {
        if operation == "block" {
            Prior::Unblocked
        } else {
            Prior::Blocked
        }
    }
}

/// A record line's target and prior state: `id:1 prior:unblocked`; a line without `prior`
/// (journals written before it was recorded), or with a state this version does not know, is
/// `Unknown`. `None` for a line that is not a record.
fn parse_record(line: &str) -> Option<(Target, Prior)> {
    let (target, rest) = match line.split_once(' ') {
        Some((target, rest)) => (target, Some(rest)),
        None => (line, None),
    };
    let target = match target.split_once(':') {
        Some(("id", id)) => Target::id(id).ok()?,
        Some(("login", login)) => Target::login(login).ok()?,
        _ => return None,
    };
    let prior = match rest.and_then(|r| r.strip_prefix("prior:")) {
        Some("blocked") => Prior::Blocked,
        Some("unblocked") => Prior::Unblocked,
        _ => Prior::Unknown,
    };
    Some((normalized(target), prior))
}

/// How a target is written in the journal: `id:<id>` or `login:<lowercased login>`.
pub fn key_of(target: &Target) -> String {
    match target {
        Target::Id(id) => format!("id:{id}"),
        Target::Login(login) => format!("login:{}", login.to_ascii_lowercase()),
    }
}

/// The sidecar lock file of `journal`: `<journal>.lock`.
pub fn lock_path(journal: &Path) -> PathBuf {
    let mut p = journal.as_os_str().to_os_string();
    p.push(".lock");
    PathBuf::from(p)
}

/// Options for the files the journal creates: mode 0600, and a symlink in the journal's place is
/// not followed (opening it fails).
fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options
}

impl Journal {
    /// Locks `path` for this run, then opens it, reading what earlier runs with `key` confirmed,
    /// or creates it (mode 0600). An existing file must start with a journal header; anything
    /// else is refused untouched.
    pub fn open(path: &Path, key: &JournalKey) -> Result<Self, JournalError> {
        let shown = path.display().to_string();
        let io = |source| JournalError::Io {
            path: shown.clone(),
            source,
        };
        let lock = RunLock::acquire(path)?;
        let header = key.header();
        let created =
            private(OpenOptions::new().read(true).append(true).create_new(true)).open(path);
        let mut file = match created {
            Ok(mut file) => {
                file.write_all(header.as_bytes()).map_err(io)?;
                return Ok(Self {
                    path: path.to_path_buf(),
                    file,
                    done: HashSet::new(),
                    _lock: lock,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                private(OpenOptions::new().read(true).append(true))
                    .open(path)
                    .map_err(io)?
            }
            Err(e) => return Err(io(e)),
        };
        // Checked before anything is written or cut: a file that is not ours stays as it is.
        let mut magic = [0u8; MAGIC.len()];
        let is_journal = match file.read_exact(&mut magic) {
            Ok(()) => magic == MAGIC.as_bytes(),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => false,
            Err(e) => return Err(io(e)),
        };
        if !is_journal {
            return Err(JournalError::NotAJournal { path: shown });
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        // Only complete lines count: drop whatever a crash left after the last newline (the
        // first line is a header, complete: the file starts with one and it is written whole).
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if complete < MAGIC.len() {
            return Err(JournalError::NotAJournal { path: shown });
        }
        if complete < bytes.len() {
            file.set_len(complete as u64).map_err(io)?;
            bytes.truncate(complete);
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut done = HashSet::new();
        let mut ours = false;
        let mut last_header = "";
        for line in text.lines() {
            if line.starts_with(MAGIC) {
                ours = format!("{line}\n") == header;
                last_header = line;
                continue;
            }
            if !ours {
                continue;
            }
            if let Some((t, _)) = parse_record(line) {
                done.insert(t);
            }
        }
        if format!("{last_header}\n") != header {
            file.write_all(header.as_bytes()).map_err(io)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            done,
            _lock: lock,
        })
    }

    /// Whether an earlier run (or this one) with this key confirmed `target`.
    pub fn is_done(&self, target: &Target) -> bool {
        self.done.contains(&normalized(target.clone()))
    }

    /// How many targets are confirmed for this key.
    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    /// Records a confirmed target and its state before the run (one `write` of one line).
    pub fn confirm(&mut self, target: &Target, prior: Prior) -> Result<(), JournalError> {
        let line = format!("{} prior:{}\n", key_of(target), prior.as_str());
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

/// One confirmed target of a journal, as read back by [`read`]: its section's key and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `block` or `unblock`.
    pub operation: String,
    /// The API's name.
    pub api: String,
    /// The acting account.
    pub user: String,
    /// The target confirmed.
    pub target: Target,
    /// Its state before the run, as far as the run knew it.
    pub prior: Prior,
    /// Its line in the journal (1-based).
    pub line: usize,
}

/// Every complete record of the journal at `path`, in file order, under the journal's lock (a
/// journal a run is still writing is refused, naming its PID). A file that is not a journal is
/// refused untouched; a line a crash cut short is not a record.
pub fn read(path: &Path) -> Result<Vec<Record>, JournalError> {
    let shown = path.display().to_string();
    let io = |source| JournalError::Io {
        path: shown.clone(),
        source,
    };
    let _lock = RunLock::acquire(path)?;
    let mut file = private(OpenOptions::new().read(true))
        .open(path)
        .map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    if !bytes.starts_with(MAGIC.as_bytes()) {
        return Err(JournalError::NotAJournal { path: shown });
    }
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..complete]);
    let mut records = Vec::new();
    let mut key: Option<(String, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(header) = line.strip_prefix(MAGIC) {
            let mut words = header.split(' ');
            key = match (words.next(), words.next(), words.next(), words.next()) {
                (Some(op), Some(api), Some(user), None) => {
                    Some((op.to_string(), api.to_string(), user.to_string()))
                }
                _ => None,
            };
            continue;
        }
        if let (Some((operation, api, user)), Some((target, prior))) = (&key, parse_record(line)) {
            records.push(Record {
                operation: operation.clone(),
                api: api.clone(),
                user: user.clone(),
                target,
                prior,
                line: i + 1,
            });
        }
    }
    Ok(records)
}

fn normalized(target: Target) -> Target {
    match target {
        Target::Login(l) => Target::Login(l.to_ascii_lowercase()),
        id => id,
    }
}

/// The exclusive lock of one run on a journal: `flock` on `<journal>.lock`, whose content is the
/// holder's PID (emptied when released).
struct RunLock {
    file: File,
}

impl RunLock {
    fn acquire(journal: &Path) -> Result<Self, JournalError> {
        let path = lock_path(journal);
        let shown = path.display().to_string();
        let io = |source| JournalError::Io {
            path: shown.clone(),
            source,
        };
        let mut file = private(OpenOptions::new().read(true).write(true).create(true))
            .open(&path)
            .map_err(io)?;
        let mut text = String::new();
        if let Err(e) = try_lock(&file) {
            if e.kind() != std::io::ErrorKind::WouldBlock {
                return Err(io(e));
            }
            let _ = file.read_to_string(&mut text);
            return Err(JournalError::Locked {
                path: journal.display().to_string(),
                holder: text.trim().parse().ok(),
            });
        }
        // Ours now; before writing, make sure the name was not taken by a file of the user's
        // (a lock file is empty, or the PID of the last run that held it).
        let is_lock_file = file.read_to_string(&mut text).is_ok()
            && text.len() <= 21
            && text
                .trim_end_matches('\n')
                .bytes()
                .all(|b| b.is_ascii_digit());
        if !is_lock_file {
            return Err(JournalError::NotALockFile { path: shown });
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(format!("{}\n", std::process::id()).as_bytes())
            .map_err(io)?;
        Ok(Self { file })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // The PID of a run that is over must not be named; the lock goes with the descriptor.
        let _ = self.file.set_len(0);
    }
}

/// Takes the exclusive lock without waiting (`WouldBlock` when another process holds it).
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<()> {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(std::io::Error::from)
}

/// Without `flock` (std's `File::try_lock` needs Rust 1.89, above the MSRV), no lock is taken.
#[cfg(not(unix))]
fn try_lock(_file: &File) -> std::io::Result<()> {
    Ok(())
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
        j.confirm(&Target::Id("1".into()), Prior::Unblocked)
            .unwrap();
        j.confirm(&Target::Login("Bob".into()), Prior::Unknown)
            .unwrap();
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
        j.confirm(&Target::Id("33".into()), Prior::Blocked).unwrap();
        drop(j);
        let j = Journal::open(&path, &key()).unwrap();
        assert_eq!(j.done_count(), 3);
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            format!(
                "{}id:1 prior:unblocked\nlogin:bob prior:unknown\nid:33 prior:blocked\n",
                key().header()
            ),
            "one header: every run had the same key"
        );
    }

    #[test]
    fn another_key_on_the_same_journal_counts_none_of_the_first_keys_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut j = Journal::open(&path, &key()).unwrap();
        j.confirm(&Target::Id("1".into()), Prior::Unblocked)
            .unwrap();
        drop(j);
        for other in [
            JournalKey {
                user: "12826".into(),
                ..key()
            },
            JournalKey {
                operation: "unblock",
                ..key()
            },
            // The placeholder of journals written before the account was resolved.
            JournalKey {
                user: "-".into(),
                ..key()
            },
        ] {
            let mut j = Journal::open(&path, &other).unwrap();
            assert_eq!(j.done_count(), 0, "{other:?}");
            assert!(!j.is_done(&Target::Id("1".into())), "{other:?}");
            j.confirm(&Target::Id("2".into()), Prior::Unblocked)
                .unwrap();
        }
        let j = Journal::open(&path, &key()).unwrap();
        assert_eq!(j.done_count(), 1, "the first key's records only");
        assert!(j.is_done(&Target::Id("1".into())));
    }

    #[test]
    fn read_gives_every_complete_record_with_its_sections_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut j = Journal::open(&path, &key()).unwrap();
        j.confirm(&Target::Id("1".into()), Prior::Unblocked)
            .unwrap();
        drop(j);
        let other = JournalKey {
            operation: "unblock",
            ..key()
        };
        let mut j = Journal::open(&path, &other).unwrap();
        j.confirm(&Target::Login("Bob".into()), Prior::Unknown)
            .unwrap();
        // Held: a journal in use is not read.
        assert!(matches!(read(&path), Err(JournalError::Locked { .. })));
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"id:3").unwrap();
        drop(f);
        let records = read(&path).unwrap();
        let got: Vec<(&str, &str, Prior, usize)> = records
            .iter()
            .map(|r| (r.operation.as_str(), r.target.as_str(), r.prior, r.line))
            .collect();
        assert_eq!(
            got,
            [
                ("block", "1", Prior::Unblocked, 2),
                ("unblock", "bob", Prior::Unknown, 4)
            ]
        );
        assert!(
            records
                .iter()
                .all(|r| r.api == "twitch-helix" && r.user == "141981764")
        );
        std::fs::write(&path, "not a journal\n").unwrap();
        assert!(matches!(read(&path), Err(JournalError::NotAJournal { .. })));
    }

    #[test]
    fn a_record_without_prior_reads_as_unknown_and_still_counts_as_done() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        // As written before `prior` was recorded, and a state this version does not know.
        std::fs::write(
            &path,
            format!(
                "{}id:1\nid:2 prior:unblocked\nid:3 prior:later\nid:4 prior:blocked\n",
                key().header()
            ),
        )
        .unwrap();
        let priors: Vec<Prior> = read(&path).unwrap().iter().map(|r| r.prior).collect();
        assert_eq!(
            priors,
            [
                Prior::Unknown,
                Prior::Unblocked,
                Prior::Unknown,
                Prior::Blocked
            ]
        );
        let j = Journal::open(&path, &key()).unwrap();
        assert_eq!(j.done_count(), 4, "a resume skips every record");
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused_and_left_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.json");
        for content in [
            &b"{\"my\": \"notes\"}"[..],
            b"",
            b"line one\nline two",
            b"# blockbind journal",
        ] {
            std::fs::write(&path, content).unwrap();
            let e = Journal::open(&path, &key()).err().expect("refused");
            assert!(matches!(e, JournalError::NotAJournal { .. }), "{e}");
            assert!(e.to_string().contains("left untouched"), "{e}");
            assert_eq!(std::fs::read(&path).unwrap(), content);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_journal_and_its_lock_are_private_and_a_second_open_is_refused_naming_the_pid() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let j = Journal::open(&path, &key()).unwrap();
        for p in [path.clone(), lock_path(&path)] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
        // flock is per open file description: a second open in this process conflicts too.
        let e = Journal::open(&path, &key()).err().expect("locked");
        let pid = std::process::id();
        assert!(
            matches!(e, JournalError::Locked { holder: Some(p), .. } if p == pid),
            "{e}"
        );
        assert!(e.to_string().contains(&format!("process {pid}")), "{e}");
        drop(j);
        assert_eq!(std::fs::read(lock_path(&path)).unwrap(), b"");
        Journal::open(&path, &key()).expect("free again");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_in_the_journals_place_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "precious").unwrap();
        let path = dir.path().join("j");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(Journal::open(&path, &key()).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    }

    #[test]
    fn a_users_file_in_the_lock_files_place_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(lock_path(&path), "my notes\n").unwrap();
        let e = Journal::open(&path, &key()).err().expect("refused");
        assert!(matches!(e, JournalError::NotALockFile { .. }), "{e}");
        assert_eq!(
            std::fs::read_to_string(lock_path(&path)).unwrap(),
            "my notes\n"
        );
        assert!(!path.exists());
    }
}
