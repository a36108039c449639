//! One [`BlockList`] implementation, [`Blocks`], over a small table per API: its mapping file
//! (`<api>.rs` beside this one) says which generated operations list, block and unblock, how a
//! listed user becomes a [`BlockedUser`], and which kind of name the API addresses users by.
//! Everything the five APIs share (refusing the other kind of name before sending, unblocking
//! it through the list, "not blocked" counting as done, errors) lives here once.
//!
//! Adding an API's block list is adding its mapping file; `src/generated.rs` (written by the
//! xtask from the specs) declares it as a module, names the type (`<Api>Blocks`) and wires it
//! into [`crate::Config::block_list`].

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use blockbind_runtime::{ApiError, PageOptions};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, Stream, StreamExt};

use crate::block_list::{LOOKUP_BATCH, Resolution, find_blocked};
use crate::{Api, BlockList, BlockOptions, BlockedUser, Error, ListOperations, Target};

/// Which kind of name an API's block and unblock operations take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// User IDs only.
    Id,
    /// Logins only.
    Login,
    /// Either (X v1.1's `user_id` / `screen_name`).
    Either,
}

/// What `src/generated.rs` says of each API's mapping: its generated client and its name.
pub trait ApiClient: Send + Sync + 'static {
    /// The generated client.
    type Client: Clone + fmt::Debug + Send + Sync + 'static;
    /// The API.
    const API: Api;
    /// The generated crate's table of its spec (bounds, buckets by operation).
    const SPEC: &'static blockbind_runtime::ApiSpec;
}

/// Every blocked user of a list, one page in memory at a time.
pub type Listed<'a> = BoxStream<'a, Result<BlockedUser, ApiError>>;
/// A block or unblock in flight.
pub type Sent<'a> = BoxFuture<'a, Result<(), ApiError>>;

/// `M`'s operations, with the list's page size from the spec's bound on its page-size parameter.
#[allow(dead_code)] // unused when no API feature is on
pub(crate) fn operations_of<M: ApiMapping>() -> ListOperations {
    ListOperations {
        list: M::LIST,
        block: M::BLOCK,
        unblock: M::UNBLOCK,
        page_size: M::PAGE_SIZE
            .and_then(|parameter| M::SPEC.maximum(M::LIST, parameter))
            .and_then(|maximum| u64::try_from(maximum).ok()),
    }
}

/// Maps each item of a generated `stream()` to a [`BlockedUser`].
pub fn listed<'a, T: 'a>(
    items: impl Stream<Item = Result<T, ApiError>> + Send + 'a,
    to_user: impl Fn(T) -> BlockedUser + Send + 'a,
) -> Listed<'a> {
    items.map(move |item| item.map(&to_user)).boxed()
}

