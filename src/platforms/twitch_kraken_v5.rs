//! [`BlockList`] on Twitch Kraken v5 (`/kraken/users/{user_id}/blocks`).

use blockbind_runtime::{PageOptions, call};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::{Api, BlockList, BlockOptions, BlockedUser, Error, Platform, Target};

const API: Api = Api::TwitchKrakenV5;

/// The block list of one Twitch user on Kraken v5, which addresses users by ID. A login target
/// is resolved to an ID with Kraken's own Get Users (`/users?login=`), one request per login.
/// Unblocking a user who is not blocked (Kraken's 404) succeeds.
#[derive(Debug, Clone)]
pub struct TwitchKrakenV5Blocks {
    client: blockbind_twitch_kraken_v5::Client,
    user_id: String,
}

impl TwitchKrakenV5Blocks {
    pub fn new(client: blockbind_twitch_kraken_v5::Client, user_id: impl Into<String>) -> Self {
        Self {
            client,
            user_id: user_id.into(),
        }
    }

    /// Acting as the user of the client's token (Kraken's Get User, `/user`).
    pub async fn for_token_user(client: blockbind_twitch_kraken_v5::Client) -> Result<Self, Error> {
        let me = call(client.get_authenticated_user().send())
            .await
            .map_err(Error::api(API))?;
        Ok(Self::new(client, me.id.to_string()))
    }

    pub fn client(&self) -> &blockbind_twitch_kraken_v5::Client {
        &self.client
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The ID of a target: itself, or the ID Get Users gives its login.
    pub async fn resolve(&self, target: &Target) -> Result<String, Error> {
        Self::resolve_with(&self.client, target).await
    }

    /// [`Self::resolve`] before there is a block list (to find the acting user).
    pub async fn resolve_with(
        client: &blockbind_twitch_kraken_v5::Client,
        target: &Target,
    ) -> Result<String, Error> {
        match target {
            Target::Id(id) => Ok(id.clone()),
            Target::Login(login) => {
                let found = call(client.get_users().login(vec![login.clone()]).send())
                    .await
                    .map_err(Error::api(API))?;
                found
                    .users
                    .into_iter()
                    .filter_map(|u| u.0)
                    .find(|u| u.name.eq_ignore_ascii_case(login))
                    .map(|u| u.id.to_string())
                    .ok_or_else(|| Error::UnknownUser {
                        api: API,
                        login: login.clone(),
                    })
            }
        }
    }
}

impl BlockList for TwitchKrakenV5Blocks {
    fn api(&self) -> Api {
        API
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.client
            .get_user_block_list()
            .user_id(&self.user_id)
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
            let id = self.resolve(&target).await?;
            let request = self
                .client
                .block_user()
                .user_id(&self.user_id)
                .target_user_id(id);
            call(request.send())
                .await
                .map(drop)
                .map_err(Error::api(API))
        })
    }

    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let id = match self.resolve(&target).await {
                Err(Error::UnknownUser { .. }) => return Ok(()),
                other => other?,
            };
            let request = self
                .client
                .unblock_user()
                .user_id(&self.user_id)
                .target_user_id(id);
            super::not_blocked_is_done(call(request.send()).await).map_err(Error::api(API))
        })
    }
}
