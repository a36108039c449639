//! Who the platform counts a request against, derived from the credentials: the identity that
//! keys the rate limiter's buckets, so that every client holding the same credentials paces
//! against one bucket however it was built.
//!
//! What it must not do: keep, print or make recoverable any secret. A part is reduced at once to
//! a keyed one-way hash (SipHash-1-3 under a key drawn at random once per process, std's
//! `RandomState`); only that hash is stored, and it means nothing outside this process.

use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

/// The key every fingerprint of this process is taken under (random, never stored elsewhere).
fn key() -> &'static std::collections::hash_map::RandomState {
    static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    KEY.get_or_init(Default::default)
}

/// The keyed hash of one credential's identifying parts: `kind` separates domains (a token and
/// an API key with the same text are different credentials); each part is hashed with its length.
pub(crate) fn fingerprint(kind: &str, parts: &[&str]) -> u64 {
    let mut h = key().build_hasher();
    kind.hash(&mut h);
    parts.hash(&mut h);
    h.finish()
}

/// The identity a platform counts requests by, as far as the credentials show it: a keyed hash of
/// the credentials a request is sent with (Helix: client ID and user token; Kraken: its token and
/// client ID; X: the user's token, or the OAuth 1.0a app and user). Equal credentials give equal
/// identities within a process, whichever [`Auth`](crate::Auth) holds them; `Debug` shows only
/// the hash.
///
/// It cannot see through a token to its user: two different tokens of one user are two identities
/// here though the platform counts them together. The limiter then adopts what the server's
/// rate-limit headers say is left, so the two still converge on the server's count.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CredentialIdentity(u64);

/// The fingerprints of one credential set, by kind: token, API key, OAuth 1.0a.
pub(crate) type Parts = [Option<u64>; 3];

impl CredentialIdentity {
    /// The identity of the credential parts present (absent ones count as absent, so requests
    /// without credentials share one identity, as the platforms count them by address).
    pub(crate) fn of(parts: Parts) -> Self {
        Self(key().hash_one(parts))
    }
}

impl fmt::Debug for CredentialIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CredentialIdentity({:016x})", self.0)
    }
}