/// A generated call awaited for its outcome alone (the body of a success is not needed).
pub fn sent<'a, T: 'a>(call: impl Future<Output = Result<T, ApiError>> + Send + 'a) -> Sent<'a> {
    Box::pin(async move { call.await.map(drop) })
}

/// One API's part of [`Blocks`]: a short table of which generated calls do what.
pub trait ApiMapping: ApiClient {
    /// The kind of name the block operations take.
    const ADDRESSING: Addressing;
    /// The `operationId` of the list operation [`Self::list`] calls.
    const LIST: &'static str;
    /// The list operation's page-size parameter (`None`: it takes none).
    const PAGE_SIZE: Option<&'static str>;
    /// The `operationId` of the block operation [`Self::block`] calls.
    const BLOCK: &'static str;
    /// The `operationId` of the unblock operation [`Self::unblock`] calls.
    const UNBLOCK: &'static str;
    /// Why a target of the other kind cannot be blocked (shown in [`Error::Unresolvable`]).
    const OTHER_KIND: &'static str =
        "the API addresses users by the other kind of name and has no user lookup";
    /// Who the owner of the block list must be, for [`Error::NeedsUser`].
    const OWNER: &'static str;
    /// Whether the platform answers an unblock of a user who is not blocked with 404 (Kraken):
    /// the goal is reached, so it counts as success.
    const NOT_BLOCKED_IS_404: bool = false;

    /// Every blocked user of `owner`.
    fn list<'a>(client: &'a Self::Client, owner: &'a str, options: PageOptions) -> Listed<'a>;

    /// Blocks `target` (an ID or a login, as [`Self::ADDRESSING`] says).
    fn block<'a>(
        c: &'a Self::Client,
        owner: &'a str,
        target: &'a Target,
        o: BlockOptions,
    ) -> Sent<'a>;

    /// Unblocks `target` (of the kind [`Self::ADDRESSING`] says).
    fn unblock<'a>(client: &'a Self::Client, owner: &'a str, target: &'a Target) -> Sent<'a>;

    /// The ID of a login, for an API with a lookup of its own (`None`: it has none).
    fn lookup<'a>(
        _client: &'a Self::Client,
        _login: &'a str,
    ) -> Option<BoxFuture<'a, Result<Option<String>, ApiError>>> {
        None
    }

    /// Looks up users by login and by ID (at most [`LOOKUP_BATCH`] of each, checked with
    /// [`Target::check_for`]): the users found, the others simply absent (`None`: the API has
    /// no batch lookup).
    fn lookup_users<'a>(
        _client: &'a Self::Client,
        _logins: &'a [String],
        _ids: &'a [String],
    ) -> Option<BoxFuture<'a, Result<Vec<BlockedUser>, ApiError>>> {
        None
    }

    /// The owner of the block list, from what the caller gave (`None`: the token's user, for
    /// an API that can ask). The default takes a target of the kind the API addresses by.
    fn owner<'a>(
        client: &'a Self::Client,
        user: Option<Target>,
    ) -> BoxFuture<'a, Result<String, Error>> {
        let _ = client;
        Box::pin(async move {
            match (Self::ADDRESSING, user) {
                (Addressing::Either, _) => Ok(String::new()),
                (Addressing::Id, Some(Target::Id(id)))
                | (Addressing::Login, Some(Target::Login(id))) => Ok(id),
                _ => Err(Error::NeedsUser {
                    api: Self::API,
                    reason: Self::OWNER,
                }),
            }
        })
    }
}

/// The [`BlockList`] of one API, acting as `owner`; the per-API type aliases
/// (`TwitchHelixBlocks`, `XV2Blocks`, ...) name it for each.
pub struct Blocks<M: ApiMapping> {
    client: M::Client,
    owner: String,
    /// What the user lookup said of each name asked (`None`: no such user), so that a name is
    /// asked once per list; shared by clones.
    resolved: Arc<Mutex<HashMap<LookupKey, Option<BlockedUser>>>>,
    mapping: PhantomData<fn() -> M>,
}

/// A name as the lookup cache keys it: logins without case, as both platforms compare them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LookupKey {
    Login(String),
    Id(String),
}

impl LookupKey {
    fn of(target: &Target) -> Self {
        match target {
            Target::Login(login) => Self::Login(login.to_ascii_lowercase()),
            Target::Id(id) => Self::Id(id.clone()),
        }
    }
}

impl<M: ApiMapping> Clone for Blocks<M> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            owner: self.owner.clone(),
            resolved: Arc::clone(&self.resolved),
            mapping: PhantomData,
        }
    }
}

impl<M: ApiMapping> fmt::Debug for Blocks<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocks")
            .field("api", &M::API)
            .field("owner", &self.owner)
            .field("client", &self.client)
            .finish()
    }
}

impl<M: ApiMapping> Blocks<M> {
    /// The block list of `owner` (the user the client's token acts for; see the API's
    /// mapping for which kind of name: an ID on Helix and X v2, the login on Kraken v2, none on
    /// X v1.1).
    pub fn new(client: M::Client, owner: impl Into<String>) -> Self {
        Self {
            client,
            owner: owner.into(),
            resolved: Arc::default(),
            mapping: PhantomData,
        }
    }

    /// The generated client.
    pub fn client(&self) -> &M::Client {
        &self.client
    }

