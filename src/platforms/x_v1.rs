//! X API v1.1 `blocks/*` as a [`BlockList`](crate::BlockList): acting as the user of the OAuth
//! 1.0a credentials (no owner), taking a `user_id` or a `screen_name` as given. The list is read
//! with `blocks/ids` (5000 per page, IDs only: `login` and `display_name` are `None`).

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_x_v1::Client;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::platforms::{Addressing, ApiMapping};
use crate::{Api, BlockOptions, BlockedUser, Target};

/// X v1.1's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    type Client = Client;
    const API: Api = Api::XV1;
    const ADDRESSING: Addressing = Addressing::Either;
    const OWNER: &'static str = "X API v1.1 acts as the user of the OAuth 1.0a credentials";

    fn list<'a>(
        client: &'a Client,
        _owner: &'a str,
        options: PageOptions,
    ) -> BoxStream<'a, Result<BlockedUser, ApiError>> {
        client
            .get_block_ids()
            .stream_with(options)
            .map(|id| Ok(BlockedUser::on(Self::API, id?.to_string())))
            .boxed()
    }

    fn block<'a>(
        client: &'a Client,
        _owner: &'a str,
        target: &'a Target,
        _options: BlockOptions,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        let request = client
            .create_block()
            .skip_status(true)
            .include_entities(false);
        let request = match target {
            Target::Id(id) => request.user_id(id.as_str()),
            Target::Login(login) => request.screen_name(login.as_str()),
        };
        Box::pin(async move { call(request.send()).await.map(drop) })
    }

    fn unblock<'a>(
        client: &'a Client,
        _owner: &'a str,
        target: &'a Target,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        let request = client
            .destroy_block()
            .skip_status(true)
            .include_entities(false);
        let request = match target {
            Target::Id(id) => request.user_id(id.as_str()),
            Target::Login(login) => request.screen_name(login.as_str()),
        };
        Box::pin(async move { call(request.send()).await.map(drop) })
    }
}

impl crate::platforms::Blocks<Mapping> {
    /// The block list of the user of the client's OAuth 1.0a credentials (v1.1 has no owner
    /// parameter).
    pub fn for_credentials(client: Client) -> Self {
        Self::new(client, "")
    }
}
