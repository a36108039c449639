//! The one abstraction none of the platform crates offers: the same block-list operations on
//! every API, so one function generic over [`BlockList`] serves Twitch and X alike.

use std::fmt;
use std::str::FromStr;

use blockbind_runtime::PageOptions;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::{Api, Error, Platform};

/// One entry of a block list, the same shape on every API; what an API does not report is
/// `None` (X v1.1's `blocks/ids` gives IDs only; only Kraken dates its blocks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedUser {
    /// The platform whose list it is on.
    pub platform: Platform,
    /// The API that listed it.
    pub api: Api,
    /// The user's ID.
    pub id: String,
    /// Twitch login or X screen name.
    pub login: Option<String>,
    /// The name the platform shows.
    pub display_name: Option<String>,
    /// When the block was made (Kraken only).
    pub blocked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the account was created, where the platform gives it (a user lookup on Helix and
    /// X v2; Kraken v5's list; X v2's list when asked for `created_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Whom to block or unblock: a user ID or a login (`screen_name` on X). It deserializes through
/// [`Target::id`] and [`Target::login`], so a value read from a file is checked as one parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "UncheckedTarget")]
pub enum Target {
    /// A user ID (decimal digits).
    Id(String),
    /// A Twitch login or an X screen name, without the `@`.
    Login(String),
}

/// A [`Target`] as it arrives, before [`Target::id`] or [`Target::login`] checks it.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum UncheckedTarget {
    Id(String),
    Login(String),
}

impl TryFrom<UncheckedTarget> for Target {
    type Error = Error;

    fn try_from(target: UncheckedTarget) -> Result<Self, Error> {
        match target {
            UncheckedTarget::Id(id) => Self::id(id),
            UncheckedTarget::Login(login) => Self::login(login),
        }
    }
}

/// User IDs on both platforms are decimal numbers of at most 19 digits (X's `^[0-9]{1,19}$`).
const MAX_ID_DIGITS: usize = 19;
/// Twitch logins have at most 25 characters, X handles 15 (older ones up to 20).
const MAX_LOGIN_LEN: usize = 25;

impl BlockedUser {
    /// A user with only an ID, on `api` (fill in the rest with struct update syntax).
    pub fn on(api: Api, id: impl Into<String>) -> Self {
        Self {
            platform: api.platform(),
            api,
            id: id.into(),
            login: None,
            display_name: None,
            blocked_at: None,
            created_at: None,
        }
    }

    /// A user with an ID, a login and a display name, on `api`.
    pub fn named(
        api: Api,
        id: impl Into<String>,
        login: impl Into<String>,
        display_name: impl Into<String>,
    ) -> Self {
        Self {
            login: Some(login.into()),
            display_name: Some(display_name.into()),
            ..Self::on(api, id)
        }
    }
}

impl Target {
    /// A user ID: 1 to 19 ASCII digits.
    pub fn id(id: impl Into<String>) -> Result<Self, Error> {
        let id = id.into();
        let bad = |reason: &str| Error::InvalidTarget {
            input: shown(&id),
            reason: reason.to_string(),
        };
        if id.is_empty() {
            return Err(bad("a user ID cannot be empty"));
        }
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("a user ID is made of digits only"));
        }
        if id.len() > MAX_ID_DIGITS {
            return Err(bad("a user ID has at most 19 digits"));
        }
        Ok(Self::Id(id))
    }

    /// A login (Twitch) or screen name (X), with or without a leading `@`: 1 to 25 ASCII
    /// letters, digits and underscores.
    pub fn login(login: impl Into<String>) -> Result<Self, Error> {
        let raw = login.into();
        let login = raw.strip_prefix('@').unwrap_or(&raw);
        let bad = |reason: &str| Error::InvalidTarget {
            input: shown(&raw),
            reason: reason.to_string(),
        };
        if login.is_empty() {
            return Err(bad("a login cannot be empty"));
        }
        if !login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(bad(
                "a login is made of ASCII letters, digits and underscores only",
            ));
        }
        if login.len() > MAX_LOGIN_LEN {
            return Err(bad("a login has at most 25 characters"));
        }
        Ok(Self::Login(login.to_string()))
    }

    /// Whether the platform allows this name, checked before a lookup sends it: a Twitch login
    /// is 4 to 25 ASCII letters, digits and underscores; an X username 1 to 15 (X's
    /// `^[A-Za-z0-9_]{1,15}$`). IDs pass ([`Self::id`] checked them).
    pub fn check_for(&self, platform: Platform) -> Result<(), Error> {
        let Self::Login(login) = self else {
            return Ok(());
        };
        let (min, max, rule) = match platform {
            Platform::Twitch => (4, 25, "a Twitch login has 4 to 25 characters"),
            Platform::X => (1, 15, "an X username has 1 to 15 characters"),
        };
        let ok = (min..=max).contains(&login.len())
            && login
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidTarget {
                input: shown(login),
                reason: format!("{rule} (ASCII letters, digits and underscores)"),
            })
        }
    }

    /// Reads `id:123`, `login:name` or `@name` explicitly; otherwise all digits is an ID and
    /// anything else a login. Surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let input = input.trim();
        if let Some(id) = input.strip_prefix("id:") {
            Self::id(id)
        } else if let Some(login) = input.strip_prefix("login:") {
            Self::login(login)
        } else if input.starts_with('@') {
            Self::login(input)
        } else if !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
            Self::id(input)
        } else {
            Self::login(input)
        }
    }

    /// The ID or login itself.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id(s) | Self::Login(s) => s,
        }
    }

    /// Whether `user` is this target (logins compare without case, as both platforms do).
    pub fn matches(&self, user: &BlockedUser) -> bool {
        match self {
            Self::Id(id) => user.id == *id,
            Self::Login(login) => user
                .login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(login)),
        }
    }
}

