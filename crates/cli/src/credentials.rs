//! Credentials for the CLI: only from the environment variables the facade reads, or from a
//! credentials file that only its owner can read (mode 0600), never from flags. The
//! environment wins over the file. Nothing here ever prints a value, nor a line of the file:
//! errors name the line number only.
//!
//! The file is opened once, without following a symlink, and checked on that handle (a regular
//! file, owned by the user running blockbind, not readable or writable by group or others):
//! nothing can be swapped in between the check and the read. Its syntax, strictly:
//!
//! - blank lines and lines whose first non-blank character is `#` are ignored;
//! - every other line is `NAME=value`, optionally after `export `; NAME is one of the variables
//!   the specs name ([`ENV_VARS`]), each at most once;
//! - a value is either quoted, in matching `"..."` or `'...'` (the quotes are stripped; nothing is
//!   escaped inside), or unquoted, ending at the first blank; after it only blanks may follow, or
//!   blanks then a `# comment` (so `NAME=v#x` is the value `v#x`, as in a shell);
//! - an empty value (`NAME=`) leaves the variable unset.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use blockbind::Credentials;
use blockbind::credentials::{ENV_VARS, X_ACCESS_TOKEN};

/// A credentials file larger than this is refused (a full file is a few hundred bytes).
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Where the credentials file is looked for when `--credentials-file` is not given.
pub fn default_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("blockbind").join("credentials"))
}

/// Why the credentials could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The credentials file is unreadable, malformed or readable by others.
    #[error("credentials file {path}: {why}")]
    File {
        /// The file, as shown to the user.
        path: String,
        /// What is wrong with it (never a value or a line of it).
        why: String,
    },
    /// A credential was refused by blockbind (empty, control characters).
    #[error(transparent)]
    Invalid(#[from] blockbind::Error),
}

/// The credentials, and what they say of the acting account without asking the platform.
#[derive(Clone)]
pub struct Loaded {
    /// The credentials for the facade.
    pub credentials: Credentials,
    /// The user ID an X OAuth 1.0a access token names: X issues them as `<user id>-<random>`
    /// (see [`oauth1_token_user`]). `None` without such a token.
    pub x_oauth1_user: Option<String>,
}

/// The user ID at the head of an X OAuth 1.0a access token (`370773112-GmHx...`: X's access
/// tokens begin with the ID of the user who authorized them and a `-`), or `None` when the token
/// is not of that form. The ID is public; the rest of the token is never looked at.
pub fn oauth1_token_user(token: &str) -> Option<String> {
    let (id, rest) = token.split_once('-')?;
    let valid = !id.is_empty()
        && id.len() <= 19
        && id.bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty();
    valid.then(|| id.to_string())
}

/// Opens `path` once, without following a symlink, and reads it after checking the handle.
/// `Ok(None)`: it does not exist and was not asked for by name.
fn read_private(path: &Path, explicit: bool, shown: &str) -> Result<Option<String>, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(
                "is a symbolic link; it is not followed: point --credentials-file at the file itself"
                    .into(),
            );
        }
        Err(e) => return Err(e.to_string()),
    };
    check_handle(&file, shown)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("is larger than {MAX_FILE_BYTES} bytes"));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "is not UTF-8 text".into())
}

