//! [`BlockList`] on X API v2 (`/2/users/{id}/blocking`).

use blockbind_runtime::{PageOptions, call};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::block_list::find_blocked;
use crate::{Api, BlockList, BlockOptions, BlockedUser, Error, Platform, Target};

const API: Api = Api::XV2;

/// The block list of one X user on API v2, which addresses users by ID; its blocking endpoints
/// have no user lookup. [`BlockList::block`] takes an ID (a username is refused before sending
/// with [`Error::Unresolvable`]); [`BlockList::unblock`] also takes a username, resolved through
/// the block list itself.
#[derive(Debug, Clone)]
pub struct XV2Blocks {
    client: blockbind_x_v2::Client,
    user_id: String,
}

impl XV2Blocks {
    /// `user_id` is the ID of the user the client's token acts for.
    pub fn new(client: blockbind_x_v2::Client, user_id: impl Into<String>) -> Self {
        Self {
            client,
            user_id: user_id.into(),
        }
    }

    pub fn client(&self) -> &blockbind_x_v2::Client {
        &self.client
    }
}

impl BlockList for XV2Blocks {
    fn api(&self) -> Api {
        API
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.client
            .get_users_blocking()
            .id(self.user_id.as_str())
            .stream_with(options)
            .map(|user| {
                let user = user.map_err(Error::api(API))?;
                Ok(BlockedUser {
                    platform: Platform::X,
                    api: API,
                    id: user.id.to_string(),
                    login: Some(user.username),
                    display_name: Some(user.name),
                    blocked_at: None,
                })
            })
            .boxed()
    }

    fn block(&self, target: Target, _options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let Target::Id(id) = target else {
                return Err(Error::Unresolvable {
                    api: API,
                    action: "block",
                    target,
                    reason: "X API v2 addresses users by ID and its blocking endpoints have no user lookup; pass the user ID",
                });
            };
            let request = self
                .client
                .block_user()
                .id(self.user_id.as_str())
                .body_map(|body| body.target_user_id(id.as_str()));
            call(request.send())
                .await
                .map(drop)
                .map_err(Error::api(API))
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
            let request = self
                .client
                .unblock_user()
                .source_user_id(self.user_id.as_str())
                .target_user_id(id.as_str());
            call(request.send())
                .await
                .map(drop)
                .map_err(Error::api(API))
        })
    }
}