/// At most 64 characters of a bad input, with control characters escaped, for messages.
fn shown(input: &str) -> String {
    let cut: String = input.chars().take(64).collect();
    let escaped: String = cut.escape_debug().collect();
    if cut.len() < input.len() {
        format!("{escaped}… ({} bytes)", input.len())
    } else {
        escaped
    }
}

impl FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "user ID {id}"),
            Self::Login(login) => write!(f, "login {login}"),
        }
    }
}

#[cfg(feature = "twitch-helix")]
pub use blockbind_twitch_helix::types::{
    BlockUserReason as BlockReason, BlockUserSourceContext as SourceContext,
};

/// Options of [`BlockList::block`]. Only Twitch Helix takes them (its generated
/// `source_context` and `reason` enums, with the feature `twitch-helix`); the other APIs have no
/// such parameters and ignore them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockOptions {
    /// Where the harassment took place (Helix `source_context`).
    #[cfg(feature = "twitch-helix")]
    pub source_context: Option<SourceContext>,
    /// Why the user is blocked (Helix `reason`).
    #[cfg(feature = "twitch-helix")]
    pub reason: Option<BlockReason>,
}

/// Which generated operations a block list's calls go through (their `operationId`s), and the
/// most users one page of its list holds (the spec's bound on the list's page-size parameter;
/// `None` where the spec has none). Read by planners that count requests per rate-limit bucket:
/// the buckets are the registry's ([`Api::info`]), by these operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListOperations {
    /// The list operation.
    pub list: &'static str,
    /// The block operation.
    pub block: &'static str,
    /// The unblock operation.
    pub unblock: &'static str,
    /// Users a list page holds at most.
    pub page_size: Option<u64>,
}

/// A block list on one API, acting as one user. Implemented for each of the five APIs (see
/// [`crate::Config::block_list`]); object safe, so `Box<dyn BlockList>` picks the API at run time.
///
/// ```no_run
/// use blockbind::{BlockList, BlockedUser, Error};
/// use futures::TryStreamExt;
///
/// /// Exports any platform's block list.
/// async fn export(list: &impl BlockList) -> Result<Vec<BlockedUser>, Error> {
///     list.blocked().try_collect().await
/// }
/// ```
pub trait BlockList: Send + Sync {
    /// Which API this is.
    fn api(&self) -> Api;

    /// Every blocked user, one page in memory at a time, asking for the largest page the API
    /// allows; `options` caps the pages or sets another page size.
    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>>;

    /// Every blocked user (see [`Self::blocked_with`]). Cap it with `StreamExt::take`.
    fn blocked(&self) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.blocked_with(PageOptions::default())
    }

    /// Blocks `target`. Blocking a user who is already blocked succeeds.
    fn block(&self, target: Target, options: BlockOptions) -> BoxFuture<'_, Result<(), Error>>;

    /// Unblocks `target`. Unblocking a user who is not blocked succeeds.
    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>>;

    /// Unblocks `target`, whom the caller found on this block list as `listed` in a read of the
    /// list it already holds (`None`: not on it). An API that addresses users by the other kind
    /// of name takes the name it needs from `listed` instead of reading the whole list again
    /// ([`Self::unblock`] does, once per target); the others ignore `listed`.
    fn unblock_listed(
        &self,
        target: Target,
        listed: Option<BlockedUser>,
    ) -> BoxFuture<'_, Result<(), Error>> {
        let _ = listed;
        self.unblock(target)
    }

    /// Resolves `targets` with the API's user lookup: at most [`LOOKUP_BATCH`] names a
    /// request, each name asked once per list (the answers are kept). Per target, in order: the
    /// user (with `created_at` where the platform gives it), or why it will not be sent:
    /// [`Error::InvalidTarget`] for a name the platform forbids (checked before any lookup),
    /// [`Error::NoSuchUser`] for a name the lookup did not return, [`Error::SelfTarget`] for
    /// the acting account. `Ok(None)`: the API has no batch lookup and takes targets as given.
    /// `Err`: a lookup request failed.
    fn resolve<'a>(
        &'a self,
        targets: &'a [Target],
    ) -> BoxFuture<'a, Result<Option<Resolution>, Error>> {
        let _ = targets;
        Box::pin(async { Ok(None) })
    }

    /// Whether [`Self::unblock`] of `target` reads the block list to find the user (the API
    /// addresses users by the other kind of name and has no lookup of its own). A caller with
    /// several such targets reads the list once and calls [`Self::unblock_listed`].
    fn unblock_reads_list(&self, target: &Target) -> bool {
        let _ = target;
        false
    }
}