/// The open file is a regular file of the current user that no one else can read or write.
fn check_handle(file: &File, shown: &str) -> Result<(), String> {
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("is not a regular file".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "is readable or writable by others (mode {mode:o}); run `chmod 600 {shown}`"
            ));
        }
        let me = rustix::process::geteuid().as_raw();
        if metadata.uid() != me {
            return Err(format!(
                "belongs to user {} and not to you (user {me}); only your own file is read",
                metadata.uid()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = shown;
    Ok(())
}

/// One line's value: the text after `=`, quoted or not, with at most blanks and a comment after.
fn value_of(raw: &str) -> Result<&str, &'static str> {
    let raw = raw.trim_start();
    let (value, rest) = match raw.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &raw[1..];
            let Some(end) = inner.find(quote) else {
                return Err("the opening quote has no closing quote");
            };
            (&inner[..end], &inner[end + 1..])
        }
        _ => {
            let end = raw.find(char::is_whitespace).unwrap_or(raw.len());
            (&raw[..end], &raw[end..])
        }
    };
    let quoted = raw.starts_with(['"', '\'']);
    let after = rest.trim_start();
    let blank_before = rest.len() > after.len();
    if !(after.is_empty() || (after.starts_with('#') && blank_before)) {
        return Err(if quoted {
            "text after the closing quote (only a `# comment` may follow)"
        } else {
            "a value with blanks must be quoted; only a `# comment` may follow a value"
        });
    }
    Ok(value)
}

/// Parses the file's text (see the module's doc for the syntax).
fn parse(text: &str) -> Result<HashMap<String, String>, String> {
    let mut values = HashMap::new();
    let mut seen: HashMap<&'static str, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, raw)) = line.split_once('=') else {
            return Err(format!("line {n}: expected NAME=value"));
        };
        // The name is not echoed: a pasted token has no `NAME`, and its text would be shown.
        let Some(name) = ENV_VARS.iter().copied().find(|v| *v == name.trim()) else {
            return Err(format!(
                "line {n}: not a credential name (expected one of {})",
                ENV_VARS.join(", ")
            ));
        };
        if let Some(first) = seen.insert(name, n) {
            return Err(format!(
                "line {n}: {name} is set again (first on line {first}); keep one"
            ));
        }
        let value = value_of(raw).map_err(|why| format!("line {n}: {why}"))?;
        if !value.is_empty() {
            values.insert(name.to_string(), value.to_string());
        }
    }
    Ok(values)
}

/// Reads the credentials file's variables.
fn read_file(path: &Path, explicit: bool) -> Result<HashMap<String, String>, CredentialsError> {
    let shown = path.display().to_string();
    let fail = |why: String| CredentialsError::File {
        path: shown.clone(),
        why,
    };
    match read_private(path, explicit, &shown).map_err(&fail)? {
        Some(text) => parse(&text).map_err(fail),
        None => Ok(HashMap::new()),
    }
}

