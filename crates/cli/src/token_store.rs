//! Where `blockbind auth login` keeps what it signed in with: one entry per platform and
//! account. What the entry says of the sign-in (platform, account, scopes, expiry, client ID,
//! the origin it signed in at) sits in a file `tokens/<platform>-<account>.json` in the config
//! directory; the tokens themselves go to the OS credential store (`keyring`: service
//! `blockbind`, user `<platform>-<account>`) when it takes them, else into that same file. Every
//! file is written whole to a temporary file and renamed (a refresh never leaves half a
//! token), mode 0600 in a 0700 directory.
//!
//! `BLOCKBIND_CONFIG_DIR` replaces the config directory and `BLOCKBIND_KEYRING=0` leaves the
//! credential store alone (tests use both, so they never touch the user's). Nothing here prints
//! or returns a token in a message; `Debug` shows none.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use blockbind::runtime::oauth2::GrantedToken;
use blockbind::{Platform, UserToken};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

/// The credential store's service name.
const SERVICE: &str = "blockbind";

/// Why the token store failed.
#[derive(Debug, thiserror::Error)]
#[error("token store {path}: {why}")]
pub struct StoreError {
    /// The file or directory concerned.
    pub path: String,
    /// What went wrong (never a token).
    pub why: String,
}

fn err(path: &Path, why: impl fmt::Display) -> StoreError {
    StoreError {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

/// Where an entry's tokens are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// The OS credential store.
    Keyring,
    /// The entry's file.
    File,
}

/// What a sign-in left, without its tokens.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The platform the token is for.
    pub platform: Platform,
    /// The user's ID.
    pub account_id: String,
    /// The user's login (Twitch) or username (X).
    pub login: Option<String>,
    /// The app's client ID it was granted to.
    pub client_id: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When the access token expires (Unix seconds), if known.
    pub expires_at: Option<u64>,
    /// The origin it signed in at (`--base-url`, e.g. the mock), `None` for the platform.
    pub origin: Option<String>,
    /// Where its tokens are.
    pub kept: Kept,
}

/// An entry's tokens. `Debug` shows none.
#[derive(Clone)]
pub struct Secret {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token.
    pub refresh_token: Option<SecretString>,
    /// A confidential client's secret.
    pub client_secret: Option<SecretString>,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl Secret {
    fn to_json(&self) -> Value {
        json!({
            "access_token": self.access_token.expose_secret(),
            "refresh_token": self.refresh_token.as_ref().map(|s| s.expose_secret().to_string()),
            "client_secret": self.client_secret.as_ref().map(|s| s.expose_secret().to_string()),
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(|s| SecretString::from(s.to_string()))
        };
        Some(Self {
            access_token: s("access_token")?,
            refresh_token: s("refresh_token"),
            client_secret: s("client_secret"),
        })
    }

    /// What a token endpoint granted, as the facade takes it; `expires_at` gives what is left.
    pub fn grant(&self, entry: &Entry) -> GrantedToken {
        GrantedToken {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_in: entry
                .expires_at
                .map(|at| Duration::from_secs(at.saturating_sub(now()))),
            scopes: entry.scopes.clone(),
        }
    }
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `twitch` or `x`: the file and keyring key's platform part.
pub fn platform_key(platform: Platform) -> &'static str {
    match platform {
        Platform::Twitch => "twitch",
        _ => "x",
    }
}

fn platform_of(key: &str) -> Option<Platform> {
    match key {
        "twitch" => Some(Platform::Twitch),
        "x" => Some(Platform::X),
        _ => None,
    }
}

impl Entry {
    fn key(&self) -> String {
        format!("{}-{}", platform_key(self.platform), self.account_id)
    }

    /// "Twitch user umber11 (600000011)".
    pub fn account(&self) -> String {
        match &self.login {
            Some(login) => format!("{login} ({})", self.account_id),
            None => self.account_id.clone(),
        }
    }
}

/// The token store.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    keyring: bool,
}

impl Store {
    /// The store in `BLOCKBIND_CONFIG_DIR`, else the platform's config directory; the credential
    /// store unless `BLOCKBIND_KEYRING=0`.
    pub fn open() -> Result<Self, StoreError> {
        let dir = match std::env::var_os("BLOCKBIND_CONFIG_DIR").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => directories::ProjectDirs::from("", "", "blockbind")
                .map(|p| p.config_dir().to_path_buf())
                .ok_or_else(|| {
                    err(
                        Path::new("~"),
                        "no home directory to keep tokens in; set BLOCKBIND_CONFIG_DIR",
                    )
                })?,
        };
        let keyring = std::env::var("BLOCKBIND_KEYRING").map_or(true, |v| v != "0");
        Ok(Self { dir, keyring })
    }