    /// The owner of the list.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The target as the API addresses it: itself, resolved with the API's lookup, or `None`
    /// when the API has no way to resolve it.
    async fn addressed(&self, target: &Target) -> Result<Option<Target>, Error> {
        match (M::ADDRESSING, target) {
            (Addressing::Either, _)
            | (Addressing::Id, Target::Id(_))
            | (Addressing::Login, Target::Login(_)) => Ok(Some(target.clone())),
            (Addressing::Id, Target::Login(_)) if self.has_batch_lookup() => {
                let one = std::slice::from_ref(target);
                match self.resolve_with_lookup(one).await?.pop() {
                    Some(Ok(user)) => Ok(Some(Target::Id(user.id))),
                    Some(Err(e)) => Err(e),
                    None => Ok(None),
                }
            }
            (Addressing::Id, Target::Login(login)) => match M::lookup(&self.client, login) {
                Some(lookup) => match lookup.await.map_err(Error::api(M::API))? {
                    Some(id) => Ok(Some(Target::Id(id))),
                    None => Err(Error::UnknownUser {
                        api: M::API,
                        login: login.clone(),
                    }),
                },
                None => Ok(None),
            },
            (Addressing::Login, Target::Id(_)) => Ok(None),
        }
    }
}

impl<M: ApiMapping> Blocks<M> {
    fn has_batch_lookup(&self) -> bool {
        M::lookup_users(&self.client, &[], &[]).is_some()
    }

    /// Whether `target` names the owner of the list.
    fn is_owner(&self, target: &Target) -> bool {
        !self.owner.is_empty()
            && match (M::ADDRESSING, target) {
                (Addressing::Login, Target::Login(login)) => {
                    login.eq_ignore_ascii_case(&self.owner)
                }
                (Addressing::Id, Target::Id(id)) => *id == self.owner,
                _ => false,
            }
    }

    /// [`BlockList::resolve`] with the API's batch lookup: names checked, the ones not yet
    /// asked looked up in batches of [`LOOKUP_BATCH`], the answers kept.
    async fn resolve_with_lookup(&self, targets: &[Target]) -> Result<Resolution, Error> {
        let platform = M::API.platform();
        let (mut logins, mut ids): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        {
            let known = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
            let mut asked = std::collections::HashSet::new();
            for target in targets {
                let key = LookupKey::of(target);
                if target.check_for(platform).is_err()
                    || known.contains_key(&key)
                    || !asked.insert(key.clone())
                {
                    continue;
                }
                match key {
                    LookupKey::Login(login) => logins.push(login),
                    LookupKey::Id(id) => ids.push(id),
                }
            }
        }
        for (names, by_login) in [(&logins, true), (&ids, false)] {
            for batch in names.chunks(LOOKUP_BATCH) {
                let (l, i): (&[String], &[String]) =
                    if by_login { (batch, &[]) } else { (&[], batch) };
                let Some(lookup) = M::lookup_users(&self.client, l, i) else {
                    break;
                };
                let found = lookup.await.map_err(Error::api(M::API))?;
                let mut known = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
                for name in batch {
                    let user = found.iter().find(|u| {
                        if by_login {
                            u.login
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(name))
                        } else {
                            u.id == *name
                        }
                    });
                    let key = if by_login {
                        LookupKey::Login(name.clone())
                    } else {
                        LookupKey::Id(name.clone())
                    };
                    known.insert(key, user.cloned());
                }
            }
        }
        let known = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        Ok(targets
            .iter()
            .map(|target| {
                target.check_for(platform)?;
                match known.get(&LookupKey::of(target)) {
                    Some(Some(user)) if self.is_owner(&Target::Id(user.id.clone())) => {
                        Err(Error::SelfTarget {
                            api: M::API,
                            target: target.clone(),
                        })
                    }
                    Some(Some(user)) => Ok(user.clone()),
                    _ => Err(Error::NoSuchUser {
                        api: M::API,
                        target: target.clone(),
                    }),
                }
            })
            .collect())
    }
}