impl<T: BlockList + ?Sized> BlockList for Box<T> {
    fn api(&self) -> Api {
        (**self).api()
    }
    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        (**self).blocked_with(options)
    }
    fn block(&self, target: Target, options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        (**self).block(target, options)
    }
    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        (**self).unblock(target)
    }
    fn unblock_listed(
        &self,
        target: Target,
        listed: Option<BlockedUser>,
    ) -> BoxFuture<'_, Result<(), Error>> {
        (**self).unblock_listed(target, listed)
    }
    fn unblock_reads_list(&self, target: &Target) -> bool {
        (**self).unblock_reads_list(target)
    }
    fn resolve<'a>(
        &'a self,
        targets: &'a [Target],
    ) -> BoxFuture<'a, Result<Option<Resolution>, Error>> {
        (**self).resolve(targets)
    }
}

/// What [`BlockList::resolve`] says of each target, in order: the user, or why it is not sent.
pub type Resolution = Vec<Result<BlockedUser, Error>>;

/// The most names one user lookup carries (Helix Get Users: 100 `id` and `login` in total; X
/// v2 users lookup: 100 `usernames` or `ids`).
pub const LOOKUP_BATCH: usize = 100;

/// Finds `target` on the block list. For APIs that address users by the other kind of name:
/// a user can only be unblocked if they are on the list, so the list resolves them.
#[cfg_attr(
    not(any(
        feature = "twitch-helix",
        feature = "twitch-kraken-v2",
        feature = "x-v2"
    )),
    allow(dead_code)
)]
pub(crate) async fn find_blocked(
    list: &(impl BlockList + ?Sized),
    target: &Target,
) -> Result<Option<BlockedUser>, Error> {
    let mut stream = list.blocked();
    while let Some(user) = stream.next().await {
        let user = user?;
        if target.matches(&user) {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_ids_and_logins_and_refuse_what_is_neither() {
        assert_eq!(Target::parse("12826").unwrap(), Target::Id("12826".into()));
        assert_eq!(
            Target::parse(" @TwitchDev ").unwrap(),
            Target::Login("TwitchDev".into())
        );
        assert_eq!(Target::parse("id:42").unwrap(), Target::Id("42".into()));
        assert_eq!(
            Target::parse("login:123").unwrap(),
            Target::Login("123".into())
        );
        assert_eq!(
            Target::parse("dallas").unwrap(),
            Target::Login("dallas".into())
        );
        for (bad, says) in [
            ("", "cannot be empty"),
            ("id:", "cannot be empty"),
            ("id:12a", "digits only"),
            ("12345678901234567890", "at most 19 digits"),
            ("bad\r\nlogin", "ASCII letters"),
            ("nul\0", "ASCII letters"),
            ("émilie", "ASCII letters"),
            ("a_login_far_longer_than_25_chars", "at most 25"),
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidTarget { .. }), "{bad:?}: {e:?}");
            assert!(e.to_string().contains(says), "{bad:?}: {e}");
            assert!(
                !e.to_string().contains('\r'),
                "control characters are escaped: {e}"
            );
        }
    }

    #[test]
    fn a_huge_target_is_cut_in_the_message() {
        let huge = "x".repeat(1 << 20);
        let e = Target::parse(&huge).unwrap_err();
        assert!(e.to_string().len() < 300, "{} bytes", e.to_string().len());
        assert!(e.to_string().contains("1048576 bytes"));
    }

    #[test]
    fn logins_match_without_case_and_ids_exactly() {
        let user = BlockedUser {
            platform: Platform::Twitch,
            api: Api::TwitchHelix,
            id: "12826".into(),
            login: Some("twitch".into()),
            display_name: None,
            blocked_at: None,
            created_at: None,
        };
        assert!(Target::parse("@Twitch").unwrap().matches(&user));
        assert!(Target::parse("12826").unwrap().matches(&user));
        assert!(!Target::parse("1282").unwrap().matches(&user));
    }
}