    /// A store in `dir`, with or without the credential store.
    pub fn at(dir: impl Into<PathBuf>, keyring: bool) -> Self {
        Self {
            dir: dir.into(),
            keyring,
        }
    }

    fn tokens_dir(&self) -> PathBuf {
        self.dir.join("tokens")
    }

    fn file(&self, entry: &Entry) -> PathBuf {
        self.tokens_dir().join(format!("{}.json", entry.key()))
    }

    /// Where an entry is kept, for `auth status` and messages.
    pub fn describe(&self, entry: &Entry) -> String {
        match entry.kept {
            Kept::Keyring => format!(
                "the OS credential store (service {SERVICE}, entry {}); details in {}",
                entry.key(),
                self.file(entry).display()
            ),
            Kept::File => format!("{} (mode 0600)", self.file(entry).display()),
        }
    }

    /// Every entry, sorted by platform and account; unreadable files are skipped.
    pub fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        let dir = self.tokens_dir();
        let read = match std::fs::read_dir(&dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(err(&dir, e)),
        };
        let mut out = Vec::new();
        for item in read.flatten() {
            let path = item.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            if let Some(entry) = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| entry_of(&v))
            {
                out.push(entry);
            }
        }
        out.sort_by(|a, b| {
            (platform_key(a.platform), &a.account_id)
                .cmp(&(platform_key(b.platform), &b.account_id))
        });
        Ok(out)
    }

    /// The entry's tokens.
    pub fn secret(&self, entry: &Entry) -> Result<Secret, StoreError> {
        let path = self.file(entry);
        let text = match entry.kept {
            Kept::Keyring => {
                keyring_call(|| keyring::Entry::new(SERVICE, &entry.key())?.get_password())
                    .map_err(|e| {
                        err(
                            &path,
                            format!(
                                "the OS credential store did not give the token ({e}); log in again"
                            ),
                        )
                    })?
            }
            Kept::File => {
                let v: Value = std::fs::read(&path)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .ok_or_else(|| err(&path, "unreadable"))?;
                v.get("secret").map(Value::to_string).unwrap_or_default()
            }
        };
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| Secret::from_json(&v))
            .ok_or_else(|| err(&path, "holds no token; log in again"))
    }

    /// Saves `entry` with `secret`: in the credential store when it takes them, else in the
    /// file. Returns the entry as saved and, when the credential store was wanted but refused,
    /// why (to say where the token went instead).
    pub fn save(
        &self,
        mut entry: Entry,
        secret: &Secret,
    ) -> Result<(Entry, Option<String>), StoreError> {
        let mut fallback = None;
        entry.kept = Kept::File;
        if self.keyring {
            let key = entry.key();
            let text = secret.to_json().to_string();
            match keyring_call(|| keyring::Entry::new(SERVICE, &key)?.set_password(&text)) {
                Ok(()) => entry.kept = Kept::Keyring,
                Err(e) => {
                    fallback = Some(format!("the OS credential store is not available ({e})"))
                }
            }
        }
        let mut v = entry_json(&entry);
        if entry.kept == Kept::File {
            v["secret"] = secret.to_json();
        }
        self.write(&self.file(&entry), &v)?;
        Ok((entry, fallback))
    }

    /// What `auth login` stored as a user token for the facade
    /// (`Credentials::with_user_token`): refreshed at the endpoints it signed in at, and every
    /// rotated pair saved back here before it is used (`store_failed` hears of a save that
    /// failed).
    pub fn user_token(
        &self,
        entry: Entry,
        secret: Secret,
        store_failed: impl Fn(StoreError) + Send + Sync + 'static,
    ) -> UserToken {
        let mut token = UserToken::new(entry.platform, secret.grant(&entry), &entry.client_id)
            .user_id(&entry.account_id);
        if let Some(login) = &entry.login {
            token = token.login(login);
        }
        if let Some(origin) = &entry.origin {
            token = token.endpoints_at(origin);
        }
        if let Some(client_secret) = &secret.client_secret {
            token = token.client_secret(client_secret.expose_secret());
        }
        let store = self.clone();
        let client_secret = secret.client_secret;
        let persist = move |grant: &GrantedToken| {
            let mut entry = entry.clone();
            entry.expires_at = grant.expires_in.map(|d| now() + d.as_secs());
            if !grant.scopes.is_empty() {
                entry.scopes = grant.scopes.clone();
            }
            let secret = Secret {
                access_token: grant.access_token.clone(),
                refresh_token: grant.refresh_token.clone(),
                client_secret: client_secret.clone(),
            };
            if let Err(e) = store.save(entry, &secret) {
                store_failed(e);
            }
        };
        token.on_refresh(std::sync::Arc::new(persist))
    }

    /// Forgets an entry (its file and its credential-store item).
    pub fn remove(&self, entry: &Entry) -> Result<(), StoreError> {
        if entry.kept == Kept::Keyring {
            let key = entry.key();
            let _ = keyring_call(|| keyring::Entry::new(SERVICE, &key)?.delete_credential());
        }
        let path = self.file(entry);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(err(&path, e)),
            _ => Ok(()),
        }
    }

    /// Writes `v` to `path` whole (a temporary file renamed over it), mode 0600, its directory
    /// 0700.
    fn write(&self, path: &Path, v: &Value) -> Result<(), StoreError> {
        let dir = self.tokens_dir();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|e| err(&dir, e))?;
        let mut temp = tempfile::Builder::new();
        temp.prefix(".token");
        #[cfg(unix)]
        temp.permissions(private());
        let mut file = temp.tempfile_in(&dir).map_err(|e| err(&dir, e))?;
        file.write_all(v.to_string().as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| err(path, e))?;
        file.persist(path).map_err(|e| err(path, e.error))?;
        Ok(())
    }
}