/// The environment, over the credentials file.
pub fn load(file: Option<&Path>) -> Result<Loaded, CredentialsError> {
    let (path, explicit) = match file {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_file(), false),
    };
    let from_file = match &path {
        Some(p) => read_file(p, explicit)?,
        None => HashMap::new(),
    };
    let lookup = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| from_file.get(name).cloned())
    };
    Ok(Loaded {
        credentials: Credentials::from_lookup(lookup)?,
        x_oauth1_user: lookup(X_ACCESS_TOKEN).and_then(|t| oauth1_token_user(&t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cretTOKENvalue";

    fn private_file(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("credentials");
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        path
    }

    /// The error for `text`, checked to name a line and never the secret.
    fn refused(text: &str, line: usize) -> String {
        let dir = tempfile::tempdir().unwrap();
        let e = read_file(&private_file(dir.path(), text), true)
            .expect_err(text)
            .to_string();
        assert!(e.contains(&format!("line {line}:")), "{text:?}: {e}");
        assert!(!e.contains(SECRET), "{text:?}: the value is shown: {e}");
        assert!(
            !e.contains("s3cret"),
            "{text:?}: part of the value is shown: {e}"
        );
        e
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_and_a_private_one_is_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = private_file(
            dir.path(),
            "# mine\nexport TWITCH_CLIENT_ID=\"abc\"\nTWITCH_TOKEN=s3cret\n",
        );
        for mode in [0o644, 0o640, 0o620, 0o602] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = read_file(&path, true).unwrap_err();
            assert!(e.to_string().contains("chmod 600"), "{mode:o}: {e}");
            assert!(!e.to_string().contains("s3cret"));
        }

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let values = read_file(&path, true).unwrap();
        assert_eq!(values["TWITCH_CLIENT_ID"], "abc");
        assert_eq!(values["TWITCH_TOKEN"], "s3cret");

        assert!(
            read_file(&dir.path().join("absent"), false)
                .unwrap()
                .is_empty()
        );
        assert!(read_file(&dir.path().join("absent"), true).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_not_followed_even_to_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = private_file(dir.path(), &format!("TWITCH_TOKEN={SECRET}\n"));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = read_file(&link, true).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
        // Not found through a dangling link either, even when not asked for by name.
        std::fs::remove_file(&real).unwrap();
        assert!(read_file(&link, false).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_of_another_user_is_refused() {
        // Giving a file away takes root; elsewhere there is nothing to check.
        if rustix::process::geteuid().as_raw() != 0 {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = private_file(dir.path(), &format!("TWITCH_TOKEN={SECRET}\n"));
        std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
        let e = read_file(&path, true).unwrap_err().to_string();
        assert!(e.contains("belongs to user 65534"), "{e}");
        assert!(!e.contains(SECRET), "{e}");
    }

    #[test]
    fn quotes_are_matched_and_stripped_and_a_comment_may_follow_a_value() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "TWITCH_TOKEN=\"{SECRET}\" # the bot's token\n\
             TWITCH_CLIENT_ID='cl#id'\n\
             X_OAUTH2_TOKEN=plain#not-a-comment   # a comment\n\
             export X_CONSUMER_KEY = ck \n\
             X_CONSUMER_SECRET=\n"
        );
        let values = read_file(&private_file(dir.path(), &text), true).unwrap();
        assert_eq!(values["TWITCH_TOKEN"], SECRET);
        assert_eq!(values["TWITCH_CLIENT_ID"], "cl#id");
        assert_eq!(values["X_OAUTH2_TOKEN"], "plain#not-a-comment");
        assert_eq!(values["X_CONSUMER_KEY"], "ck");
        assert!(!values.contains_key("X_CONSUMER_SECRET"), "empty is unset");
    }

    #[test]
    fn malformed_lines_are_refused_by_number_without_their_text() {
        refused(&format!("# ok\nTWITCH_TOKEN=\"{SECRET}\n"), 2);
        refused(&format!("TWITCH_TOKEN='{SECRET}\"\n"), 1);
        refused(&format!("TWITCH_TOKEN=\"{SECRET}\"trailing\n"), 1);
        refused(&format!("TWITCH_TOKEN=\"{SECRET}\" more\n"), 1);
        refused(&format!("TWITCH_TOKEN={SECRET} more\n"), 1);
        refused(&format!("\nTWITCH_TOKEN {SECRET}\n"), 2);
        let dup = refused(
            &format!("TWITCH_TOKEN=a\nTWITCH_CLIENT_ID=b\nTWITCH_TOKEN={SECRET}\n"),
            3,
        );
        assert!(dup.contains("first on line 1"), "{dup}");
    }

    #[test]
    fn a_pasted_token_line_or_unknown_name_is_refused_without_echoing_it() {
        let e = refused(&format!("TWITCH_CLIENT_ID=x\n{SECRET}=rest-of-it\n"), 2);
        assert!(!e.contains("rest-of-it"), "{e}");
        let e = refused(&format!("token={SECRET}\n"), 1);
        assert!(!e.contains("token"), "{e}");
        assert!(e.contains("TWITCH_TOKEN"), "names the expected names: {e}");
    }

    #[test]
    fn an_oauth1_access_token_names_its_user() {
        assert_eq!(
            oauth1_token_user("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb").as_deref(),
            Some("370773112")
        );
        for bad in [
            "",
            "-abc",
            "12-",
            "abc-def",
            "12345678901234567890-x",
            "123",
        ] {
            assert_eq!(oauth1_token_user(bad), None, "{bad:?}");
        }
    }
}
