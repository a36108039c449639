//! [`BlockList`] on X API v1.1 (`blocks/ids`, `blocks/create`, `blocks/destroy`).

use blockbind_runtime::{PageOptions, call};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::{Api, BlockList, BlockOptions, BlockedUser, Error, Platform, Target};

const API: Api = Api::XV1;

/// The block list of the user of the client's OAuth 1.0a credentials. v1.1 takes a `user_id` or
/// a `screen_name`, so both kinds of target pass through as they are. The list is read with
/// `blocks/ids` (5000 per page, IDs only: `login` and `display_name` are `None`).
#[derive(Debug, Clone)]
pub struct XV1Blocks {
    client: blockbind_x_v1::Client,
}

impl XV1Blocks {
    pub fn new(client: blockbind_x_v1::Client) -> Self {
        Self { client }
    }

    pub fn client(&self) -> &blockbind_x_v1::Client {
        &self.client
    }
}

impl BlockList for XV1Blocks {
    fn api(&self) -> Api {
        API
    }

    fn blocked_with(&self, options: PageOptions) -> BoxStream<'_, Result<BlockedUser, Error>> {
        self.client
            .get_block_ids()
            .stream_with(options)
            .map(|id| {
                Ok(BlockedUser {
                    platform: Platform::X,
                    api: API,
                    id: id.map_err(Error::api(API))?.to_string(),
                    login: None,
                    display_name: None,
                    blocked_at: None,
                })
            })
            .boxed()
    }

    fn block(&self, target: Target, _options: BlockOptions) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let request = self
                .client
                .create_block()
                .skip_status(true)
                .include_entities(false);
            let request = match target {
                Target::Id(id) => request.user_id(id),
                Target::Login(login) => request.screen_name(login),
            };
            call(request.send())
                .await
                .map(drop)
                .map_err(Error::api(API))
        })
    }

    fn unblock(&self, target: Target) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let request = self
                .client
                .destroy_block()
                .skip_status(true)
                .include_entities(false);
            let request = match target {
                Target::Id(id) => request.user_id(id),
                Target::Login(login) => request.screen_name(login),
            };
            call(request.send())
                .await
                .map(drop)
                .map_err(Error::api(API))
        })
    }
}