#[cfg(unix)]
fn private() -> std::fs::Permissions {
    std::os::unix::fs::PermissionsExt::from_mode(0o600)
}

/// Runs a credential-store call on a thread of its own: the Secret Service backend runs its own
/// executor and must not nest in the command's runtime.
fn keyring_call<T: Send>(f: impl FnOnce() -> keyring::Result<T> + Send) -> keyring::Result<T> {
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|_| {
        Err(keyring::Error::PlatformFailure(
            "the credential store call panicked".into(),
        ))
    })
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "platform": platform_key(e.platform),
        "account_id": e.account_id,
        "login": e.login,
        "client_id": e.client_id,
        "scopes": e.scopes,
        "expires_at": e.expires_at,
        "origin": e.origin,
        "kept": match e.kept { Kept::Keyring => "keyring", Kept::File => "file" },
    })
}

fn entry_of(v: &Value) -> Option<Entry> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Some(Entry {
        platform: platform_of(v.get("platform")?.as_str()?)?,
        account_id: s("account_id")?,
        login: s("login"),
        client_id: s("client_id")?,
        scopes: v
            .get("scopes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        expires_at: v.get("expires_at").and_then(Value::as_u64),
        origin: s("origin"),
        kept: if s("kept").as_deref() == Some("keyring") {
            Kept::Keyring
        } else {
            Kept::File
        },
    })
}

/// The entry of `platform` a command uses: the one whose account `user` names (ID, login or
/// `@login`), else the only one. `Ok(None)`: none stored. Several and no `user`: an error
/// naming them.
pub fn choose<'a>(
    entries: &'a [Entry],
    platform: Platform,
    user: Option<&str>,
) -> Result<Option<&'a Entry>, String> {
    let mine: Vec<&Entry> = entries.iter().filter(|e| e.platform == platform).collect();
    if let Some(user) = user {
        let bare = user
            .trim_start_matches("id:")
            .trim_start_matches("login:")
            .trim_start_matches('@');
        if let Some(e) = mine.iter().find(|e| {
            e.account_id == bare
                || e.login
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(bare))
        }) {
            return Ok(Some(e));
        }
    }
    match mine.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        several => Err(format!(
            "several {} accounts are signed in ({}); pass --user to choose",
            platform_key(platform),
            several
                .iter()
                .map(|e| e.account())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
