//! Twitch Kraken v2 `/kraken/users/{login}/blocks` as a [`BlockList`](crate::BlockList): by
//! login, with no user lookup, so an ID cannot be blocked (it is refused before sending) and is
//! unblocked through the list. Unblocking a user who is not blocked (Kraken's 404) succeeds.

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_twitch_kraken_v2::Client;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};

use crate::platforms::{Addressing, ApiMapping};
use crate::{Api, BlockOptions, BlockedUser, Target};

/// Kraken v2's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    type Client = Client;
    const API: Api = Api::TwitchKrakenV2;
    const ADDRESSING: Addressing = Addressing::Login;
    const OTHER_KIND: &'static str =
        "Kraken v2 addresses users by login and has no user lookup; pass the login";
    const OWNER: &'static str = "Kraken v2 needs the login of the token's user";
    const NOT_BLOCKED_IS_404: bool = true;

    fn list<'a>(
        client: &'a Client,
        owner: &'a str,
        options: PageOptions,
    ) -> BoxStream<'a, Result<BlockedUser, ApiError>> {
        client
            .get_user_block_list()
            .login(owner)
            .stream_with(options)
            .map(|block| {
                let block = block?;
                Ok(BlockedUser {
                    login: Some(block.user.name),
                    display_name: Some(block.user.display_name),
                    blocked_at: block.updated_at,
                    ..BlockedUser::on(Self::API, block.user.id.to_string())
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
        let request = client.block_user().user(owner).target(target.as_str());
        Box::pin(async move { call(request.send()).await.map(drop) })
    }

    fn unblock<'a>(
        client: &'a Client,
        owner: &'a str,
        target: &'a Target,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        let request = client.unblock_user().user(owner).target(target.as_str());
        Box::pin(async move { call(request.send()).await.map(drop) })
    }
}
