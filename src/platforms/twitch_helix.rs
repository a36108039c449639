//! Twitch Helix `/helix/users/blocks` as a [`BlockList`](crate::BlockList): by user ID, with
//! Helix's `source_context` and `reason` options. Helix's block API has no user lookup, so a
//! login cannot be blocked (it is refused before sending) and is unblocked through the list.

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_twitch_helix::Client;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::platforms::{Addressing, ApiMapping};
use crate::{Api, BlockOptions, BlockedUser, Target};

/// Helix's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    type Client = Client;
    const API: Api = Api::TwitchHelix;
    const ADDRESSING: Addressing = Addressing::Id;
    const OTHER_KIND: &'static str =
        "Helix addresses users by ID and its block API has no user lookup; pass the user ID";
    const OWNER: &'static str = "Helix needs the user ID of the token's user (the broadcaster)";

    fn list<'a>(
        client: &'a Client,
        owner: &'a str,
        options: PageOptions,
    ) -> BoxStream<'a, Result<BlockedUser, ApiError>> {
        client
            .get_user_block_list()
            .broadcaster_id(owner)
            .stream_with(options)
            .map(|user| {
                let user = user?;
                Ok(BlockedUser {
                    login: Some(user.user_login),
                    display_name: Some(user.display_name),
                    ..BlockedUser::on(Self::API, user.user_id)
                })
            })
            .boxed()
    }

    fn block<'a>(
        client: &'a Client,
        _owner: &'a str,
        target: &'a Target,
        options: BlockOptions,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        let mut request = client.block_user().target_user_id(target.as_str());
        if let Some(context) = options.source_context {
            request = request.source_context(context);
        }
        if let Some(reason) = options.reason {
            request = request.reason(reason);
        }
        Box::pin(call(request.send()))
    }

    fn unblock<'a>(
        client: &'a Client,
        _owner: &'a str,
        target: &'a Target,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(call(client.unblock_user().target_user_id(target.as_str()).send()))
    }
}
