//! X API v2 `/2/users/{id}/blocking` as a [`BlockList`](crate::BlockList): by user ID. Its
//! blocking endpoints have no user lookup, so a username cannot be blocked (it is refused before
//! sending) and is unblocked through the list.

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_x_v2::Client;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::platforms::{Addressing, ApiMapping};
use crate::{Api, BlockOptions, BlockedUser, Target};

/// X v2's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    type Client = Client;
    const API: Api = Api::XV2;
    const ADDRESSING: Addressing = Addressing::Id;
    const OTHER_KIND: &'static str = "X API v2 addresses users by ID and its blocking endpoints have no user lookup; pass the user ID";
    const OWNER: &'static str = "X API v2 needs the user ID of the token's user";

    fn list<'a>(
        client: &'a Client,
        owner: &'a str,
        options: PageOptions,
    ) -> BoxStream<'a, Result<BlockedUser, ApiError>> {
        client
            .get_users_blocking()
            .id(owner)
            .stream_with(options)
            .map(|user| {
                let user = user?;
                Ok(BlockedUser {
                    login: Some(user.username),
                    display_name: Some(user.name),
                    ..BlockedUser::on(Self::API, user.id.to_string())
                })
            })
            .boxed()
    }

    fn block<'a>(
        client: &'a Client,
        owner: &'a str,
        target: &'a Target,
        _options: BlockOptions,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        let request = client
            .block_user()
            .id(owner)
            .body_map(|body| body.target_user_id(target.as_str()));
        Box::pin(async move { call(request.send()).await.map(drop) })
    }

    fn unblock<'a>(
        client: &'a Client,
        owner: &'a str,
        target: &'a Target,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        let request = client
            .unblock_user()
            .source_user_id(owner)
            .target_user_id(target.as_str());
        Box::pin(async move { call(request.send()).await.map(drop) })
    }
}
