//! Twitch Helix `/helix/users/blocks` as a [`BlockList`](crate::BlockList): by user ID, with
//! Helix's `source_context` and `reason` options. Logins are resolved with Get Users
//! (`/helix/users`, 100 names a request), which also gives each user's `created_at`.

use blockbind_runtime::{ApiError, PageOptions, call};
use blockbind_twitch_helix::Client;
use futures::future::BoxFuture;

use crate::platforms::{Addressing, ApiClient, ApiMapping, Listed, Sent, listed, sent};
use crate::{BlockOptions, BlockedUser, Target};

/// Helix's table.
pub struct Mapping;

impl ApiMapping for Mapping {
    const ADDRESSING: Addressing = Addressing::Id;
    const LIST: &'static str = "get_user_block_list";
    const PAGE_SIZE: Option<&'static str> = Some("first");
    const BLOCK: &'static str = "block_user";
    const UNBLOCK: &'static str = "unblock_user";
    const OTHER_KIND: &'static str = "Helix addresses users by ID";
    const OWNER: &'static str = "Helix needs the user ID of the token's user (the broadcaster)";

    fn list<'a>(client: &'a Client, owner: &'a str, options: PageOptions) -> Listed<'a> {
        let request = client.get_user_block_list().broadcaster_id(owner);
        listed(request.stream_with(options), |u| {
            BlockedUser::named(Self::API, u.user_id, u.user_login, u.display_name)
        })
    }

    fn block<'a>(c: &'a Client, _: &'a str, target: &'a Target, o: BlockOptions) -> Sent<'a> {
        let mut request = c.block_user().target_user_id(target.as_str());
        if let Some(context) = o.source_context {
            request = request.source_context(context);
        }
        if let Some(reason) = o.reason {
            request = request.reason(reason);
        }
        sent(call(request.send()))
    }

    fn unblock<'a>(client: &'a Client, _: &'a str, target: &'a Target) -> Sent<'a> {
        sent(call(client.unblock_user().target_user_id(target.as_str()).send()))
    }

    fn lookup_users<'a>(
        client: &'a Client,
        logins: &'a [String],
        ids: &'a [String],
    ) -> Option<BoxFuture<'a, Result<Vec<BlockedUser>, ApiError>>> {
        Some(Box::pin(async move {
            let mut request = client.get_users();
            if !logins.is_empty() {
                request = request.login(logins.to_vec());
            }
            if !ids.is_empty() {
                request = request.id(ids.to_vec());
            }
            let found = call(request.send()).await?;
            Ok(found
                .data
                .into_iter()
                .map(|u| BlockedUser {
                    created_at: Some(u.created_at),
                    ..BlockedUser::named(Self::API, u.id, u.login, u.display_name)
                })
                .collect())
        }))
    }
}
