//! Credentials for the CLI: only from the environment variables the facade reads, or from a
//! credentials file that only its owner can read (mode 0600), never from flags. The
//! environment wins over the file. Nothing here ever prints a value.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use blockbind::Credentials;
use blockbind::credentials::ENV_VARS;

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
        /// What is wrong with it.
        why: String,
    },
    /// A credential was refused by blockbind (empty, control characters).
    #[error(transparent)]
    Invalid(#[from] blockbind::Error),
}

/// Reads `NAME=value` lines (`#` comments, blank lines, optional `export ` and quotes).
fn read_file(path: &Path, explicit: bool) -> Result<HashMap<String, String>, CredentialsError> {
    let shown = path.display().to_string();
    let fail = |why: String| CredentialsError::File {
        path: shown.clone(),
        why,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(HashMap::new());
        }
        Err(e) => return Err(fail(e.to_string())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(fail(format!(
                "is readable by others (mode {mode:o}); run `chmod 600 {shown}`"
            )));
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let mut values = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return Err(fail(format!("line {}: expected NAME=value", i + 1)));
        };
        let name = name.trim();
        if !ENV_VARS.contains(&name) {
            return Err(fail(format!(
                "line {}: unknown name {name:?} (expected one of {})",
                i + 1,
                ENV_VARS.join(", ")
            )));
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        values.insert(name.to_string(), value.to_string());
    }
    Ok(values)
}

/// The environment, over the credentials file.
pub fn load(file: Option<&Path>) -> Result<Credentials, CredentialsError> {
    let (path, explicit) = match file {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_file(), false),
    };
    let from_file = match &path {
        Some(p) => read_file(p, explicit)?,
        None => HashMap::new(),
    };
    Ok(Credentials::from_lookup(|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| from_file.get(name).cloned())
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_and_a_private_one_is_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(
            &path,
            "# mine\nexport TWITCH_CLIENT_ID=\"abc\"\nTWITCH_TOKEN=s3cret\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_file(&path, true).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        assert!(!e.to_string().contains("s3cret"));

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let values = read_file(&path, true).unwrap();
        assert_eq!(values["TWITCH_CLIENT_ID"], "abc");
        assert_eq!(values["TWITCH_TOKEN"], "s3cret");

        std::fs::write(&path, "TWITCH_TOKEN s3cret\n").unwrap();
        let e = read_file(&path, true).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(!e.to_string().contains("s3cret"), "{e}");

        assert!(
            read_file(&dir.path().join("absent"), false)
                .unwrap()
                .is_empty()
        );
        assert!(read_file(&dir.path().join("absent"), true).is_err());
    }
}
