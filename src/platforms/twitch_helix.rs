//! [`BlockList`] on Twitch Helix `/helix/users/blocks`.

use blockbind_runtime::{PageOptions, call};
use blockbind_twitch_helix::types::{BlockUserReason, BlockUserSourceContext};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::block_list::find_blocked;
use crate::{
    Api, BlockList, BlockOptions, BlockReason, BlockedUser, Error, Platform, SourceContext, Target,
};

const API: Api = Api::TwitchHelix;

/// The block list of the broadcaster whose token the client carries.
///
/// Helix addresses users by ID and its block API has no user lookup: [`BlockList::block`] takes
/// an ID (a login is refused before sending with [`Error::Unresolvable`]); [`BlockList::unblock`]
/// also takes a login, resolved through the block list itself (a login not on it is not
/// blocked, so there is nothing to do).
#[derive(Debug, Clone)]
pub struct TwitchHelixBlocks {
    client: blockbind_twitch_helix::Client,
    broadcaster_id: String,
}

impl TwitchHelixBlocks {
    /// `broadcaster_id` must be the user of the client's token (Helix answers 401 otherwise).
    pub fn new(client: blockbind_twitch_helix::Client, broadcaster_id: impl Into<String>) -> Self {
        Self {
            client,
            broadcaster_id: broadcaster_id.into(),
        }
    }

    pub fn client(&self) -> &blockbind_twitch_helix::Client {
        &self.client
    }
}

impl BlockList for TwitchHelixBlocks {
    fn api(&self) -> Api {
        API
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.client
            .get_user_block_list()
            .broadcaster_id(&self.broadcaster_id)
            .stream_with(options)
            .map(|user| {
                let user = user.map_err(Error::api(API))?;
                Ok(BlockedUser {
                    platform: Platform::Twitch,
                    api: API,
                    id: user.user_id,
                    login: Some(user.user_login),
                    display_name: Some(user.display_name),
                    blocked_at: None,
                })
            })
            .boxed()
    }

    fn block(&self, target: Target, options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let Target::Id(id) = target else {
                return Err(Error::Unresolvable {
                    api: API,
                    action: "block",
                    target,
                    reason: "Helix addresses users by ID and its block API has no user lookup; pass the user ID",
                });
            };
            let mut request = self.client.block_user().target_user_id(id);
            if let Some(context) = options.source_context {
                request = request.source_context(match context {
                    SourceContext::Chat => BlockUserSourceContext::Chat,
                    SourceContext::Whisper => BlockUserSourceContext::Whisper,
                });
            }
            if let Some(reason) = options.reason {
                request = request.reason(match reason {
                    BlockReason::Harassment => BlockUserReason::Harassment,
                    BlockReason::Spam => BlockUserReason::Spam,
                    BlockReason::Other => BlockUserReason::Other,
                });
            }
            call(request.send()).await.map_err(Error::api(API))
        })
    }

    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let id = match target {
                Target::Id(id) => id,
                login => match find_blocked(self, &login).await? {
                    Some(user) => user.id,
                    None => return Ok(()),
                },
            };
            call(self.client.unblock_user().target_user_id(id).send())
                .await
                .map_err(Error::api(API))
        })
    }
}
