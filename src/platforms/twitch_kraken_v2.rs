//! [`BlockList`] on Twitch Kraken v2 (`/kraken/users/{login}/blocks`, by login).

use blockbind_runtime::{PageOptions, call};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::block_list::find_blocked;
use crate::{Api, BlockList, BlockOptions, BlockedUser, Error, Platform, Target};

const API: Api = Api::TwitchKrakenV2;

/// The block list of one Twitch user on Kraken v2, which addresses users by login and has no
/// user lookup: [`BlockList::block`] takes a login (an ID is refused before sending with
/// [`Error::Unresolvable`]); [`BlockList::unblock`] also takes an ID, resolved through the block
/// list itself. Unblocking a user who is not blocked (Kraken's 404) succeeds.
#[derive(Debug, Clone)]
pub struct TwitchKrakenV2Blocks {
    client: blockbind_twitch_kraken_v2::Client,
    login: String,
}

impl TwitchKrakenV2Blocks {
    /// `login` is the acting user's login (the owner of the block list).
    pub fn new(client: blockbind_twitch_kraken_v2::Client, login: impl Into<String>) -> Self {
        Self {
            client,
            login: login.into(),
        }
    }

    pub fn client(&self) -> &blockbind_twitch_kraken_v2::Client {
        &self.client
    }
}

impl BlockList for TwitchKrakenV2Blocks {
    fn api(&self) -> Api {
        API
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.client
            .get_user_block_list()
            .login(&self.login)
            .stream_with(options)
            .map(|block| {
                let block = block.map_err(Error::api(API))?;
                Ok(BlockedUser {
                    platform: Platform::Twitch,
                    api: API,
                    id: block.user.id.to_string(),
                    login: Some(block.user.name),
                    display_name: Some(block.user.display_name),
                    blocked_at: block.updated_at,
                })
            })
            .boxed()
    }

    fn block(&self, target: Target, _options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let Target::Login(login) = target else {
                return Err(Error::Unresolvable {
                    api: API,
                    action: "block",
                    target,
                    reason: "Kraken v2 addresses users by login and has no user lookup; pass the login",
                });
            };
            let request = self.client.block_user().user(&self.login).target(login);
            call(request.send())
                .await
                .map(drop)
                .map_err(Error::api(API))
        })
    }

    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let login = match target {
                Target::Login(login) => login,
                id => match find_blocked(self, &id).await? {
                    Some(BlockedUser {
                        login: Some(login), ..
                    }) => login,
                    _ => return Ok(()),
                },
            };
            let request = self.client.unblock_user().user(&self.login).target(login);
            super::not_blocked_is_done(call(request.send()).await).map_err(Error::api(API))
        })
    }
}