/// `Box<dyn BlockList>` of `M` for `user` ([`crate::Config::block_list`]).
#[allow(dead_code)] // unused when no API feature is on
pub(crate) async fn boxed<M: ApiMapping>(
    client: M::Client,
    user: Option<Target>,
) -> Result<Box<dyn BlockList>, Error> {
    let owner = M::owner(&client, user).await?;
    Ok(Box::new(Blocks::<M>::new(client, owner)))
}

impl<M: ApiMapping> BlockList for Blocks<M> {
    fn api(&self) -> Api {
        M::API
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        M::list(&self.client, &self.owner, options)
            .map(|user| user.map_err(Error::api(M::API)))
            .boxed()
    }

    fn block(&self, target: Target, options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let Some(addressed) = self.addressed(&target).await? else {
                return Err(Error::Unresolvable {
                    api: M::API,
                    action: "block",
                    target,
                    reason: M::OTHER_KIND,
                });
            };
            if self.is_owner(&addressed) {
                return Err(Error::SelfTarget {
                    api: M::API,
                    target,
                });
            }
            M::block(&self.client, &self.owner, &addressed, options)
                .await
                .map_err(Error::api(M::API))
        })
    }

    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(self.unblock_as(target, None))
    }

    fn unblock_listed(
        &self,
        target: Target,
        listed: Option<BlockedUser>,
    ) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(self.unblock_as(target, Some(listed)))
    }

    fn resolve<'a>(
        &'a self,
        targets: &'a [Target],
    ) -> BoxFuture<'a, Result<Option<Resolution>, Error>> {
        Box::pin(async move {
            if !self.has_batch_lookup() {
                return Ok(None);
            }
            self.resolve_with_lookup(targets).await.map(Some)
        })
    }

    fn unblock_reads_list(&self, target: &Target) -> bool {
        match (M::ADDRESSING, target) {
            (Addressing::Id, Target::Login(login)) => M::lookup(&self.client, login).is_none(),
            (Addressing::Login, Target::Id(_)) => true,
            _ => false,
        }
    }
}

impl<M: ApiMapping> Blocks<M> {
    /// Unblocks `target`; a name of the kind the API does not address by is found in `listed`
    /// when the caller read the list (`Some`), else in a read of the list now.
    async fn unblock_as(
        &self,
        target: Target,
        listed: Option<Option<BlockedUser>>,
    ) -> Result<(), Error> {
        // The caller read the list: on an API without a lookup of one login (Helix, X v2), a
        // login is found there rather than looked up (a user can only be unblocked if they
        // are on it).
        let listed = match (M::ADDRESSING, &target, listed) {
            (Addressing::Id, Target::Login(_), Some(listed))
                if M::lookup(&self.client, "").is_none() =>
            {
                match listed.filter(|user| target.matches(user)) {
                    Some(user) => {
                        let addressed = Target::Id(user.id);
                        return match M::unblock(&self.client, &self.owner, &addressed).await {
                            Err(e) if M::NOT_BLOCKED_IS_404 && e.status() == Some(404) => Ok(()),
                            other => other.map_err(Error::api(M::API)),
                        };
                    }
                    None => return Ok(()),
                }
            }
            (_, _, listed) => listed,
        };
        let addressed = match self.addressed(&target).await {
            Ok(Some(addressed)) => addressed,
            // A login the platform does not know is not blocked.
            Err(Error::UnknownUser { .. } | Error::NoSuchUser { .. }) => return Ok(()),
            Err(e) => return Err(e),
            // The other kind of name: a user can only be unblocked if they are on the list, so
            // the list resolves them.
            Ok(None) => {
                let found = match listed {
                    Some(listed) => listed.filter(|user| target.matches(user)),
                    None => find_blocked(self, &target).await?,
                };
                match found {
                    Some(user) => match M::ADDRESSING {
                        Addressing::Login => match user.login {
                            Some(login) => Target::Login(login),
                            None => return Ok(()),
                        },
                        _ => Target::Id(user.id),
                    },
                    None => return Ok(()),
                }
            }
        };
        match M::unblock(&self.client, &self.owner, &addressed).await {
            Err(e) if M::NOT_BLOCKED_IS_404 && e.status() == Some(404) => Ok(()),
            other => other.map_err(Error::api(M::API)),
        }
    }
}
